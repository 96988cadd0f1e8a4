import type { Transaction } from "kysely";
import { recordDecision } from "../db/decisions.ts";
import { feedReviewItem } from "../db/review.ts";
import type { Database, Severity, SubjectKind } from "../db/schema.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import { applyStrikes } from "./sanctions.ts";

// What follows an automated verdict, the same for every subject (comments, tags, nicknames): held for a
// moderator with the verdict as the item's automated source, or removed with a decision of its own and a
// strike. Reports and appeals feed their items with sources of their own (reports/file.ts, db/decisions.ts).

/** Holds a subject the screening was unsure of for a moderator: its open review item gains this source. */
export async function holdForReview(
  trx: Transaction<Database>,
  policy: Policy,
  held: { subjectKind: SubjectKind; subjectId: string; detail: unknown; forumRules: string[]; severity: Severity | null; now: Date },
): Promise<void> {
  await feedReviewItem(trx, policy, { kind: "moderation", source: "automated_detection", reportWeight: 0, ...held });
}

/**
 * What an automatic removal's decision rests on: the forum rules and rule ids of the verdict's reasons, and
 * the reasons and score as its facts. The one-trip write path (db/comments.ts postCommentInOneTrip) records
 * the same grounds in the database function.
 */
export function automaticRemovalGrounds(verdict: Verdict): { forumRules: string[]; ruleIds: string[]; facts: { reasons: Verdict["reasons"]; score: Verdict["score"] } } {
  return {
    forumRules: [...new Set(verdict.reasons.map((r) => r.forumRule))],
    ruleIds: verdict.reasons.map((r) => r.ruleId),
    facts: { reasons: verdict.reasons, score: verdict.score },
  };
}

/**
 * Records the automatic removal of a subject the rules refused, as a fully automated decision with its
 * reasons and versions, and counts it as a strike against its author (which may suspend them).
 */
export async function removeAutomatically(
  trx: Transaction<Database>,
  policy: Policy,
  removal: { subjectKind: SubjectKind; subjectId: string; subjectText: string; verdict: Verdict; authorId: string; now: Date },
): Promise<void> {
  const { verdict, authorId, now } = removal;
  await recordDecision(trx, {
    subjectKind: removal.subjectKind,
    subjectId: removal.subjectId,
    subjectText: removal.subjectText,
    action: "remove",
    ...automaticRemovalGrounds(verdict),
    source: "automated_detection",
    automation: "fully_automated",
    moderatorId: null,
    affectedMemberId: authorId,
    rulesVersion: verdict.rulesVersion,
    modelVersion: verdict.modelVersion,
    reversesDecisionId: null,
    now,
  });
  await applyStrikes(trx, policy, authorId, now);
}
