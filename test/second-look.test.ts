import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampledForSecondLook } from "../src/review/second-look.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { csrfOf, PageClient } from "./support/page-client.ts";

// A second look: moderators' decisions sampled for a blind re-review by another moderator; the agreement
// per forum rule in /stats. Every decision is sampled here (secondLookShare 1).
let t: TestContext;
const ARTICLE = "second-look-news";

beforeAll(async () => {
  t = await createTestContext();
  t.config.policy = { ...t.config.policy, review: { ...t.config.policy.review, secondLookShare: 1 } };
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);
async function decideHeld(author: string, body: string, moderator: string, action: "approve" | "remove") {
  const posted = await as(author, "member", "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: t.config.forumRules.version });
  expect(posted.status).toBe(202);
  const item = (await as(moderator, "moderator", "GET", `/review/items?memberId=${author}`)).body.items[0];
  const decided = await as(moderator, "moderator", "POST", `/review/items/${item.id}/decision`, { action, forumRules: action === "remove" ? ["R2"] : [], note: "第一位管理員" });
  expect(decided.status).toBe(201);
  return { commentId: posted.body.comment.id as string, decisionId: decided.body.decision.id as string };
}

describe("second looks", () => {
  it("samples a share of decisions by their id, the same way every time", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => String(i + 1));
    const share = ids.filter((id) => sampledForSecondLook(id, 0.05)).length / ids.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.06);
    expect(ids.filter((id) => sampledForSecondLook(id, 0.05))).toEqual(ids.filter((id) => sampledForSecondLook(id, 0.05)));
    expect(sampledForSecondLook("1", 0)).toBe(false);
    expect(sampledForSecondLook("1", 1)).toBe(true);
  });

  it("shows another moderator the subject blind, then the first decision and whether they agree; the stats count agreement per forum rule", async () => {
    const removed = await decideHeld("sl-author-1", "你這個白癡", "sl-mod-1", "remove");
    const approved = await decideHeld("sl-author-2", "樓上智障喔", "sl-mod-1", "approve");
    // The deciding moderator is not offered their own decisions.
    expect((await as("sl-mod-1", "moderator", "GET", "/review/second-looks")).body.looks).toEqual([]);
    const open = (await as("sl-mod-2", "moderator", "GET", "/review/second-looks")).body.looks;
    expect(open.map((look: any) => look.subjectId)).toEqual([removed.commentId, approved.commentId]);
    // Blind: the subject and what the rules found, nothing of the decision.
    expect(open[0].card.text).toBe("你這個白癡");
    expect(open[0].card.reasons.length).toBeGreaterThan(0);
    expect(JSON.stringify(open)).not.toMatch(/第一位管理員|sl-mod-1|"remove"|"approve"/);

    const own = await as("sl-mod-1", "moderator", "POST", `/review/second-looks/${open[0].id}`, { action: "remove", forumRules: ["R2"] });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("conflict_of_interest");
    const agree = await as("sl-mod-2", "moderator", "POST", `/review/second-looks/${open[0].id}`, { action: "remove", forumRules: ["R2"], note: "同意" });
    expect(agree.status).toBe(200);
    expect(agree.body.look).toMatchObject({ agrees: true, reviewerAction: "remove", reviewerId: "sl-mod-2" });
    expect(agree.body.first).toMatchObject({ id: removed.decisionId, action: "remove", moderatorId: "sl-mod-1", note: "第一位管理員" });
    const disagree = await as("sl-mod-2", "moderator", "POST", `/review/second-looks/${open[1].id}`, { action: "remove", forumRules: ["R2"] });
    expect(disagree.body.look.agrees).toBe(false);
    expect((await as("sl-mod-3", "moderator", "POST", `/review/second-looks/${open[1].id}`, { action: "approve" })).status).toBe(409);
    expect((await as("sl-mod-3", "moderator", "POST", `/review/second-looks/${open[1].id}`, { action: "remove" })).status).toBe(400);
    expect((await as("sl-mod-3", "moderator", "POST", "/review/second-looks/999999", { action: "approve" })).status).toBe(404);
    // The second look changes nothing about the subject.
    const { rows } = await sql<{ status: string }>`select status from comments where id = ${approved.commentId}`.execute(t.database.db);
    expect(rows[0]!.status).toBe("published");

    const stats = await as("sl-mod-2", "moderator", "GET", "/stats");
    expect(stats.body.secondLooks.R2).toEqual({ looked: 2, agreed: 1, agreement: 0.5 });
    const statsPage = new PageClient(t.app);
    await statsPage.login(await t.token("sl-mod-2", "moderator"));
    expect(await (await statsPage.get("/moderate/stats")).text()).toMatch(/data-rule="R2">.*<td>2<\/td><td>1<\/td><td>50.0%<\/td>/);
  });

  it("the second look page takes the call and says how it compares", async () => {
    await decideHeld("sl-author-3", "腦殘記者", "sl-mod-1", "remove");
    const page = new PageClient(t.app);
    await page.login(await t.token("sl-mod-4", "moderator"));
    const list = await page.get("/moderate/second-looks");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(">腦殘</mark>記者");
    expect(html).not.toContain("第一位管理員");
    const id = /action="\/moderate\/second-looks\/(\d+)"/.exec(html)![1]!;
    const answered = await page.post(`/moderate/second-looks/${id}`, { _csrf: csrfOf(html), action: "approve", note: "我覺得可以刊登" });
    expect(answered.status).toBe(200);
    const result = await answered.text();
    expect(result).toContain("不一致");
    expect(result).toContain("第一位管理員");
  });
});
