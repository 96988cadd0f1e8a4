import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecentReads } from "../src/recent-reads.ts";
import { createTestContext, type TestContext } from "./support/context.ts";

// The published count is kept by the writes themselves (migration 0006: article_counters); the public
// reads answer an ETag from it and 304 when the client holds the current one.
let t: TestContext;
let rulesVersion: string;
const ARTICLE = "reads-news";

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

async function as(memberId: string, method: string, path: string, json?: unknown, role: "member" | "moderator" = "member") {
  const response = await t.request(method, path, { token: await t.token(memberId, role), ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
const post = (memberId: string, body: string) => as(memberId, "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: rulesVersion });
const decide = (itemId: string, json: unknown) => as("mod-reads", "POST", `/review/items/${itemId}/decision`, json, "moderator");

/** The count every reader sees, and the same count taken the slow way over the comments themselves. */
async function counts() {
  const shown = (await (await t.request("GET", `/articles/${ARTICLE}`)).json()) as any;
  const page = (await (await t.request("GET", `/articles/${ARTICLE}/comments?limit=100`)).json()) as any;
  const { rows } = await sql<{ n: string }>`select count(*) as n from comments where article_id = ${ARTICLE} and status = 'published'`.execute(t.database.db);
  expect(page.publishedCount).toBe(shown.article.publishedCommentCount);
  expect(page.comments).toHaveLength(Number(rows[0]!.n));
  return { counter: shown.article.publishedCommentCount as number, actual: Number(rows[0]!.n) };
}

describe("the published count, kept with the writes", () => {
  let reportedId: string;
  let reportItem: string;
  let removal: any;

  it("counts a published comment, not a held or a refused one", async () => {
    expect(await counts()).toEqual({ counter: 0, actual: 0 });
    const published = await post("reader-1", "颱風假放得好，大家注意安全");
    expect(published.status).toBe(201);
    reportedId = published.body.comment.id;
    expect((await post("reader-2", "你這個白癡")).status).toBe(202);
    expect((await post("reader-3", "幹你娘")).status).toBe(422);
    expect(await counts()).toEqual({ counter: 1, actual: 1 });
  });

  it("drops a comment hidden by reports, and a moderator's removal keeps it out", async () => {
    for (const reporter of ["rep-1", "rep-2", "rep-3"]) {
      const filed = await as(reporter, "POST", "/reports", { subject: "comment", id: reportedId, reason: "abuse" });
      reportItem = filed.body.reviewItemId;
    }
    expect(await counts()).toEqual({ counter: 0, actual: 0 });
    const decided = await decide(reportItem, { action: "remove", forumRules: ["R2"], note: "測試移除" });
    expect(decided.status).toBe(201);
    removal = decided.body.decision;
    expect(await counts()).toEqual({ counter: 0, actual: 0 });
  });

  it("counts it again when an appeal reverses the removal", async () => {
    expect((await as("reader-1", "POST", `/decisions/${removal.id}/appeal`, { note: "沒有違規" })).status).toBe(201);
    const claimed = await as("mod-appeals", "POST", "/review/claim", { kind: "appeal" }, "moderator");
    const reversed = await as("mod-appeals", "POST", `/review/items/${claimed.body.item.id}/decision`, { action: "reverse", note: "恢復" }, "moderator");
    expect(reversed.status).toBe(201);
    expect(await counts()).toEqual({ counter: 1, actual: 1 });
  });

  it("counts a held comment once approved, and drops one taken down with its author's revocation", async () => {
    const held = await post("reader-4", "你們這些白癡記者");
    expect(held.status).toBe(202);
    const items = await as("mod-reads", "GET", "/review/items?subject=comment&limit=100", undefined, "moderator");
    const item = items.body.items.find((i: any) => i.subjectId === held.body.comment.id);
    expect((await decide(item.id, { action: "approve", note: "批評" })).status).toBe(201);
    expect(await counts()).toEqual({ counter: 2, actual: 2 });

    const another = await post("reader-5", "颱風天還要上班，真的很辛苦");
    expect(another.status).toBe(201);
    const filed = await as("rep-9", "POST", "/reports", { subject: "comment", id: another.body.comment.id, reason: "abuse" });
    expect((await decide(filed.body.reviewItemId, { action: "revoke", forumRules: ["R2"], note: "停權" })).status).toBe(201);
    expect(await counts()).toEqual({ counter: 2, actual: 2 });
  });
});

describe("ETags and 304s on the public reads", () => {
  async function get(path: string, ifNoneMatch?: string) {
    return t.request("GET", path, ifNoneMatch ? { headers: { "if-none-match": ifNoneMatch } } : {});
  }

  it("answers a strong ETag and a short public Cache-Control, and 304 with no body to the same tag", async () => {
    for (const path of [`/articles/${ARTICLE}`, `/articles/${ARTICLE}/comments`, `/articles/${ARTICLE}/tags`]) {
      const first = await get(path);
      expect(first.status).toBe(200);
      const tag = first.headers.get("etag")!;
      expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(first.headers.get("cache-control")).toBe("public, max-age=5, stale-while-revalidate=30");
      expect(first.headers.get("vary")).toContain("Accept");
      const again = await get(path, tag);
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(tag);
      // A list of tags, or a weak form of it, matches too; another tag does not.
      expect((await get(path, `"other", W/${tag}`)).status).toBe(304);
      expect((await get(path, `"other"`)).status).toBe(200);
    }
  });

  it("changes the comment pages' tag when a comment is published or taken down, not when one is held", async () => {
    const path = `/articles/${ARTICLE}/comments`;
    const before = (await get(path)).headers.get("etag")!;
    expect((await post("etag-1", "你這個智障")).status).toBe(202);
    expect((await get(path, before)).status).toBe(304);
    const published = await post("etag-2", "政府應該早點宣布停班停課");
    expect(published.status).toBe(201);
    const afterPublish = await get(path, before);
    expect(afterPublish.status).toBe(200);
    const tag = afterPublish.headers.get("etag")!;
    const body = (await afterPublish.json()) as any;
    expect(body.comments[0].id).toBe(published.body.comment.id);
    // Pages differ by their query: another limit is another tag.
    expect((await get(`${path}?limit=5`)).headers.get("etag")).not.toBe(tag);
    for (const reporter of ["etag-r1", "etag-r2", "etag-r3"]) await as(reporter, "POST", "/reports", { subject: "comment", id: published.body.comment.id, reason: "abuse" });
    expect((await get(path, tag)).status).toBe(200);
  });

  it("changes when a commenter's nickname is shown, a tag is added or supported, or the article is edited", async () => {
    const comments = `/articles/${ARTICLE}/comments`;
    const tags = `/articles/${ARTICLE}/tags`;
    const article = `/articles/${ARTICLE}`;
    const tagOf = async (path: string) => (await get(path)).headers.get("etag")!;
    expect((await post("etag-nick", "停班停課的標準應該更清楚")).status).toBe(201);
    const before = { comments: await tagOf(comments) };
    const registered = await as("etag-nick", "POST", "/members", { nickname: "颱風觀察員", acceptedRulesVersion: rulesVersion });
    expect(registered.status).toBe(201);
    expect((await get(comments, before.comments)).status).toBe(200);

    const tagsBefore = await tagOf(tags);
    expect((await as("etag-2", "POST", tags, { label: "夜間公車" })).status).toBe(201);
    const afterTag = await tagOf(tags);
    expect(afterTag).not.toBe(tagsBefore);
    expect((await as("etag-3", "POST", tags, { label: "夜間公車" })).status).toBe(200);
    expect(await tagOf(tags)).not.toBe(afterTag);

    const articleBefore = await tagOf(article);
    t.clock.advance(1000);
    expect((await t.putArticle(ARTICLE, { title: "颱風更新" })).status).toBe(200);
    expect((await get(article, articleBefore)).status).toBe(200);
  });
});

describe("public reads answered from this process's memory for a moment", () => {
  const ARTICLE_M = "reads-memory";
  const page = `/articles/${ARTICLE_M}/comments`;
  // The memory lasts long enough here that a loaded machine cannot outlast it between two requests.
  let m: TestContext;
  beforeAll(async () => {
    m = await createTestContext({ publicReadMemoryMs: 60_000 });
    await m.putArticle(ARTICLE_M);
  });
  afterAll(() => m.dispose());
  const postTo = async (memberId: string, body: string) =>
    m.request("POST", page, { token: await m.token(memberId), json: { body, acceptedRulesVersion: m.config.forumRules.version } });
  const bodies = async (path: string) => ((await (await m.request("GET", path)).json()) as any).comments.map((c: any) => c.body);

  it("answers a change made outside this process from memory until it is forgotten, and its own writes at once", async () => {
    expect((await postTo("mem-1", "颱風過後記得清水溝")).status).toBe(201);
    const first = await m.request("GET", page);
    const tag = first.headers.get("etag")!;
    expect(((await first.json()) as any).comments).toHaveLength(1);
    // Another server (or the command line) edits the row: this process keeps answering what it knew.
    await sql`update comments set body = '別的伺服器改過' where article_id = ${ARTICLE_M}`.execute(m.database.db);
    const remembered = await m.request("GET", page);
    expect(remembered.headers.get("etag")).toBe(tag);
    expect(remembered.headers.get("cache-control")).toBe("public, max-age=5, stale-while-revalidate=30");
    expect(remembered.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await remembered.json()) as any).comments[0].body).toBe("颱風過後記得清水溝");
    expect((await m.request("GET", page, { headers: { "if-none-match": tag } })).status).toBe(304);
    // A write through this process, even one that changes nothing public (a held comment), forgets it all.
    expect((await postTo("mem-2", "你這個智障")).status).toBe(202);
    expect(await bodies(page)).toEqual(["別的伺服器改過"]);
    expect((await postTo("mem-3", "停電的地區要注意安全")).status).toBe(201);
    expect(await bodies(page)).toEqual(["停電的地區要注意安全", "別的伺服器改過"]);
  });

  it("keeps the tag of a read answered 304 without its body, and builds the body when a reader needs it", async () => {
    const current = (await m.request("GET", page)).headers.get("etag")!;
    expect((await postTo("mem-4", "你這個白癡")).status).toBe(202); // held: the page is the same, the memory is forgotten
    expect((await m.request("GET", page, { headers: { "if-none-match": current } })).status).toBe(304);
    // Taken down elsewhere: the remembered tag still answers 304 to a client holding it ...
    await sql`update comments set status = 'removed' where article_id = ${ARTICLE_M} and body = '別的伺服器改過'`.execute(m.database.db);
    expect((await m.request("GET", page, { headers: { "if-none-match": current } })).status).toBe(304);
    // ... but a reader without it gets the page built now, never a body older than what it was told.
    expect(await bodies(page)).toEqual(["停電的地區要注意安全"]);
  });

  it("keeps nothing when the memory is off (PUBLIC_READ_MEMORY_MS=0)", async () => {
    const off = await createTestContext({ publicReadMemoryMs: 0 });
    try {
      await off.putArticle("reads-off");
      await off.request("POST", "/articles/reads-off/comments", {
        token: await off.token("off-1"),
        json: { body: "今天的雨好大", acceptedRulesVersion: off.config.forumRules.version },
      });
      expect(((await (await off.request("GET", "/articles/reads-off/comments")).json()) as any).comments[0].body).toBe("今天的雨好大");
      await sql`update comments set body = '改過了' where article_id = 'reads-off'`.execute(off.database.db);
      expect(((await (await off.request("GET", "/articles/reads-off/comments")).json()) as any).comments[0].body).toBe("改過了");
    } finally {
      await off.dispose();
    }
  });
});

describe("RecentReads", () => {
  it("forgets an answer after its time, and does not keep a read that began before a write ended", () => {
    let now = 0;
    const recent = new RecentReads(1000, 2, () => now);
    recent.keep("a", recent.current, '"t"', "{}");
    now = 999;
    expect(recent.recall("a")?.body).toBe("{}");
    now = 1000;
    expect(recent.recall("a")).toBeUndefined();
    const startedIn = recent.current;
    recent.forget();
    recent.keep("b", startedIn, '"t"', "{}");
    expect(recent.recall("b")).toBeUndefined();
    // At most maxAnswers: the oldest goes first.
    for (const key of ["c", "d", "e"]) recent.keep(key, recent.current, '"t"', key);
    expect([recent.recall("c"), recent.recall("d")?.body, recent.recall("e")?.body]).toEqual([undefined, "d", "e"]);
  });
});

describe("what forgets the memory", () => {
  it("a request refused before it could write (no route, no identity) keeps it; a write forgets it", async () => {
    const m = await createTestContext({ publicReadMemoryMs: 60_000 });
    try {
      await m.putArticle("reads-refused");
      const token = await m.token("refused-1");
      await m.request("POST", "/articles/reads-refused/comments", { token, json: { body: "第一則留言", acceptedRulesVersion: m.config.forumRules.version } });
      const page = "/articles/reads-refused/comments";
      const bodies = async () => ((await (await m.request("GET", page)).json()) as any).comments.map((c: any) => c.body);
      expect(await bodies()).toEqual(["第一則留言"]);
      await sql`update comments set body = '別處改過' where article_id = 'reads-refused'`.execute(m.database.db);
      expect((await m.request("POST", "/no/such/route")).status).toBe(404);
      expect((await m.request("POST", page, { json: { body: "沒登入" } })).status).toBe(401);
      expect(await bodies()).toEqual(["第一則留言"]);
      expect((await m.request("PUT", "/articles/reads-refused", { token: await m.token("cms", "admin"), json: { title: "更新", body: "內文" } })).status).toBe(200);
      expect(await bodies()).toEqual(["別處改過"]);
    } finally {
      await m.dispose();
    }
  });
});
