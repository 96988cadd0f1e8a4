import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import { findDecision } from "../db/decisions.ts";
import { findSecondLook, recordSecondLook, type SecondLookRow } from "../db/second-looks.ts";
import type { Database } from "../db/schema.ts";
import { assertOnSites } from "./scope.ts";
import { ApiError } from "../errors.ts";

// A second look: a share of moderators' decisions (rules/policy.yaml review.secondLookShare) goes to
// another moderator, who judges the subject without seeing the decision; then the two are compared. What it
// measures is whether the forum rules are applied alike, per rule (/stats).

/** Whether a decision is sampled: its id hashed to a number in [0, 1) below the share, so it is always the same answer. */
export function sampledForSecondLook(decisionId: string, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return createHash("sha256").update(`second-look:${decisionId}`).digest().readUInt32BE(0) / 2 ** 32 < share;
}

export const secondLookInputSchema = z.strictObject({
  action: z.enum(["approve", "remove"]),
  forumRules: z.array(z.enum(["R1", "R2", "R3", "R4"])).default([]),
  note: z.string().trim().max(2000).optional(),
});
export type SecondLookInput = z.infer<typeof secondLookInputSchema>;

/** The reviewer's call, then what the first decision was: the look is blind until the reviewer has answered. */
export async function takeSecondLook(db: Kysely<Database>, reviewerId: string, id: string, input: SecondLookInput, now: Date, sites?: string[]) {
  if (input.action === "remove" && input.forumRules.length === 0) throw new ApiError(400, "forum_rule_required", "say which forum rule (R1-R4) the subject breaks");
  const look = await findSecondLook(db, id);
  if (!look) throw new ApiError(404, "second_look_not_found", `no second look ${id}`);
  assertOnSites(`second look ${id}`, look.site_id, sites);
  if (look.first_moderator_id === reviewerId || look.affected_member_id === reviewerId) {
    throw new ApiError(403, "conflict_of_interest", "另一位管理員才能複查這個處分 (another moderator takes the second look)");
  }
  const done = await recordSecondLook(db, id, { reviewerId, violation: input.action === "remove", forumRules: input.forumRules, note: input.note || null, now });
  if (!done) throw new ApiError(409, "second_look_done", `second look ${id} was already taken`);
  const first = (await findDecision(db, done.decision_id))!;
  return { look: done, first };
}

export type SecondLookOutcome = Awaited<ReturnType<typeof takeSecondLook>>;
export type { SecondLookRow };
