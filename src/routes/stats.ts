import { Hono } from "hono";
import { sql } from "kysely";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { validationError } from "../http/json-body.ts";
import { SITE_TIME_ZONE } from "../site-time.ts";
import { DAY_MS } from "../clock.ts";

// A year and a day: enough for any report a newsroom asks for, and a bound on the per-day series (a range
// of ten thousand years once held the event loop for half a minute).
const MAX_RANGE_DAYS = 366;
// Days in the series are the site's calendar days (Taipei keeps one offset all year).
const SITE_UTC_OFFSET = "+08:00";
const siteDate = new Intl.DateTimeFormat("en-CA", { timeZone: SITE_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

/** Midnight (site time) at the end of the day that holds `now`: the default end of the range, so today counts. */
function endOfSiteDay(now: Date): Date {
  return new Date(new Date(`${siteDate.format(now)}T00:00:00${SITE_UTC_OFFSET}`).getTime() + DAY_MS);
}
const dayOf = sql<string>`((created_at at time zone ${sql.lit(SITE_TIME_ZONE)})::date)::text`;

/** The calendar days (in the site's zone) that [from, to) touches, oldest first. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = from.getTime(); t < to.getTime() + DAY_MS; t += DAY_MS) {
    const day = siteDate.format(new Date(Math.min(t, to.getTime() - 1)));
    if (days.at(-1) !== day) days.push(day);
  }
  return days;
}

const statsQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export function statsRoutes() {
  const routes = new Hono<AppEnv>();

  // Decisions in [from, to) (default: the last 30 days of the site's calendar, today included) by forum rule, action, source and automation; the
  // share of appeals that reversed a decision; the median wait from submission or first report to a human decision.
  routes.get("/", requireIdentity, requireRole("moderator", "admin"), async (c) => {
    const query = statsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { db, clock } = c.get("deps");
    const to = query.data.to ? new Date(query.data.to) : endOfSiteDay(clock.now());
    const from = query.data.from ? new Date(query.data.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new ApiError(400, "invalid_range", "from must be before to");
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new ApiError(400, "range_too_long", `the range may span at most ${MAX_RANGE_DAYS} days`, { maxDays: MAX_RANGE_DAYS });
    }

    const inRange = db.selectFrom("decisions").where("created_at", ">=", from).where("created_at", "<", to);
    const countBy = async (column: "action" | "source" | "automation") => {
      const rows = await inRange.select([column, (eb) => eb.fn.countAll<string>().as("count")]).groupBy(column).execute();
      return Object.fromEntries(rows.map((row) => [row[column], Number(row.count)]));
    };
    const [byAction, bySource, byAutomation, byForumRuleRows, appealRows, waitRow, total, conflicts] = await Promise.all([
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
      db
        .selectFrom("decisions")
        .innerJoin("review_items", "review_items.id", "decisions.review_item_id")
        .select(
          sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from decisions.created_at - review_items.created_at))`.as(
            "median_seconds",
          ),
        )
        .where("decisions.created_at", ">=", from)
        .where("decisions.created_at", "<", to)
        .where("review_items.kind", "=", "moderation")
        .executeTakeFirstOrThrow(),
      inRange.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow(),
      // Decisions a moderator made on their own content or sanction, or on an appeal of their own decision:
      // the API refuses them, so this should stay 0.
      inRange
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
        .executeTakeFirstOrThrow(),
    ]);
    const [dayRuleRows, dayAutomationRows, dayAppealRows] = await Promise.all([
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
    const byDay = new Map(
      daysBetween(from, to).map((date) => [
        date,
        { date, byForumRule: {} as Record<string, number>, byAutomation: {} as Record<string, number>, appeals: { upheld: 0, reversed: 0 } },
      ]),
    );
    for (const row of dayRuleRows) byDay.get(row.day)!.byForumRule[row.key] = Number(row.count);
    for (const row of dayAutomationRows) byDay.get(row.day)!.byAutomation[row.key] = Number(row.count);
    for (const row of dayAppealRows) byDay.get(row.day)!.appeals[row.key === "reverse" ? "reversed" : "upheld"] = Number(row.count);
    const appeals = Object.fromEntries(appealRows.map((row) => [row.action, Number(row.count)]));
    const decidedAppeals = (appeals.uphold ?? 0) + (appeals.reverse ?? 0);
    return c.json({
      from: from.toISOString(),
      to: to.toISOString(),
      decisions: Number(total.count),
      byForumRule: Object.fromEntries(byForumRuleRows.map((row) => [row.forum_rule, Number(row.count)])),
      byAction,
      bySource,
      byAutomation,
      appeals: {
        decided: decidedAppeals,
        reversed: appeals.reverse ?? 0,
        reversalRate: decidedAppeals === 0 ? null : Number(((appeals.reverse ?? 0) / decidedAppeals).toFixed(4)),
      },
      timeZone: SITE_TIME_ZONE,
      byDay: [...byDay.values()],
      medianSecondsToHumanDecision: waitRow.median_seconds === null ? null : Number(Number(waitRow.median_seconds).toFixed(1)),
      conflictsOfInterest: Number(conflicts.count),
    });
  });

  return routes;
}
