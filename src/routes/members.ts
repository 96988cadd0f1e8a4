import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { staffOf } from "../review/scope.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { MEMBER_ID_PATTERN } from "../auth/token.ts";
import { findMember, listWarnings, siteSuspensionsOf } from "../db/members.ts";
import { isRowId } from "../http/row-id.ts";
import { acknowledgeOwnWarning, actOnMember, memberActionSchema, memberNoteSchema, noteOnMember } from "../members/actions.ts";
import { eraseMemberData, erasureSchema, exportMemberData } from "../members/data-requests.ts";
import { memberHistory } from "../members/history.ts";
import { limitModeratorSites, limitRole, moderatorSitesSchema, roleLimitSchema } from "../members/roles.ts";
import { endMemberSession, listLiveSessions } from "../db/sessions.ts";
import { decisionView } from "../views/decisions.ts";
import { memberNoteView, memberView, sessionView, siteSuspensionView, warningView } from "../views/members.ts";
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

  // The caller as this service knows them: nickname, standing, trust level, warnings to acknowledge.
  routes.get("/members/me", requireIdentity, async (c) => {
    const { db, clock } = c.get("deps");
    const [member, siteSuspensions] = await Promise.all([findMember(db, c.get("identity").memberId), siteSuspensionsOf(db, c.get("identity").memberId, clock.now())]);
    if (!member) throw new ApiError(404, "member_not_found", "你還沒有在討論區發言或註冊 (not known here yet)");
    return c.json({ member: { ...memberView(member), siteSuspensions: siteSuspensions.map(siteSuspensionView) } });
  });

  // The member's own data, as a download (Personal Data Protection Act): src/members/data-requests.ts.
  routes.get("/members/me/data", requireIdentity, async (c) => {
    const memberId = c.get("identity").memberId;
    const document = await exportMemberData(c.get("deps"), memberId);
    c.header("content-disposition", `attachment; filename="comments-data-${memberId}.json"`);
    c.header("cache-control", "no-store");
    return c.json(document);
  });

  // Erase the member's texts and personal data; the decision log keeps its entries with the text redacted.
  routes.post("/members/me/erasure", requireIdentity, limitBody(1024), async (c) => {
    await readJson(c, erasureSchema);
    return c.json({ erasure: await eraseMemberData(c.get("deps"), c.get("identity").memberId) });
  });

  // A member's warnings, newest first; an unacknowledged one stops their posting (409) until acknowledged.
  routes.get("/members/me/warnings", requireIdentity, async (c) => {
    const warnings = await listWarnings(c.get("deps").db, c.get("identity").memberId, 50);
    return c.json({ warnings: warnings.map(warningView) });
  });

  routes.post("/members/me/warnings/:decisionId/acknowledge", requireIdentity, async (c) => {
    const decisionId = c.req.param("decisionId");
    if (!isRowId(decisionId)) throw new ApiError(404, "warning_not_found", `no warning ${decisionId}`);
    const { db, clock } = c.get("deps");
    await acknowledgeOwnWarning(db, c.get("identity").memberId, decisionId, clock.now());
    return c.json({ acknowledged: decisionId });
  });

  // The caller's signed-in browsers (web sessions), to see where they are signed in and end the others.
  routes.get("/members/me/sessions", requireIdentity, async (c) => {
    const { db, clock } = c.get("deps");
    const sessions = await listLiveSessions(db, c.get("identity").memberId, clock.now());
    return c.json({ sessions: sessions.map(sessionView) });
  });

  routes.post("/members/me/sessions/:id/end", requireIdentity, async (c) => {
    const sessionId = c.req.param("id");
    const { db, clock } = c.get("deps");
    if (!isRowId(sessionId) || !(await endMemberSession(db, c.get("identity").memberId, sessionId, clock.now()))) {
      throw new ApiError(404, "session_not_found", `no live session ${sessionId} of yours`);
    }
    return c.json({ ended: sessionId });
  });

  // An admin caps the role a member acts with (demotion), or lifts the cap with role: null.
  routes.put("/members/:id/role-limit", requireIdentity, requireRole("admin"), limitBody(8 * 1024), async (c) => {
    const memberId = memberIdParam(c.req.param("id"));
    const input = await readJson(c, roleLimitSchema);
    const { db, clock } = c.get("deps");
    return c.json({ memberId, ...(await limitRole(db, c.get("identity").memberId, memberId, input.role, input.note, clock.now())) });
  });

  // An admin limits a moderator to some sites, or with sites: null lets them moderate every site.
  routes.put("/members/:id/sites", requireIdentity, requireRole("admin"), limitBody(8 * 1024), async (c) => {
    const memberId = memberIdParam(c.req.param("id"));
    const input = await readJson(c, moderatorSitesSchema);
    const { db, clock, config } = c.get("deps");
    return c.json({ memberId, ...(await limitModeratorSites(db, config.sites, c.get("identity").memberId, memberId, input.sites, input.note, clock.now())) });
  });

  // A moderator acts on a member without a queue item: warn, suspend for N days, or revoke, and perhaps take down their comments.
  routes.post("/members/:id/actions", requireIdentity, requireRole("moderator", "admin"), limitBody(8 * 1024), async (c) => {
    const memberId = memberIdParam(c.req.param("id"));
    const input = await readJson(c, memberActionSchema);
    const { db, config, clock } = c.get("deps");
    const identity = c.get("identity");
    const outcome = await actOnMember(db, config.policy, config.sites, { ...staffOf(identity), id: identity.memberId }, memberId, input, clock.now());
    return c.json(
      {
        decision: decisionView(outcome.decision),
        takedowns: outcome.takedowns.map(decisionView),
        strikeSuspension: outcome.strikeSuspension && decisionView(outcome.strikeSuspension),
      },
      201,
    );
  });

  routes.post("/members/:id/notes", requireIdentity, requireRole("moderator", "admin"), limitBody(8 * 1024), async (c) => {
    const memberId = memberIdParam(c.req.param("id"));
    const input = await readJson(c, memberNoteSchema);
    const { db, clock } = c.get("deps");
    return c.json({ note: memberNoteView(await noteOnMember(db, c.get("identity").memberId, memberId, input.note, clock.now())) }, 201);
  });

  routes.get("/members/:id/history", requireIdentity, requireRole("moderator", "admin"), async (c) => {
    const memberId = memberIdParam(c.req.param("id"));
    const { db, config, clock } = c.get("deps");
    return c.json(await memberHistory(db, config.policy, memberId, clock.now(), c.get("identity").moderatorSites));
  });

  return routes;
}

function memberIdParam(id: string): string {
  if (!MEMBER_ID_PATTERN.test(id)) throw new ApiError(404, "member_not_found", `no member ${id}`);
  return id;
}
