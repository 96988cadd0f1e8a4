import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// Bulk actions (POST /review/bulk-decisions) and the queue's cards (GET /review/items): one action and
// note over many items, one decision per item, a result per item when some cannot be decided.
let t: TestContext;
const ARTICLE = "bulk-news";
const OTHER_ARTICLE = "bulk-other";

beforeAll(async () => {
  t = await createTestContext();
  await t.putArticle(ARTICLE);
  await t.putArticle(OTHER_ARTICLE);
});
afterAll(() => t.dispose());

const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);
const held = (memberId: string, body: string, article = ARTICLE) => t.hold(memberId, article, body);
const statusOf = async (commentId: string) =>
  (await sql<{ status: string }>`select status from comments where id = ${commentId}`.execute(t.database.db)).rows[0]!.status;

describe("bulk decisions on chosen items", () => {
  it("removes each chosen item with one note, a decision per item naming the batch, and says which items failed and why", async () => {
    const a = await held("bulk-a", "你這個白癡，滾回去");
    const b = await held("bulk-b", "樓上智障喔");
    const leased = await held("bulk-c", "你腦殘嗎");
    const own = await held("bulk-mod", "這個記者是白癡");
    const done = await held("bulk-d", "北七記者");
    // Another moderator holds one; one is the deciding moderator's own comment; one is decided already.
    await as("bulk-other-mod", "moderator", "POST", "/review/claim", { kind: "appeal" });
    await sql`update review_items set claimed_by = 'bulk-other-mod', lease_until = ${new Date(t.clock.now().getTime() + 600_000)} where id = ${leased.itemId}`.execute(t.database.db);
    expect((await as("bulk-mod-2", "moderator", "POST", `/review/items/${done.itemId}/decision`, { action: "approve", note: "可刊登" })).status).toBe(201);

    const bulk = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", {
      itemIds: [a.itemId, b.itemId, leased.itemId, own.itemId, done.itemId, a.itemId, "not-an-id"],
      action: "remove",
      forumRules: ["R2"],
      note: "人身攻擊，批次移除",
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toMatchObject({ decided: 2, failed: 4, more: false });
    const byItem = Object.fromEntries(bulk.body.results.map((r: any) => [r.itemId, r]));
    expect(byItem[a.itemId]).toMatchObject({ ok: true, decision: { action: "remove", forumRules: ["R2"], note: "人身攻擊，批次移除" } });
    expect(byItem[b.itemId].ok).toBe(true);
    expect(byItem[leased.itemId]).toMatchObject({ ok: false, error: { code: "claimed_by_another_moderator" } });
    expect(byItem[own.itemId].ok).toBe(false);
    expect(byItem[own.itemId].error.code).toMatch(/conflict|own/);
    expect(byItem[done.itemId]).toMatchObject({ ok: false, error: { code: "already_decided" } });
    expect(byItem["not-an-id"]).toMatchObject({ ok: false, error: { code: "review_item_not_found" } });
    // Each id once, however often it was sent.
    expect(bulk.body.results.filter((r: any) => r.itemId === a.itemId)).toHaveLength(1);
    // One decision row per item, each naming the batch; the comments are down, the others untouched.
    const { rows } = await sql<{ review_item_id: string; facts: any }>`select review_item_id::text, facts from decisions where facts->'bulk'->>'batchId' = ${bulk.body.batchId} order by id`.execute(t.database.db);
    expect(rows.map((r) => r.review_item_id).sort()).toEqual([a.itemId, b.itemId].sort());
    expect(rows[0]!.facts.bulk).toEqual({ batchId: bulk.body.batchId, items: 6 });
    expect(await statusOf(a.commentId)).toBe("removed");
    expect(await statusOf(b.commentId)).toBe("removed");
    expect(await statusOf(leased.commentId)).toBe("pending");
    expect(await statusOf(own.commentId)).toBe("pending");
    // Sent again: nothing is decided twice.
    const again = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", { itemIds: [a.itemId], action: "remove", forumRules: ["R2"], note: "again" });
    expect(again.body).toMatchObject({ decided: 0, failed: 1, results: [{ ok: false, error: { code: "already_decided" } }] });
  });

  it("refuses what no item could take, before deciding any", async () => {
    const c = await held("bulk-e", "你是白癡");
    const bad = async (json: unknown) => (await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", json)).body.error.code;
    expect(await bad({ itemIds: [c.itemId], action: "remove", note: "沒有規則" })).toBe("forum_rule_required");
    expect(await bad({ itemIds: [c.itemId], action: "remove_and_suspend", forumRules: ["R2"], note: "x", suspendDays: 3 })).toBe("validation_failed");
    expect(await bad({ itemIds: [c.itemId], memberId: "bulk-e", action: "approve", note: "x" })).toBe("validation_failed");
    expect(await bad({ action: "approve", note: "x" })).toBe("validation_failed");
    expect(await bad({ itemIds: [], action: "approve", note: "x" })).toBe("validation_failed");
    expect(await bad({ itemIds: Array.from({ length: 101 }, (_, i) => String(i + 1)), action: "approve", note: "x" })).toBe("validation_failed");
    expect(await bad({ itemIds: [c.itemId], action: "approve", note: "  " })).toBe("validation_failed");
    expect(await statusOf(c.commentId)).toBe("pending");
    // An appeal is weighed on its own: in a batch it fails alone.
    const removed = await as("bulk-mod", "moderator", "POST", `/review/items/${c.itemId}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" });
    const appealed = await as("bulk-e", "member", "POST", `/decisions/${removed.body.decision.id}/appeal`, { note: "我沒有罵人" });
    expect(appealed.status).toBe(201);
    const appealItem = (await as("bulk-mod", "moderator", "GET", "/review/items?kind=appeal&memberId=bulk-e")).body.items[0];
    const batch = await as("bulk-mod-2", "moderator", "POST", "/review/bulk-decisions", { itemIds: [appealItem.id], action: "approve", note: "x" });
    expect(batch.body).toMatchObject({ decided: 0, failed: 1, results: [{ itemId: appealItem.id, ok: false, error: { code: "action_not_for_item" } }] });
  });
});

describe("bulk decisions and edits", () => {
  it("refuses an item whose comment was edited since the card was read, and decides the rest", async () => {
    const edited = await held("bulk-editor", "你這個白癡");
    const other = await held("bulk-other", "樓上腦殘");
    expect((await as("bulk-editor", "member", "PATCH", `/comments/${edited.commentId}`, { body: "你這個白癡，我收回" })).status).toBeLessThan(300);
    const bulk = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", {
      itemIds: [edited.itemId, other.itemId],
      subjectVersions: { [edited.itemId]: 1, [other.itemId]: 1 },
      action: "approve",
      note: "批次核准",
    });
    expect(bulk.body).toMatchObject({ decided: 1, failed: 1 });
    expect(bulk.body.results.find((r: any) => r.itemId === edited.itemId)).toMatchObject({ ok: false, error: { code: "subject_changed" } });
    expect(await statusOf(other.commentId)).toBe("published");
  });
});

describe("bulk decisions on all open items of a member or an article", () => {
  it("approves every open item of one member and leaves the others' alone", async () => {
    const first = await held("bulk-spammer", "你們這些白癡");
    const second = await held("bulk-spammer", "智障新聞", OTHER_ARTICLE);
    const bystander = await held("bulk-bystander", "樓上白癡");
    const decided = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", { memberId: "bulk-spammer", action: "approve", note: "語氣激烈但未違規" });
    expect(decided.body).toMatchObject({ decided: 2, failed: 0, more: false });
    expect(decided.body.results.map((r: any) => r.itemId).sort()).toEqual([first.itemId, second.itemId].sort());
    expect(await statusOf(first.commentId)).toBe("published");
    expect(await statusOf(second.commentId)).toBe("published");
    expect(await statusOf(bystander.commentId)).toBe("pending");
  });

  it("removes every open item on one article; a moderator's selection leaves out items escalated to the admins", async () => {
    const one = await held("bulk-f", "白癡文章", OTHER_ARTICLE);
    const two = await held("bulk-g", "你們都智障", OTHER_ARTICLE);
    const escalated = await held("bulk-h", "腦殘記者", OTHER_ARTICLE);
    const elsewhere = await held("bulk-i", "智障喔");
    expect((await as("bulk-mod", "moderator", "POST", `/review/items/${escalated.itemId}/escalate`, { note: "請管理員看" })).status).toBe(200);
    // The queue lists the article's items, and the member's.
    const listed = await as("bulk-mod", "moderator", "GET", `/review/items?articleId=${OTHER_ARTICLE}`);
    expect(listed.body.items.map((i: any) => i.id).sort()).toEqual([one.itemId, two.itemId, escalated.itemId].sort());
    expect((await as("bulk-mod", "moderator", "GET", "/review/items?memberId=bulk-g")).body.items.map((i: any) => i.id)).toEqual([two.itemId]);

    const removed = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", { articleId: OTHER_ARTICLE, action: "remove", forumRules: ["R2"], note: "洗版謾罵" });
    expect(removed.body).toMatchObject({ decided: 2, failed: 0 });
    expect(await statusOf(one.commentId)).toBe("removed");
    expect(await statusOf(two.commentId)).toBe("removed");
    expect(await statusOf(escalated.commentId)).toBe("pending");
    expect(await statusOf(elsewhere.commentId)).toBe("pending");
    // An admin's takes the escalated one too.
    const admin = await as("bulk-admin", "admin", "POST", "/review/bulk-decisions", { articleId: OTHER_ARTICLE, action: "remove", forumRules: ["R2"], note: "洗版謾罵" });
    expect(admin.body).toMatchObject({ decided: 1, failed: 0, results: [{ itemId: escalated.itemId, ok: true }] });
  });

  it("takes at most 100 items of a selection and says more are left", async () => {
    const article = "bulk-flood";
    await t.putArticle(article);
    // 101 held comments by one member, written straight to the tables (the rate limits would refuse them through the API).
    const first = await held("bulk-flooder", "白癡白癡", article);
    await sql`
      with made as (
        insert into comments (article_id, member_id, body, status, verdict, rules_version, model_version, accepted_rules_version, request_hash, created_at, updated_at)
        select article_id, member_id, body || n, status, verdict, rules_version, model_version, accepted_rules_version, request_hash || n, created_at, updated_at
        from comments, generate_series(1, 100) n where id = ${first.commentId}
        returning id
      )
      insert into review_items (kind, subject_kind, subject_id, state, forum_rules, severity, report_weight, sort_key, created_at, updated_at)
      select 'moderation', 'comment', id::text, 'open', '{R2}', 'medium', 0, 1, now(), now() from made`.execute(t.database.db);
    const firstRound = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", { memberId: "bulk-flooder", action: "approve", note: "誤判" });
    expect(firstRound.body).toMatchObject({ decided: 100, more: true });
    const secondRound = await as("bulk-mod", "moderator", "POST", "/review/bulk-decisions", { memberId: "bulk-flooder", action: "approve", note: "誤判" });
    expect(secondRound.body).toMatchObject({ decided: 1, more: false });
    expect(await statusOf(first.commentId)).toBe("published");
  });
});

describe("queue cards", () => {
  it("lists each item with its whole text, the marked words, the reasons, the score and the reports by reason", async () => {
    const item = await held("card-author", "你這個白癡，寫這什麼東西");
    for (const reporter of ["card-r1", "card-r2"]) {
      expect((await as(reporter, "member", "POST", "/reports", { subject: "comment", id: item.commentId, reason: "abuse" })).status).toBe(201);
    }
    const listed = (await as("card-mod", "moderator", "GET", "/review/items?memberId=card-author")).body.items;
    expect(listed).toHaveLength(1);
    const card = listed[0].card;
    expect(card.text).toBe("你這個白癡，寫這什麼東西");
    expect(card.subjectVersion).toBe(1);
    expect(card.reasons.length).toBeGreaterThan(0);
    const span = card.reasons.flatMap((r: any) => r.spans)[0];
    expect(card.text.slice(span.start, span.end)).toBe("白癡");
    expect(card.reasons[0]).toHaveProperty("category");
    expect(card.reports).toEqual({ abuse: 2 });
  });
});
