// The review queue page (/moderate): filters, counts, the list and "claim next".
import type { Context } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { ErrorBox, formatTime, Layout } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import { isRowId } from "../../http/row-id.ts";
import type { CountsView, QueueItemView } from "../../views/review.ts";
import { Badge, KIND_NAMES, SOURCE_NAMES, SUBJECT_NAMES, rulesText } from "./labels.tsx";

const FILTERS = ["kind", "subject", "forumRule", "source", "state", "escalated"] as const;

function QueuePage(props: {
  session: WebSession;
  items: QueueItemView[];
  counts: CountsView;
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
        {select("escalated", "轉交", { true: "已轉交系統管理員", false: "未轉交" })}
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
        {filters.escalated === "true" ? <input type="hidden" name="escalated" value="true" /> : null}
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
            <th>等候／目標</th>
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
              <td class={item.age.overdue ? "overdue" : ""} data-testid="age">
                {item.age.ageHours} / {item.age.targetHours} 小時{item.escalation ? "（已轉交）" : ""}
              </td>
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
    callApi<CountsView>(c, appFetch, session, "GET", "/review/counts"),
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
    />,
    items.ok ? 200 : items.status,
  );
}

// ---- one item -------------------------------------------------------------------------------------------
