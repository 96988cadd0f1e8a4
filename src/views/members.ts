import type { WebSessionRow } from "../db/sessions.ts";
import type { MemberNoteRow, MemberRow, WarningRow } from "../db/members.ts";
import type { TrustChangeRow } from "../db/trust.ts";

/** A member as the API answers them: nickname and its review status, standing, the forum rules they accepted. */
export function memberView(member: MemberRow) {
  return {
    id: member.id,
    nickname: member.nickname,
    nicknameStatus: member.nickname_status,
    status: member.status,
    suspendedUntil: member.suspended_until?.toISOString() ?? null,
    acceptedRulesVersion: member.accepted_rules_version,
    trustLevel: member.trust_level,
    unacknowledgedWarnings: member.unacknowledged_warnings,
  };
}
export type MemberView = ReturnType<typeof memberView>;

/** A suspension from one site (migration 0019): which, until when, by which decision. */
export function siteSuspensionView(suspension: { site_id: string; until: Date; decision_id: string }) {
  return { site: suspension.site_id, until: suspension.until.toISOString(), decisionId: suspension.decision_id };
}

/** A warning as the member sees it: the forum rules, the moderator's note, whether it was acknowledged. */
export function warningView(warning: WarningRow) {
  return {
    decisionId: warning.decision_id,
    forumRules: warning.forum_rules,
    note: warning.note,
    createdAt: warning.created_at.toISOString(),
    acknowledgedAt: warning.acknowledged_at?.toISOString() ?? null,
  };
}

export function memberNoteView(note: MemberNoteRow) {
  return { id: note.id, moderatorId: note.moderator_id, note: note.note, createdAt: note.created_at.toISOString() };
}

export function trustChangeView(change: TrustChangeRow) {
  return { from: change.from_level, to: change.to_level, why: change.why, facts: change.facts, createdAt: change.created_at.toISOString() };
}

/** A live web session as its member sees it (GET /members/me/sessions): never its secret or CSRF token. */
export function sessionView(session: WebSessionRow) {
  return {
    id: session.id,
    role: session.role,
    userAgent: session.user_agent,
    createdAt: session.created_at.toISOString(),
    lastSeenAt: session.last_seen_at.toISOString(),
    expiresAt: session.expires_at.toISOString(),
  };
}
export type SessionView = ReturnType<typeof sessionView>;
