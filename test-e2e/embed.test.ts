import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../test/support/context.ts";
import { TestPublisher } from "../test/support/publisher.ts";
import { launchChromium, screenshot, serveApp } from "./browser.ts";

// The comment section on the publisher's own article page, in chromium: the publisher's site runs on
// another origin (http://localhost:…, the service on http://127.0.0.1:…, so another site too), puts one
// script tag on its page, and signs its reader in with its own session: its token endpoint answers an
// ES256 token signed with the publisher's key, which the service checks against the publisher's JWKS.
const ARTICLE = "embed-news";
const AUDIENCE = "comments.embed.test";
let t: TestContext;
let app: { baseUrl: string; close: () => Promise<void> };
let browser: Browser;
let publisher: TestPublisher;
let site: Server;
let stranger: Server;
let siteOrigin: string;

/** The publisher's site: an article page with the script tag, a sign-in that sets its own cookie, and the token endpoint. */
function publisherSite(): Server {
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const reader = /(?:^|;\s*)reader=([\w-]+)/.exec(request.headers.cookie ?? "")?.[1];
    if (url.pathname === "/signin") {
      response.writeHead(303, { "set-cookie": `reader=${url.searchParams.get("as")}; Path=/; HttpOnly; SameSite=Lax`, location: `/news/${ARTICLE}` }).end();
    } else if (url.pathname === "/comments-token") {
      if (!reader) return void response.writeHead(401, { "content-type": "application/json" }).end("{}");
      const token = await publisher.token("site-key", { sub: reader, aud: AUDIENCE }, { now: t.clock.now() });
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ token }));
    } else if (url.pathname.startsWith("/news/")) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!DOCTYPE html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>夜間公車上路</title></head>
<body><header>新聞網</header><article><h1>夜間公車明年上路</h1><p>市府宣布夜間公車明年上路。</p>
<script src="${app.baseUrl}/embed.js" data-article="${url.pathname.slice("/news/".length)}" data-token-url="/comments-token" async></script>
</article><footer>頁尾</footer></body></html>`);
    } else {
      response.writeHead(404).end();
    }
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  publisher = await new TestPublisher().start();
  await publisher.addKey("site-key", "ES256");
  site = publisherSite();
  stranger = publisherSite();
  siteOrigin = `http://localhost:${await listen(site)}`;
  t = await createTestContext({
    publisherSso: { jwksUrl: publisher.jwksUrl, issuer: publisher.issuer, audience: AUDIENCE, cacheSeconds: 600 },
    embedOrigins: [siteOrigin],
  });
  expect((await t.putArticle(ARTICLE, { title: "夜間公車明年上路", body: "市府宣布夜間公車明年上路。" })).status).toBe(201);
  const version = t.config.forumRules.version;
  for (let i = 1; i <= 6; i++) {
    expect((await t.as(`embed-m${i}`, "member", "POST", `/articles/${ARTICLE}/comments`, { body: `第 ${i} 位讀者：夜間公車的路線希望能經過醫院`, acceptedRulesVersion: version })).status).toBe(201);
  }
  app = await serveApp(t.app);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await new Promise((resolve) => site?.close(resolve));
  await new Promise((resolve) => stranger?.close(resolve));
  await publisher?.stop();
  await t?.dispose();
});

async function publisherPage(path: string, origin = siteOrigin): Promise<Page> {
  const context = await browser.newContext({ locale: "zh-TW", viewport: { width: 900, height: 1500 } });
  const page = await context.newPage();
  await page.goto(`${origin}${path}`);
  return page;
}

const frameOf = (page: Page) => page.frameLocator("iframe[title=留言區]");
const frameHeight = (page: Page) => page.locator("iframe[title=留言區]").evaluate((frame) => frame.getBoundingClientRect().height);

describe("the comment section embedded on the publisher's page", () => {
  it("shows the count, the comments and the forum rules to a reader not signed in, sized to its content", async () => {
    const page = await publisherPage(`/news/${ARTICLE}`);
    const frame = frameOf(page);
    await expect(frame.locator("[data-testid=embed-count]").textContent()).resolves.toBe("6 則留言");
    await expect(frame.locator(".comment").count()).resolves.toBe(6);
    await expect(frame.locator("[data-testid=embed-rules] summary").textContent()).resolves.toContain("討論區規則");
    await expect(frame.locator("[data-signed-out]").isVisible()).resolves.toBe(true);
    await expect(frame.locator("form[data-action=comment]").isVisible()).resolves.toBe(false);
    await expect(frame.locator("details[data-signed-in]:visible").count()).resolves.toBe(0);
    // The frame reports its height and the script sizes it: taller than the 240 px it starts at.
    await page.waitForFunction("document.querySelector('iframe').getBoundingClientRect().height > 400");
    const height = await frameHeight(page);
    const content = await frame.locator("html").evaluate((element) => element.scrollHeight);
    expect(Math.abs(height - content)).toBeLessThanOrEqual(2);
    await screenshot(page, "embed-signed-out");
  });

  it("a reader signed in on the publisher's site comments, replies, reports, edits and deletes from inside the frame", async () => {
    const page = await publisherPage("/signin?as=reader-1");
    const frame = frameOf(page);
    await expect(frame.locator("[data-member]").textContent()).resolves.toBe("會員 reader-1");
    await frame.locator("#embed-body").fill("謝謝報導，希望夜間公車也能開到捷運站");
    await frame.locator("form[data-action=comment] input[name=accept]").check();
    await frame.locator("form[data-action=comment] button").click();
    // Published: the frame reloads, the page hands it the token again, and the comment is in the list.
    await frame.locator(".comment", { hasText: "希望夜間公車也能開到捷運站" }).waitFor();
    await expect(frame.locator("[data-testid=embed-count]").textContent()).resolves.toBe("7 則留言");
    await frame.locator("[data-member]", { hasText: "會員 reader-1" }).waitFor();
    // Their own comment offers neither a reply nor a report.
    const own = frame.locator(".comment", { hasText: "希望夜間公車也能開到捷運站" });
    await expect(own.locator("details[data-not-own]").first().isVisible()).resolves.toBe(false);

    const first = frame.locator(".comment", { hasText: "第 1 位讀者" });
    await first.locator("details:has(form[data-action=reply]) summary").click();
    await first.locator("form[data-action=reply] textarea").fill("同意，醫院夜間也需要");
    await first.locator("form[data-action=reply] input[name=accept]").check();
    await first.locator("form[data-action=reply] button").click();
    await frame.locator(".reply .comment", { hasText: "同意，醫院夜間也需要" }).waitFor();

    const second = frame.locator(".comment", { hasText: "第 2 位讀者" });
    await second.locator("details:has(form[data-action=report]) summary").click();
    await second.locator("form[data-action=report] select").selectOption("spam");
    await second.locator("form[data-action=report] button").click();
    await frame.locator("[data-testid=embed-result]", { hasText: "已收到檢舉" }).waitFor();
    await screenshot(page, "embed-signed-in");

    // Their own comment: edited from the frame, and their reply deleted; nobody else's offers either.
    await expect(second.locator("details[data-own]").isVisible()).resolves.toBe(false);
    await own.locator("details[data-own] summary").click();
    await own.locator("form[data-action=edit] textarea").fill("謝謝報導，希望夜間公車也能開到捷運站與醫院");
    await own.locator("form[data-action=edit] button").click();
    await frame.locator(".comment", { hasText: "也能開到捷運站與醫院" }).waitFor();
    await frame.locator("[data-member]", { hasText: "會員 reader-1" }).waitFor();
    const reply = frame.locator(".reply .comment", { hasText: "同意，醫院夜間也需要" });
    await reply.locator("details[data-own] summary").click();
    await reply.locator("form[data-action=delete] button").click();
    await frame.locator("[data-testid=embed-count]", { hasText: "7 則留言" }).waitFor();
    await expect(frame.locator(".comment", { hasText: "同意，醫院夜間也需要" }).count()).resolves.toBe(0);

    const stored = await t.database.db.selectFrom("comments").select(["parent_id", "status", "version"]).where("member_id", "=", "reader-1").orderBy("id").execute();
    expect(stored.map((row) => [row.parent_id === null, row.status, row.version])).toEqual([[true, "published", 2], [false, "deleted", 1]]);
    const reports = await t.database.db.selectFrom("reports").select(["reason"]).where("reporter_id", "=", "reader-1").execute();
    expect(reports).toEqual([{ reason: "spam" }]);
  });

  it("a refused comment is explained inside the frame, with the text kept", async () => {
    const page = await publisherPage("/signin?as=reader-2");
    const frame = frameOf(page);
    await expect(frame.locator("[data-member]").textContent()).resolves.toBe("會員 reader-2");
    await frame.locator("#embed-body").fill("幹你娘，市府都在亂搞");
    await frame.locator("form[data-action=comment] input[name=accept]").check();
    await frame.locator("form[data-action=comment] button").click();
    await frame.locator("[data-testid=embed-result]", { hasText: "第二條" }).waitFor();
    await expect(frame.locator("#embed-body").inputValue()).resolves.toBe("幹你娘，市府都在亂搞");
    // Rewritten in the same form, it is a new comment (not a retry of the refused one), and it is published.
    await frame.locator("#embed-body").fill("市府的規劃讓人失望，希望重新檢討");
    await frame.locator("form[data-action=comment] button").click();
    await frame.locator(".comment", { hasText: "市府的規劃讓人失望，希望重新檢討" }).waitFor();
  });

  it("a site not listed in EMBED_ORIGINS cannot show it", async () => {
    const strangerOrigin = `http://localhost:${await listen(stranger)}`;
    const page = await publisherPage(`/news/${ARTICLE}`, strangerOrigin);
    await page.waitForLoadState("load");
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    expect(frame).toBeDefined();
    await expect(frameOf(page).locator("[data-testid=embed-count]").count()).resolves.toBe(0);
  });
});
