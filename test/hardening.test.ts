import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// What broke when the service was attacked (issue 15), each through the API, on PGlite and on Postgres.
let t: TestContext;
let rulesVersion: string;
const DAY = 24 * 3600 * 1000;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle("hard-news");
});
afterAll(() => t.dispose());

async function as(memberId: string, method: string, path: string, json?: unknown, role: "member" | "moderator" | "admin" = "member") {
  const response = await t.request(method, path, { token: await t.token(memberId, role), ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}
const mod = (memberId: string, method: string, path: string, json?: unknown) => as(memberId, method, path, json, "moderator");
const comment = (memberId: string, body: string, extra: Record<string, unknown> = {}, role: "member" | "moderator" = "member") =>
  as(memberId, "POST", "/articles/hard-news/comments", { body, acceptedRulesVersion: rulesVersion, ...extra }, role);

/** Claims items as `moderatorId` until the one about `subjectId` comes up; null when the queue never hands it out. */
async function claimUntil(moderatorId: string, subjectId: string, kind?: "moderation" | "appeal"): Promise<any | null> {
  for (let i = 0; i < 30; i++) {
    const claimed = await mod(moderatorId, "POST", "/review/claim", kind ? { kind } : {});
    const item = claimed.body.item;
    if (!item) return null;
    if (item.subjectId === subjectId || item.appealOfDecisionId === subjectId) return item;
  }
  return null;
}

describe("astral characters (row 1)", () => {
  it("takes 𪜶 and 𠕇 in a comment and shows them whole in the queue's excerpt", async () => {
    const body = `${"𪜶".repeat(79)}𠕇𠕇 記者你這个戇呆`;
    const posted = await comment("astral", body);
    expect([201, 202]).toContain(posted.status);
    expect(posted.body.comment.body).toBe(body);
    if (posted.status === 202) {
      const queue = await mod("astral-mod", "GET", "/review/items?limit=100");
      const row = queue.body.items.find((item: any) => item.subjectId === posted.body.comment.id);
      expect(row.subjectExcerpt).not.toMatch(LONE_SURROGATE);
    }
  });
});

describe("bidirectional controls (row 2)", () => {
  it.each([
    ["a comment", "POST", "/articles/hard-news/comments", { body: "\u202e娘你幹", acceptedRulesVersion: "" }, "body"],
    ["a comment (isolate)", "POST", "/articles/hard-news/comments", { body: "好\u2066文\u2069", acceptedRulesVersion: "" }, "body"],
    ["a tag", "POST", "/articles/hard-news/tags", { label: "\u202d颱風" }, "label"],
    ["a report note", "POST", "/reports", { subject: "member", id: "someone", reason: "abuse", note: "\u202b看這裡" }, "note"],
    ["an appeal note", "POST", "/decisions/1/appeal", { note: "\u202a不服" }, "note"],
    ["a nickname", "POST", "/nicknames/check", { nickname: "\u202e小明" }, "nickname"],
  ])("refuses %s holding one with 400 invalid_text", async (_, method, path, json, field) => {
    const response = await as("bidi", method, path, json);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: "invalid_text", details: { path: field } });
  });
});

describe("conflict of interest (row 4)", () => {
  it("never hands moderators their own held comment, and refuses their decision on it with 403", async () => {
    const own = await comment("mod-d", "這個立委根本是智障", {}, "moderator");
    expect(own.status).toBe(202);
    const id = own.body.comment.id;
    expect(await claimUntil("mod-d", id)).toBeNull();
    const item = (await mod("mod-d", "GET", "/review/items?limit=100")).body.items.find((row: any) => row.subjectId === id);
    const page = await mod("mod-d", "GET", `/review/items/${item.id}`);
    expect(page.body.conflictOfInterest).toMatchObject({ reason: "own_content" });
    const decided = await mod("mod-d", "POST", `/review/items/${item.id}/decision`, { action: "approve", forumRules: [], note: "沒問題" });
    expect(decided.status).toBe(403);
    expect(decided.body.error).toMatchObject({ code: "conflict_of_interest", details: { reason: "own_content" } });
    // Another moderator gets it and may decide.
    const other = await claimUntil("mod-e", id);
    expect(other?.id).toBe(item.id);
    expect((await mod("mod-e", "GET", `/review/items/${item.id}`)).body.conflictOfInterest).toBeNull();
    expect((await mod("mod-e", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" })).status).toBe(201);
  });

  it("sends an appeal to a moderator other than the one who made the decision", async () => {
    const posted = await comment("coi-author", "這篇報導的記者根本是白癡");
    expect(posted.status).toBe(202);
    const item = await claimUntil("mod-f", posted.body.comment.id);
    const removal = await mod("mod-f", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "辱罵記者" });
    expect(removal.status).toBe(201);
    const appeal = await as("coi-author", "POST", `/decisions/${removal.body.decision.id}/appeal`, { note: "我是在批評" });
    expect(appeal.status).toBe(201);
    expect(await claimUntil("mod-f", removal.body.decision.id, "appeal")).toBeNull();
    const appealItem = (await mod("mod-f", "GET", "/review/items?kind=appeal&limit=100")).body.items.find(
      (row: any) => row.appealOfDecisionId === removal.body.decision.id,
    );
    const refused = await mod("mod-f", "POST", `/review/items/${appealItem.id}/decision`, { action: "uphold", note: "維持" });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "conflict_of_interest", details: { reason: "own_decision" } });
    expect((await claimUntil("mod-g", removal.body.decision.id, "appeal"))?.id).toBe(appealItem.id);
    expect((await mod("mod-g", "POST", `/review/items/${appealItem.id}/decision`, { action: "uphold", note: "維持原處分" })).status).toBe(201);
  });

  it("counts no decision by a moderator on their own content or decision in the stats", async () => {
    const stats = await mod("mod-g", "GET", "/stats");
    expect(stats.status).toBe(200);
    expect(stats.body.conflictsOfInterest).toBe(0);
    expect(stats.body.decisions).toBeGreaterThan(0);
  });
});

describe("/stats over any range (row 5)", () => {
  it("refuses a range longer than 366 days with 400, and answers a year at once", async () => {
    const huge = await mod("stats-mod", "GET", "/stats?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z");
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: "range_too_long", details: { maxDays: 366 } });
    const year = await mod("stats-mod", "GET", "/stats?from=2025-11-29T00:00:00%2B08:00&to=2026-11-29T00:00:00%2B08:00");
    expect(year.status).toBe(200);
    expect(year.body.byDay.length).toBe(365);
  });
});

describe("ids at the edges (row 6)", () => {
  const edges = ["2147483648", "9007199254740993", "9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999999999999", "-1", "0", "007", "1e3", "1.5"];

  it("answers every id route with 400 or 404, never 500", async () => {
    const badCursor = (id: string) => Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", id])).toString("base64url");
    const queueCursor = (id: string) => Buffer.from(JSON.stringify([1, id])).toString("base64url");
    for (const id of edges) {
      const lookups = [
        await mod("ids-mod", "GET", `/review/items/${id}`),
        await mod("ids-mod", "POST", `/review/items/${id}/decision`, { action: "approve", forumRules: [], note: "x" }),
        await as("ids-member", "POST", `/decisions/${id}/appeal`, {}),
        await as("ids-member", "POST", "/reports", { subject: "comment", id, reason: "abuse" }),
        await as("ids-member", "POST", "/reports", { subject: "tag", id, reason: "abuse" }),
      ];
      for (const answer of lookups) expect([400, 404], `${id}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
      // A cursor past an id in range is a page (empty here); one past the range is refused.
      const inRange = /^[1-9][0-9]*$/.test(id) && BigInt(id) < 2n ** 63n;
      for (const page of [
        await as("ids-member", "GET", `/articles/hard-news/comments?cursor=${badCursor(id)}`),
        await mod("ids-mod", "GET", `/review/items?cursor=${queueCursor(id)}`),
      ]) {
        expect(page.status, `${id}: ${JSON.stringify(page.body)}`).toBe(inRange ? 200 : 400);
      }
    }
  });

  it("fuzz: ids, paths and bodies with astral, bidi and confusable characters never answer 500 (fast-check)", async () => {
    const id = fc.oneof(
      fc.constantFrom(...edges),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
      fc.string({ unit: "grapheme", maxLength: 6 }),
    );
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.constantFrom("伊講𪜶", "台灣𠕇𠕇", "\u202e娘你幹", "аdmin", "ΑDMIN", "管理貟", "好\u2067文", "幹　你　娘", "𪜶".repeat(30)),
    );
    const request = fc.oneof(
      fc.tuple(fc.constant("GET"), id.map((x) => `/review/items/${encodeURIComponent(x)}`), fc.constant(undefined)),
      fc.tuple(fc.constant("POST"), id.map((x) => `/review/items/${encodeURIComponent(x)}/decision`), fc.record({ action: fc.constant("approve"), forumRules: fc.constant([]), note: text })),
      fc.tuple(fc.constant("POST"), id.map((x) => `/decisions/${encodeURIComponent(x)}/appeal`), fc.record({ note: text })),
      fc.tuple(fc.constant("POST"), fc.constant("/reports"), fc.record({ subject: fc.constantFrom("comment", "tag", "member"), id, reason: fc.constant("abuse"), note: text })),
      fc.tuple(fc.constant("POST"), fc.constant("/articles/hard-news/comments"), fc.record({ body: text, acceptedRulesVersion: fc.constant(rulesVersion) })),
      fc.tuple(fc.constant("POST"), fc.constant("/articles/hard-news/tags"), fc.record({ label: text })),
      fc.tuple(fc.constant("POST"), fc.constant("/nicknames/check"), fc.record({ nickname: text })),
      fc.tuple(fc.constant("PATCH"), id.map((x) => `/members/${encodeURIComponent(x)}/nickname`), fc.record({ nickname: text })),
      fc.tuple(fc.constant("GET"), id.map((x) => `/articles/${encodeURIComponent(x)}/comments`), fc.constant(undefined)),
      fc.tuple(fc.constant("POST"), fc.constant("/members"), fc.record({ nickname: text, acceptedRulesVersion: fc.constant(rulesVersion) })),
      fc.tuple(fc.constant("PUT"), id.map((x) => `/articles/${encodeURIComponent(x)}`), fc.record({ title: text, body: text })),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom("member", "moderator", "admin") as fc.Arbitrary<"member" | "moderator" | "admin">, async ([method, path, json], role) => {
        t.clock.advance(60_000);
        const answer = await as("fuzzer", method, path, json, role);
        expect(answer.status, `${method} ${path} ${JSON.stringify(json)}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});

// Row 7 (idempotent retries and the rate limit) is in test/rate-limits.test.ts, which has real limits.

describe("a reversed strike lifts the suspension it caused (row 8)", () => {
  it("three automated rejections suspend; an appeal reversed by a moderator lifts the suspension as a decision of its own", async () => {
    t.clock.advance(31 * DAY);
    for (const body of ["幹你娘", "操你媽", "雞掰啦"]) expect((await comment("striker", body)).status).toBe(422);
    const blocked = await comment("striker", "我想正常發言");
    expect(blocked.body.error.code).toBe("member_suspended");
    expect(blocked.body.error.message).toMatch(/停權至 \d{4}\/\d{2}\/\d{2}\s\d{2}:\d{2}（台北時間）/);

    const mine = (await as("striker", "GET", "/members/me/decisions")).body.decisions;
    const removal = mine.find((d: any) => d.action === "remove");
    expect((await as("striker", "POST", `/decisions/${removal.id}/appeal`, { note: "第一則是引用" })).status).toBe(201);
    const item = await claimUntil("mod-h", removal.id, "appeal");
    const reversed = await mod("mod-h", "POST", `/review/items/${item.id}/decision`, { action: "reverse", note: "引用不算" });
    expect(reversed.status).toBe(201);
    const suspension = mine.find((d: any) => d.action === "suspend");
    expect(reversed.body.liftedSuspension).toMatchObject({ action: "reverse", reversesDecisionId: suspension.id, automation: "fully_automated" });

    expect((await comment("striker", "謝謝管理員")).status).toBe(201);
    const after = (await as("striker", "GET", "/members/me/decisions")).body.decisions;
    expect(after.find((d: any) => d.reversesDecisionId === suspension.id)).toMatchObject({ action: "reverse", subjectKind: "member" });
    // One appeal, reversed: the lifted suspension is a decision of its own, not a second appeal outcome.
    const stats = await mod("mod-h", "GET", "/stats");
    expect(stats.body.byAction.reverse).toBe(2);
    expect(stats.body.appeals).toEqual({ decided: 1, reversed: 1, reversalRate: 1 });
    const summary = (await t.request("GET", "/transparency/summary?months=1").then((r) => r.json())) as any;
    expect(summary.months.at(-1).appeals).toEqual({ upheld: 0, reversed: 1, reversalRate: 1 });
    // The lifted suspension has nothing left to appeal (reversing it again would lift a later sanction).
    const again = await as("striker", "POST", `/decisions/${suspension.id}/appeal`, { note: "再申訴" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_reversed");
  });
});

describe("what members see (rows 9 and 10)", () => {
  it("shows the author the rule, message and marked words, but not the score or n-grams; moderators see both", async () => {
    const posted = await comment("tuner", "你這個智障，滾");
    expect(posted.status).toBe(202);
    const verdict = posted.body.comment.verdict;
    expect(verdict).not.toHaveProperty("score");
    expect(verdict).not.toHaveProperty("topNgrams");
    expect(verdict.reasons[0]).toMatchObject({ ruleId: "R2-insult", message: expect.any(String), spans: [expect.objectContaining({ text: "智障" })] });
    const refused = await comment("tuner", "幹你娘");
    expect(refused.body.error.details.comment.verdict).not.toHaveProperty("score");

    const item = (await mod("mod-i", "GET", "/review/items?limit=100")).body.items.find((row: any) => row.subjectId === posted.body.comment.id);
    const detail = await mod("mod-i", "GET", `/review/items/${item.id}`);
    expect(detail.body.subject.verdict.score).toEqual(expect.any(Number));
    expect(detail.body.subject.verdict.topNgrams.length).toBeGreaterThan(0);
  });

  it("keeps reporters' names and notes from the reported member's statement of reasons", async () => {
    const posted = await comment("reported", "今天的新聞很普通");
    const id = posted.body.comment.id;
    for (const reporter of ["rep-1", "rep-2", "rep-3"]) {
      expect((await as(reporter, "POST", "/reports", { subject: "comment", id, reason: "abuse", note: `我是${reporter}，他住在隔壁` })).status).toBe(201);
    }
    const item = await claimUntil("mod-j", id);
    expect((await mod("mod-j", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "移除" })).status).toBe(201);
    const statement = await as("reported", "GET", "/members/me/decisions");
    const text = JSON.stringify(statement.body);
    expect(text).not.toContain("rep-1");
    expect(text).not.toContain("他住在隔壁");
    const removal = statement.body.decisions.find((d: any) => d.subjectId === id);
    expect(removal.facts.reports).toEqual([{ reason: "abuse" }, { reason: "abuse" }, { reason: "abuse" }]);
  });
});

describe("links (row 12)", () => {
  it.each([
    ["a deny-listed domain", "點這裡領紅包 http://line-gift.tw.example.ru/claim?id=1", "R1-link-denylist"],
    ["a shortener", "詳情請看 https://bit.ly/x 免費領取", "R1-link-shortener"],
  ])("holds a scam with %s under R1 and marks each URL for moderators", async (_, body, ruleId) => {
    t.clock.advance(3600_000);
    const posted = await comment("linker", body);
    expect(posted.status).toBe(202);
    expect(posted.body.comment.verdict.reasons.map((r: any) => r.ruleId)).toContain(ruleId);
    const item = (await mod("mod-k", "GET", "/review/items?limit=100")).body.items.find((row: any) => row.subjectId === posted.body.comment.id);
    const detail = await mod("mod-k", "GET", `/review/items/${item.id}`);
    const link = detail.body.subject.verdict.reasons.find((r: any) => r.ruleId === "R1-link");
    expect(link.spans.map((s: any) => s.text)).toEqual([body.slice(body.indexOf("http"), body.indexOf(" ", body.indexOf("http")) === -1 ? undefined : body.indexOf(" ", body.indexOf("http")))]);
  });

  it("publishes a link to a news site, marked for moderators only", async () => {
    const posted = await comment("linker", "原文在 https://udn.com/news/story/7266/123456 可以看");
    expect(posted.status).toBe(201);
    expect(posted.body.comment.verdict.reasons).toEqual([]);
  });
});

describe("content negotiation", () => {
  it("follows quality values: text/html;q=0.1 with application/json gets JSON; a browser gets HTML", async () => {
    const json = await t.app.request("/articles/hard-news", { headers: { accept: "text/html;q=0.1, application/json" } });
    expect(json.headers.get("content-type")).toMatch(/application\/json/);
    const html = await t.app.request("/articles/hard-news", { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    const any = await t.app.request("/articles/hard-news", { headers: { accept: "*/*" } });
    expect(any.headers.get("content-type")).toMatch(/application\/json/);
  });
});
