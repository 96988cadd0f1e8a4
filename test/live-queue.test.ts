import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";
import { PageClient } from "./support/page-client.ts";

// The live queue: GET /review/live (counts and the items opened since the newest seen), and the moderator
// pages' /moderate/live (polling) and /moderate/events (server-sent events) built on it.
let t: TestContext;
const ARTICLE = "live-news";

beforeAll(async () => {
  // One event stream stays open for 8.5 s here: three looks (every 2 s) after the first event.
  t = await createTestContext({ liveQueueHoldMs: 8500 });
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

const as = (memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) => t.as(memberId, role, method, path, json);
const held = async (memberId: string, body: string) => (await t.hold(memberId, ARTICLE, body)).itemId;

/** The events in a piece of a server-sent event stream. */
function eventsIn(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: "))
    .map((block) => ({ event: /event: (.*)/.exec(block)![1]!, data: JSON.parse(/data: (.*)/.exec(block)![1]!) }));
}

describe("GET /review/live", () => {
  it("answers the counts and the open items opened since the newest one seen, a moderator's without escalated ones", async () => {
    const first = await held("live-a", "你這個白癡");
    const start = await as("live-mod", "moderator", "GET", "/review/live?since=0");
    expect(start.status).toBe(200);
    expect(start.body.items.map((i: any) => i.id)).toEqual([first]);
    expect(start.body.items[0].card.text).toBe("你這個白癡");
    expect(start.body.latest).toBe(first);
    expect(start.body.counts.open).toBe(1);
    // Nothing new since then.
    expect((await as("live-mod", "moderator", "GET", `/review/live?since=${start.body.latest}`)).body.items).toEqual([]);
    const second = await held("live-b", "樓上智障");
    const third = await held("live-c", "腦殘記者");
    await as("live-mod", "moderator", "POST", `/review/items/${third}/escalate`, { note: "請管理員" });
    const next = await as("live-mod", "moderator", "GET", `/review/live?since=${start.body.latest}`);
    expect(next.body.items.map((i: any) => i.id)).toEqual([second]);
    expect(next.body.counts.open).toBe(3);
    expect(Number(next.body.latest)).toBeGreaterThanOrEqual(Number(third));
    expect((await as("live-admin", "admin", "GET", `/review/live?since=${start.body.latest}`)).body.items.map((i: any) => i.id).sort()).toEqual([second, third].sort());
    expect((await as("live-mod", "moderator", "GET", "/review/live?since=abc")).status).toBe(400);
    expect((await as("live-mod", "moderator", "GET", "/review/live")).status).toBe(400);
    expect((await as("live-member", "member", "GET", "/review/live?since=0")).status).toBe(403);
    // The queue's counts name the newest item too, where a page starts watching.
    expect((await as("live-mod", "moderator", "GET", "/review/counts")).body.latest).toBe(next.body.latest);
  });
});

describe("the moderator pages' live queue", () => {
  it("polls: /moderate/live answers the counts and the new items as cards", async () => {
    const page = new PageClient(t.app);
    await page.login(await t.token("live-mod-2", "moderator"));
    const since = (await as("live-mod-2", "moderator", "GET", "/review/counts")).body.latest;
    const item = await held("live-d", "白癡新聞");
    const response = await page.get(`/moderate/live?since=${since}`);
    expect(response.status).toBe(200);
    const update = (await response.json()) as any;
    expect(update.cards.map((card: any) => card.id)).toEqual([item]);
    expect(update.cards[0].html).toContain(`data-item-id="${item}"`);
    expect(update.cards[0].html).toContain('<mark class="hit"');
    expect(update.latest).toBe(item);
    // Signed out, nothing.
    expect((await new PageClient(t.app).get(`/moderate/live?since=${since}`)).status).toBe(303);
  });

  it("pushes: /moderate/events sends the state at once, then each change, and ends for the browser to come back", async () => {
    const page = new PageClient(t.app);
    await page.login(await t.token("live-mod-3", "moderator"));
    const since = (await as("live-mod-3", "moderator", "GET", "/review/counts")).body.latest;
    const response = await page.get(`/moderate/events?since=${since}`);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: queue")) text += (await reader.read()).value ?? "";
    // A comment held while the stream is open arrives as an event of its own.
    const item = await held("live-e", "智障喔");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    const events = eventsIn(text);
    expect(text).toMatch(/^retry: \d+/);
    expect(events[0]!.event).toBe("queue");
    expect(events[0]!.data.cards).toEqual([]);
    const later = events.slice(1).find((event) => event.data.cards.length);
    expect(later?.data.cards.map((card: any) => card.id)).toEqual([item]);
    expect(later?.data.counts.open).toBe(events[0]!.data.counts.open + 1);
  });
});
