import type { Kysely } from "kysely";
import { listDecisionsAffecting } from "../db/decisions.ts";
import { activeSuspension, findMember, listMemberNotes, listWarnings, memberCommentsByStatus, memberReportCounts, siteSuspensionsOf } from "../db/members.ts";
import type { Database } from "../db/schema.ts";
import { findMemberTrust, listTrustChanges } from "../db/trust.ts";
import { ApiError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import { currentStrikes } from "../review/sanctions.ts";
import { memberNoteView, memberView, siteSuspensionView, trustChangeView, warningView } from "../views/members.ts";
import { memberHistoryView, type MemberHistoryView } from "../views/review.ts";
import { trustBounds, trustLevelOf } from "../review/trust.ts";

/** The member whose conduct an item is about: standing, strikes, trust level and why, recent decisions. */
export async function memberStanding(db: Kysely<Database>, policy: Policy, memberId: string | null, now: Date, sites?: string[]): Promise<MemberHistoryView | null> {
  if (!memberId) return null;
  const [member, strikes, decisions, facts] = await Promise.all([
    findMember(db, memberId),
    currentStrikes(db, policy, memberId, now),
    listDecisionsAffecting(db, memberId, 20, sites),
    findMemberTrust(db, memberId, trustBounds(policy.trust)),
  ]);
  // The level stored is the one the next comment meets; `why` reads the history as it is now.
  const level = member?.trust_level ?? "newcomer";
  const trust = { level, why: trustLevelOf(facts?.facts ?? { standing: 0, recent: [], upheldReports: 0 }, policy.trust, level).why };
  return memberHistoryView(memberId, member, member ? activeSuspension(member, now) : null, strikes.length, policy.strikes, decisions, trust);
}

/**
 * Everything a moderator weighs about a member (GET /members/:id/history): standing and trust, comments
 * by status, decisions, reports filed and received, warnings, private notes and every change of level.
 * `sites`: a moderator limited to them reads the texts and decisions of those sites (and the decisions
 * about every site) only.
 */
export async function memberHistory(db: Kysely<Database>, policy: Policy, memberId: string, now: Date, sites?: string[]) {
  const member = await findMember(db, memberId);
  if (!member) throw new ApiError(404, "member_not_found", `no member ${memberId}`);
  const [standing, comments, reports, warnings, notes, trustChanges, siteSuspensions] = await Promise.all([
    memberStanding(db, policy, memberId, now, sites),
    memberCommentsByStatus(db, memberId, 20, sites),
    memberReportCounts(db, memberId),
    listWarnings(db, memberId, 50),
    listMemberNotes(db, memberId, 50),
    listTrustChanges(db, memberId, 50),
    siteSuspensionsOf(db, memberId, now, sites),
  ]);
  return {
    member: memberView(member),
    standing,
    comments: {
      byStatus: { published: comments.counts.published ?? 0, pending: comments.counts.pending ?? 0, removed: comments.counts.removed ?? 0 },
      latest: comments.latest.map((c) => ({ id: c.id, articleId: c.article_id, body: c.body, status: c.status, createdAt: c.created_at.toISOString() })),
    },
    decisions: standing!.recentDecisions,
    reports: reports,
    warnings: warnings.map(warningView),
    notes: notes.map(memberNoteView),
    trustChanges: trustChanges.map(trustChangeView),
    // A demotion an admin set (src/members/roles.ts); null: the login system's role counts.
    roleLimit: member.role_limit ? { role: member.role_limit, by: member.role_limit_by, at: member.role_limit_at?.toISOString() ?? null, note: member.role_limit_note } : null,
    // Suspensions from single sites still running (a suspension from every site is member.status).
    siteSuspensions: siteSuspensions.map(siteSuspensionView),
    // The sites an admin limited this moderator to (src/members/roles.ts); null: every site.
    moderatorSites: member.moderator_sites
      ? { sites: member.moderator_sites, by: member.moderator_sites_by, at: member.moderator_sites_at?.toISOString() ?? null, note: member.moderator_sites_note }
      : null,
  };
}
export type MemberHistory = Awaited<ReturnType<typeof memberHistory>>;
