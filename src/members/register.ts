import type { Kysely } from "kysely";
import type { Clock } from "../clock.ts";
import { ensureMember, findMember, setAcceptedRulesVersion, type MemberRow } from "../db/members.ts";
import { findConfusion, setNickname } from "../db/nicknames.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { ForumRules } from "../forum-rules.ts";
import type { Moderator } from "../moderation/moderate.ts";
import { reasonsForAuthor } from "../moderation/verdict.ts";
import type { NicknameRules } from "../nicknames/rules.ts";
import { screenNicknameText, type NicknameScreen } from "../nicknames/screen.ts";
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

export interface FullScreen extends NicknameScreen {
  similarTo: { memberId: string; nickname: string } | null;
}

export interface NicknameApplied {
  member: MemberRow;
  /** Held for review: the member's nickname is pending, and `message` says why. */
  pending: boolean;
  message: string | null;
}

/** The text screen, then the comparison with every live member's nickname. */
export async function screenNickname(deps: NicknameDeps, nickname: string, memberId: string): Promise<FullScreen> {
  const screen = screenNicknameText(nickname, deps.moderator, deps.config.nicknameRules);
  if (screen.outcome === "reject" || !screen.key) return { ...screen, similarTo: null };
  const confusion = await findConfusion(deps.db, screen.key, deps.config.nicknameRules, memberId);
  if (!confusion) return { ...screen, similarTo: null };
  const similarTo = { memberId: confusion.memberId, nickname: confusion.nickname };
  if (confusion.kind === "same") {
    return { ...screen, outcome: "reject", code: "nickname_taken", message: `暱稱與其他會員的「${confusion.nickname}」相同或難以分辨`, similarTo };
  }
  if (screen.outcome === "review") return { ...screen, similarTo };
  return { ...screen, outcome: "review", code: "nickname_similar", message: `暱稱與其他會員的「${confusion.nickname}」相似，將由管理員審核`, similarTo };
}

function refusal(screen: FullScreen): ApiError {
  const status = screen.code === "nickname_taken" ? 409 : screen.code?.startsWith("nickname_too") || screen.code === "nickname_invalid_characters" ? 400 : 422;
  return new ApiError(status, screen.code ?? "nickname_not_allowed", screen.message ?? "暱稱不可使用", {
    reasons: reasonsForAuthor(screen.verdict?.reasons ?? []),
    similarTo: screen.similarTo?.nickname ?? null,
  });
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
  if (screen.outcome === "reject") throw refusal(screen);
  return applyNickname(deps, memberId, nickname, screen, current);
}

/** Changes a registered member's nickname: screened, then stored approved, or pending with a review item. */
export async function changeNickname(deps: NicknameDeps, memberId: string, nickname: string): Promise<NicknameApplied> {
  if (!(await findMember(deps.db, memberId))) throw new ApiError(404, "member_not_found", `no member ${memberId}; register first`);
  await assertMayAct(deps.db, memberId, deps.clock.now(), "更改暱稱");
  const screen = await screenNickname(deps, nickname, memberId);
  if (screen.outcome === "reject") throw refusal(screen);
  return applyNickname(deps, memberId, nickname, screen);
}

/** Stores the screened nickname: approved, or pending with a review item gathering why. */
async function applyNickname(deps: NicknameDeps, memberId: string, nickname: string, screen: FullScreen, acceptedRulesVersion?: string): Promise<NicknameApplied> {
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
