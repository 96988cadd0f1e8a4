import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

let t: TestContext;
let rulesVersion: string;
beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
});
afterAll(() => t.dispose());

async function call(memberId: string, method: string, path: string, json: unknown, role: "member" | "moderator" = "member") {
  const response = await t.request(method, path, { token: await t.token(memberId, role), json });
  return { status: response.status, body: (await response.json()) as any };
}
const check = (nickname: string, memberId = "checker") => call(memberId, "POST", "/nicknames/check", { nickname });
const register = (memberId: string, nickname: string) => call(memberId, "POST", "/members", { nickname, acceptedRulesVersion: rulesVersion });

describe("nickname screening (R4)", () => {
  it.each(["能幹的小王", "機車騎士", "Oscar Wu", "阿明_1990", "樹幹上的貓"])("accepts %s", async (nickname) => {
    const result = await check(nickname);
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ outcome: "allow", code: null });
  });

  it.each([
    ["幹你娘", "nickname_abusive"],
    ["ㄍㄢˋ你娘", "nickname_abusive"],
    ["機8人", "nickname_abusive"],
    ["0912345678", "nickname_personal_data"],
    ["me@example.com", "nickname_personal_data"],
    ["A123456789", "nickname_personal_data"],
    ["官方小編", "nickname_impersonates_staff"],
    ["管 理 員", "nickname_impersonates_staff"],
    ["ＡＤＭＩＮ", "nickname_impersonates_staff"],
    ["聯合新聞網客服", "nickname_impersonates_staff"],
    ["蔡英文", "nickname_impersonates_public_figure"],
    ["黃仁勳", "nickname_impersonates_public_figure"],
    ["a", "nickname_too_short"],
    ["很長的暱稱".repeat(5), "nickname_too_long"],
    ["abc\u202Edef", "nickname_invalid_characters"],
    ["ab\u200bcd", "nickname_invalid_characters"],
    ["<script>", "nickname_invalid_characters"],
  ])("refuses %s with %s", async (nickname, code) => {
    const result = await check(nickname);
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ outcome: "reject", code });
    expect(result.body.message).toMatch(/暱稱/);
  });

  it("holds borderline nicknames for review: a public figure's fan name", async () => {
    expect((await check("蔡英文粉絲")).body).toMatchObject({ outcome: "review", code: "nickname_impersonates_public_figure" });
  });
});

describe("registration and changes", () => {
  it("registers a member, records the accepted rules version, and refuses a second registration", async () => {
    const created = await register("m-oscar", "Oscar123");
    expect(created.status).toBe(201);
    expect(created.body.member).toMatchObject({ id: "m-oscar", nickname: "Oscar123", nicknameStatus: "approved", acceptedRulesVersion: rulesVersion });
    expect((await register("m-oscar", "Oscar456")).body.error.code).toBe("member_exists");
    expect((await call("m-x", "POST", "/members", { nickname: "小明" })).body.error.code).toBe("rules_not_accepted");
  });

  it("refuses a nickname confusable with a member's: look-alikes, width, case, script", async () => {
    for (const [i, nickname] of ["0scar123", "OSCAR123", "Ｏｓｃａｒ１２３", "oscar 123"].entries()) {
      const result = await register(`m-copy-${i}`, nickname);
      expect(result.status, nickname).toBe(409);
      expect(result.body.error).toMatchObject({ code: "nickname_taken", details: { similarTo: "Oscar123" } });
    }
    expect((await register("m-taipei", "臺北小王")).status).toBe(201);
    expect((await register("m-taipei2", "台北小王")).body.error.code).toBe("nickname_taken");
  });

  it("holds a near-identical nickname (one edit away) for review and does not show it until approved", async () => {
    const near = await register("m-near", "Oscar124");
    expect(near.status).toBe(202);
    expect(near.body.member).toMatchObject({ nickname: "Oscar124", nicknameStatus: "pending" });
    await t.putArticle("nick-news");
    await call("m-near", "POST", "/articles/nick-news/comments", { body: "大家好", acceptedRulesVersion: rulesVersion });
    const listed = async () => ((await (await t.request("GET", "/articles/nick-news/comments")).json()) as any).comments[0].nickname;
    expect(await listed()).toBeNull();
    const items = await call("mod", "GET", "/review/items?subject=member", undefined, "moderator");
    const item = items.body.items.find((i: any) => i.subjectId === "m-near");
    const detail = await call("mod", "GET", `/review/items/${item.id}`, undefined, "moderator");
    expect(detail.body.sources[0].detail).toMatchObject({ code: "nickname_similar", similarTo: { nickname: "Oscar123" } });
    expect((await call("mod", "POST", `/review/items/${item.id}/decision`, { action: "approve", note: "不同人" }, "moderator")).status).toBe(201);
    expect(await listed()).toBe("Oscar124");
  });

  it("lets a member change only their own nickname, screened the same way", async () => {
    expect((await call("m-taipei", "PATCH", "/members/m-oscar/nickname", { nickname: "新名字" })).body.error.code).toBe("not_yourself");
    expect((await call("m-taipei", "PATCH", "/members/m-taipei/nickname", { nickname: "幹你娘" })).status).toBe(422);
    const changed = await call("m-taipei", "PATCH", "/members/m-taipei/nickname", { nickname: "高雄小王" });
    expect(changed.status).toBe(200);
    expect(changed.body.member.nickname).toBe("高雄小王");
    // The old nickname is free again.
    expect((await register("m-taipei3", "台北小王")).status).toBe(201);
    expect((await call("ghost", "PATCH", "/members/ghost/nickname", { nickname: "幽靈" })).status).toBe(404);
  });

  it("refuses bad input with a stable code", async () => {
    expect((await call("m-y", "POST", "/members", { nickname: "小明", acceptedRulesVersion: rulesVersion, role: "admin" })).status).toBe(400);
    expect((await t.request("POST", "/nicknames/check", { json: { nickname: "x" } })).status).toBe(401);
  });
});
