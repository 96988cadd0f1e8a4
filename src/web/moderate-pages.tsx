import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env.ts";
import type { NgramSignal, Reason } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import { callApi, type ApiFailure, type AppFetch } from "./api.ts";
import { StackedBars, type Series } from "./charts.tsx";
import { formLimit, loginRedirect, readForm, rejectForgedPost, SimplePage } from "./forms.tsx";
import { highlightSegments } from "./highlight.ts";
import { CATEGORY_NAMES, ErrorBox, FORUM_RULE_NAMES, formatTime, Layout, spanNote } from "./layout.tsx";
import { readSession, type WebSession } from "./session.ts";
import { isRowId } from "../http/row-id.ts";


// Shapes of the JSON API's answers, as far as these pages read them.
interface ItemView {
  id: string;
  subjectExcerpt?: string | null;
  kind: "moderation" | "appeal";
  subjectKind: "comment" | "tag" | "member";
  subjectId: string;
  state: "open" | "decided";
  forumRules: string[];
  severity: string | null;
  reportWeight: number;
  claimedBy: string | null;
  leaseUntil: string | null;
  decisionId: string | null;
  createdAt: string;
}
interface DecisionView {
  id: string;
  subjectKind: string;
  subjectText: string;
  action: string;
  forumRules: string[];
  ruleIds: string[];
  source: string;
  automation: string;
  moderatorId: string | null;
  note: string | null;
  createdAt: string;
}
interface VerdictView {
  reasons: Reason[];
  score: number | null;
  topNgrams?: NgramSignal[];
  relatedness?: { kind: string; similarity?: number };
}
interface ItemDetail {
  item: ItemView;
  subject: {
    id: string;
    articleId?: string;
    memberId?: string;
    body?: string;
    label?: string;
    nickname?: string | null;
    status: string;
    verdict?: VerdictView;
    createdBy?: string;
  } | null;
  member: {
    id: string;
    nickname: string | null;
    nicknameStatus: string | null;
    status: string;
    suspendedUntil: string | null;
    strikes: number;
    strikePolicy: Policy["strikes"];
    recentDecisions: DecisionView[];
  } | null;
  appealedDecision: DecisionView | null;
  conflictOfInterest: { reason: string; message: string } | null;
  sources: { source: string; detail: unknown; createdAt: string }[];
  reports: { id: string; reporterId: string; reason: string; note: string | null; weight: number; outcome: string | null; createdAt: string }[];
}
interface Counts {
  open: number;
  claimed: number;
  byKind: Record<string, number>;
  bySubject: Record<string, number>;
  byForumRule: Record<string, number>;
  bySource: Record<string, number>;
}
interface Stats {
  from: string;
  to: string;
  decisions: number;
  byForumRule: Record<string, number>;
  byAction: Record<string, number>;
  byAutomation: Record<string, number>;
  appeals: { decided: number; reversed: number; reversalRate: number | null };
  medianSecondsToHumanDecision: number | null;
  conflictsOfInterest: number;
  byDay: { date: string; byForumRule: Record<string, number>; byAutomation: Record<string, number>; appeals: { upheld: number; reversed: number } }[];
}

const SUBJECT_NAMES: Record<string, string> = { comment: "留言", tag: "標籤", member: "暱稱" };
const SUBJECT_STATUS_NAMES: Record<string, string> = { published: "已刊登", pending: "待審（未顯示）", removed: "已移除" };
const MEMBER_STATUS_NAMES: Record<string, string> = { active: "正常", suspended: "停權中", revoked: "已解除會員資格" };
const KIND_NAMES: Record<string, string> = { moderation: "審核", appeal: "申訴" };
const SOURCE_NAMES: Record<string, string> = { automated_detection: "自動偵測", member_report: "會員檢舉", appeal: "申訴", member_appeal: "申訴", moderator_initiative: "管理員主動" };
const SEVERITY_NAMES: Record<string, string> = { low: "低", medium: "中", high: "高", critical: "嚴重" };
const ACTION_NAMES: Record<string, string> = {
  approve: "核准",
  remove: "移除",
  remove_and_suspend: "移除並停權",
  suspend: "停權",
  revoke: "解除會員資格",
  dismiss_reports: "駁回檢舉",
  uphold: "維持原處分",
  reverse: "撤銷原處分",
};
const AUTOMATION_NAMES: Record<string, string> = { fully_automated: "全自動", human_with_automated_help: "人工（自動偵測輔助）", human: "人工" };
const REPORT_REASON_NAMES: Record<string, string> = {
  illegal: "違法",
  rights: "侵權",
  false: "不實",
  abuse: "謾罵",
  meaningless: "無意義",
  irrelevant: "無關",
  nickname: "暱稱",
  spam: "廣告洗版",
  other: "其他",
};

/** The decision buttons of each kind of item, with the key that picks each. */
const ACTION_CHOICES: Record<ItemView["kind"], { action: string; key: string }[]> = {
  moderation: [
    { action: "approve", key: "a" },
    { action: "remove", key: "r" },
    { action: "remove_and_suspend", key: "s" },
    { action: "dismiss_reports", key: "d" },
    { action: "revoke", key: "v" },
  ],
  appeal: [
    { action: "uphold", key: "u" },
    { action: "reverse", key: "x" },
  ],
};

const requireModerator = createMiddleware<AppEnv>(async (c, next) => {
  c.header("Cache-Control", "no-store");
  const session = await readSession(c);
  if (!session) return loginRedirect(c, c.req.method === "GET" ? c.req.path + new URL(c.req.url).search : "/moderate");
  if (session.role !== "moderator" && session.role !== "admin") {
    return c.html(<SimplePage title="沒有權限" session={session} message="這些頁面只開放給管理員。" />, 403);
  }
  c.set("webSession", session);
  await next();
});

function Badge({ severity }: { severity: string | null }) {
  if (!severity) return null;
  return <span class={`badge ${severity}`}>{SEVERITY_NAMES[severity] ?? severity}</span>;
}

function rulesText(rules: string[]): string {
  return rules.length ? rules.join("、") : "—";
}

// ---- queue ----------------------------------------------------------------------------------------------

const FILTERS = ["kind", "subject", "forumRule", "source", "state"] as const;

function QueuePage(props: {
  session: WebSession;
  items: ItemView[];
  counts: Counts;
  filters: Record<string, string>;
  nextHref: string | null;
  notice: string | null;
  error: ApiFailure | null;
}) {
  const { session, items, counts, filters, nextHref, notice, error } = props;
  const select = (name: string, label: string, options: Record<string, string>) => (
    <label>
      {label}
      <select name={name}>
        <option value="">全部</option>
        {Object.entries(options).map(([value, text]) => (
          <option value={value} selected={filters[name] === value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Layout title="待審佇列 - 留言審核" session={session} area="moderate">
      <h1>{filters.state === "decided" ? "已處理項目" : filters.kind === "appeal" ? "申訴" : "待審佇列"}</h1>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      {error ? <ErrorBox message={error.message} /> : null}
      <ul class="counts" aria-label="待審數量">
        <li>
          待審 <strong data-testid="open-count">{counts.open}</strong>
        </li>
        <li>處理中 {counts.claimed}</li>
        {Object.entries(counts.byKind).map(([kind, count]) => (
          <li>
            {KIND_NAMES[kind] ?? kind} {count}
          </li>
        ))}
        {Object.entries(counts.bySubject).map(([subject, count]) => (
          <li>
            {SUBJECT_NAMES[subject] ?? subject} {count}
          </li>
        ))}
        {Object.entries(counts.byForumRule)
          .sort()
          .map(([rule, count]) => (
            <li>
              {rule} {count}
            </li>
          ))}
        {Object.entries(counts.bySource).map(([source, count]) => (
          <li>
            {SOURCE_NAMES[source] ?? source} {count}
          </li>
        ))}
      </ul>
      <form method="get" action="/moderate" class="filters card">
        {select("kind", "種類", KIND_NAMES)}
        {select("subject", "對象", SUBJECT_NAMES)}
        {select("forumRule", "規則", { R1: "R1", R2: "R2", R3: "R3", R4: "R4" })}
        {select("source", "來源", { automated_detection: "自動偵測", member_report: "會員檢舉", appeal: "申訴" })}
        <label>
          狀態
          <select name="state">
            <option value="open" selected={filters.state !== "decided"}>
              待審
            </option>
            <option value="decided" selected={filters.state === "decided"}>
              已處理
            </option>
          </select>
        </label>
        <button type="submit" class="secondary">篩選</button>
      </form>
      <form method="post" action="/moderate/claim" class="claim">
        <input type="hidden" name="_csrf" value={session.csrf} />
        {filters.kind ? <input type="hidden" name="kind" value={filters.kind} /> : null}
        <button type="submit">領取下一則（c）</button>
      </form>
      <p class="shortcuts">
        快速鍵：<kbd>j</kbd> 下一列　<kbd>k</kbd> 上一列　<kbd>Enter</kbd> 開啟　<kbd>c</kbd> 領取下一則
      </p>
      <p class="muted">依優先順序排列：嚴重度、檢舉權重與等候時間（rules/policy.yaml）。</p>
      <table class="queue">
        <thead>
          <tr>
            <th>#</th>
            <th>種類</th>
            <th>內容</th>
            <th>規則</th>
            <th>嚴重度</th>
            <th>檢舉權重</th>
            <th>建立時間</th>
            <th>處理中</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr data-href={`/moderate/items/${item.id}`} data-item-id={item.id}>
              <td>
                <a href={`/moderate/items/${item.id}`}>{item.id}</a>
              </td>
              <td>
                {SUBJECT_NAMES[item.subjectKind]}
                {item.kind === "appeal" ? "申訴" : ""}
              </td>
              <td class="excerpt">{item.subjectExcerpt ?? ""}</td>
              <td>{rulesText(item.forumRules)}</td>
              <td>
                <Badge severity={item.severity} />
              </td>
              <td>{item.reportWeight}</td>
              <td>{formatTime(item.createdAt)}</td>
              <td>{item.claimedBy && item.leaseUntil ? `${item.claimedBy}（至 ${formatTime(item.leaseUntil)}）` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p class="muted">沒有符合的項目。</p> : null}
      {nextHref ? <a href={nextHref}>下一頁</a> : null}
    </Layout>
  );
}

async function showQueue(c: Context<AppEnv>, appFetch: AppFetch) {
  const session = c.get("webSession");
  const filters: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = c.req.query(name);
    if (value) filters[name] = value;
  }
  const params = new URLSearchParams(filters);
  const cursor = c.req.query("cursor");
  if (cursor) params.set("cursor", cursor);
  params.set("limit", "50");
  const [items, counts] = await Promise.all([
    callApi<{ items: ItemView[]; nextCursor: string | null }>(c, appFetch, session, "GET", `/review/items?${params}`),
    callApi<Counts>(c, appFetch, session, "GET", "/review/counts"),
  ]);
  if (!counts.ok) throw new Error(`review counts failed: ${counts.error.code}`);
  const decisionId = c.req.query("decision");
  const notice =
    c.req.query("notice") === "decided" && isRowId(decisionId)
      ? `已記錄決定 #${decisionId}。`
      : c.req.query("notice") === "empty"
        ? "目前沒有可領取的項目。"
        : null;
  const nextParams = new URLSearchParams(filters);
  if (items.ok && items.body.nextCursor) nextParams.set("cursor", items.body.nextCursor);
  return c.html(
    <QueuePage
      session={session}
      items={items.ok ? items.body.items : []}
      counts={counts.body}
      filters={filters}
      nextHref={items.ok && items.body.nextCursor ? `/moderate?${nextParams}` : null}
      notice={notice}
      error={items.ok ? null : items.error}
    />,
    items.ok ? 200 : items.status,
  );
}

// ---- one item -------------------------------------------------------------------------------------------

function SubjectText({ detail }: { detail: ItemDetail }) {
  const subject = detail.subject;
  if (!subject) return <p class="muted">這個對象已不存在。</p>;
  const text = subject.body ?? subject.label ?? subject.nickname ?? "";
  // Spans from the subject's own verdict and any automated source (a re-screen may have added reasons).
  const verdicts = [subject.verdict, ...detail.sources.filter((s) => s.source === "automated_detection").map((s) => s.detail as VerdictView)];
  const spans = new Map<string, { start: number; end: number; text: string; label: string }>();
  for (const verdict of verdicts) {
    for (const reason of verdict?.reasons ?? []) {
      for (const span of reason.spans) {
        const label = `${reason.ruleId}（${reason.forumRule}）${span.term && span.term !== span.text ? `：${span.term}` : ""}`;
        spans.set(`${span.start}:${span.end}:${label}`, { ...span, label });
      }
    }
  }
  return (
    <div class="text" data-testid="subject-text">
      {highlightSegments(text, [...spans.values()]).map((segment) =>
        segment.labels.length ? (
          <mark class="hit" title={segment.labels.join("；")} data-rules={segment.labels.join("；")}>
            {segment.text}
          </mark>
        ) : (
          segment.text
        ),
      )}
    </div>
  );
}

function ReasonsList({ verdict }: { verdict: VerdictView | undefined }) {
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

function DecisionsTable({ decisions }: { decisions: DecisionView[] }) {
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

interface DecisionDraft {
  action?: string;
  forumRules?: string[];
  note?: string;
  suspendDays?: string;
}

function DecisionForm({ detail, session, draft, suspendDays }: { detail: ItemDetail; session: WebSession; draft: DecisionDraft; suspendDays: number }) {
  const item = detail.item;
  const checkedRules = draft.forumRules ?? item.forumRules;
  const choices = ACTION_CHOICES[item.kind];
  return (
    <form method="post" action={`/moderate/items/${item.id}/decision`} class="decision card">
      <h2>決定</h2>
      <input type="hidden" name="_csrf" value={session.csrf} />
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

function ItemPage({ detail, session, draft, error, suspendDays }: { detail: ItemDetail; session: WebSession; draft: DecisionDraft; error: ApiFailure | null; suspendDays: number }) {
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
        {formatTime(item.createdAt)}
        {item.claimedBy && item.leaseUntil ? ` · ${item.claimedBy} 處理中（至 ${formatTime(item.leaseUntil)}）` : ""}
        {subject?.articleId ? (
          <span>
            {" "}
            · <a href={`/articles/${subject.articleId}`}>文章</a>
          </span>
        ) : null}
      </p>
      {error ? <ErrorBox message={error.message} /> : null}
      <section>
        <h2>內容</h2>
        <SubjectText detail={detail} />
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
          <h2>會員 {member.id}</h2>
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
      {item.state === "open" && detail.conflictOfInterest ? (
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

async function showItem(c: Context<AppEnv>, appFetch: AppFetch, draft: DecisionDraft, error: ApiFailure | null, status: ContentfulStatusCode = 200) {
  const session = c.get("webSession");
  const id = c.req.param("id") ?? "";
  const detail = await callApi<ItemDetail>(c, appFetch, session, "GET", `/review/items/${encodeURIComponent(id)}`);
  if (!detail.ok) return c.html(<SimplePage title="找不到項目" session={session} area="moderate" message={detail.error.message} />, detail.status);
  const suspendDays = c.get("deps").config.policy.strikes.suspendDays;
  return c.html(<ItemPage detail={detail.body} session={session} draft={draft} error={error} suspendDays={suspendDays} />, status);
}

// ---- stats ----------------------------------------------------------------------------------------------

const RULE_SERIES: Series[] = (["R1", "R2", "R3", "R4"] as const).map((rule) => ({ key: rule, label: FORUM_RULE_NAMES[rule]!, className: `s-${rule}` }));
const AUTOMATION_SERIES: Series[] = ["fully_automated", "human_with_automated_help", "human"].map((key) => ({
  key,
  label: AUTOMATION_NAMES[key]!,
  className: `s-${key}`,
}));
const APPEAL_SERIES: Series[] = [
  { key: "upheld", label: "維持原處分", className: "s-upheld" },
  { key: "reversed", label: "撤銷原處分", className: "s-reversed" },
];

function StatsPage({ session, stats }: { session: WebSession; stats: Stats }) {
  const share = (part: number) => (stats.decisions ? `${((part / stats.decisions) * 100).toFixed(1)}%` : "—");
  return (
    <Layout title="統計 - 留言審核" session={session} area="moderate">
      <h1>處分統計</h1>
      <form method="get" action="/moderate/stats" class="filters card">
        <label>
          起（含，ISO 8601）<input type="text" name="from" value={stats.from} />
        </label>
        <label>
          迄（不含，ISO 8601）<input type="text" name="to" value={stats.to} />
        </label>
        <button type="submit" class="secondary">更新</button>
      </form>
      <ul class="counts">
        <li>
          處分 <strong data-testid="decision-total">{stats.decisions}</strong>
        </li>
        {Object.entries(stats.byAutomation).map(([key, count]) => (
          <li>
            {AUTOMATION_NAMES[key] ?? key} {count}（{share(count)}）
          </li>
        ))}
        <li>
          申訴 {stats.appeals.decided} 件，撤銷 {stats.appeals.reversed} 件
          {stats.appeals.reversalRate !== null ? `（${(stats.appeals.reversalRate * 100).toFixed(1)}%）` : ""}
        </li>
        <li>人工處理中位時間 {stats.medianSecondsToHumanDecision === null ? "—" : `${(stats.medianSecondsToHumanDecision / 60).toFixed(1)} 分鐘`}</li>
        <li>
          利益衝突的決定（處理自己的內容或處分、審理對自己處分的申訴）：<strong data-testid="conflicts">{stats.conflictsOfInterest}</strong>
        </li>
      </ul>
      <section>
        <StackedBars title="每日處分（依違反規則）" days={stats.byDay.map((day) => ({ date: day.date, values: day.byForumRule }))} series={RULE_SERIES} />
      </section>
      <section>
        <StackedBars title="每日處分：自動與人工" days={stats.byDay.map((day) => ({ date: day.date, values: day.byAutomation }))} series={AUTOMATION_SERIES} />
      </section>
      <section>
        <StackedBars title="每日申訴結果" days={stats.byDay.map((day) => ({ date: day.date, values: day.appeals }))} series={APPEAL_SERIES} />
      </section>
      <section>
        <h2>依處分與規則</h2>
        <table data-testid="stats-table">
          <tbody>
            {Object.entries(stats.byAction).map(([action, count]) => (
              <tr>
                <th>{ACTION_NAMES[action] ?? action}</th>
                <td data-action={action}>{count}</td>
              </tr>
            ))}
            {Object.entries(stats.byForumRule)
              .sort()
              .map(([rule, count]) => (
                <tr>
                  <th>{FORUM_RULE_NAMES[rule] ?? rule}</th>
                  <td data-forum-rule={rule}>{count}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

// ---- routes ---------------------------------------------------------------------------------------------

export function moderatePageRoutes(appFetch: AppFetch) {
  const routes = new Hono<AppEnv>();
  routes.use("/moderate", requireModerator);
  routes.use("/moderate/*", requireModerator);

  routes.get("/moderate", (c) => showQueue(c, appFetch));

  routes.post("/moderate/claim", formLimit(4096), async (c) => {
    const session = c.get("webSession");
    const form = await readForm(c);
    const forged = await rejectForgedPost(c, session, form);
    if (forged) return forged;
    const kind = form.text("kind");
    const claimed = await callApi<{ item: ItemView | null }>(c, appFetch, session, "POST", "/review/claim", kind ? { kind } : {});
    if (!claimed.ok) return c.html(<SimplePage title="無法領取" session={session} area="moderate" message={claimed.error.message} />, claimed.status);
    if (!claimed.body.item) return c.redirect(`/moderate?notice=empty`, 303);
    return c.redirect(`/moderate/items/${claimed.body.item.id}`, 303);
  });

  routes.get("/moderate/items/:id", (c) => showItem(c, appFetch, {}, null));

  routes.post("/moderate/items/:id/decision", formLimit(32 * 1024), async (c) => {
    const session = c.get("webSession");
    const form = await readForm(c);
    const forged = await rejectForgedPost(c, session, form);
    if (forged) return forged;
    const draft: DecisionDraft = {
      action: form.text("action"),
      forumRules: form.all("forumRules"),
      note: form.text("note"),
      suspendDays: form.text("suspendDays"),
    };
    const input = {
      action: draft.action,
      forumRules: draft.forumRules,
      note: draft.note,
      ...(draft.action === "remove_and_suspend" && draft.suspendDays ? { suspendDays: Number(draft.suspendDays) } : {}),
    };
    const result = await callApi<{ decision: { id: string } }>(c, appFetch, session, "POST", `/review/items/${encodeURIComponent(c.req.param("id"))}/decision`, input);
    if (result.ok) return c.redirect(`/moderate?notice=decided&decision=${result.body.decision.id}`, 303);
    return showItem(c, appFetch, draft, result.error, result.status);
  });

  routes.get("/moderate/stats", async (c) => {
    const session = c.get("webSession");
    const params = new URLSearchParams();
    for (const name of ["from", "to"]) {
      const value = c.req.query(name);
      if (value) params.set(name, value);
    }
    const stats = await callApi<Stats>(c, appFetch, session, "GET", `/stats?${params}`);
    if (!stats.ok) return c.html(<SimplePage title="無法顯示統計" session={session} area="moderate" message={stats.error.message} />, stats.status);
    return c.html(<StatsPage session={session} stats={stats.body} />);
  });

  return routes;
}
