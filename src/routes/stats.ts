import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { ApiError } from "../errors.ts";
import { validationError } from "../http/json-body.ts";
import { siteDate, statsView } from "../views/stats.ts";
import { DAY_MS } from "../clock.ts";
import { decisionTotals, medianSecondsToHumanDecision } from "../db/stats.ts";
import { secondLookAgreement } from "../db/second-looks.ts";
import { sitesAsked } from "../review/scope.ts";

// A year and a day: enough for any report a newsroom asks for, and a bound on the per-day series (a range
// of ten thousand years once held the event loop for half a minute).
const MAX_RANGE_DAYS = 366;
// Days in the series are the site's calendar days (Taipei keeps one offset all year).
const SITE_UTC_OFFSET = "+08:00";

/** Midnight (site time) at the end of the day that holds `now`: the default end of the range, so today counts. */
function endOfSiteDay(now: Date): Date {
  return new Date(new Date(`${siteDate.format(now)}T00:00:00${SITE_UTC_OFFSET}`).getTime() + DAY_MS);
}

const statsQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** One site's decisions only (rules/sites.yaml). */
  site: z.string().optional(),
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

    const range = { from, to };
    const sites = sitesAsked(c.get("deps").config.sites, query.data.site, c.get("identity").moderatorSites);
    const [totals, medianSeconds, secondLooks] = await Promise.all([
      decisionTotals(db, range, sites),
      medianSecondsToHumanDecision(db, range, sites),
      secondLookAgreement(db, range, sites),
    ]);
    return c.json(statsView(range, totals, medianSeconds, secondLooks, sites ?? null, c.get("identity").moderatorSites ?? null));
  });

  return routes;
}
