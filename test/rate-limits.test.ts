import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { readPolicy } from "../src/rules-on-disk.ts";
import { createTestContext, type TestContext, NO_PREMODERATION } from "./support/context.ts";

let t: TestContext;
const policy = readPolicy();
const tight = {
  comment: { perMember: { limit: 3, windowSeconds: 60 }, perIp: { limit: 5, windowSeconds: 60 } },
  tag: { perMember: { limit: 2, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } },
  report: { perMember: { limit: 1, windowSeconds: 3600 }, perIp: { limit: 100, windowSeconds: 3600 } },
};

beforeAll(async () => {
  t = await createTestContext({ policy: { ...policy, rateLimits: tight, trust: NO_PREMODERATION } });
  await t.putArticle("busy");
});
afterAll(() => t.dispose());

async function comment(memberId: string, body: string, ip = "203.0.113.1", app = t.app, idempotencyKey?: string) {
  return app.request("/articles/busy/comments", {
    method: "POST",
    headers: { authorization: `Bearer ${await t.token(memberId)}`, "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ body, acceptedRulesVersion: t.config.forumRules.version, ...(idempotencyKey ? { idempotencyKey } : {}) }),
  });
}

describe("rate limits", () => {
  it("refuses the member's comment past the limit with 429 and Retry-After, and lets it through in the next window", async () => {
    for (let i = 0; i < 3; i++) expect((await comment("fast", `謝謝分享 第${i}次來看`, `198.51.100.${i}`)).status).toBe(201);
    const refused = await comment("fast", "第四則留言", "198.51.100.9");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as any).error).toMatchObject({ code: "rate_limited", details: { action: "comment", limit: 3 } });
    t.clock.advance(60_000);
    expect((await comment("fast", "新的一分鐘", "198.51.100.9")).status).toBe(201);
  });

  it("counts per address across members", async () => {
    t.clock.advance(60_000);
    for (let i = 0; i < 5; i++) expect((await comment(`shared-${i}`, `同一個網路第${i}則`, "192.0.2.50")).status).toBe(201);
    expect((await comment("shared-9", "第六個人", "192.0.2.50")).status).toBe(429);
    expect((await comment("shared-9", "換個網路", "192.0.2.51")).status).toBe(201);
  });

  it("answers 50 parallel retries of one comment (one idempotency key) with that comment, and counts them once", async () => {
    t.clock.advance(60_000);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => comment("retrier", "同一則留言重送五十次", `198.18.0.${i}`, t.app, "retry-50")));
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(0);
    const ids = new Set(await Promise.all(answers.map(async (answer) => ((await answer.json()) as any).comment.id)));
    expect(ids.size).toBe(1);
    // One comment counted: two more fit in the window (limit 3), the next does not.
    expect((await comment("retrier", "捷運今天又誤點了", "198.18.1.1", t.app, "k2")).status).toBe(201);
    expect((await comment("retrier", "高鐵票價要調漲了嗎", "198.18.1.2", t.app, "k3")).status).toBe(201);
    expect((await comment("retrier", "公車也誤點", "198.18.1.3", t.app, "k4")).status).toBe(429);
  });

  it("keeps a key refused with 429 refused when it is sent again in the window", async () => {
    t.clock.advance(60_000);
    for (const key of ["a1", "a2", "a3"]) expect((await comment("resender", `第${key}則`, "198.18.2.1", t.app, key)).status).toBe(201);
    expect((await comment("resender", "第四則", "198.18.2.2", t.app, "a4")).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await comment("resender", "第四則", `198.18.2.${3 + i}`, t.app, "a4")).status).toBe(429);
    t.clock.advance(60_000);
    expect((await comment("resender", "第四則", "198.18.2.9", t.app, "a4")).status).toBe(201);
  });

  it("holds across server processes: two apps on one database share the counts", async () => {
    t.clock.advance(60_000);
    const second = createApp({ db: t.database.db, clock: t.clock, moderator: t.moderator, config: t.config, clientIp: (c) => c.req.header("x-forwarded-for") ?? null, draining: () => false });
    expect((await comment("roamer", "捷運今天又誤點了", "10.0.0.1", t.app)).status).toBe(201);
    expect((await comment("roamer", "高鐵票價要調漲了嗎", "10.0.0.2", second)).status).toBe(201);
    expect((await comment("roamer", "捷運今天又誤點了，大家早點出門", "10.0.0.3", t.app)).status).toBe(201);
    expect((await comment("roamer", "高鐵票價調漲要有配套", "10.0.0.4", second)).status).toBe(429);
  });

  it("limits tags and reports too", async () => {
    const token = await t.token("tagger");
    const post = (label: string) => t.request("POST", "/articles/busy/tags", { token, json: { label } });
    await post("夜間公車");
    await post("交通局");
    expect((await post("公車")).status).toBe(429);
    const reporter = await t.token("reporter");
    const report = () => t.request("POST", "/reports", { token: reporter, json: { subject: "member", id: "fast", reason: "spam" } });
    expect((await report()).status).toBe(201);
    expect((await report()).status).toBe(429);
  });
});

describe("floods", () => {
  it("holds the same text from the third account within the window, however it is spelled", async () => {
    t.clock.advance(3600_000);
    const text = "颱風要來了，大家記得把陽台的盆栽收進來";
    expect((await comment("flood-1", text, "10.1.0.1")).status).toBe(201);
    expect((await comment("flood-2", text.replace("盆栽", "盆 栽"), "10.1.0.2")).status).toBe(201);
    const third = await comment("flood-3", "颱风要来了，大家记得把阳台的盆栽收进来", "10.1.0.3");
    expect(third.status).toBe(202);
    const reasons = ((await third.json()) as any).comment.verdict.reasons;
    expect(reasons).toContainEqual(expect.objectContaining({ ruleId: "R2-flood", forumRule: "R2", action: "review" }));
  });

  it("leaves short cheers alone", async () => {
    for (let i = 0; i < 4; i++) expect((await comment(`cheer-${i}`, "推！說得好", `10.2.0.${i}`)).status).toBe(201);
  });
});
