// The moderation statistics page (/moderate/stats): decisions per day as stacked bars, and totals.
import { StackedBars, type Series } from "../charts.tsx";
import { FORUM_RULE_NAMES, Layout } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import { siteDayOf } from "../../site-time.ts";
import type { StatsView } from "../../views/stats.ts";
import { ACTION_NAMES, AUTOMATION_NAMES } from "./labels.tsx";
import type { SiteNames } from "./queue-page.tsx";

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

export function StatsPage({ session, stats, siteNames, site }: { session: WebSession; stats: StatsView; siteNames: SiteNames; site: string }) {
  const share = (part: number) => (stats.decisions ? `${((part / stats.decisions) * 100).toFixed(1)}%` : "—");
  return (
    <Layout title="統計 - 留言審核" session={session} area="moderate">
      <h1>處分統計</h1>
      <form method="get" action="/moderate/stats" class="filters card">
        <label>
          起（台北日期，含）<input type="date" name="fromDay" value={siteDayOf(new Date(stats.from))} />
        </label>
        <label>
          迄（台北日期，含）<input type="date" name="toDay" value={siteDayOf(new Date(new Date(stats.to).getTime() - 1))} />
        </label>
        {siteNames ? (
          <label>
            網站
            <select name="site">
              <option value="">{stats.moderatorSites ? "我負責的網站" : "所有網站"}</option>
              {[...siteNames].map(([id, name]) => (
                <option value={id} selected={site === id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
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
      <section>
        <h2>複查一致率</h2>
        <p class="muted">
          隨機抽出的處分由另一位管理員在看不到原處分的情況下再判斷一次（<a href="/moderate/second-looks">複查</a>）；兩人判斷是否違規一致的比例，依原處分的規則。
        </p>
        {Object.keys(stats.secondLooks).length === 0 ? (
          <p class="muted">這段期間沒有完成的複查。</p>
        ) : (
          <table data-testid="second-look-agreement">
            <thead>
              <tr>
                <th>規則</th>
                <th>複查數</th>
                <th>一致</th>
                <th>一致率</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(stats.secondLooks)
                .sort()
                .map(([rule, look]) => (
                  <tr data-rule={rule}>
                    <th>{rule === "none" ? "未指明規則" : (FORUM_RULE_NAMES[rule] ?? rule)}</th>
                    <td>{look.looked}</td>
                    <td>{look.agreed}</td>
                    <td>{(look.agreement * 100).toFixed(1)}%</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

// ---- routes ---------------------------------------------------------------------------------------------
