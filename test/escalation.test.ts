import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// Escalation to the admins, and each item's age against rules/policy.yaml's review.targetHours.
let t: TestContext;
const ARTICLE = "escalation-news";

beforeAll(async () => {
  t = await createTestContext();
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);
const held = async (memberId: string, body: string) => (await t.hold(memberId, ARTICLE, body)).itemId;

describe("escalation", () => {
  let itemId: string;

  it("hands an item to the admins with a note; moderators can neither claim nor decide it", async () => {
    itemId = await held("esc-author", "你這個白癡，去查查你的議員");
    const escalated = await as("esc-mod", "moderator", "POST", `/review/items/${itemId}/escalate`, { note: "涉及議員，請系統管理員判斷" });
    expect(escalated.status).toBe(200);
    expect(escalated.body.item.escalation).toMatchObject({ by: "esc-mod", note: "涉及議員，請系統管理員判斷" });
    expect((await as("esc-mod", "moderator", "POST", `/review/items/${itemId}/escalate`, { note: "again" })).body.error.code).toBe("already_escalated");
    // The moderators' claim skips it, and a decision by a moderator is refused.
    expect((await as("esc-mod-2", "moderator", "POST", "/review/claim", {})).body.item).toBeNull();
    expect((await as("esc-mod-2", "moderator", "POST", "/review/claim", { escalated: true })).status).toBe(403);
    const refused = await as("esc-mod-2", "moderator", "POST", `/review/items/${itemId}/decision`, { action: "approve", note: "x" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("escalated_to_admins");
    // It is in the admins' list, not in the others.
    expect((await as("esc-mod", "moderator", "GET", "/review/items?escalated=true")).body.items.map((i: any) => i.id)).toEqual([itemId]);
    expect((await as("esc-mod", "moderator", "GET", "/review/items?escalated=false")).body.items.map((i: any) => i.id)).not.toContain(itemId);
  });

  it("an admin claims it from the escalated queue and decides it; the decision records the escalation", async () => {
    const claimed = await as("esc-admin", "admin", "POST", "/review/claim", { escalated: true });
    expect(claimed.body.item.id).toBe(itemId);
    const decided = await as("esc-admin", "admin", "POST", `/review/items/${itemId}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" });
    expect(decided.status).toBe(201);
    expect(decided.body.decision.facts.escalation).toMatchObject({ by: "esc-mod", note: "涉及議員，請系統管理員判斷" });
    expect((await as("esc-mod", "moderator", "POST", `/review/items/${itemId}/escalate`, { note: "late" })).body.error.code).toBe("already_decided");
    expect((await as("esc-mod", "moderator", "POST", "/review/items/999999999/escalate", { note: "x" })).status).toBe(404);
    expect((await as("esc-mod", "moderator", "POST", `/review/items/${itemId}/escalate`, {})).status).toBe(400);
    expect((await as("esc-member", "member", "POST", `/review/items/${itemId}/escalate`, { note: "x" })).status).toBe(403);
  });

  it("shows each item's age against its target, an escalated one's from its escalation", async () => {
    const waiting = await held("esc-author-2", "你這個智障");
    const targets = t.config.policy.review.targetHours;
    t.clock.advance((targets.moderation + 1) * 3_600_000);
    const listed = (await as("esc-mod", "moderator", "GET", "/review/items")).body.items.find((i: any) => i.id === waiting);
    expect(listed.age).toEqual({ ageHours: targets.moderation + 1, targetHours: targets.moderation, overdue: true });
    await as("esc-mod", "moderator", "POST", `/review/items/${waiting}/escalate`, { note: "等太久了，請管理員處理" });
    t.clock.advance(3_600_000);
    const detail = await as("esc-admin", "admin", "GET", `/review/items/${waiting}`);
    expect(detail.body.item.age).toEqual({ ageHours: 1, targetHours: targets.escalated, overdue: false });
  });
});

describe("the queue's severity for reports and appeals", () => {
  it("gives a reported comment the severity of its reason, and an appeal the policy's", async () => {
    const posted = await as("sev-author", "member", "POST", `/articles/${ARTICLE}/comments`, { body: "這家店的東西很好用", acceptedRulesVersion: t.config.forumRules.version });
    expect(posted.status).toBe(201);
    const filed = await as("sev-reporter", "member", "POST", "/reports", { subject: "comment", id: posted.body.comment.id, reason: "illegal" });
    expect(filed.status).toBe(201);
    const item = await as("sev-mod", "moderator", "GET", `/review/items/${filed.body.reviewItemId}`);
    expect(item.body.item.severity).toBe(t.config.policy.reports.severityByReason.illegal);
    const removed = await as("sev-mod", "moderator", "POST", `/review/items/${filed.body.reviewItemId}/decision`, { action: "remove", forumRules: ["R1"], note: "違法販售" });
    const appealed = await as("sev-author", "member", "POST", `/decisions/${removed.body.decision.id}/appeal`, { note: "我只是分享心得" });
    expect(appealed.status).toBe(201);
    const appealItem = (await as("sev-mod", "moderator", "GET", "/review/items?kind=appeal")).body.items.find((i: any) => i.appealOfDecisionId === removed.body.decision.id);
    expect(appealItem.severity).toBe(t.config.policy.review.appealSeverity);
  });
});
