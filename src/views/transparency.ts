import type { MonthRow } from "../db/transparency.ts";

// The public transparency totals (GET /transparency/summary and the /transparency page).

export interface MonthSummary {
  month: string;
  total: number;
  byForumRule: Record<string, number>;
  byAction: Record<string, number>;
  byAutomation: Record<string, number>;
  appeals: { upheld: number; reversed: number; reversalRate: number | null };
}

export function monthlySummaryView(firstDay: string, rows: MonthRow[]) {
  const months = new Map<string, MonthSummary>();
  for (const row of rows) {
    let month = months.get(row.month);
    if (!month) {
      month = { month: row.month, total: 0, byForumRule: {}, byAction: {}, byAutomation: {}, appeals: { upheld: 0, reversed: 0, reversalRate: null } };
      months.set(row.month, month);
    }
    if (row.dimension === "total") month.total = row.count;
    else if (row.dimension === "forum_rule") month.byForumRule[row.key] = row.count;
    else if (row.dimension === "action") month.byAction[row.key] = row.count;
    else if (row.dimension === "automation") month.byAutomation[row.key] = row.count;
    // An appeal's own outcome; the action 'reverse' also counts a suspension that a reversal lifted.
    else if (row.dimension === "appeal") month.appeals[row.key === "reverse" ? "reversed" : "upheld"] = row.count;
  }
  for (const month of months.values()) {
    const { upheld, reversed } = month.appeals;
    month.appeals.reversalRate = upheld + reversed ? Number((reversed / (upheld + reversed)).toFixed(3)) : null;
  }
  return { since: firstDay, months: [...months.values()] };
}
export type MonthlySummaryView = ReturnType<typeof monthlySummaryView>;
