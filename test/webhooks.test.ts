import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs, sendDueWebhooks, webhookSignature } from "../src/webhooks/send.ts";
import { leaseDueDeliveries, recordAttempt } from "../src/db/webhooks.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { WebhookReceiver } from "./support/receiver.ts";
import { csrfOf, PageClient } from "./support/page-client.ts";

// Signed webhooks through the transactional outbox: admins register endpoints, the database writes each
// event with what it reports, and the sender delivers at least once, in order per subject, with backoff,
// to a real HTTP receiver that is down for a while.
let t: TestContext;
let receiver: WebhookReceiver;
const ARTICLE = "hooks-news";

beforeAll(async () => {
  t = await createTestContext();
  await t.putArticle(ARTICLE);
  receiver = new WebhookReceiver();
  await receiver.up();
});
afterAll(async () => {
  await receiver?.down();
  await t?.dispose();
});

const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);
const policy = () => t.config.policy.webhooks;
const sendRound = () => sendDueWebhooks(t.database.db, fetch, policy(), () => t.clock.now());
const parsed = () => receiver.received.map((r) => ({ ...r, event: JSON.parse(r.body) as { id: string; type: string; data: any } }));

describe("webhook endpoints", () => {
  it("an admin registers an endpoint and sees its secret once; bad input and non-admins are refused", async () => {
    const bad = async (json: unknown) => (await as("hook-admin", "admin", "POST", "/webhooks/endpoints", json)).status;
    expect(await bad({ url: "ftp://example.com/x", events: ["decision.created"] })).toBe(400);
    expect(await bad({ url: "https://user:pw@example.com/x", events: ["decision.created"] })).toBe(400);
    expect(await bad({ url: "https://example.com/x", events: [] })).toBe(400);
    expect(await bad({ url: "https://example.com/x", events: ["comment.deleted"] })).toBe(400);
    expect((await as("hook-mod", "moderator", "POST", "/webhooks/endpoints", { url: receiver.url, events: ["decision.created"] })).status).toBe(403);
    expect((await as("hook-mod", "moderator", "GET", "/webhooks/deliveries")).status).toBe(403);

    const created = await as("hook-admin", "admin", "POST", "/webhooks/endpoints", { url: "https://example.com/unused", events: ["decision.created", "decision.created"], description: "停用測試" });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.endpoint).toMatchObject({ events: ["decision.created"], active: true });
    const listed = await as("hook-admin", "admin", "GET", "/webhooks/endpoints");
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    // Switched off, it is paused: nothing is sent to it until it is switched on.
    const off = await as("hook-admin", "admin", "PATCH", `/webhooks/endpoints/${created.body.endpoint.id}`, { active: false });
    expect(off.body.endpoint.active).toBe(false);
    expect((await as("hook-admin", "admin", "PATCH", "/webhooks/endpoints/999999", { active: false })).status).toBe(404);
    expect((await as("hook-admin", "admin", "PATCH", `/webhooks/endpoints/${created.body.endpoint.id}`, {})).status).toBe(400);
  });
});

describe("delivery through the outbox", () => {
  let secret: string;
  let endpointId: string;

  it("writes nothing while no endpoint wants an event", async () => {
    const posted = await as("hook-quiet", "member", "POST", `/articles/${ARTICLE}/comments`, { body: "你這個白癡", acceptedRulesVersion: t.config.forumRules.version });
    expect(posted.status).toBe(202);
    const { rows } = await sql<{ n: string }>`select count(*) as n from outbox_events`.execute(t.database.db);
    expect(rows[0]!.n).toBe("0");
  });

  it("delivers every event, signed and in order per subject, after the receiver was down for a while", async () => {
    const created = await as("hook-admin", "admin", "POST", "/webhooks/endpoints", {
      url: receiver.url,
      events: ["decision.created", "comment.held", "member.sanctioned", "appeal.decided"],
    });
    secret = created.body.secret;
    endpointId = created.body.endpoint.id;
    await receiver.down();

    // A held comment, removed by a moderator, appealed and reversed; a member warned; a comment refused outright.
    const held = await as("hook-author", "member", "POST", `/articles/${ARTICLE}/comments`, { body: "你這個智障記者", acceptedRulesVersion: t.config.forumRules.version });
    expect(held.status).toBe(202);
    const commentId = held.body.comment.id as string;
    const item = (await as("hook-mod", "moderator", "GET", "/review/items?memberId=hook-author")).body.items[0];
    const removed = await as("hook-mod", "moderator", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" });
    expect(removed.status).toBe(201);
    expect((await as("hook-author", "member", "POST", `/decisions/${removed.body.decision.id}/appeal`, { note: "我是在批評報導" })).status).toBe(201);
    const appealItem = (await as("hook-mod-2", "moderator", "GET", "/review/items?kind=appeal&memberId=hook-author")).body.items[0];
    const reversed = await as("hook-mod-2", "moderator", "POST", `/review/items/${appealItem.id}/decision`, { action: "reverse", note: "批評報導，恢復" });
    expect(reversed.status).toBe(201);
    expect((await as("hook-mod", "moderator", "POST", "/members/hook-quiet/actions", { action: "warn", forumRules: ["R2"], note: "注意用詞" })).status).toBe(201);
    expect((await as("hook-rude", "member", "POST", `/articles/${ARTICLE}/comments`, { body: "幹你娘", acceptedRulesVersion: t.config.forumRules.version })).status).toBe(422);

    const { rows: events } = await sql<{ id: string; type: string; subject_key: string }>`select id::text, type, subject_key from outbox_events order by id`.execute(t.database.db);
    expect(events.map((e) => e.type)).toEqual(["comment.held", "decision.created", "decision.created", "appeal.decided", "decision.created", "member.sanctioned", "decision.created"]);

    // Down: every attempt fails and is put off by the backoff; nothing is lost or marked delivered.
    let round = await sendRound();
    expect(round).toMatchObject({ delivered: 0, failed: 0 });
    // The comment's later events wait behind its first: one delivery per subject was tried.
    const subjects = new Set(events.map((e) => e.subject_key));
    expect(round.attempted).toBe(subjects.size);
    expect(await sendRound()).toMatchObject({ attempted: 0 });
    t.clock.advance(backoffMs(1, policy()) + 1000);
    round = await sendRound();
    expect(round).toMatchObject({ attempted: subjects.size, delivered: 0 });

    // Back up: rounds after the backoff deliver everything.
    await receiver.up();
    for (let i = 0; i < 20 && receiver.received.length < events.length; i++) {
      t.clock.advance(backoffMs(2, policy()) + 1000);
      await sendRound();
    }
    const got = parsed();
    expect(got.map((r) => r.id).sort()).toEqual(events.map((e) => e.id).sort());
    for (const r of got) expect(WebhookReceiver.verifies(secret, r), r.body).toBe(true);
    // In order per subject: the comment's events arrive as they were written.
    const commentEvents = got.filter((r) => r.event.data.comment?.id === commentId || r.event.data.decision?.subjectId === commentId || r.event.data.decisionId === reversed.body.decision.id);
    expect(commentEvents.map((r) => r.event.type)).toEqual(["comment.held", "decision.created", "decision.created", "appeal.decided"]);
    const appeal = got.find((r) => r.event.type === "appeal.decided")!.event.data;
    expect(appeal).toMatchObject({ outcome: "reversed", appealOf: removed.body.decision.id, affectedMemberId: "hook-author" });
    expect(got.find((r) => r.event.type === "member.sanctioned")!.event.data).toMatchObject({ memberId: "hook-quiet", action: "warn", forumRules: ["R2"], site: null });
    expect(got.find((r) => r.event.type === "comment.held")!.event.data).toMatchObject({ comment: { id: commentId, memberId: "hook-author", articleId: ARTICLE, site: "default" }, forumRules: ["R2"] });
    // Each event says its site (rules/sites.yaml): the comment's decisions are the default site's.
    expect(commentEvents.filter((r) => r.event.type === "decision.created").every((r) => r.event.data.decision.site === "default")).toBe(true);

    // The log says what happened to each; nothing is left to send.
    const log = await as("hook-admin", "admin", "GET", `/webhooks/deliveries?endpointId=${endpointId}`);
    expect(log.body.deliveries).toHaveLength(events.length);
    expect(log.body.deliveries.every((d: any) => d.state === "delivered" && d.attempts >= 1 && d.lastStatus === 204 && d.deliveredAt)).toBe(true);
    // Each subject's first delivery was tried while the receiver was down, and again after.
    expect(log.body.deliveries.filter((d: any) => d.attempts >= 3)).toHaveLength(subjects.size);
    expect(log.body.deliveries[0].event.type).toBe("decision.created");
    expect(await sendRound()).toMatchObject({ attempted: 0 });
  });

  it("replays a delivery from the log, and gives up after maxAttempts with the delivery kept as failed", async () => {
    const log = await as("hook-admin", "admin", "GET", `/webhooks/deliveries?endpointId=${endpointId}&limit=1`);
    const first = log.body.deliveries[0];
    expect(log.body.nextBefore).toBe(first.id);
    const before = receiver.received.length;
    const replayed = await as("hook-admin", "admin", "POST", `/webhooks/deliveries/${first.id}/replay`);
    expect(replayed.body.delivery).toMatchObject({ state: "pending", attempts: 0, replays: 1 });
    await sendRound();
    expect(receiver.received.length).toBe(before + 1);
    expect(receiver.received.at(-1)!.id).toBe(first.eventId);
    expect((await as("hook-admin", "admin", "POST", "/webhooks/deliveries/999999/replay")).status).toBe(404);

    // A receiver that answers 500 for good: the subject's first delivery fails after maxAttempts, kept in
    // the log as failed; only then does the subject's next event go.
    receiver.failWith = 500;
    expect((await as("hook-mod", "moderator", "POST", "/members/hook-rude/actions", { action: "warn", forumRules: ["R2"], note: "再次提醒" })).status).toBe(201);
    for (let i = 0; i < policy().maxAttempts; i++) {
      await sendRound();
      t.clock.advance(policy().maxBackoffSeconds * 1000 + 1000);
    }
    await sendRound();
    const failed = (await as("hook-admin", "admin", "GET", `/webhooks/deliveries?state=failed&endpointId=${endpointId}`)).body.deliveries;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ subject: "member:hook-rude", attempts: policy().maxAttempts, lastStatus: 500, lastError: "HTTP 500", event: { type: "decision.created" } });
    const waiting = (await as("hook-admin", "admin", "GET", `/webhooks/deliveries?state=pending&endpointId=${endpointId}`)).body.deliveries;
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ subject: "member:hook-rude", event: { type: "member.sanctioned" } });
    expect(waiting[0].attempts).toBeGreaterThanOrEqual(1);
    receiver.failWith = null;
    t.clock.advance(policy().maxBackoffSeconds * 1000 + 1000);
    await sendRound();
    expect((await as("hook-admin", "admin", "GET", `/webhooks/deliveries?state=pending&endpointId=${endpointId}`)).body.deliveries).toEqual([]);
  });

  it("a delivery being sent is not replayed, and a sender whose lease was taken over cannot overwrite the result", async () => {
    expect((await as("hook-mod", "moderator", "POST", "/members/hook-quiet/actions", { action: "warn", forumRules: ["R2"], note: "第三次" })).status).toBe(201);
    // A sender takes the due deliveries and, before it answers, an admin tries to replay one.
    const now = t.clock.now();
    const leased = await leaseDueDeliveries(t.database.db, now, new Date(now.getTime() + 60_000), "lease-a", 10);
    const mine = leased.filter((due) => due.delivery.endpoint_id === endpointId);
    expect(mine.length).toBeGreaterThan(0);
    const replay = await as("hook-admin", "admin", "POST", `/webhooks/deliveries/${mine[0]!.delivery.id}/replay`);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe("delivery_in_flight");
    // The lease runs out; another sender takes it over and delivers; the first one's late failure changes nothing.
    t.clock.advance(61_000);
    expect((await sendRound()).delivered).toBeGreaterThan(0);
    await recordAttempt(t.database.db, mine[0]!.delivery.id, "lease-a", { delivered: false, status: 500, error: "late", retryAt: t.clock.now(), now: t.clock.now() });
    const log = (await as("hook-admin", "admin", "GET", `/webhooks/deliveries?endpointId=${endpointId}&limit=200`)).body.deliveries;
    expect(log.find((d: any) => d.id === mine[0]!.delivery.id)).toMatchObject({ state: "delivered", lastStatus: 204 });
    // The subject's next event goes in the next round.
    await sendRound();
    expect((await as("hook-admin", "admin", "GET", `/webhooks/deliveries?state=pending&endpointId=${endpointId}`)).body.deliveries).toEqual([]);
  });

  it("a switched-off endpoint is paused: its deliveries wait and go in order once it is on again", async () => {
    expect((await as("hook-admin", "admin", "PATCH", `/webhooks/endpoints/${endpointId}`, { active: false })).status).toBe(200);
    const before = receiver.received.length;
    expect((await as("hook-mod", "moderator", "POST", "/members/hook-quiet/actions", { action: "warn", forumRules: ["R2"], note: "暫停中" })).status).toBe(201);
    expect(await sendRound()).toMatchObject({ attempted: 0 });
    expect(receiver.received.length).toBe(before);
    expect((await as("hook-admin", "admin", "PATCH", `/webhooks/endpoints/${endpointId}`, { active: true })).status).toBe(200);
    await sendRound();
    await sendRound();
    const arrived = receiver.received.slice(before).map((r) => JSON.parse(r.body));
    expect(arrived.map((event) => event.type)).toEqual(["decision.created", "member.sanctioned"]);
    expect(arrived[0].data.decision.note).toBe("暫停中");
  });

  it("signs over the timestamp and the body", () => {
    expect(webhookSignature("whsec_test", 1764400000, '{"a":1}')).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(webhookSignature("whsec_test", 1764400000, '{"a":1}')).not.toBe(webhookSignature("whsec_test", 1764400001, '{"a":1}'));
    expect(backoffMs(1, policy())).toBe(policy().backoffSeconds * 1000);
    expect(backoffMs(2, policy())).toBe(policy().backoffSeconds * 2000);
    expect(backoffMs(60, policy())).toBe(policy().maxBackoffSeconds * 1000);
  });
});

describe("the admins' webhooks page", () => {
  it("adds an endpoint and shows its secret once, switches it off, lists and replays deliveries; refuses a moderator", async () => {
    const moderator = new PageClient(t.app);
    await moderator.login(await t.token("hook-mod", "moderator"));
    expect((await moderator.get("/moderate/webhooks")).status).toBe(403);

    const admin = new PageClient(t.app);
    await admin.login(await t.token("hook-admin-page", "admin"));
    const page = await (await admin.get("/moderate/webhooks")).text();
    expect(page).toContain('data-testid="deliveries"');
    const added = await admin.post("/moderate/webhooks", { _csrf: csrfOf(page), url: "https://example.com/newsroom-hooks", events: ["comment.held", "appeal.decided"], description: "編輯台通知" });
    expect(added.status).toBe(200);
    const html = await added.text();
    expect(html).toMatch(/data-testid="webhook-secret">.*<code>whsec_[A-Za-z0-9_-]{43}<\/code>/);
    const id = /data-endpoint-id="(\d+)"><td>\d+<\/td><td>https:\/\/example.com\/newsroom-hooks/.exec(html)![1]!;
    expect((await admin.post(`/moderate/webhooks/${id}/active`, { _csrf: csrfOf(html), active: "false" })).status).toBe(303);
    const after = await (await admin.get("/moderate/webhooks")).text();
    expect(after).not.toContain("whsec_");
    expect(after).toMatch(new RegExp(`data-endpoint-id="${id}">.*?<td>停用</td>`));
    const refused = await admin.post("/moderate/webhooks", { _csrf: csrfOf(after), url: "ftp://x", events: ["comment.held"] });
    expect(refused.status).toBe(400);
    const delivery = /data-delivery-id="(\d+)"/.exec(after)![1]!;
    expect((await admin.post(`/moderate/webhooks/deliveries/${delivery}/replay`, { _csrf: csrfOf(after) })).status).toBe(303);
  });
});
