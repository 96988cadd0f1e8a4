import type { MemberRow } from "../db/members.ts";

/** A member as the API answers them: nickname and its review status, standing, the forum rules they accepted. */
export function memberView(member: MemberRow) {
  return {
    id: member.id,
    nickname: member.nickname,
    nicknameStatus: member.nickname_status,
    status: member.status,
    suspendedUntil: member.suspended_until?.toISOString() ?? null,
    acceptedRulesVersion: member.accepted_rules_version,
  };
}
export type MemberView = ReturnType<typeof memberView>;
