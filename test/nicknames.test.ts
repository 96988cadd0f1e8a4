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
    ["ab\u200bcd", "nickname_invalid_characters"],
    ["<script>", "nickname_invalid_characters"],
  ])("refuses %s with %s", async (nickname, code) => {
    const result = await check(nickname);
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ outcome: "reject", code });
    expect(result.body.message).toMatch(/暱稱/);
  });

  it("refuses a bidi override (U+202E) in a nickname before screening it, as every text field is", async () => {
    const result = await call("checker", "POST", "/nicknames/check", { nickname: "abc\u202Edef" });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: "invalid_text", details: { path: "nickname" } });
  });

  it("holds borderline nicknames for review: a public figure's fan name", async () => {
    expect((await check("蔡英文粉絲")).body).toMatchObject({ outcome: "review", code: "nickname_impersonates_public_figure" });
  });
});

describe("look-alike characters (UTS #39 confusables skeleton)", () => {
  // Cyrillic а; Greek capitals; a precomposed and a combining acute; a space, a dot, an underscore and a
  // full-width space between Latin letters; Cyrillic capitals; 貟 for 員.
  const staffLookalikes = ["аdmin", "ΑDMIN", "admín", "admi\u0301n", "ad min", "ad_min", "Ad.Min", "ad\u3000min", "АDМІN", "管理貟", "夲站"];

  it.each(staffLookalikes)("refuses the staff look-alike %s on the live check", async (nickname) => {
    const result = await check(nickname);
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ outcome: "reject", code: "nickname_impersonates_staff" });
    // The reason marks the characters as the member wrote them, and names the staff term they spell.
    const reason = result.body.reasons.find((r: any) => r.ruleId === "R4-staff-impersonation");
    expect(reason.spans[0].text).toBe(nickname.slice(reason.spans[0].start, reason.spans[0].end));
    expect(reason.spans[0].text.length).toBeGreaterThan(0);
  });

  it.each(["аdmin", "ΑDMIN", "admín", "ad min", "管理貟"])("refuses to register the staff look-alike %s", async (nickname) => {
    const memberId = `m-staff-${[...nickname].map((c) => c.codePointAt(0)!.toString(16)).join("-")}`;
    const result = await register(memberId, nickname);
    expect(result.status, JSON.stringify(result.body)).toBe(422);
    expect(result.body.error.code).toBe("nickname_impersonates_staff");
  });

  it.each([
    ["候友宜", "nickname_impersonates_public_figure"],
    ["杕佳龍", "nickname_impersonates_public_figure"],
    ["馬英丸", "nickname_impersonates_public_figure"],
  ])("refuses the public-figure look-alike %s", async (nickname, code) => {
    expect((await check(nickname)).body).toMatchObject({ outcome: "reject", code });
  });

  it("refuses a Cyrillic look-alike of a member's nickname as taken (409)", async () => {
    expect((await register("m-hank", "Hank Chen")).status).toBe(201);
    // Cyrillic Н and С: not in the project's own table, caught by the UTS #39 data.
    const copy = await register("m-hank-copy", "Нank Сhen");
    expect(copy.status, JSON.stringify(copy.body)).toBe(409);
    expect(copy.body.error).toMatchObject({ code: "nickname_taken", details: { similarTo: "Hank Chen" } });
    expect((await check("ΗΑΝΚ CΗΕΝ")).body).toMatchObject({ outcome: "reject", code: "nickname_taken", similarTo: "Hank Chen" });
  });

  it("accepts a full-width space like an ordinary space, and compares it as one", async () => {
    expect((await check("小明　同學")).body).toMatchObject({ outcome: "allow", code: null });
    const created = await register("m-fullwidth", "阿華　讀者");
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.member.nickname).toBe("阿華　讀者");
    const same = await register("m-halfwidth", "阿華 讀者");
    expect(same.status).toBe(409);
    expect(same.body.error).toMatchObject({ code: "nickname_taken", details: { similarTo: "阿華　讀者" } });
  });

  it.each(["José", "Σοφία", "小明 同學", "Zoë Lin", "Ελένη", "Иван Петров", "Chad Minton", "Ad Minh", "魚丸湯", "等候的人"])(
    "still accepts %s (no false look-alike of a staff or public name)",
    async (nickname) => {
      const result = await check(nickname);
      expect(result.body, JSON.stringify(result.body)).toMatchObject({ outcome: "allow", code: null });
    },
  );

  it("registers accented and Greek nicknames that look like nobody else's", async () => {
    expect((await register("m-jose", "José")).status).toBe(201);
    expect((await register("m-sofia", "Σοφία")).status).toBe(201);
    // Sofia in Latin letters does not look like Σοφία: Σ is not S.
    expect((await register("m-sofia-latin", "Sofia")).status).toBe(201);
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
