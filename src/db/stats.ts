import { sql, type Kysely } from "kysely";
import { DAY_MS } from "../clock.ts";
import { SITE_TIME_ZONE } from "../site-time.ts";
import type { Database } from "./schema.ts";

/** A half-open range of decision times, [from, to). */
export interface DecisionRange {
  from: Date;
  to: Date;
}

export interface DecisionCounts {
  total: number;
  byForumRule: Record<string, number>;
  byAction: Record<string, number>;
  bySource: Record<string, number>;
  byAutomation: Record<string, number>;
  /** Appeals decided in the range: upheld and reversed. */
  appeals: { uphold: number; reverse: number };
}

/** A count for one site calendar day (YYYY-MM-DD) and one key (a forum rule, an automation, an appeal action). */
export interface DayCount {
  day: string;
  key: string;
  count: number;
}

export interface DecisionsByDay {
  byForumRule: DayCount[];
  byAutomation: DayCount[];
  /** Keys are the appeal actions, uphold and reverse. */
  appeals: DayCount[];
}

// The site's calendar day of a decision.
const dayOf = sql<string>`((created_at at time zone ${sql.lit(SITE_TIME_ZONE)})::date)::text`;

function decisionsIn(db: Kysely<Database>, { from, to }: DecisionRange) {
  return db.selectFrom("decisions").where("created_at", ">=", from).where("created_at", "<", to);
}

/** Counted from the decisions themselves: the partial days at a range's ends, or a range inside one day. */
async function countDecisions(db: Kysely<Database>, range: DecisionRange): Promise<DecisionCounts> {
  const inRange = decisionsIn(db, range);
  const countBy = async (column: "action" | "source" | "automation") => {
    const rows = await inRange.select([column, (eb) => eb.fn.countAll<string>().as("count")]).groupBy(column).execute();
    return Object.fromEntries(rows.map((row) => [row[column], Number(row.count)]));
  };
  const [byAction, bySource, byAutomation, byForumRuleRows, appealRows, total] = await Promise.all([
    countBy("action"),
    countBy("source"),
    countBy("automation"),
    inRange
      .select([sql<string>`unnest(forum_rules)`.as("forum_rule"), (eb) => eb.fn.countAll<string>().as("count")])
      .groupBy(sql`1`)
      .execute(),
    inRange
      .select(["action", (eb) => eb.fn.countAll<string>().as("count")])
      .where("action", "in", ["uphold", "reverse"])
      .groupBy("action")
      .execute(),
    inRange.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow(),
  ]);
  const appeals = Object.fromEntries(appealRows.map((row) => [row.action, Number(row.count)]));
  return {
    total: Number(total.count),
    byForumRule: Object.fromEntries(byForumRuleRows.map((row) => [row.forum_rule, Number(row.count)])),
    byAction,
    bySource,
    byAutomation,
    appeals: { uphold: appeals.uphold ?? 0, reverse: appeals.reverse ?? 0 },
  };
}

/** Per day, counted from the decisions themselves (a range's partial days). */
async function countDecisionsByDay(db: Kysely<Database>, range: DecisionRange): Promise<DecisionsByDay> {
  const inRange = decisionsIn(db, range);
  const [byForumRule, byAutomation, appeals] = await Promise.all([
    inRange
      .select([dayOf.as("day"), sql<string>`unnest(forum_rules)`.as("key"), (eb) => eb.fn.countAll<string>().as("count")])
      .groupBy(sql`1, 2`)
      .execute(),
    inRange.select([dayOf.as("day"), "automation as key", (eb) => eb.fn.countAll<string>().as("count")]).groupBy(sql`1, 2`).execute(),
    inRange
      .select([dayOf.as("day"), "action as key", (eb) => eb.fn.countAll<string>().as("count")])
      .where("action", "in", ["uphold", "reverse"])
      .groupBy(sql`1, 2`)
      .execute(),
  ]);
  const counted = (rows: { day: string; key: string; count: string }[]): DayCount[] =>
    rows.map((row) => ({ day: row.day, key: row.key, count: Number(row.count) }));
  return { byForumRule: counted(byForumRule), byAutomation: counted(byAutomation), appeals: counted(appeals) };
}

/** The median seconds from a moderation item's opening to its human decision, for decisions in the range; null when there are none. */
export async function medianSecondsToHumanDecision(db: Kysely<Database>, { from, to }: DecisionRange): Promise<number | null> {
  const row = await db
    .selectFrom("decisions")
    .innerJoin("review_items", "review_items.id", "decisions.review_item_id")
    .select(
      sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from decisions.created_at - review_items.created_at))`.as(
        "median_seconds",
      ),
    )
    .where("decisions.created_at", ">=", from)
    .where("decisions.created_at", "<", to)
    .where("decisions.review_item_id", "is not", null)
    .where("review_items.kind", "=", "moderation")
    .executeTakeFirstOrThrow();
  return row.median_seconds === null ? null : Number(row.median_seconds);
}

/**
 * The number of decisions in the range a moderator made on their own content or sanction, or on an appeal
 * of their own decision: the API refuses them, so this should stay 0.
 */
export async function countConflictsOfInterest(db: Kysely<Database>, range: DecisionRange): Promise<number> {
  const row = await decisionsIn(db, range)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("moderator_id", "is not", null)
    .where((eb) =>
      eb.or([
        eb("moderator_id", "=", eb.ref("affected_member_id")),
        eb.exists(
          eb
            .selectFrom("decisions as appealed")
            .select("appealed.id")
            .whereRef("appealed.moderator_id", "=", "decisions.moderator_id")
            .where(sql<boolean>`appealed.id = cast(decisions.facts->>'appealOf' as bigint)`),
        ),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

// Taipei has kept UTC+08:00 all year since 1979: a site day starts at 16:00 UTC the day before.
const SITE_OFFSET_MS = 8 * 3_600_000;
const siteMidnightAtOrAfter = (t: number) => Math.ceil((t + SITE_OFFSET_MS) / DAY_MS) * DAY_MS - SITE_OFFSET_MS;
const siteMidnightAtOrBefore = (t: number) => Math.floor((t + SITE_OFFSET_MS) / DAY_MS) * DAY_MS - SITE_OFFSET_MS;
const siteDay = (midnight: number) => new Date(midnight + SITE_OFFSET_MS).toISOString().slice(0, 10);

/**
 * A range cut where the daily counts (migration 0009) can answer: its whole site days, and the partial
 * days before and after them, which are counted from the decisions themselves.
 */
export function splitRange({ from, to }: DecisionRange): { days: { first: string; end: string } | null; partial: DecisionRange[] } {
  const start = siteMidnightAtOrAfter(from.getTime());
  const end = siteMidnightAtOrBefore(to.getTime());
  if (start >= end) return { days: null, partial: [{ from, to }] };
  const partial = [
    { from, to: new Date(start) },
    { from: new Date(end), to },
  ].filter((piece) => piece.from < piece.to);
  return { days: { first: siteDay(start), end: siteDay(end) }, partial };
}

type DayRow = { day: string; dimension: string; key: string; count: string };

async function dailyCounts(db: Kysely<Database>, days: { first: string; end: string }, dimensions: string[]): Promise<DayRow[]> {
  const rows = await db
    .selectFrom("decision_day_counts")
    .select([sql<string>`day::text`.as("day"), "dimension", "key", sql<string>`sum(count)::text`.as("count")])
    .where(sql<boolean>`day >= ${days.first}::date`)
    .where(sql<boolean>`day < ${days.end}::date`)
    .where("dimension", "in", dimensions)
    .groupBy(["day", "dimension", "key"])
    .execute();
  return rows;
}

const add = (into: Record<string, number>, key: string, count: number) => (into[key] = (into[key] ?? 0) + count);

/** Decisions in the range: the total, counts by forum rule, action, source and automation, and appeals upheld and reversed. */
export async function decisionStats(db: Kysely<Database>, range: DecisionRange): Promise<DecisionCounts> {
  const { days, partial } = splitRange(range);
  const [daily, ...pieces] = await Promise.all([
    days ? dailyCounts(db, days, ["total", "forum_rule", "action", "source", "automation"]) : Promise.resolve([]),
    ...partial.map((piece) => countDecisions(db, piece)),
  ]);
  const counts: DecisionCounts = { total: 0, byForumRule: {}, byAction: {}, bySource: {}, byAutomation: {}, appeals: { uphold: 0, reverse: 0 } };
  const into: Record<string, Record<string, number>> = { forum_rule: counts.byForumRule, action: counts.byAction, source: counts.bySource, automation: counts.byAutomation };
  for (const row of daily) {
    const count = Number(row.count);
    if (row.dimension === "total") counts.total += count;
    else add(into[row.dimension]!, row.key, count);
  }
  for (const piece of pieces) {
    counts.total += piece.total;
    for (const [dimension, values] of [["forum_rule", piece.byForumRule], ["action", piece.byAction], ["source", piece.bySource], ["automation", piece.byAutomation]] as const) {
      for (const [key, count] of Object.entries(values)) add(into[dimension]!, key, count);
    }
  }
  counts.appeals = { uphold: counts.byAction.uphold ?? 0, reverse: counts.byAction.reverse ?? 0 };
  return counts;
}

/** Decisions in the range per site calendar day, by forum rule, by automation, and appeals upheld or reversed; days without any are absent. */
export async function decisionsByDay(db: Kysely<Database>, range: DecisionRange): Promise<DecisionsByDay> {
  const { days, partial } = splitRange(range);
  const [daily, ...pieces] = await Promise.all([
    days ? dailyCounts(db, days, ["forum_rule", "automation", "action"]) : Promise.resolve([]),
    ...partial.map((piece) => countDecisionsByDay(db, piece)),
  ]);
  const result: DecisionsByDay = { byForumRule: [], byAutomation: [], appeals: [] };
  for (const row of daily) {
    const count = { day: row.day, key: row.key, count: Number(row.count) };
    if (row.dimension === "forum_rule") result.byForumRule.push(count);
    else if (row.dimension === "automation") result.byAutomation.push(count);
    else if (row.key === "uphold" || row.key === "reverse") result.appeals.push(count);
  }
  // The partial days are days of their own: their counts join the list beside the whole days'.
  for (const piece of pieces) {
    result.byForumRule.push(...piece.byForumRule);
    result.byAutomation.push(...piece.byAutomation);
    result.appeals.push(...piece.appeals);
  }
  return result;
}
