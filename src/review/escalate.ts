import type { Kysely } from "kysely";
import { z } from "zod";
import { assertItemInSites, type Staff } from "./scope.ts";
import { escalateItem, findReviewItem, type ReviewItemRow } from "../db/review.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Policy } from "../policy.ts";

// Escalation: a moderator who should not or cannot decide an item hands it to the admins with a note.
// Escalated items leave the moderators' claims and may be decided by admins only.

export const escalateSchema = z.strictObject({ note: z.string().trim().min(1).max(2000) });

export async function escalate(db: Kysely<Database>, moderatorId: string, itemId: string, note: string, now: Date, sites?: string[]): Promise<ReviewItemRow> {
  if (sites) {
    const item = await findReviewItem(db, itemId);
    if (item) assertItemInSites(item, sites);
  }
  const escalated = await escalateItem(db, itemId, moderatorId, note, now);
  if (escalated) return escalated;
  const item = await findReviewItem(db, itemId);
  if (!item) throw new ApiError(404, "review_item_not_found", `no review item ${itemId}`);
  if (item.state !== "open") throw new ApiError(409, item.state === "withdrawn" ? "item_withdrawn" : "already_decided", `review item ${itemId} is not open`);
  throw new ApiError(409, "already_escalated", `review item ${itemId} was already escalated`);
}

/** Only admins decide an escalated item; a moderator limited to some sites decides only their items. */
export function assertMayDecide(item: ReviewItemRow, staff: Staff): void {
  assertItemInSites(item, staff.sites);
  if (item.escalated_at && staff.role !== "admin") {
    throw new ApiError(403, "escalated_to_admins", "這個項目已轉交系統管理員處理 (escalated: an admin decides it)");
  }
}

/** How long the item has waited against its target (rules/policy.yaml review.targetHours); an escalated item's wait counts from its escalation. */
export function itemAge(item: ReviewItemRow, now: Date, targets: Policy["review"]["targetHours"]) {
  const since = item.escalated_at ?? item.created_at;
  const end = item.decided_at ?? now;
  const ageHours = Number(((end.getTime() - since.getTime()) / 3_600_000).toFixed(1));
  const targetHours = item.escalated_at ? targets.escalated : targets[item.kind];
  return { ageHours, targetHours, overdue: ageHours > targetHours };
}
