import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import { fileReport, reportedSubject } from "../reports/file.ts";
import { serviceRateLimits } from "../policy.ts";
import { articleSite, assertMayAct } from "../members/may-act.ts";

export const reportSchema = z.strictObject({
  subject: z.enum(["comment", "tag", "member"]),
  id: z.string().trim().min(1).max(64),
  reason: z.enum(["illegal", "rights", "false", "abuse", "meaningless", "irrelevant", "nickname", "spam", "other"]),
  note: z.string().trim().max(500).optional(),
});

export function reportRoutes() {
  const routes = new Hono<AppEnv>();

  routes.post("/", requireIdentity, limitBody(8 * 1024), async (c) => {
    const deps = c.get("deps");
    const { db, clock, config, clientIp } = deps;
    const identity = c.get("identity");
    const reporterId = identity.memberId;
    const now = clock.now();
    const input = await readJson(c, reportSchema);
    // A comment or tag is reported under its site's policy and suspensions; a nickname under the service's.
    const { articleId } = await reportedSubject(db, reporterId, input);
    const site = articleId === null ? null : await articleSite(deps, identity, articleId);
    const policy = site?.policy ?? config.policy;
    await enforceRateLimit(db, site?.rateLimits ?? serviceRateLimits(config.policy), "report", reporterId, clientIp(c), now);
    await assertMayAct(db, reporterId, now, "檢舉", site ? { site } : {});
    const { report, item, hidden } = await fileReport(db, policy, reporterId, input, now);
    return c.json(
      {
        report: {
          id: report.id,
          subject: input.subject,
          subjectId: input.id,
          reason: input.reason,
          weight: report.weight,
          createdAt: report.created_at.toISOString(),
        },
        reviewItemId: item.id,
        hidden,
      },
      201,
    );
  });

  return routes;
}
