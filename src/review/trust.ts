import type { Kysely, Transaction } from "kysely";
import type { Database, TrustLevel } from "../db/schema.ts";
import { changeTrustLevel, findMemberTrust, type TrustFacts } from "../db/trust.ts";
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

/**
 * The level a member's history puts them at: watched, then newcomer, then trusted, else member. Newcomer
 * is where members start: one who has left it (a member or trusted, as every member who was here before
 * pre-moderation starts) does not return to it, only to watched.
 */
export function trustLevelOf(facts: TrustFacts, trust: Trust, current: TrustLevel): TrustAssessment {
  const decided = facts.recent.length;
  const removed = facts.recent.filter((status) => status === "removed").length;
  if (decided >= trust.recent.minDecided && removed / decided >= trust.recent.rejectionRate) {
    return { level: "watched", why: `最近 ${decided} 則已決定的留言中有 ${removed} 則被移除（門檻 ${Math.round(trust.recent.rejectionRate * 100)}%），留言須先審核` };
  }
  if (facts.standing < trust.newcomerComments && (current === "newcomer" || current === "watched")) {
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

/** The trust facts' bounds for this policy: counts stop where the rule stops looking. */
export function trustBounds(trust: Trust): { cap: number; recent: number } {
  return { cap: Math.max(trust.trustedAt, trust.newcomerComments), recent: trust.recent.comments };
}

/** Stores the level the facts give when it is not the member's level now, with a record of why and of what asked (`cause`). */
export async function settleTrust(
  db: Kysely<Database> | Transaction<Database>,
  trust: Trust,
  change: { memberId: string; level: TrustLevel; facts: TrustFacts; now: Date; cause: Record<string, unknown> },
): Promise<TrustLevel> {
  const { level, why } = trustLevelOf(change.facts, trust, change.level);
  if (level !== change.level) {
    await changeTrustLevel(db, { memberId: change.memberId, from: change.level, to: level, why, facts: { ...change.facts, cause: change.cause }, now: change.now });
  }
  return level;
}

/** Recomputes the member's level from their history (one statement) and stores it when it moved. Returns the level now. */
export async function reassessTrust(
  db: Kysely<Database> | Transaction<Database>,
  trust: Trust,
  memberId: string,
  now: Date,
  cause: Record<string, unknown>,
): Promise<TrustLevel | null> {
  const found = await findMemberTrust(db, memberId, trustBounds(trust));
  if (!found) return null;
  return settleTrust(db, trust, { memberId, level: found.level, facts: found.facts, now, cause });
}
