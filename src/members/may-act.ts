import type { Kysely } from "kysely";
import { activeSuspension, findMember, type MemberRow } from "../db/members.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { formatSiteTime } from "../site-time.ts";

/**
 * Suspended and revoked members may not post, tag or report: 403 with the suspension's end. To post
 * (`posting`: comments and tags), a warning must have been acknowledged first: 409. Returns the member, if known.
 */
export async function assertMayAct(
  db: Kysely<Database>,
  memberId: string,
  now: Date,
  activity: string,
  options: { posting?: boolean } = {},
): Promise<MemberRow | undefined> {
  const member = await findMember(db, memberId);
  if (!member) return undefined;
  if (member.status === "revoked") {
    throw new ApiError(403, "member_revoked", `此帳號已被解除會員資格，無法${activity} (membership revoked)`);
  }
  const until = activeSuspension(member, now);
  if (until) {
    throw new ApiError(403, "member_suspended", `此帳號停權至 ${formatSiteTime(until)}（台北時間），期間無法${activity}`, {
      suspendedUntil: until.toISOString(),
    });
  }
  if (options.posting && member.unacknowledged_warnings > 0) {
    throw new ApiError(409, "warning_unacknowledged", `管理員給了你警告，請先閱讀並確認後才能${activity} (acknowledge your warning first)`, {
      warnings: `/members/me/warnings`,
    });
  }
  return member;
}
