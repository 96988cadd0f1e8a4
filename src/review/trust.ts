import type { Kysely, Transaction } from "kysely";
import { findMember } from "../db/members.ts";
import type { Database, TrustLevel } from "../db/schema.ts";
import { changeTrustLevel, findTrustFacts, type TrustFacts } from "../db/trust.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";

// A member's trust level from their history (rules/policy.yaml `trust`): what it is and why, as pure
// functions; reassessTrust stores a change with the facts it came from.

type Trust = Policy["trust"];

/** Lowest first: links are held below `linksFrom`. */
const RANK: Record<TrustLevel, number> = { watched: 0, newcomer: 1, member: 2, trusted: 3 };

export interface TrustAssessment {
  level: TrustLevel;
  /** zh-TW, for moderators: the numbers that put the member there. */
  why: string;
}

/** The level a member's history puts them at: watched, then newcomer, then trusted, else member. */
export function trustLevelOf(facts: TrustFacts, trust: Trust): TrustAssessment {
  const decided = facts.recent.length;
  const removed = facts.recent.filter((status) => status === "removed").length;
  if (decided >= trust.recent.minDecided && removed / decided >= trust.recent.rejectionRate) {
    return { level: "watched", why: `最近 ${decided} 則已決定的留言中有 ${removed} 則被移除（門檻 ${Math.round(trust.recent.rejectionRate * 100)}%），留言須先審核` };
  }
  if (facts.standing < trust.newcomerComments) {
    return { level: "newcomer", why: `已刊登留言 ${facts.standing} 則，未滿 ${trust.newcomerComments} 則的新會員留言須先審核` };
  }
  const points = facts.standing + facts.upheldReports * trust.upheldReportPoints;
  if (points >= trust.trustedAt) {
    return { level: "trusted", why: `已刊登留言 ${facts.standing} 則、成立的檢舉 ${facts.upheldReports} 件，達到信任門檻 ${trust.trustedAt} 點` };
  }
  return { level: "member", why: `已刊登留言 ${facts.standing} 則、成立的檢舉 ${facts.upheldReports} 件，未達信任門檻 ${trust.trustedAt} 點` };
}

/** Whether a verdict marked a web address (rules/engine/r1-links.yaml). */
export function hasLink(verdict: Verdict): boolean {
  return verdict.reasons.some((reason) => reason.ruleId.startsWith("R1-link"));
}

/** The levels whose comments the screening allowed are held anyway: pre-moderated ones, and with a link those below linksFrom. */
export function heldLevels(trust: Trust, link: boolean): TrustLevel[] {
  const levels: TrustLevel[] = trust.newcomerComments > 0 ? ["watched", "newcomer"] : ["watched"];
  if (link) for (const level of ["newcomer", "member", "trusted"] as const) if (RANK[level] < RANK[trust.linksFrom] && !levels.includes(level)) levels.push(level);
  return levels;
}

export interface Premoderation {
  ruleId: "R0-new-member" | "R0-watched" | "R0-link";
  level: TrustLevel;
  /** zh-TW, shown to the member: it is routine, not a finding against them. */
  message: string;
}

/** Why a comment from a member at this level is held though the rules allow it; null when it is not. */
export function premoderationOf(level: TrustLevel, trust: Trust, link: boolean): Premoderation | null {
  if (!heldLevels(trust, link).includes(level)) return null;
  if (level === "newcomer") {
    return { ruleId: "R0-new-member", level, message: "新會員的前幾則留言會先由管理員看過再刊登，這是例行程序，不代表留言有問題。" };
  }
  if (level === "watched") {
    return { ruleId: "R0-watched", level, message: "你最近有多則留言被移除，接下來的留言會先由管理員審核後刊登。" };
  }
  return { ruleId: "R0-link", level, message: "含有網址的留言會先由管理員看過再刊登，這是例行程序。" };
}

/**
 * Recomputes the member's level from their history and, when it moved, stores it with a record of why and
 * of the event that asked (`cause`). Returns the level now.
 */
export async function reassessTrust(
  db: Kysely<Database> | Transaction<Database>,
  trust: Trust,
  memberId: string,
  now: Date,
  cause: Record<string, unknown>,
): Promise<TrustLevel | null> {
  const member = await findMember(db, memberId);
  if (!member) return null;
  const facts = await findTrustFacts(db, memberId, Math.max(trust.trustedAt, trust.newcomerComments), trust.recent.comments);
  const { level, why } = trustLevelOf(facts, trust);
  if (level !== member.trust_level) {
    await changeTrustLevel(db, { memberId, from: member.trust_level, to: level, why, facts: { ...facts, cause }, now });
  }
  return level;
}
