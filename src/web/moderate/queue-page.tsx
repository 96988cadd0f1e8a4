// The review queue page (/moderate): filters, counts, the list and "claim next".
import type { Context } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { CATEGORY_NAMES, ErrorBox, FORUM_RULE_NAMES, formatTime, Layout, spanNote } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import { isRowId } from "../../http/row-id.ts";
import type { CountsView, QueueItemView } from "../../views/review.ts";
import { ACTION_NAMES, Badge, KIND_NAMES, MarkedText, REPORT_REASON_NAMES, SOURCE_NAMES, SUBJECT_NAMES, rulesText } from "./labels.tsx";

const FILTERS = ["kind", "subject", "forumRule", "source", "state", "escalated", "memberId", "articleId", "site"] as const;

/** Site ids → names, when the publisher has more than one site (cards then say which); null: one site. */
export type SiteNames = Map<string, string> | null;

export function siteNamesOf(c: Context<AppEnv>, only?: string[] | null): SiteNames {
  // A moderator limited to some sites is offered only theirs.
  const sites = c.get("deps").config.sites.all.filter((site) => !only || only.includes(site.id));
  return c.get("deps").config.sites.all.length > 1 ? new Map(sites.map((site) => [site.id, site.name])) : null;
}

/** The note a quick decision carries unless the moderator writes another: what the rules found, or that nothing breaks a rule. */
function quickNote(item: QueueItemView, action: "approve" | "remove"): string {
  if (action === "approve") return "從佇列核准：未違反討論區規則";
  // Rule ids and categories only: the note goes into the decision record and the transparency export, so
  // it never repeats the member's words (a personal-data rule's span is the personal data).
  const found = item.card.reasons.map((reason) => `${reason.ruleId}（${CATEGORY_NAMES[reason.category] ?? reason.category}）`);
  return `從佇列移除：違反 ${rulesText(item.forumRules)}${found.length ? `，${found.join("；")}` : ""}`;
}

/** New items as the live queue sends them (src/web/moderate-pages.tsx): each card's HTML, rendered as the page renders it. */
export async function liveCards(items: QueueItemView[], session: WebSession, back: string, siteNames: SiteNames): Promise<{ id: string; html: string }[]> {
  return Promise.all(
    items.map(async (item) => ({ id: item.id, html: String(await (<QueueCard item={item} session={session} back={back} siteNames={siteNames} />).toString()) })),
  );
}

/** One item as a card: what it is, the text with its marked words, the reasons and reports, and approve / remove right there. */
function QueueCard({ item, session, back, siteNames }: { item: QueueItemView; session: WebSession; back: string; siteNames: SiteNames }) {
  const card = item.card;
  const quick = item.state === "open" && item.kind === "moderation";
  const reports = Object.entries(card.reports);
  return (
    <article class="card queue-item" data-href={`/moderate/items/${item.id}`} data-item-id={item.id}>
      <div class="meta">
        {quick ? (
          <label class="pick">
            <input type="checkbox" name="itemId" value={card.subjectVersion !== null ? `${item.id}:${card.subjectVersion}` : item.id} form="bulk" aria-label={`選取項目 ${item.id}`} />
          </label>
        ) : null}
        <a href={`/moderate/items/${item.id}`}>#{item.id}</a>
        {siteNames ? <span data-testid="card-site">{item.site ? (siteNames.get(item.site) ?? item.site) : "所有網站"}</span> : null}
        <span>
          {SUBJECT_NAMES[item.subjectKind]}
          {item.kind === "appeal" ? "申訴" : ""}
        </span>
        <span>{rulesText(item.forumRules)}</span>
        <Badge severity={item.severity} />
        {item.reportWeight ? <span>檢舉權重 {item.reportWeight}</span> : null}
        <span class={item.age.overdue ? "overdue" : ""} data-testid="age">
          {item.age.ageHours} / {item.age.targetHours} 小時{item.escalation ? "（已轉交）" : ""}
        </span>
        {item.claimedBy && item.leaseUntil ? <span class="muted">{`${item.claimedBy} 處理中（至 ${formatTime(item.leaseUntil)}）`}</span> : null}
      </div>
      {card.text !== null ? <MarkedText text={card.text} reasons={card.reasons} testId="card-text" /> : <p class="muted">這個對象已不存在。</p>}
      {card.reasons.length || card.score !== null || reports.length ? (
        <ul class="card-reasons" data-testid="card-reasons">
          {card.reasons.map((reason) => (
            <li>
              <strong>{reason.ruleId}</strong> {CATEGORY_NAMES[reason.category] ?? reason.category}
              {reason.action === "flag" ? "（僅標示）" : ""}
              {reason.spans.length ? <span class="muted"> — {reason.spans.map(spanNote).join("、")}</span> : null}
            </li>
          ))}
          {card.score !== null ? <li class="muted">分類器分數 {card.score.toFixed(2)}</li> : null}
          {reports.length ? (
            <li data-testid="card-reports">
              檢舉：{reports.map(([reason, count]) => `${REPORT_REASON_NAMES[reason] ?? reason} ×${count}`).join("、")}
            </li>
          ) : null}
        </ul>
      ) : null}
      {quick ? (
        <div class="quick">
          {(["approve", "remove"] as const).map((action) =>
            action === "remove" && item.forumRules.length === 0 ? null : (
              <form method="post" action={`/moderate/items/${item.id}/decision`} class={`quick-${action}`}>
                <input type="hidden" name="_csrf" value={session.csrf} />
                <input type="hidden" name="action" value={action} />
                <input type="hidden" name="back" value={back} />
                {action === "remove" ? item.forumRules.map((rule) => <input type="hidden" name="forumRules" value={rule} />) : null}
                {card.subjectVersion !== null ? <input type="hidden" name="subjectVersion" value={String(card.subjectVersion)} /> : null}
                <input type="hidden" name="note" value={quickNote(item, action)} />
                <button type="submit" class={action === "approve" ? "secondary" : ""}>
                  {action === "approve" ? "核准（a）" : `移除（r）— ${rulesText(item.forumRules)}`}
                </button>
              </form>
            ),
          )}
        </div>
      ) : null}
    </article>
  );
}

/** One action and note over the chosen cards, or over every open item of the member or article the queue is filtered to. */
function BulkForm({ session, filters, back }: { session: WebSession; filters: Record<string, string>; back: string }) {
  const scope = filters.memberId ? { name: "memberId", value: filters.memberId, text: `會員 ${filters.memberId} 的所有待審項目` } : filters.articleId ? { name: "articleId", value: filters.articleId, text: `文章 ${filters.articleId} 的所有待審項目` } : null;
  return (
    <form method="post" action="/moderate/bulk" id="bulk" class="card bulk">
      <h2>批次處理</h2>
      <input type="hidden" name="_csrf" value={session.csrf} />
      <input type="hidden" name="back" value={back} />
      <div class="actions">
        <label>
          <input type="radio" name="scope" value="chosen" checked />
          勾選的項目（<span data-testid="chosen-count">0</span>）
        </label>
        {scope ? (
          <label>
            <input type="radio" name="scope" value={scope.name} />
            {scope.text}
            <input type="hidden" name={scope.name} value={scope.value} />
          </label>
        ) : null}
        <label>
          <input type="checkbox" data-select-all /> 全選本頁
        </label>
      </div>
      <div class="actions">
        {(["approve", "remove", "dismiss_reports"] as const).map((action) => (
          <label>
            <input type="radio" name="action" value={action} required />
            {ACTION_NAMES[action]}
          </label>
        ))}
      </div>
      <div class="actions">
        {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
          <label>
            <input type="checkbox" name="forumRules" value={rule} />
            {rule} {FORUM_RULE_NAMES[rule]}
          </label>
        ))}
      </div>
      <label>
        說明（記入每一筆處分）
        <textarea name="note" required maxlength={2000}></textarea>
      </label>
      <button type="submit">套用到選取的項目</button>
    </form>
  );
}

function QueuePage(props: {
  session: WebSession;
  items: QueueItemView[];
  counts: CountsView & { latest: string };
  filters: Record<string, string>;
  nextHref: string | null;
  notice: string | null;
  error: ApiFailure | null;
  siteNames: SiteNames;
}) {
  const { session, items, counts, filters, nextHref, notice, error, siteNames } = props;
  // Where a decision made from this page returns to: the same filters.
  const back = `/moderate?${new URLSearchParams(filters)}`;
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
      <div class="notice" aria-live="polite" data-testid="live-news" hidden></div>
      <ul class="counts" aria-label="待審數量" data-live-since={counts.latest} data-live={Object.keys(filters).length === 0 ? "on" : undefined}>
        <li>
          待審 <strong data-testid="open-count" data-count="open">{counts.open}</strong>
        </li>
        <li>
          處理中 <span data-count="claimed">{counts.claimed}</span>
        </li>
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
        {select("escalated", "轉交", { true: "已轉交系統管理員", false: "未轉交" })}
        {siteNames ? select("site", "網站", Object.fromEntries(siteNames)) : null}
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
        {filters.memberId ? <input type="hidden" name="memberId" value={filters.memberId} /> : null}
        {filters.articleId ? <input type="hidden" name="articleId" value={filters.articleId} /> : null}
        <button type="submit" class="secondary">篩選</button>
      </form>
      {filters.memberId || filters.articleId ? (
        <p class="notice" data-testid="scope">
          只顯示{filters.memberId ? `會員 ${filters.memberId}` : `文章 ${filters.articleId}`}的項目。<a href="/moderate">顯示全部</a>
        </p>
      ) : null}
      <form method="post" action="/moderate/claim" class="claim">
        <input type="hidden" name="_csrf" value={session.csrf} />
        {filters.kind ? <input type="hidden" name="kind" value={filters.kind} /> : null}
        {filters.escalated === "true" ? <input type="hidden" name="escalated" value="true" /> : null}
        <button type="submit">領取下一則（c）</button>
      </form>
      <p class="shortcuts">
        快速鍵：<kbd>j</kbd> 下一則　<kbd>k</kbd> 上一則　<kbd>a</kbd> 核准　<kbd>r</kbd> 移除　<kbd>x</kbd> 選取　<kbd>Enter</kbd> 開啟　<kbd>c</kbd> 領取下一則
      </p>
      <p class="muted">依優先順序排列：嚴重度、檢舉權重與等候時間（rules/policy.yaml）。看得清楚的在這裡直接核准或移除；難判斷的開啟項目頁。</p>
      <div class="queue" data-testid="queue">
        {items.map((item) => (
          <QueueCard item={item} session={session} back={back} siteNames={siteNames} />
        ))}
      </div>
      {filters.state !== "decided" ? <BulkForm session={session} filters={filters} back={back} /> : null}
      {items.length === 0 ? <p class="muted">沒有符合的項目。</p> : null}
      {nextHref ? <a href={nextHref}>下一頁</a> : null}
    </Layout>
  );
}

export async function showQueue(c: Context<AppEnv>, appFetch: AppFetch) {
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
    callApi<{ items: QueueItemView[]; nextCursor: string | null }>(c, appFetch, session, "GET", `/review/items?${params}`),
    callApi<CountsView & { latest: string; sites: string[] | null }>(c, appFetch, session, "GET", "/review/counts"),
  ]);
  if (!counts.ok) throw new Error(`review counts failed: ${counts.error.code}`);
  const decisionId = c.req.query("decision");
  const notice =
    c.req.query("notice") === "decided" && isRowId(decisionId)
      ? `已記錄決定 #${decisionId}。`
      : c.req.query("notice") === "empty"
        ? "目前沒有可領取的項目。"
        : c.req.query("notice") === "escalated"
          ? "已轉交系統管理員。"
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
      siteNames={siteNamesOf(c, counts.body.sites)}
    />,
    items.ok ? 200 : items.status,
  );
}

// ---- one item -------------------------------------------------------------------------------------------

/** The queue page a form came from (its `back` field) with a notice added; only the queue itself, never another address. */
export function queueAfter(back: string, notice: Record<string, string>): string {
  let url: URL;
  try {
    url = new URL(back || "/moderate", "http://queue.invalid");
  } catch {
    url = new URL("/moderate", "http://queue.invalid");
  }
  const path = url.origin === "http://queue.invalid" && url.pathname === "/moderate" ? url : new URL("/moderate", "http://queue.invalid");
  for (const [name, value] of Object.entries(notice)) path.searchParams.set(name, value);
  return `${path.pathname}${path.search}`;
}

/** What POST /review/bulk-decisions answers, as this page reads it. */
export interface BulkResultView {
  batchId: string;
  decided: number;
  failed: number;
  more: boolean;
  results: ({ itemId: string; ok: true; decision: { id: string } } | { itemId: string; ok: false; error: { code: string; message: string } })[];
}

/** The outcome of a bulk action, item by item. */
export function BulkResultPage({ session, result, back }: { session: WebSession; result: BulkResultView; back: string }) {
  return (
    <Layout title="批次處理結果 - 留言審核" session={session} area="moderate">
      <h1>批次處理結果</h1>
      <p class={result.failed ? "notice warn" : "notice"} role="status" data-testid="bulk-summary">
        已處理 {result.decided} 則{result.failed ? `，${result.failed} 則未處理（原因見下表）` : ""}。
        {result.more ? "還有其他符合的待審項目，請回到佇列再執行一次。" : ""}
      </p>
      <table>
        <thead>
          <tr>
            <th>項目</th>
            <th>結果</th>
          </tr>
        </thead>
        <tbody>
          {result.results.map((row) => (
            <tr data-testid="bulk-row" data-item-id={row.itemId}>
              <td>
                <a href={`/moderate/items/${encodeURIComponent(row.itemId)}`}>#{row.itemId}</a>
              </td>
              <td>{row.ok ? `已記錄決定 #${row.decision.id}` : row.error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href={back}>返回佇列</a>
      </p>
    </Layout>
  );
}
