import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { MonthlySummaryView } from "../views/transparency.ts";
import { callApi, type AppFetch } from "./api.ts";
import { FORUM_RULE_NAMES, Layout } from "./layout.tsx";
import { ACTION_NAMES, AUTOMATION_NAMES } from "./moderate/labels.tsx";
import { readSession, type WebSession } from "./session.ts";

// The public transparency page (/transparency): per month, the decisions by forum rule, action and
// automation, and the share of appeals that reversed a decision. From GET /transparency/summary.

const tally = (counts: Record<string, number>, names: Record<string, string>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${names[key] ?? key} ${count.toLocaleString("zh-TW")}`)
    .join("、") || "—";

function TransparencyPage({ session, summary }: { session: WebSession | null; summary: MonthlySummaryView }) {
  return (
    <Layout title="透明度報告 - 新聞討論區" session={session} area="public">
      <h1>透明度報告</h1>
      <p>
        本站每月依討論區規則處理留言、標籤與暱稱的數量：依違反的規則、處分種類，以及是否由系統自動決定；申訴後撤銷原處分的比例。每一筆處分的理由說明可由管理員匯出（歐盟數位服務法透明資料庫的欄位）。
      </p>
      {summary.months.length === 0 ? <p class="muted">{summary.since} 以來沒有處分紀錄。</p> : null}
      <table data-testid="transparency">
        <thead>
          <tr>
            <th>月份</th>
            <th>處分總數</th>
            <th>依規則</th>
            <th>依處分</th>
            <th>自動化</th>
            <th>申訴撤銷率</th>
          </tr>
        </thead>
        <tbody>
          {summary.months.map((month) => (
            <tr data-month={month.month}>
              <td>{month.month}</td>
              <td data-testid="month-total">{month.total.toLocaleString("zh-TW")}</td>
              <td>{tally(month.byForumRule, FORUM_RULE_NAMES)}</td>
              <td>{tally(month.byAction, ACTION_NAMES)}</td>
              <td>{tally(month.byAutomation, AUTOMATION_NAMES)}</td>
              <td data-testid="reversal-rate">
                {month.appeals.reversalRate === null ? "—" : `${(month.appeals.reversalRate * 100).toFixed(1)}%（${month.appeals.reversed} / ${month.appeals.upheld + month.appeals.reversed}）`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function transparencyPageRoutes(appFetch: AppFetch) {
  const routes = new Hono<AppEnv>();
  routes.get("/transparency", async (c) => {
    const session = await readSession(c);
    const summary = await callApi<MonthlySummaryView>(c, appFetch, null, "GET", `/transparency/summary?months=${encodeURIComponent(c.req.query("months") ?? "12")}`);
    if (!summary.ok) return c.html(<Layout title="透明度報告" session={session} area="public"><p>{summary.error.message}</p></Layout>, summary.status);
    return c.html(<TransparencyPage session={session} summary={summary.body} />);
  });
  return routes;
}
