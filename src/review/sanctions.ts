import type { Kysely, Transaction } from "kysely";
import { recordDecision, type DecisionRow } from "../db/decisions.ts";
import { activeSuspension, findMember, setMemberSanction } from "../db/members.ts";
import type { Database } from "../db/schema.ts";
import { listUnreversedSuspensions, listUnreversedViolations } from "../db/strikes.ts";
import type { Policy } from "../policy.ts";
import { DAY_MS } from "../clock.ts";

/** Decisions that count as a violation by the affected member (a strike), unless later reversed. */
export const VIOLATION_ACTIONS = ["remove", "remove_and_suspend", "revoke"];

/** The member's violations that count as strikes now: within the policy's window and not reversed. */
export async function currentStrikes(
  db: Kysely<Database> | Transaction<Database>,
  policy: Policy,
  memberId: string,
  now: Date,
): Promise<{ id: string; forum_rules: string[] }[]> {
  const { violations, since } = strikeRule(policy, now);
  return listUnreversedViolations(db, memberId, violations, since);
}

/** The strike rule as the one-trip write path checks it (db/comments.ts): what counts, since when, how many suspend. */
export function strikeRule(policy: Policy, now: Date): { violations: string[]; since: Date; count: number } {
  return { violations: VIOLATION_ACTIONS, since: new Date(now.getTime() - policy.strikes.withinDays * DAY_MS), count: policy.strikes.count };
}

/**
 * After a violation is recorded: if the member now has `count` upheld violations within `withinDays`,
 * suspend them for `suspendDays`, as an automated decision of its own. Returns that decision, if any.
 */
export async function applyStrikes(trx: Transaction<Database>, policy: Policy, memberId: string, now: Date): Promise<DecisionRow | null> {
  const member = await findMember(trx, memberId);
  if (!member || member.status === "revoked" || activeSuspension(member, now)) return null;
  const strikes = await currentStrikes(trx, policy, memberId, now);
  if (strikes.length < policy.strikes.count) return null;
  const until = new Date(now.getTime() + policy.strikes.suspendDays * DAY_MS);
  await setMemberSanction(trx, memberId, { status: "suspended", until }, now);
  return recordDecision(trx, {
    subjectKind: "member",
    subjectId: memberId,
    subjectText: member.nickname ?? "",
    action: "suspend",
    forumRules: [...new Set(strikes.flatMap((s) => s.forum_rules))].sort(),
    ruleIds: [],
    facts: {
      strikes: strikes.length,
      strikeDecisionIds: strikes.map((s) => s.id),
      policy: { count: policy.strikes.count, withinDays: policy.strikes.withinDays, suspendDays: policy.strikes.suspendDays },
      suspendedUntil: until.toISOString(),
    },
    source: "automated_detection",
    automation: "fully_automated",
    moderatorId: null,
    affectedMemberId: memberId,
    rulesVersion: null,
    modelVersion: null,
    reversesDecisionId: null,
    now,
  });
}

/**
 * After a violation is reversed: if an automatic strike suspension counted it and is still what keeps the
 * member suspended, and the strikes left are fewer than the policy's count, lift it, as a decision of its
 * own that reverses the suspension. Returns that decision, if any.
 */
export async function liftStrikeSuspension(
  trx: Transaction<Database>,
  policy: Policy,
  memberId: string,
  reversedDecisionId: string,
  now: Date,
): Promise<DecisionRow | null> {
  const member = await findMember(trx, memberId);
  const until = member ? activeSuspension(member, now) : null;
  if (!member || !until) return null;
  // Only suspensions the strike rule made itself can be lifted by it.
  const suspensions = await listUnreversedSuspensions(trx, memberId, "fully_automated");
  const suspension = suspensions.find((decision) => {
    const facts = decision.facts as { strikeDecisionIds?: string[]; suspendedUntil?: string };
    // Only the suspension that counted the reversed violation and still sets the member's end date.
    return facts.strikeDecisionIds?.includes(reversedDecisionId) && facts.suspendedUntil === until.toISOString();
  });
  if (!suspension) return null;
  const strikes = await currentStrikes(trx, policy, memberId, now);
  if (strikes.length >= policy.strikes.count) return null;
  await setMemberSanction(trx, memberId, { status: "active" }, now);
  return recordDecision(trx, {
    subjectKind: "member",
    subjectId: memberId,
    subjectText: member.nickname ?? "",
    action: "reverse",
    forumRules: suspension.forum_rules,
    ruleIds: [],
    facts: {
      liftedSuspension: suspension.id,
      becauseReversed: reversedDecisionId,
      strikes: strikes.length,
      policy: { count: policy.strikes.count, withinDays: policy.strikes.withinDays },
    },
    source: "member_appeal",
    automation: "fully_automated",
    moderatorId: null,
    affectedMemberId: memberId,
    rulesVersion: null,
    modelVersion: null,
    reversesDecisionId: suspension.id,
    note: "申訴撤銷違規紀錄後，違規次數低於自動停權門檻，停權已解除。",
    now,
  });
}
