import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppDeps, AppEnv } from "../app-env.ts";
import { requireIdentity } from "../auth/middleware.ts";
import { ensureMember, findMember, type MemberRow } from "../db/members.ts";
import { findConfusion, setNickname } from "../db/nicknames.ts";
import { feedReviewItem } from "../db/review.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { screenNicknameText, type NicknameScreen } from "../nicknames/screen.ts";
import { assertMayAct } from "./sanction-checks.ts";
import { reasonsForAuthor } from "../moderation/verdict.ts";

const nicknameField = z.string().trim().min(1).max(200);
export const registerSchema = z.strictObject({ nickname: nicknameField, acceptedRulesVersion: z.string().optional() });
export const nicknameSchema = z.strictObject({ nickname: nicknameField });

interface FullScreen extends NicknameScreen {
  similarTo: { memberId: string; nickname: string } | null;
}

/** The text screen, then the comparison with every live member's nickname. */
async function screenNickname(deps: AppDeps, nickname: string, memberId: string): Promise<FullScreen> {
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

function screenView(nickname: string, screen: FullScreen) {
  return {
    nickname,
    outcome: screen.outcome,
    code: screen.code,
    message: screen.message,
    reasons: reasonsForAuthor(screen.verdict?.reasons ?? []),
    similarTo: screen.similarTo?.nickname ?? null,
  };
}

function memberView(member: MemberRow) {
  return {
    id: member.id,
    nickname: member.nickname,
    nicknameStatus: member.nickname_status,
    status: member.status,
    suspendedUntil: member.suspended_until?.toISOString() ?? null,
    acceptedRulesVersion: member.accepted_rules_version,
  };
}

function refusal(screen: FullScreen): ApiError {
  const status = screen.code === "nickname_taken" ? 409 : screen.code?.startsWith("nickname_too") || screen.code === "nickname_invalid_characters" ? 400 : 422;
  return new ApiError(status, screen.code ?? "nickname_not_allowed", screen.message ?? "暱稱不可使用", {
    reasons: reasonsForAuthor(screen.verdict?.reasons ?? []),
    similarTo: screen.similarTo?.nickname ?? null,
  });
}

/** Stores the screened nickname: approved, or pending with a review item gathering why. */
async function applyNickname(c: Context<AppEnv>, memberId: string, nickname: string, screen: FullScreen, acceptedRulesVersion?: string) {
  const { db, clock, config, moderator } = c.get("deps");
  const now = clock.now();
  const pending = screen.outcome === "review";
  try {
    await db.transaction().execute(async (trx) => {
      await ensureMember(trx, memberId, now);
      if (acceptedRulesVersion) {
        await trx.updateTable("members").set({ accepted_rules_version: acceptedRulesVersion }).where("id", "=", memberId).execute();
      }
      await setNickname(trx, memberId, { text: nickname, key: screen.key!, status: pending ? "pending" : "approved", rulesVersion: moderator.rulesVersion }, now);
      if (pending) {
        await feedReviewItem(trx, config.policy, {
          kind: "moderation",
          subjectKind: "member",
          subjectId: memberId,
          source: "automated_detection",
          detail: { ...(screen.verdict ?? {}), nickname, code: screen.code, similarTo: screen.similarTo },
          forumRules: ["R4"],
          severity: screen.verdict?.reasons.some((r) => r.severity === "high") ? "high" : "medium",
          reportWeight: 0,
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
  return c.json(
    { member: memberView(member), ...(pending ? { message: screen.message } : {}) },
    pending ? 202 : acceptedRulesVersion ? 201 : 200,
  );
}

export function memberRoutes() {
  const routes = new Hono<AppEnv>();

  // The registration form's live check: the answer, and why, without creating anything.
  routes.post("/nicknames/check", requireIdentity, limitBody(4096), async (c) => {
    const input = await readJson(c, nicknameSchema);
    return c.json(screenView(input.nickname, await screenNickname(c.get("deps"), input.nickname, c.get("identity").memberId)));
  });

  routes.post("/members", requireIdentity, limitBody(4096), async (c) => {
    const input = await readJson(c, registerSchema);
    const deps = c.get("deps");
    const memberId = c.get("identity").memberId;
    const current = deps.config.forumRules.version;
    if (input.acceptedRulesVersion !== current) {
      throw new ApiError(409, "rules_not_accepted", `請先閱讀並同意最新版討論區規則（版本 ${current}）`, {
        currentVersion: current,
        acceptedRulesVersion: input.acceptedRulesVersion ?? null,
      });
    }
    const existing = await findMember(deps.db, memberId);
    if (existing?.nickname) throw new ApiError(409, "member_exists", `member ${memberId} already has a nickname; change it with PATCH`);
    if (existing) await assertMayAct(deps.db, memberId, deps.clock.now(), "註冊暱稱");
    const screen = await screenNickname(deps, input.nickname, memberId);
    if (screen.outcome === "reject") throw refusal(screen);
    return applyNickname(c, memberId, input.nickname, screen, current);
  });

  routes.patch("/members/:id/nickname", requireIdentity, limitBody(4096), async (c) => {
    const memberId = c.req.param("id");
    const identity = c.get("identity");
    if (memberId !== identity.memberId) throw new ApiError(403, "not_yourself", "只能更改自己的暱稱 (you can only change your own nickname)");
    const input = await readJson(c, nicknameSchema);
    const deps = c.get("deps");
    if (!(await findMember(deps.db, memberId))) throw new ApiError(404, "member_not_found", `no member ${memberId}; register first`);
    await assertMayAct(deps.db, memberId, deps.clock.now(), "更改暱稱");
    const screen = await screenNickname(deps, input.nickname, memberId);
    if (screen.outcome === "reject") throw refusal(screen);
    return applyNickname(c, memberId, input.nickname, screen);
  });

  return routes;
}
