import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, TEST_SECRET, type TestContext } from "./support/context.ts";

// noExpiry and tooOld are admin tokens with a good signature: refused for their lifetime alone.
type Who = "none" | "expired" | "noExpiry" | "tooOld" | "wrongSignature" | "member" | "otherMember" | "moderator" | "admin";
const WHO: Who[] = ["none", "expired", "noExpiry", "tooOld", "wrongSignature", "member", "otherMember", "moderator", "admin"];
const DAY_SECONDS = 86_400;
// "ok" = let through (any status but 401 and 403); a number = exactly that status.
type Expect = "ok" | 401 | 403;

let t: TestContext;
let tokens: Record<Who, string | null>;
let decisionId: string;
let itemId: string;
let commentId: string;
let version: string;

beforeAll(async () => {
  t = await createTestContext();
  version = t.config.forumRules.version;
  await t.putArticle("authz");
  const now = Math.floor(t.clock.now().getTime() / 1000);
  tokens = {
    none: null,
    expired: await sign({ sub: "member", role: "member", exp: now - 10 }, TEST_SECRET, "HS256"),
    noExpiry: await sign({ sub: "boss", role: "admin", iat: now }, TEST_SECRET, "HS256"),
    tooOld: await sign({ sub: "boss", role: "admin", iat: now - 2 * DAY_SECONDS, exp: now + 3600 }, TEST_SECRET, "HS256"),
    wrongSignature: await sign({ sub: "member", role: "admin" }, "an-attacker-secret-of-sufficient-length", "HS256"),
    member: await t.token("member"),
    otherMember: await t.token("other"),
    moderator: await t.token("mod", "moderator"),
    admin: await t.token("boss", "admin"),
  };
  const own = await t.request("POST", "/articles/authz/comments", { token: tokens.member!, json: { body: "我的留言", acceptedRulesVersion: version } });
  commentId = ((await own.json()) as any).comment.id;
  const rejected = await t.request("POST", "/articles/authz/comments", { token: tokens.member!, json: { body: "幹你娘", acceptedRulesVersion: version } });
  expect(rejected.status).toBe(422);
  decisionId = ((await (await t.request("GET", "/members/me/decisions", { token: tokens.member! })).json()) as any).decisions[0].id;
  const held = await t.request("POST", "/articles/authz/comments", { token: tokens.member!, json: { body: "你是白癡", acceptedRulesVersion: version } });
  const heldId = ((await held.json()) as any).comment.id;
  const items = (await (await t.request("GET", "/review/items", { token: tokens.moderator! })).json()) as any;
  itemId = items.items.find((i: any) => i.subjectId === heldId).id;
});
afterAll(() => t.dispose());

const anyone: Record<Who, Expect> = { none: "ok", expired: "ok", noExpiry: "ok", tooOld: "ok", wrongSignature: "ok", member: "ok", otherMember: "ok", moderator: "ok", admin: "ok" };
const signedIn: Record<Who, Expect> = { none: 401, expired: 401, noExpiry: 401, tooOld: 401, wrongSignature: 401, member: "ok", otherMember: "ok", moderator: "ok", admin: "ok" };
const moderators: Record<Who, Expect> = { none: 401, expired: 401, noExpiry: 401, tooOld: 401, wrongSignature: 401, member: 403, otherMember: 403, moderator: "ok", admin: "ok" };
const adminOnly: Record<Who, Expect> = { ...moderators, moderator: 403 };
const theMemberOnly: Record<Who, Expect> = { none: 401, expired: 401, noExpiry: 401, tooOld: 401, wrongSignature: 401, member: "ok", otherMember: 403, moderator: 403, admin: 403 };

const MATRIX: { method: string; path: () => string; body?: () => unknown; expect: Record<Who, Expect> }[] = [
  { method: "GET", path: () => "/healthz", expect: anyone },
  { method: "GET", path: () => "/readyz", expect: anyone },
  { method: "GET", path: () => "/openapi.json", expect: anyone },
  { method: "GET", path: () => "/articles/authz", expect: anyone },
  { method: "PUT", path: () => "/articles/authz-2", body: () => ({ title: "t", body: "b" }), expect: adminOnly },
  { method: "GET", path: () => "/articles/authz/comments", expect: anyone },
  { method: "POST", path: () => "/articles/authz/comments", body: () => ({ body: "路過", acceptedRulesVersion: version }), expect: signedIn },
  { method: "GET", path: () => "/articles/authz/tags", expect: anyone },
  { method: "POST", path: () => "/articles/authz/tags", body: () => ({ label: "夜間公車" }), expect: signedIn },
  { method: "POST", path: () => "/nicknames/check", body: () => ({ nickname: "小明" }), expect: signedIn },
  { method: "POST", path: () => "/members", body: () => ({ nickname: "路人甲", acceptedRulesVersion: version }), expect: signedIn },
  { method: "PATCH", path: () => "/members/member/nickname", body: () => ({ nickname: "新的我" }), expect: theMemberOnly },
  { method: "GET", path: () => "/members/me/decisions", expect: signedIn },
  { method: "POST", path: () => `/decisions/${decisionId}/appeal`, body: () => ({ note: "請再看一次" }), expect: theMemberOnly },
  // Reporting one's own comment is refused too: the member is the one who may not.
  { method: "POST", path: () => "/reports", body: () => ({ subject: "comment", id: commentId, reason: "spam" }), expect: { ...signedIn, member: 403 } },
  { method: "GET", path: () => "/review/items", expect: moderators },
  { method: "GET", path: () => `/review/items/${itemId}`, expect: moderators },
  { method: "POST", path: () => "/review/claim", expect: moderators },
  { method: "POST", path: () => `/review/items/${itemId}/decision`, body: () => ({ action: "approve", note: "ok" }), expect: moderators },
  { method: "GET", path: () => "/stats", expect: moderators },
  { method: "POST", path: () => "/review/bulk-decisions", body: () => ({ itemIds: ["999999999"], action: "approve", note: "ok" }), expect: moderators },
  { method: "POST", path: () => `/review/items/${itemId}/escalate`, body: () => ({ note: "請管理員看" }), expect: moderators },
  { method: "GET", path: () => "/members/me", expect: signedIn },
  { method: "GET", path: () => "/members/me/warnings", expect: signedIn },
  { method: "POST", path: () => "/members/me/warnings/999999/acknowledge", expect: signedIn },
  { method: "GET", path: () => "/members/member/history", expect: moderators },
  { method: "GET", path: () => "/members/me/sessions", expect: signedIn },
  { method: "GET", path: () => "/members/me/data", expect: signedIn },
  // Without {"confirm": true} nothing is erased (400): the matrix's members keep their data.
  { method: "POST", path: () => "/members/me/erasure", body: () => ({}), expect: signedIn },
  { method: "GET", path: () => "/webhooks/endpoints", expect: adminOnly },
  { method: "GET", path: () => "/transparency/statements?from=2026-11-01&to=2026-11-02", expect: moderators },
  { method: "GET", path: () => "/transparency/summary", expect: anyone },
  { method: "GET", path: () => "/review/live?since=0", expect: moderators },
  { method: "GET", path: () => "/review/second-looks", expect: moderators },
  { method: "POST", path: () => "/review/second-looks/999999", body: () => ({ action: "approve" }), expect: moderators },
  { method: "POST", path: () => "/webhooks/endpoints", body: () => ({ url: "https://example.com/hooks", events: ["decision.created"] }), expect: adminOnly },
  { method: "PATCH", path: () => "/webhooks/endpoints/999999", body: () => ({ active: false }), expect: adminOnly },
  { method: "GET", path: () => "/webhooks/deliveries", expect: adminOnly },
  { method: "POST", path: () => "/webhooks/deliveries/999999/replay", expect: adminOnly },
  { method: "POST", path: () => "/members/me/sessions/999999/end", expect: signedIn },
  { method: "PUT", path: () => "/members/someone-else/role-limit", body: () => ({ role: null, note: "恢復" }), expect: adminOnly },
  { method: "POST", path: () => "/members/member/notes", body: () => ({ note: "觀察" }), expect: moderators },
  { method: "POST", path: () => "/members/other/actions", body: () => ({ action: "warn", forumRules: ["R2"], note: "注意用詞" }), expect: moderators },
  { method: "PATCH", path: () => `/comments/${commentId}`, body: () => ({ body: "我的留言（修改）" }), expect: theMemberOnly },
  // Last: it deletes the comment the rows above use.
  { method: "DELETE", path: () => `/comments/${commentId}`, expect: theMemberOnly },
];

describe("authorization: every endpoint × every kind of caller", () => {
  it.each(MATRIX.flatMap((row) => WHO.map((who) => [`${row.method} ${row.path()}`.replace(/\d+/g, ":id"), who, row] as const)))(
    "%s as %s",
    async (_, who, row) => {
      const token = tokens[who];
      const response = await t.request(row.method, row.path(), {
        ...(token ? { token } : {}),
        ...(row.body ? { json: row.body() } : {}),
      });
      const expected = row.expect[who];
      if (expected === "ok") expect([401, 403], await response.clone().text()).not.toContain(response.status);
      else expect(response.status, await response.clone().text()).toBe(expected);
      expect(response.status).toBeLessThan(500);
    },
  );
});

describe("token lifetime: exp required, no older or longer-lived than MAX_TOKEN_AGE_SECONDS (default one day)", () => {
  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  const asCaller = async (claims: Record<string, unknown>) => {
    const token = await sign({ sub: "lifetime", role: "member", ...claims }, TEST_SECRET, "HS256");
    const response = await t.request("GET", "/members/me/decisions", { token });
    const body = (await response.json()) as any;
    return { status: response.status, code: body.error?.code as string | undefined };
  };

  it("refuses a token without exp as invalid_token, with or without iat", async () => {
    expect(await asCaller({ iat: now() })).toEqual({ status: 401, code: "invalid_token" });
    expect(await asCaller({})).toEqual({ status: 401, code: "invalid_token" });
  });

  it("refuses a token issued more than the maximum age ago, even though its exp is still ahead", async () => {
    expect(await asCaller({ iat: now() - DAY_SECONDS - 3600, exp: now() + 3600 })).toEqual({ status: 401, code: "token_expired" });
  });

  it("refuses a token whose exp lies beyond the maximum age, rather than capping it", async () => {
    // Thirty days from now without iat, and thirty days after an iat of now.
    expect(await asCaller({ exp: now() + 30 * DAY_SECONDS })).toEqual({ status: 401, code: "invalid_token" });
    expect(await asCaller({ iat: now(), exp: now() + 30 * DAY_SECONDS })).toEqual({ status: 401, code: "invalid_token" });
  });

  it("refuses a token issued in the future, which would otherwise outlive the maximum age", async () => {
    expect(await asCaller({ iat: now() + 30 * DAY_SECONDS, exp: now() + 30 * DAY_SECONDS + 3600 })).toEqual({ status: 401, code: "invalid_token" });
  });

  it("accepts normal tokens: an hour, a full day from iat, an hour without iat, and the pages' one-minute tokens", async () => {
    expect((await asCaller({ iat: now(), exp: now() + 3600 })).status).toBe(200);
    expect((await asCaller({ iat: now() - 600, exp: now() + DAY_SECONDS - 600 })).status).toBe(200);
    expect((await asCaller({ exp: now() + 3600 })).status).toBe(200);
    const full = await t.request("GET", "/members/me/decisions", { token: await t.token("lifetime", "member", DAY_SECONDS) });
    expect(full.status).toBe(200);
    const minute = await t.request("GET", "/members/me/decisions", { token: await t.token("lifetime", "member", 60) });
    expect(minute.status).toBe(200);
  });

  it("judges the age by the app's clock: a day-long token is accepted until its exp, then refused", async () => {
    const token = await t.token("lifetime", "member", DAY_SECONDS);
    t.clock.advance((DAY_SECONDS - 1) * 1000);
    expect((await t.request("GET", "/members/me/decisions", { token })).status).toBe(200);
    t.clock.advance(2000);
    const late = await t.request("GET", "/members/me/decisions", { token });
    expect(late.status).toBe(401);
    expect(((await late.json()) as any).error.code).toBe("token_expired");
  });
});
