// Blind second looks (/moderate/second-looks): the subject as a card without the decision, a form for the
// moderator's own call, and after it, the first decision and whether the two agree.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../app-env.ts";
import type { DecisionView } from "../../views/decisions.ts";
import type { SecondLookView } from "../../views/review.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { CATEGORY_NAMES, ErrorBox, FORUM_RULE_NAMES, Layout, spanNote } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import { ACTION_NAMES, MarkedText, REPORT_REASON_NAMES, SUBJECT_NAMES, rulesText } from "./labels.tsx";

function SecondLooksPage({ session, looks, error }: { session: WebSession; looks: SecondLookView[]; error: ApiFailure | null }) {
  return (
    <Layout title="複查 - 留言審核" session={session} area="moderate">
      <h1>複查（第二意見）</h1>
      <p class="muted">
        部分管理員的處分會隨機交給另一位管理員，在看不到原處分的情況下再判斷一次；兩者是否一致會計入統計頁的「複查一致率」，用來檢查規則是否被一致地適用。複查不會改變原處分。
      </p>
      {error ? <ErrorBox message={error.message} /> : null}
      {looks.length === 0 ? <p class="muted">目前沒有待複查的處分。</p> : null}
      {looks.map((look) => (
        <article class="card" data-testid="second-look">
          <p class="muted">
            {SUBJECT_NAMES[look.subjectKind] ?? look.subjectKind} #{look.subjectId}
          </p>
          {look.card.text !== null ? <MarkedText text={look.card.text} reasons={look.card.reasons} testId="second-look-text" /> : <p class="muted">這個對象已不存在。</p>}
          <ul class="card-reasons">
            {look.card.reasons.map((reason) => (
              <li>
                <strong>{reason.ruleId}</strong> {CATEGORY_NAMES[reason.category] ?? reason.category}
                {reason.spans.length ? <span class="muted"> — {reason.spans.map(spanNote).join("、")}</span> : null}
              </li>
            ))}
            {Object.entries(look.card.reports).length ? (
              <li>
                檢舉：{Object.entries(look.card.reports).map(([reason, count]) => `${REPORT_REASON_NAMES[reason] ?? reason} ×${count}`).join("、")}
              </li>
            ) : null}
          </ul>
          <form method="post" action={`/moderate/second-looks/${look.id}`} class="filters">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <label>
              <input type="radio" name="action" value="approve" required /> 未違規（核准）
            </label>
            <label>
              <input type="radio" name="action" value="remove" required /> 違規（移除）
            </label>
            {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
              <label>
                <input type="checkbox" name="forumRules" value={rule} /> {rule}
              </label>
            ))}
            <label>
              說明（選填）
              <input type="text" name="note" maxlength={2000} />
            </label>
            <button type="submit">送出我的判斷</button>
          </form>
        </article>
      ))}
    </Layout>
  );
}

function SecondLookResult({ session, agrees, mine, first }: { session: WebSession; agrees: boolean; mine: { action: string; forumRules: string[] }; first: DecisionView }) {
  return (
    <Layout title="複查結果 - 留言審核" session={session} area="moderate">
      <h1>複查結果</h1>
      <p class={agrees ? "notice" : "notice warn"} role="status" data-testid="second-look-result">
        {agrees ? "一致：" : "不一致："}你判斷為「{ACTION_NAMES[mine.action]}」{mine.forumRules.length ? `（${rulesText(mine.forumRules)}）` : ""}，原處分為「
        {ACTION_NAMES[first.action] ?? first.action}」（{first.forumRules.map((rule) => FORUM_RULE_NAMES[rule] ?? rule).join("、") || "未指明規則"}）。
      </p>
      <p>
        原處分說明：{first.note ?? "（無）"}（{first.moderatorId}）
      </p>
      <p>
        <a href="/moderate/second-looks">下一則複查</a>
      </p>
    </Layout>
  );
}

export async function showSecondLooks(c: Context<AppEnv>, appFetch: AppFetch, error: ApiFailure | null = null, status: ContentfulStatusCode = 200) {
  const session = c.get("webSession");
  const looks = await callApi<{ looks: SecondLookView[] }>(c, appFetch, session, "GET", "/review/second-looks");
  if (!looks.ok) throw new Error(`second looks failed: ${looks.error.code}`);
  return c.html(<SecondLooksPage session={session} looks={looks.body.looks} error={error} />, status);
}

export async function answerSecondLook(c: Context<AppEnv>, appFetch: AppFetch, session: WebSession, id: string, form: { action: string; forumRules: string[]; note: string }) {
  const result = await callApi<{ look: { agrees: boolean; reviewerAction: string; reviewerForumRules: string[] }; first: DecisionView }>(
    c,
    appFetch,
    session,
    "POST",
    `/review/second-looks/${encodeURIComponent(id)}`,
    { action: form.action, forumRules: form.forumRules, ...(form.note ? { note: form.note } : {}) },
  );
  if (!result.ok) return showSecondLooks(c, appFetch, result.error, result.status);
  const { look, first } = result.body;
  return c.html(<SecondLookResult session={session} agrees={look.agrees} mine={{ action: look.reviewerAction, forumRules: look.reviewerForumRules }} first={first} />);
}
