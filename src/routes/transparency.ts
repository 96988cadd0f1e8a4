import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { monthlyTotals, statementsPage, type StatementCursor } from "../db/transparency.ts";
import { ApiError } from "../errors.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { validationError } from "../http/json-body.ts";
import { siteDayOf, siteMidnight } from "../site-time.ts";
import { csvLine, ndjsonLine, statementOf, STATEMENT_FIELDS } from "../transparency/statements.ts";
import { monthlySummaryView } from "../views/transparency.ts";
import { sitesAsked } from "../review/scope.ts";
import { DEFAULT_SITE_ID } from "../sites.ts";

// The transparency export (statements of reasons, moderators) and the public monthly totals.

/** Rows per database read while streaming: the export holds one page at a time, whatever the range. */
const PAGE_ROWS = 1000;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day, YYYY-MM-DD").refine((value) => siteMidnight(value) !== null, "a calendar day");

const exportQuerySchema = z.strictObject({
  from: day,
  to: day,
  format: z.enum(["ndjson", "csv"]).default("ndjson"),
  /** One site's statements only (rules/sites.yaml). */
  site: z.string().optional(),
});

const summaryQuerySchema = z.strictObject({ months: z.coerce.number().int().min(1).max(36).default(12), site: z.string().optional() });

/** The first day (YYYY-MM-01) of the site month `months - 1` months before the one holding `now`. */
function firstDayOfMonths(now: Date, months: number): string {
  const [year, month] = siteDayOf(now).split("-").map(Number) as [number, number];
  const index = year * 12 + (month - 1) - (months - 1);
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}

export function transparencyRoutes() {
  const routes = new Hono<AppEnv>();

  // Statements of reasons for the Taipei days [from, to], both included, streamed as NDJSON or CSV.
  routes.get("/statements", requireIdentity, requireRole("moderator", "admin"), async (c) => {
    const query = exportQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { from: fromDay, to: toDay, format } = query.data;
    if (fromDay > toDay) throw new ApiError(400, "invalid_range", "from must not be after to");
    const range = { from: siteMidnight(fromDay)!, to: siteMidnight(toDay, 1)! };
    const { db, config } = c.get("deps");
    const sites = sitesAsked(config.sites, query.data.site, c.get("identity").moderatorSites);
    // Each statement quotes the forum rules of its decision's site.
    const rulesTextOf = (siteId: string | null) => config.sites.of(siteId ?? DEFAULT_SITE_ID).forumRules.rules as Record<string, string>;
    const encoder = new TextEncoder();
    let after: StatementCursor | null = null;
    let headerSent = format !== "csv";
    let done = false;
    const body = new ReadableStream<Uint8Array>({
      // Pulled as the client reads: one page in memory at a time.
      async pull(controller) {
        if (done) return;
        let text = headerSent ? "" : csvLine(STATEMENT_FIELDS);
        headerSent = true;
        const rows = await statementsPage(db, range, after, PAGE_ROWS, sites);
        for (const row of rows) {
          const statement = statementOf(row, rulesTextOf(row.site_id), siteDayOf);
          text += format === "csv" ? csvLine(STATEMENT_FIELDS.map((field) => statement[field])) : ndjsonLine(statement);
        }
        if (text) controller.enqueue(encoder.encode(text));
        if (rows.length < PAGE_ROWS) {
          done = true;
          controller.close();
        } else {
          const last = rows.at(-1)!;
          after = { createdAt: last.created_at, id: last.id };
        }
      },
    });
    return new Response(body, {
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="statements-${fromDay}-${toDay}.${format}"`,
        "cache-control": "no-store",
      },
    });
  });

  // Public: decisions per month by forum rule, action and automation, and how many appeals reversed a decision.
  routes.get("/summary", async (c) => {
    const query = summaryQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { db, clock, config } = c.get("deps");
    const site = query.data.site;
    if (site !== undefined && !config.sites.get(site)) throw new ApiError(404, "site_not_found", `no site ${site}`);
    const firstDay = firstDayOfMonths(clock.now(), query.data.months);
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ ...monthlySummaryView(firstDay, await monthlyTotals(db, firstDay, site)), site: site ?? null });
  });

  return routes;
}
