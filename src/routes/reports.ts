import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import { fileReport } from "../reports/file.ts";
import { assertMayAct } from "../members/may-act.ts";

export const reportSchema = z.strictObject({
  subject: z.enum(["comment", "tag", "member"]),
  id: z.string().trim().min(1).max(64),
  reason: z.enum(["illegal", "rights", "false", "abuse", "meaningless", "irrelevant", "nickname", "spam", "other"]),
  note: z.string().trim().max(500).optional(),
});

export function reportRoutes() {
  const routes = new Hono<AppEnv>();

  routes.post("/", requireIdentity, limitBody(8 * 1024), async (c) => {
    const { db, clock, config, clientIp } = c.get("deps");
    const reporterId = c.get("identity").memberId;
    const now = clock.now();
    await enforceRateLimit(db, config.policy, "report", reporterId, clientIp(c), now);
    const input = await readJson(c, reportSchema);
    await assertMayAct(db, reporterId, now, "檢舉");
    const { report, item, hidden } = await fileReport(db, config.policy, reporterId, input, now);
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
