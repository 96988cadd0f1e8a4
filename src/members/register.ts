import type { Kysely } from "kysely";
import type { Clock } from "../clock.ts";
import { ensureMember, findMember, setAcceptedRulesVersion, type MemberRow } from "../db/members.ts";
import { setNickname } from "../db/nicknames.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { ForumRules } from "../forum-rules.ts";
import type { Moderator } from "../moderation/moderate.ts";
import type { NicknameRules } from "../nicknames/rules.ts";
import { nicknameAnswer, screenNickname as runNicknameScreening, type NicknameScreening } from "../screening/nickname.ts";
import type { Policy } from "../policy.ts";
import { assertMayAct } from "./may-act.ts";
import { holdForReview } from "../review/intake.ts";

/** What registering and changing a nickname need from the app's dependencies. */
export interface NicknameDeps {
  db: Kysely<Database>;
  clock: Clock;
  moderator: Moderator;
  config: { forumRules: ForumRules; policy: Policy; nicknameRules: NicknameRules };
}

export interface NicknameApplied {
  member: MemberRow;
  /** Held for review: the member's nickname is pending, and `message` says why. */
  pending: boolean;
  message: string | null;
}

/** Every screening phase of the nickname for this member (screening/nickname.ts). */
export function screenNickname(deps: NicknameDeps, nickname: string, memberId: string): Promise<NicknameScreening> {
  const { moderator, config, db } = deps;
  return runNicknameScreening(nickname, { moderator, db, nicknameRules: config.nicknameRules, memberId });
}

function refusal(screen: NicknameScreening): ApiError {
  const answer = nicknameAnswer(screen);
  return new ApiError(screen.refusal!.status, screen.refusal!.code, screen.refusal!.message, { reasons: answer.reasons, similarTo: answer.similarTo });
}

/**
 * Registers the member's first nickname under the current forum rules, which they must have accepted:
 * screened, then stored approved, or pending with a review item.
 */
export async function registerMember(
  deps: NicknameDeps,
  memberId: string,
  nickname: string,
  acceptedRulesVersion: string | undefined,
): Promise<NicknameApplied> {
  const current = deps.config.forumRules.version;
  if (acceptedRulesVersion !== current) {
    throw new ApiError(409, "rules_not_accepted", `請先閱讀並同意最新版討論區規則（版本 ${current}）`, {
      currentVersion: current,
      acceptedRulesVersion: acceptedRulesVersion ?? null,
    });
  }
  const existing = await findMember(deps.db, memberId);
  if (existing?.nickname) throw new ApiError(409, "member_exists", `member ${memberId} already has a nickname; change it with PATCH`);
  if (existing) await assertMayAct(deps.db, memberId, deps.clock.now(), "註冊暱稱");
  const screen = await screenNickname(deps, nickname, memberId);
  if (screen.refusal) throw refusal(screen);
  return applyNickname(deps, memberId, nickname, screen, current);
}

/** Changes a registered member's nickname: screened, then stored approved, or pending with a review item. */
export async function changeNickname(deps: NicknameDeps, memberId: string, nickname: string): Promise<NicknameApplied> {
  if (!(await findMember(deps.db, memberId))) throw new ApiError(404, "member_not_found", `no member ${memberId}; register first`);
  await assertMayAct(deps.db, memberId, deps.clock.now(), "更改暱稱");
  const screen = await screenNickname(deps, nickname, memberId);
  if (screen.refusal) throw refusal(screen);
  return applyNickname(deps, memberId, nickname, screen);
}

/** Stores the screened nickname: approved, or pending with a review item gathering why. */
async function applyNickname(deps: NicknameDeps, memberId: string, nickname: string, screen: NicknameScreening, acceptedRulesVersion?: string): Promise<NicknameApplied> {
  const { db, clock, config, moderator } = deps;
  const now = clock.now();
  const pending = screen.outcome === "review";
  try {
    await db.transaction().execute(async (trx) => {
      await ensureMember(trx, memberId, now);
      if (acceptedRulesVersion) await setAcceptedRulesVersion(trx, memberId, acceptedRulesVersion);
      await setNickname(trx, memberId, { text: nickname, key: screen.key!, status: pending ? "pending" : "approved", rulesVersion: moderator.rulesVersion }, now);
      if (pending) {
        await holdForReview(trx, config.policy, {
          subjectKind: "member",
          subjectId: memberId,
          detail: { ...(screen.verdict ?? {}), nickname, code: screen.code, similarTo: screen.similarTo },
          forumRules: ["R4"],
          severity: screen.verdict?.reasons.some((r) => r.severity === "high") ? "high" : "medium",
          now,
        });
      }
    });
  } catch (error) {
    // Two members took the same key at once: the unique index let only one through.
    if ((error as { code?: string }).code === "23505") {
      throw new ApiError(409, "nickname_taken", "暱稱已被其他會員使用");
    }
    throw error;
  }
  const member = (await findMember(db, memberId))!;
  return { member, pending, message: pending ? screen.message : null };
}
