// One review item (/moderate/items/:id): the text with its marked spans, the reasons, reports, the
// member's standing, and the decision form.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../app-env.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { SimplePage } from "../forms.tsx";
import { CATEGORY_NAMES, ErrorBox, FORUM_RULE_NAMES, formatTime, Layout, spanNote } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import type { DecisionView } from "../../views/decisions.ts";
import type { ItemDetailView, StoredVerdict } from "../../views/review.ts";
import { MarkedText, ACTION_CHOICES, ACTION_NAMES, AUTOMATION_NAMES, Badge, KIND_NAMES, MEMBER_STATUS_NAMES, TRUST_NAMES, REPORT_REASON_NAMES, SOURCE_NAMES, SUBJECT_NAMES, SUBJECT_STATUS_NAMES, rulesText } from "./labels.tsx";

function SubjectText({ detail }: { detail: ItemDetailView }) {
  const subject = detail.subject;
  if (!subject) return <p class="muted">這個對象已不存在。</p>;
  const text = subject.body ?? subject.label ?? subject.nickname ?? "";
  // Spans from the subject's own verdict and any automated source (a re-screen may have added reasons).
  const verdicts = [subject.verdict, ...detail.sources.filter((s) => s.source === "automated_detection").map((s) => s.detail as StoredVerdict)];
  return <MarkedText text={text} reasons={verdicts.flatMap((verdict) => verdict?.reasons ?? [])} testId="subject-text" />;
}

function ReasonsList({ verdict }: { verdict: StoredVerdict | undefined }) {
  if (!verdict) return null;
  return (
    <div>
      {verdict.reasons.length ? (
        <ul data-testid="reasons">
          {verdict.reasons.map((reason) => (
            <li>
              <strong>{reason.ruleId}</strong>（{FORUM_RULE_NAMES[reason.forumRule] ?? reason.forumRule}）<Badge severity={reason.severity} />{" "}
              <span class="category" data-testid="category">
                {CATEGORY_NAMES[reason.category] ?? reason.category}
              </span>{" "}
              {reason.action === "flag" ? <span class="muted">（僅標示）</span> : null} {reason.message}
              {reason.spans.length ? (
                <span class="muted">
                  {" "}
                  — 命中：
                  {reason.spans.map(spanNote).join("、")}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">自動偵測未發現問題。</p>
      )}
      {verdict.score !== null ? (
        <p>
          分類器分數 <strong data-testid="score">{verdict.score.toFixed(3)}</strong>
          {verdict.topNgrams && verdict.topNgrams.length ? (
            <span class="muted">
              {" "}
              主要依據：{verdict.topNgrams.map((signal) => `「${signal.ngram}」+${signal.weight.toFixed(2)}`).join("、")}
            </span>
          ) : null}
        </p>
      ) : null}
      {verdict.relatedness ? (
        <p class="muted">
          與文章相關度：{verdict.relatedness.kind}
          {verdict.relatedness.similarity !== undefined ? `（${verdict.relatedness.similarity}）` : ""}
        </p>
      ) : null}
    </div>
  );
}

export function DecisionsTable({ decisions }: { decisions: DecisionView[] }) {
  if (decisions.length === 0) return <p class="muted">沒有紀錄。</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>時間</th>
          <th>處分</th>
          <th>規則</th>
          <th>來源</th>
          <th>對象</th>
          <th>說明</th>
        </tr>
      </thead>
      <tbody>
        {decisions.map((decision) => (
          <tr>
            <td>{decision.id}</td>
            <td>{formatTime(decision.createdAt)}</td>
            <td>{ACTION_NAMES[decision.action] ?? decision.action}</td>
            <td>{rulesText(decision.forumRules)}</td>
            <td>
              {SOURCE_NAMES[decision.source] ?? decision.source}／{AUTOMATION_NAMES[decision.automation] ?? decision.automation}
            </td>
            <td>
              {SUBJECT_NAMES[decision.subjectKind] ?? decision.subjectKind}：{Array.from(decision.subjectText).slice(0, 40).join("")}
            </td>
            <td>{decision.note ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface DecisionDraft {
  action?: string;
  forumRules?: string[];
  note?: string;
  suspendDays?: string;
}

function DecisionForm({ detail, session, draft, suspendDays }: { detail: ItemDetailView; session: WebSession; draft: DecisionDraft; suspendDays: number }) {
  const item = detail.item;
  const checkedRules = draft.forumRules ?? item.forumRules;
  const choices = ACTION_CHOICES[item.kind];
  return (
    <form method="post" action={`/moderate/items/${item.id}/decision`} class="decision card">
      <h2>決定</h2>
      <input type="hidden" name="_csrf" value={session.csrf} />
      {/* The comment version this page shows: a decision on one edited since is refused. */}
      {detail.subject?.version !== undefined ? <input type="hidden" name="subjectVersion" value={String(detail.subject.version)} /> : null}
      <div class="actions" role="radiogroup" aria-label="處分">
        {choices.map(({ action, key }) => (
          <label>
            <input type="radio" name="action" value={action} data-key={key} required checked={draft.action === action} />
            {ACTION_NAMES[action]} <kbd>{key}</kbd>
          </label>
        ))}
      </div>
      {item.kind === "moderation" ? (
        <div>
          <div class="actions" aria-label="違反的規則">
            {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
              <label>
                <input type="checkbox" name="forumRules" value={rule} checked={checkedRules.includes(rule)} />
                {FORUM_RULE_NAMES[rule]}
              </label>
            ))}
          </div>
          <label>
            停權天數 <input type="number" name="suspendDays" min={1} max={3650} value={draft.suspendDays ?? String(suspendDays)} />
          </label>
        </div>
      ) : null}
      <p>
        <label for="note">說明（會記入處分紀錄，並讓會員看到）</label>
        <textarea id="note" name="note" required maxlength={2000}>
          {draft.note ?? ""}
        </textarea>
      </p>
      <button type="submit">送出決定（Ctrl+Enter）</button>
      <p class="shortcuts">
        快速鍵：{choices.map(({ action, key }) => (
          <span>
            <kbd>{key}</kbd> {ACTION_NAMES[action]}　
          </span>
        ))}
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> 送出　<kbd>Esc</kbd> 離開輸入框　<kbd>j</kbd>／<kbd>k</kbd> 下一則／上一則
      </p>
    </form>
  );
}

function ItemPage({ detail, session, draft, error, suspendDays }: { detail: ItemDetailView; session: WebSession; draft: DecisionDraft; error: ApiFailure | null; suspendDays: number }) {
  const { item, subject, member, reports, appealedDecision } = detail;
  const appealNotes = detail.sources.filter((s) => s.source === "appeal").map((s) => (s.detail as { note?: string | null }).note ?? "");
  return (
    <Layout title={`項目 #${item.id} - 留言審核`} session={session} area="moderate">
      <h1>
        {SUBJECT_NAMES[item.subjectKind]}
        {KIND_NAMES[item.kind]} #{item.id}
      </h1>
      <p class="muted">
        {item.state === "open" ? "待審" : "已處理"} · 規則 {rulesText(item.forumRules)} · <Badge severity={item.severity} /> · 檢舉權重 {item.reportWeight} · 建立於{" "}
        {formatTime(item.createdAt)} · 等候 {item.age.ageHours} / {item.age.targetHours} 小時{item.age.overdue ? "（逾時）" : ""}
        {item.claimedBy && item.leaseUntil ? ` · ${item.claimedBy} 處理中（至 ${formatTime(item.leaseUntil)}）` : ""}
        {subject?.articleId ? (
          <span>
            {" "}
            · <a href={`/articles/${subject.articleId}`}>文章</a> · <a href={`/moderate?${new URLSearchParams({ articleId: subject.articleId })}`}>這篇文章的待審項目</a>
          </span>
        ) : null}
      </p>
      {error ? <ErrorBox message={error.message} /> : null}
      <section>
        <h2>內容</h2>
        {subject?.parent ? (
          <blockquote class="muted" data-testid="parent">
            回覆 會員 {subject.parent.memberId} 的留言{subject.parent.status === "published" ? "" : `（${SUBJECT_STATUS_NAMES[subject.parent.status] ?? subject.parent.status}）`}：{subject.parent.body}
          </blockquote>
        ) : null}
        <SubjectText detail={detail} />
        {subject?.earlierVersions?.length ? (
          <details data-testid="earlier-versions">
            <summary class="muted">修改前的版本（{subject.earlierVersions.length}）</summary>
            <ol>
              {subject.earlierVersions.map((version) => (
                <li>
                  {formatTime(version.createdAt)}：{version.body}
                </li>
              ))}
            </ol>
          </details>
        ) : null}
        <p class="muted">狀態：{subject ? (SUBJECT_STATUS_NAMES[subject.status] ?? subject.status) : "已刪除"}</p>
        <ReasonsList verdict={subject?.verdict} />
      </section>
      {appealedDecision ? (
        <section>
          <h2>申訴的處分</h2>
          <DecisionsTable decisions={[appealedDecision]} />
          {appealNotes.map((note) => (
            <p>會員的申訴：{note || "（未填寫）"}</p>
          ))}
        </section>
      ) : null}
      <section>
        <h2>檢舉（{reports.length}）</h2>
        {reports.length ? (
          <table>
            <thead>
              <tr>
                <th>檢舉人</th>
                <th>原因</th>
                <th>補充</th>
                <th>權重</th>
                <th>結果</th>
                <th>時間</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((report) => (
                <tr>
                  <td>{report.reporterId}</td>
                  <td>{REPORT_REASON_NAMES[report.reason] ?? report.reason}</td>
                  <td>{report.note ?? ""}</td>
                  <td>{report.weight}</td>
                  <td>{report.outcome === "upheld" ? "成立" : report.outcome === "dismissed" ? "不成立" : "待定"}</td>
                  <td>{formatTime(report.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">沒有檢舉。</p>
        )}
      </section>
      {member ? (
        <section>
          <h2>
            會員 <a href={`/moderate/members/${encodeURIComponent(member.id)}`}>{member.id}</a>
          </h2>
          <p>
            <a href={`/moderate?${new URLSearchParams({ memberId: member.id })}`}>這位會員的待審項目</a>（可一次處理）
          </p>
          <p data-testid="trust">
            留言層級：{TRUST_NAMES[member.trustLevel] ?? member.trustLevel}（{member.trustWhy}）
          </p>
          <p>
            暱稱：{member.nickname ?? "（未設定）"}
            {member.nicknameStatus === "pending" ? "（待審）" : ""} · 狀態：{MEMBER_STATUS_NAMES[member.status] ?? member.status}
            {member.suspendedUntil ? `（停權至 ${formatTime(member.suspendedUntil)}）` : ""} · 違規紀錄：
            <strong data-testid="strikes">{member.strikes}</strong> 次（{member.strikePolicy.withinDays} 天內達 {member.strikePolicy.count} 次自動停權{" "}
            {member.strikePolicy.suspendDays} 天）
          </p>
          <DecisionsTable decisions={member.recentDecisions} />
        </section>
      ) : null}
      {item.escalation ? (
        <p class="notice warn" role="note" data-testid="escalation">
          已轉交系統管理員（{item.escalation.by}，{formatTime(item.escalation.at)}）：{item.escalation.note}
        </p>
      ) : null}
      {item.state === "open" && !item.escalation ? (
        <form method="post" action={`/moderate/items/${item.id}/escalate`} class="filters" data-testid="escalate-form">
          <input type="hidden" name="_csrf" value={session.csrf} />
          <label>
            轉交系統管理員，說明 <input type="text" name="note" maxlength={2000} required />
          </label>
          <button type="submit" class="secondary">轉交</button>
        </form>
      ) : null}
      {item.state === "open" && item.escalation && session.role !== "admin" ? (
        <p class="notice" role="status">這個項目已轉交，由系統管理員決定。</p>
      ) : item.state === "open" && detail.conflictOfInterest ? (
        <p class="notice" role="status" data-testid="conflict-of-interest">
          {detail.conflictOfInterest.reason === "own_decision"
            ? "這是對你所做處分的申訴，須由其他管理員處理。"
            : "這是你自己的內容或處分，須由其他管理員處理。"}
        </p>
      ) : item.state === "open" ? (
        <DecisionForm detail={detail} session={session} draft={draft} suspendDays={suspendDays} />
      ) : (
        <p class="notice">此項目已處理（決定 #{item.decisionId}）。</p>
      )}
    </Layout>
  );
}

export async function showItem(c: Context<AppEnv>, appFetch: AppFetch, draft: DecisionDraft, error: ApiFailure | null, status: ContentfulStatusCode = 200) {
  const session = c.get("webSession");
  const id = c.req.param("id") ?? "";
  const detail = await callApi<ItemDetailView>(c, appFetch, session, "GET", `/review/items/${encodeURIComponent(id)}`);
  if (!detail.ok) return c.html(<SimplePage title="找不到項目" session={session} area="moderate" message={detail.error.message} />, detail.status);
  const suspendDays = c.get("deps").config.policy.strikes.suspendDays;
  return c.html(<ItemPage detail={detail.body} session={session} draft={draft} error={error} suspendDays={suspendDays} />, status);
}

// ---- stats ----------------------------------------------------------------------------------------------
