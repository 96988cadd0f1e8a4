import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { findDecision, findReversalOf, listDecisionsAffecting, openAppeal } from "../db/decisions.ts";
import { APPEALABLE_ACTIONS, statementEntryView } from "../views/decisions.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { isRowId } from "../http/row-id.ts";
import { formatSiteTime } from "../site-time.ts";
import { DAY_MS } from "../clock.ts";

export const appealSchema = z.strictObject({ note: z.string().trim().max(2000).optional() });

export function decisionRoutes() {
  const routes = new Hono<AppEnv>();

  // The statement of reasons: every decision that affected the caller, newest first.
  routes.get("/members/me/decisions", requireIdentity, async (c) => {
    const { db, config } = c.get("deps");
    const memberId = c.get("identity").memberId;
    const rows = await listDecisionsAffecting(db, memberId, 200);
    return c.json({ decisions: rows.map((row) => statementEntryView(row, config.policy.appeals.windowDays)) });
  });

  routes.post("/decisions/:id/appeal", requireIdentity, limitBody(8 * 1024), async (c) => {
    const id = c.req.param("id");
    const input = await readJson(c, appealSchema);
    const { db, clock, config } = c.get("deps");
    const memberId = c.get("identity").memberId;
    const now = clock.now();
    const decision = isRowId(id) ? await findDecision(db, id) : undefined;
    if (!decision) throw new ApiError(404, "decision_not_found", `no decision ${id}`);
    if (decision.affected_member_id !== memberId) {
      throw new ApiError(403, "not_your_decision", "只有受處分的會員本人可以申訴 (only the affected member may appeal)");
    }
    if (!APPEALABLE_ACTIONS.includes(decision.action)) {
      throw new ApiError(409, "not_appealable", `a ${decision.action} decision cannot be appealed`);
    }
    // A decision already reversed (a suspension lifted when its strikes were reversed) has nothing left to
    // appeal; reversing it again would lift whatever sanction is current.
    if (await findReversalOf(db, decision.id)) {
      throw new ApiError(409, "already_reversed", "這項處分已撤銷，無需申訴 (this decision was already reversed)");
    }
    const closes = new Date(decision.created_at.getTime() + config.policy.appeals.windowDays * DAY_MS);
    if (now > closes) {
      throw new ApiError(409, "appeal_window_closed", `申訴期限已於 ${formatSiteTime(closes)}（台北時間）截止`, { closedAt: closes.toISOString() });
    }
    const appeal = await openAppeal(db, config.policy, { decision, memberId, note: input.note ?? null, now });
    if (!appeal) throw new ApiError(409, "already_appealed", "這項處分已經申訴過 (this decision was already appealed)");
    return c.json({ appeal: { id: appeal.id, decisionId: decision.id, reviewItemId: appeal.review_item_id, createdAt: appeal.created_at.toISOString() } }, 201);
  });

  return routes;
}
