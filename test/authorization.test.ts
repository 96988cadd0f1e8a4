import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, TEST_SECRET, type TestContext } from "./support/context.ts";

type Who = "none" | "expired" | "wrongSignature" | "member" | "otherMember" | "moderator" | "admin";
const WHO: Who[] = ["none", "expired", "wrongSignature", "member", "otherMember", "moderator", "admin"];
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
  tokens = {
    none: null,
    expired: await sign({ sub: "member", role: "member", exp: Math.floor(t.clock.now().getTime() / 1000) - 10 }, TEST_SECRET, "HS256"),
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

const anyone: Record<Who, Expect> = { none: "ok", expired: "ok", wrongSignature: "ok", member: "ok", otherMember: "ok", moderator: "ok", admin: "ok" };
const signedIn: Record<Who, Expect> = { none: 401, expired: 401, wrongSignature: 401, member: "ok", otherMember: "ok", moderator: "ok", admin: "ok" };
const moderators: Record<Who, Expect> = { none: 401, expired: 401, wrongSignature: 401, member: 403, otherMember: 403, moderator: "ok", admin: "ok" };
const adminOnly: Record<Who, Expect> = { ...moderators, moderator: 403 };
const theMemberOnly: Record<Who, Expect> = { none: 401, expired: 401, wrongSignature: 401, member: "ok", otherMember: 403, moderator: 403, admin: 403 };

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
