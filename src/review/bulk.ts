import type { Kysely } from "kysely";
import { z } from "zod";
import type { Staff } from "./scope.ts";
import type { DecisionRow } from "../db/decisions.ts";
import { listReviewItems } from "../db/review.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { isRowId } from "../http/row-id.ts";
import type { Policy } from "../policy.ts";
import { decideReviewItem } from "./decide.ts";
import { VIOLATION_ACTIONS } from "./sanctions.ts";

// Bulk actions: one action and note over many open moderation items — chosen one by one in the queue, or
// every open item of one member or on one article. Each item is decided in its own transaction, exactly as
// one decision would be (one decision row per item, strikes and trust as usual, the record naming the
// batch), so one item that cannot be decided (already decided, leased by another moderator, a conflict of
// interest, escalated to the admins) fails alone and the answer says which and why.

/** The most items one bulk action takes; a selection with more answers `more: true`, to be sent again. */
export const BULK_MAX = 100;

export const bulkDecisionSchema = z
  .strictObject({
    itemIds: z.array(z.string().max(32)).min(1).max(BULK_MAX).optional(),
    // The comment version the moderator read on each chosen item's card: an item edited since fails alone (subject_changed).
    subjectVersions: z.record(z.string().max(32), z.number().int().min(1)).optional(),
    memberId: z.string().min(1).max(128).optional(),
    articleId: z.string().min(1).max(128).optional(),
    // Suspensions, revocations and appeals are weighed one at a time (their own forms), never in bulk.
    action: z.enum(["approve", "remove", "dismiss_reports"]),
    forumRules: z.array(z.enum(["R1", "R2", "R3", "R4"])).default([]),
    note: z.string().trim().min(1).max(2000),
  })
  .refine((input) => [input.itemIds, input.memberId, input.articleId].filter((chosen) => chosen !== undefined).length === 1, {
    message: "choose the items: exactly one of itemIds, memberId or articleId",
    path: ["itemIds"],
  });

export type BulkDecisionInput = z.infer<typeof bulkDecisionSchema>;

export type BulkItemResult =
  | { itemId: string; ok: true; decision: DecisionRow; strikeSuspension: DecisionRow | null }
  | { itemId: string; ok: false; error: { code: string; message: string } };

export interface BulkOutcome {
  batchId: string;
  results: BulkItemResult[];
  /** A member's or article's selection had more open items than BULK_MAX: the rest wait for another call. */
  more: boolean;
}

export async function decideInBulk(
  db: Kysely<Database>,
  policy: Policy,
  moderatorId: string,
  staff: Staff,
  input: BulkDecisionInput,
  now: Date,
): Promise<BulkOutcome> {
  // Checked once for the whole batch rather than failing every item alike.
  if (VIOLATION_ACTIONS.includes(input.action) && input.forumRules.length === 0) {
    throw new ApiError(400, "forum_rule_required", "say which forum rule (R1-R4) the items break");
  }
  let itemIds: string[];
  let more = false;
  if (input.itemIds) {
    itemIds = [...new Set(input.itemIds)];
  } else {
    // The open moderation items of the member or the article, highest priority first; a moderator's
    // selection leaves out the items escalated to the admins.
    const found = await listReviewItems(
      db,
      {
        state: "open",
        kind: "moderation",
        memberId: input.memberId,
        articleId: input.articleId,
        escalated: staff.role === "admin" ? undefined : false,
        sites: staff.sites,
      },
      BULK_MAX + 1,
      null,
    );
    more = found.length > BULK_MAX;
    itemIds = found.slice(0, BULK_MAX).map((item) => item.id);
  }
  const batchId = globalThis.crypto.randomUUID();
  const results: BulkItemResult[] = [];
  for (const itemId of itemIds) {
    if (!isRowId(itemId)) {
      results.push({ itemId, ok: false, error: { code: "review_item_not_found", message: `no review item ${itemId}` } });
      continue;
    }
    try {
      const subjectVersion = input.subjectVersions?.[itemId];
      const decision = { action: input.action, forumRules: input.forumRules, note: input.note, ...(subjectVersion === undefined ? {} : { subjectVersion }) };
      const outcome = await decideReviewItem(db, policy, moderatorId, itemId, decision, now, staff, { batchId, items: itemIds.length });
      results.push({ itemId, ok: true, decision: outcome.decision, strikeSuspension: outcome.strikeSuspension });
    } catch (error) {
      // Anything but a refusal (the database gone) ends the batch: the items decided so far stay decided,
      // and sending the batch again answers already_decided for them.
      if (!(error instanceof ApiError)) throw error;
      results.push({ itemId, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return { batchId, results, more };
}
