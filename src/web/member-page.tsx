import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env.ts";
import type { DecisionView } from "../views/decisions.ts";
import type { MemberView, SessionView } from "../views/members.ts";
import type { Reason } from "../moderation/verdict.ts";
import { callApi, type AppFetch } from "./api.ts";
import { formLimit, loginRedirect, signedInForm } from "./forms.tsx";
import { ErrorBox, FORUM_RULE_NAMES, formatTime, Layout, ROLE_NAMES } from "./layout.tsx";
import { ACTION_NAMES, MEMBER_STATUS_NAMES, TRUST_NAMES } from "./moderate/labels.tsx";
import { readSession, type WebSession } from "./session.ts";

// The member's own page (/me): their warnings to acknowledge, their statement of reasons with an appeal
// form, and their nickname with its check. Everything goes through the JSON API as the member.

type Warning = { decisionId: string; forumRules: string[]; note: string | null; createdAt: string; acknowledgedAt: string | null };
type StatementEntry = DecisionView & { appeal: { id: string } | { appealableUntil: string } | null; facts: unknown };
type NicknameAnswer = { outcome: string; message: string | null };

/** The check's answer as the page says it: an accepted nickname's answer has no message of its own. */
const answerText = (answer: NicknameAnswer) => answer.message ?? (answer.outcome === "allow" ? "這個暱稱可以使用。" : "");

/** What the last form left to show on the page. */
interface MemberPageState {
  notice?: string;
  error?: { message: string; items?: string[] };
  nickname?: { text: string; answer?: NicknameAnswer };
}

const NOTICES: Record<string, string> = {
  acknowledged: "已確認警告，你可以繼續留言。",
  appealed: "申訴已送出，將由另一位管理員重新審查。",
  nickname_saved: "暱稱已儲存。",
  nickname_pending: "暱稱已送出，將由管理員審核後顯示。",
  session_ended: "已登出那個裝置。",
};

/** The messages of a decision's reasons, as its statement of reasons gives them to the member. */
function reasonMessages(facts: unknown): string[] {
  const { reasons = [], verdicts = [] } = (facts ?? {}) as { reasons?: Reason[]; verdicts?: { reasons?: Reason[] }[] };
  return [...reasons, ...verdicts.flatMap((v) => v.reasons ?? [])].map((r) => `${FORUM_RULE_NAMES[r.forumRule] ?? r.forumRule}：${r.message}`);
}

/** The member's data (Personal Data Protection Act): a download of everything kept about them, and erasure with a confirmation box. */
function DataSection({ session }: { session: WebSession }) {
  return (
    <section aria-labelledby="data-heading" data-testid="my-data">
      <h2 id="data-heading">我的個人資料</h2>
      <p>
        依個人資料保護法，你可以下載討論區保存的你的資料（留言與修改紀錄、標籤、檢舉、處分與申訴、登入紀錄），也可以要求刪除。
      </p>
      <p>
        <a href="/me/data" download>下載我的資料（JSON）</a>
      </p>
      <form method="post" action="/me/erasure" data-testid="erasure-form">
        <input type="hidden" name="_csrf" value={session.csrf} />
        <p>
          刪除後，你的留言會從文章下撤下，留言與修改紀錄的文字、暱稱、檢舉與申訴的說明都會清除，所有裝置都會登出。
          處分紀錄依法保留（處分與理由，不含你寫的文字），進行中的停權不會因此解除；你提出的標籤會留在文章上。此動作無法復原。
        </p>
        <label>
          <input type="checkbox" name="confirm" value="yes" required /> 我了解刪除後無法復原，確定刪除我的資料
        </label>
        <button type="submit" class="danger">刪除我的資料</button>
      </form>
    </section>
  );
}

/** Where the member is signed in: each live session, this browser's marked, the others with a button that ends them. */
function SessionsSection({ session, sessions }: { session: WebSession; sessions: SessionView[] }) {
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">登入中的裝置</h2>
      <table class="sessions">
        <thead>
          <tr>
            <th>裝置</th>
            <th>身分</th>
            <th>登入時間</th>
            <th>最近使用</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((live) => (
            <tr data-testid="session" data-session-id={live.id}>
              <td>{live.userAgent ?? "不明的瀏覽器"}</td>
              <td>{ROLE_NAMES[live.role]}</td>
              <td>{formatTime(live.createdAt)}</td>
              <td>{formatTime(live.lastSeenAt)}</td>
              <td>
                {live.id === session.sessionId ? (
                  <strong>此裝置</strong>
                ) : (
                  <form method="post" action={`/me/sessions/${live.id}/end`}>
                    <input type="hidden" name="_csrf" value={session.csrf} />
                    <button type="submit" class="secondary">登出這個裝置</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MemberPage(props: { session: WebSession; member: MemberView | null; warnings: Warning[]; decisions: StatementEntry[]; sessions: SessionView[]; state: MemberPageState; rulesVersion: string; now: Date }) {
  const { session, member, warnings, decisions, state } = props;
  const open = warnings.filter((w) => !w.acknowledgedAt);
  return (
    <Layout title="我的帳號 - 新聞討論區" session={session} area="public" script="/assets/member.js">
      <h1>我的帳號</h1>
      {state.notice && NOTICES[state.notice] ? <div class="notice" role="status">{NOTICES[state.notice]}</div> : null}
      {state.error ? <ErrorBox message={state.error.message} items={state.error.items} /> : null}
      <section class="card">
        <p>暱稱：{member?.nickname ?? "尚未設定"}{member?.nicknameStatus === "pending" ? "（審核中）" : ""}</p>
        <p>帳號狀態：{MEMBER_STATUS_NAMES[member?.status ?? "active"]}{member?.suspendedUntil ? `，停權至 ${formatTime(member.suspendedUntil)}` : ""}</p>
        <p data-testid="trust-level">留言層級：{TRUST_NAMES[member?.trustLevel ?? "newcomer"]}</p>
      </section>

      <section aria-labelledby="warnings-heading">
        <h2 id="warnings-heading">管理員的警告</h2>
        {open.length === 0 ? <p class="muted">沒有待確認的警告。</p> : null}
        {open.map((warning) => (
          <div class="card warning" data-testid="warning">
            <p>{warning.forumRules.map((rule) => FORUM_RULE_NAMES[rule] ?? rule).join("、")} · {formatTime(warning.createdAt)}</p>
            <p>{warning.note}</p>
            <form method="post" action={`/me/warnings/${warning.decisionId}/acknowledge`}>
              <input type="hidden" name="_csrf" value={session.csrf} />
              <button type="submit">我已閱讀並了解</button>
            </form>
          </div>
        ))}
      </section>

      <section aria-labelledby="decisions-heading">
        <h2 id="decisions-heading">處理紀錄與申訴</h2>
        {decisions.length === 0 ? <p class="muted">沒有與你有關的處理紀錄。</p> : null}
        {decisions.map((decision) => {
          const appeal = decision.appeal;
          const canAppeal = appeal !== null && "appealableUntil" in appeal && new Date(appeal.appealableUntil) > props.now;
          return (
            <div class="card" data-testid="decision" data-decision-id={decision.id}>
              <p>
                <strong>{ACTION_NAMES[decision.action] ?? decision.action}</strong> · {decision.forumRules.map((rule) => FORUM_RULE_NAMES[rule] ?? rule).join("、")} ·{" "}
                {formatTime(decision.createdAt)}
              </p>
              {decision.subjectText ? <p class="text">{decision.subjectText}</p> : null}
              <ul>
                {reasonMessages(decision.facts).map((line) => (
                  <li>{line}</li>
                ))}
              </ul>
              {decision.note ? <p>管理員說明：{decision.note}</p> : null}
              {appeal && "id" in appeal ? <p class="muted">已提出申訴。</p> : null}
              {canAppeal ? (
                <form method="post" action={`/me/decisions/${decision.id}/appeal`} class="comment-form">
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <label for={`appeal-${decision.id}`}>申訴理由（{formatTime((appeal as { appealableUntil: string }).appealableUntil)} 前可申訴）</label>
                  <textarea id={`appeal-${decision.id}`} name="note" maxlength={2000}></textarea>
                  <button type="submit" class="secondary">提出申訴</button>
                </form>
              ) : null}
            </div>
          );
        })}
      </section>

      <section aria-labelledby="nickname-heading">
        <h2 id="nickname-heading">{member?.nickname ? "更改暱稱" : "設定暱稱"}</h2>
        {state.nickname?.answer ? (
          <div class={state.nickname.answer.outcome === "allow" ? "notice" : "notice warn"} role="status" data-testid="nickname-answer">
            {answerText(state.nickname.answer)}
          </div>
        ) : null}
        <div aria-live="polite" data-testid="nickname-live"></div>
        <form method="post" action="/me/nickname" class="filters" data-nickname-check>
          <input type="hidden" name="_csrf" value={session.csrf} />
          <label>
            暱稱
            <input type="text" name="nickname" maxlength={200} required value={state.nickname?.text ?? ""} />
          </label>
          {member?.nickname ? null : (
            <label>
              <input type="checkbox" name="acceptedRulesVersion" value={props.rulesVersion} /> 我已閱讀並同意討論區規則
            </label>
          )}
          <button type="submit" name="intent" value="check" class="secondary">檢查暱稱</button>
          <button type="submit" name="intent" value="save">儲存暱稱</button>
        </form>
      </section>

      <SessionsSection session={session} sessions={props.sessions} />
      <DataSection session={session} />
    </Layout>
  );
}

async function renderMemberPage(c: Context<AppEnv>, appFetch: AppFetch, session: WebSession, state: MemberPageState, status: ContentfulStatusCode = 200) {
  const [me, warnings, decisions, sessions] = await Promise.all([
    callApi<{ member: MemberView }>(c, appFetch, session, "GET", "/members/me"),
    callApi<{ warnings: Warning[] }>(c, appFetch, session, "GET", "/members/me/warnings"),
    callApi<{ decisions: StatementEntry[] }>(c, appFetch, session, "GET", "/members/me/decisions"),
    callApi<{ sessions: SessionView[] }>(c, appFetch, session, "GET", "/members/me/sessions"),
  ]);
  c.header("Cache-Control", "no-store");
  const { config, clock } = c.get("deps");
  return c.html(
    <MemberPage
      session={session}
      member={me.ok ? me.body.member : null}
      warnings={warnings.ok ? warnings.body.warnings : []}
      decisions={decisions.ok ? decisions.body.decisions : []}
      sessions={sessions.ok ? sessions.body.sessions : []}
      state={state}
      rulesVersion={config.forumRules.version}
      now={clock.now()}
    />,
    status,
  );
}

export function memberPageRoutes(appFetch: AppFetch) {
  const routes = new Hono<AppEnv>();

  routes.get("/me", async (c) => {
    const session = await readSession(c);
    if (!session) return loginRedirect(c, "/me");
    return renderMemberPage(c, appFetch, session, { notice: c.req.query("notice") });
  });

  routes.post("/me/warnings/:id/acknowledge", formLimit(4096), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    const result = await callApi(c, appFetch, post.session, "POST", `/members/me/warnings/${encodeURIComponent(c.req.param("id"))}/acknowledge`);
    if (result.ok) return c.redirect("/me?notice=acknowledged", 303);
    return renderMemberPage(c, appFetch, post.session, { error: { message: result.error.message } }, result.status);
  });

  routes.post("/me/decisions/:id/appeal", formLimit(16 * 1024), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    const note = post.form.text("note").trim();
    const result = await callApi(c, appFetch, post.session, "POST", `/decisions/${encodeURIComponent(c.req.param("id"))}/appeal`, note ? { note } : {});
    if (result.ok) return c.redirect("/me?notice=appealed", 303);
    return renderMemberPage(c, appFetch, post.session, { error: { message: result.error.message } }, result.status);
  });

  routes.post("/me/sessions/:id/end", formLimit(4096), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    const result = await callApi(c, appFetch, post.session, "POST", `/members/me/sessions/${encodeURIComponent(c.req.param("id"))}/end`);
    if (result.ok) return c.redirect("/me?notice=session_ended", 303);
    return renderMemberPage(c, appFetch, post.session, { error: { message: result.error.message } }, result.status);
  });

  // The member's data as a download: the API's document, saved by the browser as a file.
  routes.get("/me/data", async (c) => {
    const session = await readSession(c);
    if (!session) return loginRedirect(c, "/me");
    const exported = await callApi<unknown>(c, appFetch, session, "GET", "/members/me/data");
    if (!exported.ok) return renderMemberPage(c, appFetch, session, { error: { message: exported.error.message } }, exported.status);
    c.header("Cache-Control", "no-store");
    c.header("Content-Disposition", `attachment; filename="comments-data-${session.memberId}.json"`);
    return c.json(exported.body);
  });

  // Erasure: only with the box ticked; the API ends every session, this one too, so the answer is a page of its own.
  routes.post("/me/erasure", formLimit(4096), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    if (post.form.text("confirm") !== "yes") {
      return renderMemberPage(c, appFetch, post.session, { error: { message: "請勾選確認方塊後再刪除 (tick the box to confirm)" } }, 400);
    }
    const erased = await callApi<{ erasure: { commentsTakenDown: number; commentTextsErased: number } }>(c, appFetch, post.session, "POST", "/members/me/erasure", { confirm: true });
    if (!erased.ok) return renderMemberPage(c, appFetch, post.session, { error: { message: erased.error.message } }, erased.status);
    c.header("Cache-Control", "no-store");
    return c.html(
      <Layout title="資料已刪除" session={null} area="public">
        <h1>你的資料已刪除</h1>
        <p role="status" data-testid="erased">
          已撤下 {erased.body.erasure.commentsTakenDown} 則留言，清除 {erased.body.erasure.commentTextsErased} 則留言的文字，並已登出所有裝置。
        </p>
        <p>
          <a href="/login">重新登入</a>
        </p>
      </Layout>,
    );
  });

  // The live check as the member types (/assets/member.js): the API's answer as JSON.
  routes.post("/me/nickname/live", formLimit(4096), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    const checked = await callApi<NicknameAnswer>(c, appFetch, post.session, "POST", "/nicknames/check", { nickname: post.form.text("nickname") });
    c.header("Cache-Control", "no-store");
    if (!checked.ok) return c.json({ outcome: "refused", message: checked.error.message }, checked.status);
    return c.json({ outcome: checked.body.outcome, message: answerText(checked.body) });
  });

  // The nickname form: "check" asks the live check and shows its answer; "save" registers or changes it.
  routes.post("/me/nickname", formLimit(8 * 1024), async (c) => {
    const post = await signedInForm(c, "/me");
    if (post.refused) return post.refused;
    const { session, form } = post;
    const nickname = form.text("nickname");
    if (form.text("intent") === "check") {
      const checked = await callApi<NicknameAnswer>(c, appFetch, session, "POST", "/nicknames/check", { nickname });
      if (!checked.ok) return renderMemberPage(c, appFetch, session, { nickname: { text: nickname }, error: { message: checked.error.message } }, checked.status);
      return renderMemberPage(c, appFetch, session, { nickname: { text: nickname, answer: checked.body } });
    }
    const me = await callApi<{ member: MemberView }>(c, appFetch, session, "GET", "/members/me");
    const saved = me.ok && me.body.member.nickname
      ? await callApi<{ message?: string }>(c, appFetch, session, "PATCH", `/members/${encodeURIComponent(session.memberId)}/nickname`, { nickname })
      : await callApi<{ message?: string }>(c, appFetch, session, "POST", "/members", { nickname, acceptedRulesVersion: form.text("acceptedRulesVersion") || undefined });
    if (saved.ok) return c.redirect(`/me?notice=${saved.status === 202 ? "nickname_pending" : "nickname_saved"}`, 303);
    return renderMemberPage(c, appFetch, session, { nickname: { text: nickname }, error: { message: saved.error.message } }, saved.status);
  });

  return routes;
}
