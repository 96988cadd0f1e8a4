import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { highlightSegments } from "../src/web/highlight.ts";
import { axisMax } from "../src/web/charts.tsx";
import { createTestContext, type TestContext } from "./support/context.ts";
import { csrfOf, PageClient } from "./support/page-client.ts";

let t: TestContext;
let rulesVersion: string;
const ARTICLE = "web-news";

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle(ARTICLE, { title: "颱風假 <今天> 宣布", body: "各縣市政府今天下午宣布停班停課。\n請民眾注意安全。" });
});
afterAll(() => t.dispose());

async function memberPage(memberId: string, role: "member" | "moderator" | "admin" = "member"): Promise<PageClient> {
  const client = new PageClient(t.app);
  const response = await client.login(await t.token(memberId, role));
  expect(response.status).toBe(303);
  return client;
}

async function postCommentForm(client: PageClient, body: string, extra: Record<string, string> = {}) {
  const page = await (await client.get(`/articles/${ARTICLE}`)).text();
  return client.post(`/articles/${ARTICLE}/page/comment`, {
    _csrf: csrfOf(page),
    body,
    acceptedRulesVersion: rulesVersion,
    idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page)![1]!,
    ...extra,
  });
}

async function publishedCount(): Promise<number> {
  return ((await (await t.request("GET", `/articles/${ARTICLE}/comments`)).json()) as any).publishedCount;
}

describe("highlighting and charts (pure)", () => {
  it("cuts text at span edges, merges overlapping spans, clips spans outside the text and never splits a surrogate pair", () => {
    const text = "你這個😀白癡啦";
    // 😀 is two UTF-16 units at 3-5; 白癡 is 5-7.
    expect(highlightSegments(text, [{ start: 5, end: 7, text: "白癡", label: "R2-abuse" }])).toEqual([
      { text: "你這個😀", labels: [] },
      { text: "白癡", labels: ["R2-abuse"] },
      { text: "啦", labels: [] },
    ]);
    const overlapping = highlightSegments(text, [
      { start: 4, end: 7, text: "", label: "a" }, // starts inside the emoji: moved to its start
      { start: 6, end: 99, text: "", label: "b" },
    ]);
    expect(overlapping).toEqual([
      { text: "你這個", labels: [] },
      { text: "😀白", labels: ["a"] },
      { text: "癡", labels: ["a", "b"] },
      { text: "啦", labels: ["b"] },
    ]);
    expect(overlapping.map((s) => s.text).join("")).toBe(text);
    expect(highlightSegments("", [{ start: 0, end: 3, text: "", label: "x" }])).toEqual([]);
  });

  it("rounds the chart axis up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 10, 11, 180, 2001].map(axisMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 5000]);
  });
});

describe("the public article page", () => {
  it("answers HTML to a browser and JSON to an API client from the same address", async () => {
    const html = await t.request("GET", `/articles/${ARTICLE}`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.headers.get("vary")).toBe("Accept");
    expect(html.headers.get("content-security-policy")).toContain("script-src 'self'");
    const page = await html.text();
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).toContain("0 則留言");
    expect(page).toContain("颱風假 &lt;今天&gt; 宣布");
    expect(page).toContain(t.config.forumRules.rules.R2);
    expect(page).toContain(`/login?next=%2Farticles%2F${ARTICLE}`);

    const json = await t.request("GET", `/articles/${ARTICLE}`);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(((await json.json()) as any).article.id).toBe(ARTICLE);
  });

  it("an unknown or malformed article is a 404 / 400 page", async () => {
    expect((await new PageClient(t.app).get("/articles/no-such-article")).status).toBe(404);
    expect((await new PageClient(t.app).get("/articles/%3Cscript%3E")).status).toBe(400);
  });

  it("a member posts through the form: published, held or refused with the reasons and the words marked", async () => {
    const member = await memberPage("web-alice");
    const before = await publishedCount();

    const published = await postCommentForm(member, "停班停課的決定很及時，謝謝市府。");
    expect(published.status).toBe(303);
    expect(published.headers.get("location")).toMatch(new RegExp(`^/articles/${ARTICLE}\\?notice=published#comment-\\d+$`));
    const after = await (await member.get(published.headers.get("location")!)).text();
    expect(after).toContain("留言已刊登");
    expect(after).toContain("停班停課的決定很及時");
    expect(after).toContain(`${before + 1} 則留言`);

    const refused = await postCommentForm(member, "你們這些人，幹你娘啦");
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('role="alert"');
    expect(page).toMatch(/第二條/);
    expect(page).toContain('<mark class="hit"');
    expect(page).toMatch(/<mark class="hit"[^>]*>幹你娘<\/mark>/);
    // What the member typed stays in the box, so they can change it.
    expect(page).toContain("你們這些人，幹你娘啦</textarea>");
    expect(await publishedCount()).toBe(before + 1);
  });

  it("the form's other refusals show the API's message: rules not accepted, empty", async () => {
    const member = await memberPage("web-bob");
    const notAccepted = await postCommentForm(member, "我同意這個做法", { acceptedRulesVersion: "" });
    expect(notAccepted.status).toBe(409);
    expect(await notAccepted.text()).toContain("請先閱讀並同意最新版討論區規則");
    const empty = await postCommentForm(member, "   ");
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("留言內容不可為空白");
  });

  it("a stored <script> payload is shown as text on the article page and the moderator page", async () => {
    const member = await memberPage("web-mallory");
    const payload = `這篇報導很清楚 <script>alert("xss")</script><img src=x onerror=alert(1)>`;
    const posted = await postCommentForm(member, payload);
    expect(posted.status).toBe(303);
    const page = await (await member.get(`/articles/${ARTICLE}`)).text();
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("tags through the form: added, or refused with the reason", async () => {
    const member = await memberPage("web-carol");
    const page = await (await member.get(`/articles/${ARTICLE}`)).text();
    const added = await member.post(`/articles/${ARTICLE}/page/tag`, { _csrf: csrfOf(page), label: "停班停課" });
    expect(added.status).toBe(303);
    expect(await (await member.get(added.headers.get("location")!)).text()).toMatch(/<li title="1 人加入">停班停課<\/li>/);
    const refused = await member.post(`/articles/${ARTICLE}/page/tag`, { _csrf: csrfOf(page), label: "!!!!!!" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("違反討論區規則第三條");
  });

  it("refuses a form post without the session's CSRF token or from another site, and saves nothing", async () => {
    const member = await memberPage("web-dave");
    const before = await publishedCount();
    const noToken = await member.post(`/articles/${ARTICLE}/page/comment`, { body: "正常的留言內容", acceptedRulesVersion: rulesVersion });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("CSRF");
    const page = await (await member.get(`/articles/${ARTICLE}`)).text();
    const otherSite = await member.post(
      `/articles/${ARTICLE}/page/comment`,
      { _csrf: csrfOf(page), body: "正常的留言內容", acceptedRulesVersion: rulesVersion },
      { origin: "https://evil.example" },
    );
    expect(otherSite.status).toBe(403);
    // Another member's token is not this session's.
    const other = await memberPage("web-erin");
    const othersToken = csrfOf(await (await other.get(`/articles/${ARTICLE}`)).text());
    expect((await member.post(`/articles/${ARTICLE}/page/comment`, { _csrf: othersToken, body: "x", acceptedRulesVersion: rulesVersion })).status).toBe(403);
    expect(await publishedCount()).toBe(before);
  });

  it("without a session the forms send the browser to the login page", async () => {
    const anonymous = new PageClient(t.app);
    const response = await anonymous.post(`/articles/${ARTICLE}/page/comment`, { body: "hi" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent(`/articles/${ARTICLE}`)}`);
  });
});

describe("login and the session cookie", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie and sends the browser on", async () => {
    const client = new PageClient(t.app);
    const page = await (await client.get("/login?next=/moderate/stats")).text();
    const response = await client.post("/login", { _csrf: csrfOf(page), token: await t.token("web-mod", "moderator"), next: "/moderate/stats" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/moderate/stats");
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith("moderation_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; over HTTPS it is Secure:
    const secure = new PageClient(t.app, "https://localhost");
    const securePage = await (await secure.get("/login")).text();
    const secureLogin = await secure.post("/login", { _csrf: csrfOf(securePage), token: await t.token("web-mod", "moderator") });
    expect(secureLogin.headers.getSetCookie().find((header) => header.startsWith("moderation_session="))).toMatch(/Secure/);
  });

  it("refuses a forged or expired token, a login without its CSRF token, and an off-site next address", async () => {
    const client = new PageClient(t.app);
    const page = await (await client.get("/login")).text();
    const forged = await client.post("/login", { _csrf: csrfOf(page), token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain("權杖無效");
    const expired = await client.post("/login", { _csrf: csrfOf(page), token: await t.token("web-mod", "moderator", -10) });
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain("權杖已過期");
    const noCsrf = await new PageClient(t.app).post("/login", { token: await t.token("web-mod", "moderator") });
    expect(noCsrf.status).toBe(403);
    const offSite = await client.post("/login", { _csrf: csrfOf(page), token: await t.token("web-mod", "moderator"), next: "//evil.example/x" });
    expect(offSite.headers.get("location")).toBe("/moderate");
    // Without a next address a member comes back to the login page, which says who is signed in.
    const member = new PageClient(t.app);
    const memberLogin = await member.post("/login", { _csrf: csrfOf(await (await member.get("/login")).text()), token: await t.token("web-ivy"), next: "" });
    expect(memberLogin.headers.get("location")).toBe("/login");
    expect(await (await member.get("/login")).text()).toContain("你已登入為 web-ivy（會員）");
  });

  it("a tampered session cookie counts as signed out; logout needs the CSRF token and ends the session on the server", async () => {
    const client = await memberPage("web-mod2", "moderator");
    const value = client.cookie("moderation_session")!;
    // The cookie holds only a random secret and its signature: another secret, or the same one re-signed wrongly, opens nothing.
    const decoded = decodeURIComponent(value);
    const dot = decoded.lastIndexOf(".");
    const secret = decoded.slice(0, dot);
    const flipped = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    for (const forged of [`${flipped}${decoded.slice(dot)}`, `${secret}.${"A".repeat(decoded.length - dot - 1)}`]) {
      const tampered = new PageClient(t.app);
      tampered.setCookie("moderation_session", encodeURIComponent(forged));
      expect((await tampered.get("/moderate")).status).toBe(303);
    }
    // A copy of the cookie works while the session lives…
    const copy = new PageClient(t.app);
    copy.setCookie("moderation_session", value);
    expect((await copy.get("/moderate")).status).toBe(200);

    expect((await client.post("/logout", {})).status).toBe(403);
    const page = await (await client.get("/moderate")).text();
    const out = await client.post("/logout", { _csrf: csrfOf(page) });
    expect(out.status).toBe(303);
    expect(client.cookie("moderation_session")).toBeUndefined();
    expect((await client.get("/moderate")).status).toBe(303);
    // …and opens nothing once the session was signed out.
    expect((await copy.get("/moderate")).status).toBe(303);
    const row = await t.database.db.selectFrom("web_sessions").selectAll().where("member_id", "=", "web-mod2").executeTakeFirstOrThrow();
    expect(row.ended_reason).toBe("signed_out");
    expect(row.secret_hash).not.toContain(secret);
  });

  it("the moderator pages send a signed-out browser to login and refuse a member", async () => {
    const anonymous = await new PageClient(t.app).get("/moderate/stats?from=2026-11-01T00:00:00Z");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/moderate/stats?from=2026-11-01T00:00:00Z")}`);
    const member = await memberPage("web-frank");
    const refused = await member.get("/moderate");
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("只開放給管理員");
  });
});

describe("the moderator pages", () => {
  let commentId: string;

  it("a comment reported past the threshold leaves the article page and waits in the queue with its counts", async () => {
    const author = await memberPage("web-gina");
    // Published: 騙子 is only marked for moderators (R2-harsh-words), and the classifier scores it under its threshold.
    const posted = await postCommentForm(author, "這個市長根本是騙子，說一套做一套");
    expect(posted.headers.get("location")).toContain("notice=published");
    commentId = /comment-(\d+)/.exec(posted.headers.get("location")!)![1]!;
    for (const reporter of ["web-r1", "web-r2", "web-r3"]) {
      const client = await memberPage(reporter);
      const page = await (await client.get(`/articles/${ARTICLE}`)).text();
      expect(page).toContain(`data-comment-id="${commentId}"`);
      const reported = await client.post(`/articles/${ARTICLE}/page/report`, { _csrf: csrfOf(page), commentId, reason: "abuse" });
      expect(reported.status).toBe(303);
    }
    const page = await (await author.get(`/articles/${ARTICLE}`)).text();
    expect(page).not.toContain(`data-comment-id="${commentId}"`);

    const moderator = await memberPage("web-mod3", "moderator");
    const queue = await moderator.get("/moderate?subject=comment");
    expect(queue.status).toBe(200);
    expect(queue.headers.get("cache-control")).toBe("no-store");
    const html = await queue.text();
    expect(html).toMatch(/data-testid="open-count" data-count="open">\d+</);
    expect(html).toContain('<script src="/assets/moderate.js" defer=""></script>');
    expect(html).toContain("<kbd>j</kbd>");
  });

  it("claims the item, shows the highlighted span, the reports and the member's history, then removes it with a note", async () => {
    const moderator = await memberPage("web-mod3", "moderator");
    // Claim until this comment's item comes up (others from earlier tests may be ahead of it).
    let itemPage = "";
    let itemPath = "";
    for (let i = 0; i < 10; i++) {
      const queue = await (await moderator.get("/moderate")).text();
      const claimed = await moderator.post("/moderate/claim", { _csrf: csrfOf(queue) });
      expect(claimed.status).toBe(303);
      itemPath = claimed.headers.get("location")!;
      itemPage = await (await moderator.get(itemPath)).text();
      if (itemPage.includes("說一套做一套")) break;
    }
    expect(itemPage).toMatch(/<mark class="hit"[^>]*>騙子<\/mark>/);
    // Each reason names its category; a flag says it only marks.
    expect(itemPage).toMatch(/<strong>R2-harsh-words<\/strong>.*?data-testid="category">人身攻擊<\/span>.*?（僅標示）/);
    expect(itemPage).toContain("web-mod3 處理中");
    expect(itemPage).toContain("web-r1");
    expect(itemPage).toContain(`會員 <a href="/moderate/members/web-gina">web-gina</a>`);
    expect(itemPage).toMatch(/data-testid="strikes">0</);

    const csrf = csrfOf(itemPage);
    const noNote = await moderator.post(`${itemPath}/decision`, { _csrf: csrf, action: "remove", forumRules: ["R2"], note: "" });
    expect(noNote.status).toBe(400);
    const kept = await noNote.text();
    expect(kept).toContain('role="alert"');
    expect(kept).toMatch(/value="remove"[^>]*checked/);

    const removed = await moderator.post(`${itemPath}/decision`, { _csrf: csrf, action: "remove", forumRules: ["R2"], note: "人身攻擊 <b>市長</b>" });
    expect(removed.status).toBe(303);
    const location = removed.headers.get("location")!;
    expect(location).toMatch(/^\/moderate\?notice=decided&decision=\d+$/);
    expect(await (await moderator.get(location)).text()).toContain("已記錄決定 #");

    const decided = await (await moderator.get(itemPath)).text();
    expect(decided).toContain("此項目已處理");
    expect(decided).toContain("人身攻擊 &lt;b&gt;市長&lt;/b&gt;");
    expect(decided).toMatch(/data-testid="strikes">1</);

    const again = await moderator.post(`${itemPath}/decision`, { _csrf: csrf, action: "approve", note: "再一次" });
    expect(again.status).toBe(409);
  });

  it("the stats page draws the day's decisions by forum rule, automated against human, and appeals", async () => {
    const moderator = await memberPage("web-mod3", "moderator");
    const response = await moderator.get("/moderate/stats");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<svg viewBox/g)?.length).toBe(3);
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei" }).format(t.clock.now());
    expect(html).toMatch(new RegExp(`<g data-date="${today}"><rect[^>]*class="s-R2" data-series="R2" data-value="[1-9]`));
    expect(html).toMatch(/class="s-human_with_automated_help"|class="s-human"/);
    expect(html).toMatch(/data-forum-rule="R2">[1-9]/);
    const stats = (await (await t.request("GET", "/stats", { token: await t.token("web-mod3", "moderator") })).json()) as any;
    expect(html).toContain(`data-testid="decision-total">${stats.decisions}<`);
  });

  it("the stats range is picked as Taipei days, both ends included", async () => {
    const moderator = await memberPage("web-mod3", "moderator");
    const html = await (await moderator.get("/moderate/stats?fromDay=2026-11-01&toDay=2026-11-28")).text();
    expect(html).toContain('type="date" name="fromDay" value="2026-11-01"');
    expect(html).toContain('type="date" name="toDay" value="2026-11-28"');
    // The same range as the API reads it: from the first day's Taipei midnight to the midnight after the last.
    const api = (await (await t.request("GET", "/stats?from=2026-10-31T16:00:00.000Z&to=2026-11-28T16:00:00.000Z", { token: await t.token("web-mod3", "moderator") })).json()) as any;
    expect(html).toContain(`data-testid="decision-total">${api.decisions}<`);
    expect(api.decisions).toBeGreaterThan(0);
    // A day that is no day is the API's clear refusal, not a 500.
    const bad = await moderator.get("/moderate/stats?fromDay=2026-02-30");
    expect(bad.status).toBe(400);
  });

  it("a moderator's own held comment: the page says another moderator decides it and shows no decision form", async () => {
    const moderator = await memberPage("web-mod4", "moderator");
    const posted = await postCommentForm(moderator, "這個議員根本是智障");
    expect(posted.headers.get("location")).toContain("notice=pending");
    const commentId = /comment-(\d+)/.exec(posted.headers.get("location")!)![1]!;
    const queue = (await (await t.request("GET", "/review/items?limit=100", { token: await t.token("web-mod4", "moderator") })).json()) as any;
    const item = queue.items.find((row: any) => row.subjectId === commentId);
    const page = await (await moderator.get(`/moderate/items/${item.id}`)).text();
    expect(page).toContain('data-testid="conflict-of-interest"');
    expect(page).toContain("須由其他管理員處理");
    expect(page).not.toContain('class="decision card"');
    const stats = await (await moderator.get("/moderate/stats")).text();
    expect(stats).toContain('data-testid="conflicts">0<');
  });

  it("an appeal shows the appealed decision and the member's words, and a reversal restores the comment", async () => {
    const member = await memberPage("web-henry");
    const refused = await postCommentForm(member, "你這個死全家的東西");
    expect(refused.status).toBe(422);
    const mine = (await (await t.request("GET", "/members/me/decisions", { token: await t.token("web-henry") })).json()) as any;
    const decision = mine.decisions[0];
    expect(decision).toMatchObject({ action: "remove", automation: "fully_automated" });
    const appealed = await t.request("POST", `/decisions/${decision.id}/appeal`, { token: await t.token("web-henry"), json: { note: "我是在引用<別人>的話" } });
    expect(appealed.status).toBe(201);

    const moderator = await memberPage("web-mod4", "moderator");
    const queue = await (await moderator.get("/moderate?kind=appeal")).text();
    expect(queue).toContain("<h1>申訴</h1>");
    const itemPath = /data-href="(\/moderate\/items\/\d+)"/.exec(queue)![1]!;
    const itemPage = await (await moderator.get(itemPath)).text();
    expect(itemPage).toContain("申訴的處分");
    expect(itemPage).toContain("會員的申訴：我是在引用&lt;別人&gt;的話");
    expect(itemPage).toMatch(/value="uphold" data-key="u"/);
    expect(itemPage).toMatch(/value="reverse" data-key="x"/);
    expect(itemPage).not.toContain('value="remove"');

    const reversed = await moderator.post(`${itemPath}/decision`, { _csrf: csrfOf(itemPage), action: "reverse", note: "引用他人言論，恢復" });
    expect(reversed.status).toBe(303);
    const article = await (await member.get(`/articles/${ARTICLE}`)).text();
    expect(article).toContain("你這個死全家的東西");
  });

  it("serves the stylesheet and the keyboard script from this site", async () => {
    const css = await t.request("GET", "/assets/site.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    const js = await t.request("GET", "/assets/moderate.js");
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(await js.text()).toContain('event.key === "j"');
  });
});

describe("hostile requests to the pages", () => {
  it("random methods, paths, sessions, CSRF tokens, content types and form fields never get a 500", async () => {
    const member = await memberPage("web-fuzz-member");
    const moderator = await memberPage("web-fuzz-mod", "moderator");
    const sessions = [
      { cookie: "", csrf: "nope" },
      { cookie: `moderation_session=${member.cookie("moderation_session")}`, csrf: csrfOf(await (await member.get(`/articles/${ARTICLE}`)).text()) },
      { cookie: `moderation_session=${moderator.cookie("moderation_session")}`, csrf: csrfOf(await (await moderator.get("/moderate")).text()) },
      { cookie: "moderation_session=garbage.%E0%A4%A", csrf: "x" },
    ];
    const paths = [
      "/login",
      "/logout",
      "/moderate",
      "/moderate/claim",
      "/moderate/items/1",
      "/moderate/items/abc",
      "/moderate/items/1/decision",
      "/moderate/stats",
      `/articles/${ARTICLE}`,
      `/articles/${ARTICLE}/page/comment`,
      `/articles/${ARTICLE}/page/tag`,
      `/articles/${ARTICLE}/page/report`,
      "/articles/..%2F/page/comment",
      "/assets/site.css",
    ];
    const query = fc.constantFrom("", "?cursor=%00", "?notice=<script>", "?next=//evil", "?kind=appeal&state=decided", "?from=x&to=y", "?decision=1&notice=decided");
    const fieldName = fc.constantFrom("body", "label", "reason", "commentId", "action", "forumRules", "note", "suspendDays", "token", "next", "kind", "acceptedRulesVersion", "idempotencyKey");
    const fieldValue = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("remove", "R2", "abuse", "1", "-1", "1e309", rulesVersion));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST"),
        fc.constantFrom(...paths),
        query,
        fc.constantFrom(...sessions),
        fc.boolean(),
        fc.constantFrom("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json", "text/plain", ""),
        fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }),
        async (method, path, search, session, withCsrf, contentType, fields) => {
          const headers: Record<string, string> = { accept: "text/html" };
          if (session.cookie) headers.cookie = session.cookie;
          if (contentType) headers["content-type"] = contentType;
          const form = new URLSearchParams(fields);
          if (withCsrf) form.set("_csrf", session.csrf);
          const init: RequestInit = { method, headers };
          if (method === "POST") init.body = form.toString();
          const response = await t.app.request(path + search, init);
          expect(response.status, `${method} ${path}${search} ${form}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
