import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { memberView } from "../views/members.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { changeNickname, registerMember, screenNickname, type NicknameApplied } from "../members/register.ts";
import { nicknameAnswer } from "../screening/nickname.ts";

const nicknameField = z.string().trim().min(1).max(200);
export const registerSchema = z.strictObject({ nickname: nicknameField, acceptedRulesVersion: z.string().optional() });
export const nicknameSchema = z.strictObject({ nickname: nicknameField });

/** The member as stored, and the reason when the nickname is held for review. */
function appliedView({ member, pending, message }: NicknameApplied) {
  return { member: memberView(member), ...(pending ? { message } : {}) };
}

export function memberRoutes() {
  const routes = new Hono<AppEnv>();

  // The registration form's live check: the answer, and why, without creating anything.
  routes.post("/nicknames/check", requireIdentity, limitBody(4096), async (c) => {
    const input = await readJson(c, nicknameSchema);
    const screen = await screenNickname(c.get("deps"), input.nickname, c.get("identity").memberId);
    return c.json({ nickname: input.nickname, ...nicknameAnswer(screen) });
  });

  routes.post("/members", requireIdentity, limitBody(4096), async (c) => {
    const input = await readJson(c, registerSchema);
    const applied = await registerMember(c.get("deps"), c.get("identity").memberId, input.nickname, input.acceptedRulesVersion);
    return c.json(appliedView(applied), applied.pending ? 202 : 201);
  });

  routes.patch("/members/:id/nickname", requireIdentity, limitBody(4096), async (c) => {
    const memberId = c.req.param("id");
    if (memberId !== c.get("identity").memberId) throw new ApiError(403, "not_yourself", "只能更改自己的暱稱 (you can only change your own nickname)");
    const input = await readJson(c, nicknameSchema);
    const applied = await changeNickname(c.get("deps"), memberId, input.nickname);
    return c.json(appliedView(applied), applied.pending ? 202 : 200);
  });

  return routes;
}
