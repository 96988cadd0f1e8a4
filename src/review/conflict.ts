import type { Kysely, Transaction } from "kysely";
import { itemParties, type ItemParties, type ReviewItemRow } from "../db/review.ts";
import type { Database } from "../db/schema.ts";

export interface Conflict {
  code: "conflict_of_interest";
  message: string;
  details: { reason: "own_content" | "own_decision" };
}

/**
 * Nobody decides on their own content or sanction, and an appeal goes to someone other than the
 * moderator who made the appealed decision (EU DSA art. 20: not solely automated, and reviewed by
 * another person). The queue skips such items for that moderator (claimNextItem); this is the check.
 */
export async function conflictOfInterest(
  db: Kysely<Database> | Transaction<Database>,
  item: ReviewItemRow,
  moderatorId: string,
): Promise<Conflict | null> {
  return conflictBetween(await itemParties(db, item), moderatorId);
}

/** The check itself, on parties already read (a decision reads them with its lock on the item). */
export function conflictBetween({ authorId, appealedModeratorId }: ItemParties, moderatorId: string): Conflict | null {
  if (authorId === moderatorId) {
    return { code: "conflict_of_interest", message: "不能處理與自己有關的內容或處分 (you cannot decide on your own content)", details: { reason: "own_content" } };
  }
  if (appealedModeratorId === moderatorId) {
    return { code: "conflict_of_interest", message: "申訴須由原處分以外的管理員處理 (an appeal goes to another moderator)", details: { reason: "own_decision" } };
  }
  return null;
}
