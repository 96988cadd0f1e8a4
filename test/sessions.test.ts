import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";
import { PageClient } from "./support/page-client.ts";

// Server-side sessions: the cookie holds a secret naming a row in web_sessions, so signing out, an admin's
// demotion and a member's revocation end a session at once, and a member lists and ends their sessions.
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.dispose());

async function signedIn(memberId: string, role: "member" | "moderator" | "admin"): Promise<PageClient> {
  const client = new PageClient(t.app);
  expect((await client.login(await t.token(memberId, role))).status).toBe(303);
  return client;
}
const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);

describe("a member's sessions", () => {
  it("lists the browsers signed in and ends one of them at once; nobody else's", async () => {
    const laptop = await signedIn("sess-mod", "moderator");
    const phone = await signedIn("sess-mod", "moderator");
    const listed = await as("sess-mod", "moderator", "GET", "/members/me/sessions");
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(2);
    expect(listed.body.sessions[0]).not.toHaveProperty("csrf");
    expect(Object.keys(listed.body.sessions[0]).sort()).toEqual(["createdAt", "expiresAt", "id", "lastSeenAt", "role", "userAgent"]);
    const [first, second] = listed.body.sessions;
    // Someone else cannot end it; an unknown id is 404.
    expect((await as("sess-other", "member", "POST", `/members/me/sessions/${first.id}/end`)).status).toBe(404);
    expect((await as("sess-mod", "moderator", "POST", "/members/me/sessions/abc/end")).status).toBe(404);
    // Ending the first leaves exactly one browser signed in.
    expect((await as("sess-mod", "moderator", "POST", `/members/me/sessions/${first.id}/end`)).body).toEqual({ ended: first.id });
    expect((await as("sess-mod", "moderator", "POST", `/members/me/sessions/${first.id}/end`)).status).toBe(404);
    const statuses = [(await laptop.get("/moderate")).status, (await phone.get("/moderate")).status].sort();
    expect(statuses).toEqual([200, 303]);
    expect((await as("sess-mod", "moderator", "GET", "/members/me/sessions")).body.sessions.map((s: any) => s.id)).toEqual([second.id]);
  });

  it("ends when the session's eight hours are over", async () => {
    const browser = await signedIn("sess-late", "moderator");
    expect((await browser.get("/moderate")).status).toBe(200);
    t.clock.advance(8 * 3_600_000 + 1000);
    expect((await browser.get("/moderate")).status).toBe(303);
    expect((await as("sess-late", "moderator", "GET", "/members/me/sessions")).body.sessions).toEqual([]);
  });
});

describe("demotion", () => {
  it("an admin caps a moderator's role: their sessions end and their tokens act as a member at once; lifting it restores them", async () => {
    const browser = await signedIn("sess-demoted", "moderator");
    const memberBrowser = await signedIn("sess-demoted", "member");
    expect((await browser.get("/moderate")).status).toBe(200);
    const demoted = await as("sess-admin", "admin", "PUT", "/members/sess-demoted/role-limit", { role: "member", note: "離職，取消管理權限" });
    expect(demoted.status).toBe(200);
    expect(demoted.body).toEqual({ memberId: "sess-demoted", roleLimit: "member", endedSessions: 1 });
    // The moderator session is over; the member session (no higher than the cap) stays.
    expect((await browser.get("/moderate")).status).toBe(303);
    expect((await memberBrowser.get("/me")).status).toBe(200);
    // The login system's token still says moderator: the API treats it as a member's.
    expect((await as("sess-demoted", "moderator", "GET", "/review/items")).status).toBe(403);
    // Signing in again gives a member's session.
    const again = await signedIn("sess-demoted", "moderator");
    expect((await again.get("/moderate")).status).toBe(403);
    // What moderators see of the member says who demoted them and why.
    const history = await as("sess-admin", "admin", "GET", "/members/sess-demoted/history");
    expect(history.body.roleLimit).toMatchObject({ role: "member", by: "sess-admin", note: "離職，取消管理權限" });

    const lifted = await as("sess-admin", "admin", "PUT", "/members/sess-demoted/role-limit", { role: null, note: "復職" });
    expect(lifted.body).toEqual({ memberId: "sess-demoted", roleLimit: null, endedSessions: 0 });
    expect((await as("sess-demoted", "moderator", "GET", "/review/items")).status).toBe(200);
  });

  it("caps an admin at moderator, refuses an admin's own role and a moderator's request", async () => {
    const adminBrowser = await signedIn("sess-admin-2", "admin");
    expect((await as("sess-admin", "admin", "PUT", "/members/sess-admin-2/role-limit", { role: "moderator", note: "只做審核" })).body.endedSessions).toBe(1);
    expect((await adminBrowser.get("/moderate")).status).toBe(303);
    expect((await as("sess-admin-2", "admin", "PUT", "/members/sess-x/role-limit", { role: "member", note: "x" })).status).toBe(403);
    expect((await as("sess-admin-2", "admin", "GET", "/review/items")).status).toBe(200);
    const self = await as("sess-admin", "admin", "PUT", "/members/sess-admin/role-limit", { role: "member", note: "x" });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("not_on_yourself");
    expect((await as("sess-mod-3", "moderator", "PUT", "/members/sess-x/role-limit", { role: "member", note: "x" })).status).toBe(403);
    expect((await as("sess-admin", "admin", "PUT", "/members/sess-x/role-limit", { role: "owner", note: "x" })).status).toBe(400);
    expect((await as("sess-admin", "admin", "PUT", "/members/sess-x/role-limit", { role: "member" })).status).toBe(400);
  });
});

describe("revocation", () => {
  it("revoking a member's membership signs them out everywhere at once", async () => {
    const browser = await signedIn("sess-revoked", "member");
    expect((await browser.get("/me")).status).toBe(200);
    const revoked = await as("sess-mod-4", "moderator", "POST", "/members/sess-revoked/actions", { action: "revoke", forumRules: ["R2"], note: "屢次謾罵" });
    expect(revoked.status).toBe(201);
    expect((await browser.get("/me")).status).toBe(303);
    const { rows } = await sql<{ ended_reason: string }>`select ended_reason from web_sessions where member_id = 'sess-revoked'`.execute(t.database.db);
    expect(rows.map((row) => row.ended_reason)).toEqual(["revoked"]);
  });
});
