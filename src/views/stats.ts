import { DAY_MS } from "../clock.ts";
import type { DecisionRange, DecisionTotals } from "../db/stats.ts";
import { SITE_TIME_ZONE } from "../site-time.ts";

/** A date as the site's calendar day, YYYY-MM-DD. */
export const siteDate = new Intl.DateTimeFormat("en-CA", { timeZone: SITE_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

/** The calendar days (in the site's zone) that [from, to) touches, oldest first. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = from.getTime(); t < to.getTime() + DAY_MS; t += DAY_MS) {
    const day = siteDate.format(new Date(Math.min(t, to.getTime() - 1)));
    if (days.at(-1) !== day) days.push(day);
  }
  return days;
}

/** Decisions in [from, to) as GET /stats answers them, with a series of every site day in the range. */
export function statsView(
  { from, to }: DecisionRange,
  counts: DecisionTotals,
  medianSeconds: number | null,
  secondLooks: { rule: string; looked: number; agreed: number }[] = [],
  sites: string[] | null = null,
  moderatorSites: string[] | null = null,
) {
  const { perDay, conflictsOfInterest: conflicts } = counts;
  const byDay = new Map(
    daysBetween(from, to).map((date) => [
      date,
      { date, byForumRule: {} as Record<string, number>, byAutomation: {} as Record<string, number>, appeals: { upheld: 0, reversed: 0 } },
    ]),
  );
  for (const row of perDay.byForumRule) byDay.get(row.day)!.byForumRule[row.key] = row.count;
  for (const row of perDay.byAutomation) byDay.get(row.day)!.byAutomation[row.key] = row.count;
  for (const row of perDay.appeals) byDay.get(row.day)!.appeals[row.key === "reverse" ? "reversed" : "upheld"] = row.count;
  const decidedAppeals = counts.appeals.uphold + counts.appeals.reverse;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    decisions: counts.total,
    byForumRule: counts.byForumRule,
    byAction: counts.byAction,
    bySource: counts.bySource,
    byAutomation: counts.byAutomation,
    appeals: {
      decided: decidedAppeals,
      reversed: counts.appeals.reverse,
      reversalRate: decidedAppeals === 0 ? null : Number((counts.appeals.reverse / decidedAppeals).toFixed(4)),
    },
    timeZone: SITE_TIME_ZONE,
    byDay: [...byDay.values()],
    medianSecondsToHumanDecision: medianSeconds === null ? null : Number(medianSeconds.toFixed(1)),
    // Decisions the API should have refused as conflicts of interest: should stay 0.
    conflictsOfInterest: conflicts,
    // Blind second looks taken in the range: per forum rule of the first decision, how often the second
    // moderator came to the same side (a violation or not).
    secondLooks: Object.fromEntries(
      secondLooks.map(({ rule, looked, agreed }) => [rule, { looked, agreed, agreement: Number((agreed / looked).toFixed(4)) }]),
    ) as Record<string, { looked: number; agreed: number; agreement: number }>,
    // The sites counted (rules/sites.yaml); null: every site.
    sites,
    // The sites the caller is limited to (null: every site).
    moderatorSites,
  };
}
export type StatsView = ReturnType<typeof statsView>;
