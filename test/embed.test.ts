import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig } from "../src/config.ts";
import { createTestContext, type TestContext } from "./support/context.ts";

// The embeddable comment section's answers (the browser side is test-e2e/embed.test.ts): the script, and
// the frame only for the origins in EMBED_ORIGINS, which its Content-Security-Policy names.
const SITE = "https://news.publisher.test";
const ARTICLE = "embedded";
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext({ embedOrigins: [SITE, "https://money.publisher.test"] });
  await t.putArticle(ARTICLE);
  for (const [member, body] of [["em-1", "希望颱風假的標準能更清楚"], ["em-2", "今天的雨其實不大"]] as const) {
    expect((await t.as(member, "member", "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: t.config.forumRules.version })).status).toBe(201);
  }
});
afterAll(() => t.dispose());

describe("the embeddable comment section", () => {
  it("serves the script that a publisher's page loads", async () => {
    const response = await t.request("GET", "/embed.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/javascript");
    expect(await response.text()).toContain('"/embed/articles/"');
  });

  it("answers the frame for a listed origin, which alone may frame it, with the count, the comments and the rules", async () => {
    const response = await t.request("GET", `/embed/articles/${ARTICLE}?origin=${encodeURIComponent(SITE)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain(`frame-ancestors ${SITE};`);
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("2 則留言");
    expect(html).toContain("希望颱風假的標準能更清楚");
    expect(html).toContain(`data-parent-origin="${SITE}"`);
    expect(html).toContain(`討論區規則（版本 ${t.config.forumRules.version}）`);
  });

  it("refuses an origin not listed, a missing one, and an article that does not exist", async () => {
    for (const origin of ["https://elsewhere.test", "", `${SITE}/`, "https://news.publisher.test.evil.test"]) {
      const response = await t.request("GET", `/embed/articles/${ARTICLE}?origin=${encodeURIComponent(origin)}`);
      expect(response.status).toBe(403);
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
    expect((await t.request("GET", `/embed/articles/${ARTICLE}`)).status).toBe(403);
    expect((await t.request("GET", `/embed/articles/no-such-article?origin=${encodeURIComponent(SITE)}`)).status).toBe(404);
  });

  it("with no EMBED_ORIGINS, nothing may frame it", async () => {
    const plain = await createTestContext();
    try {
      await plain.putArticle(ARTICLE);
      expect((await plain.request("GET", `/embed/articles/${ARTICLE}?origin=${encodeURIComponent(SITE)}`)).status).toBe(403);
    } finally {
      await plain.dispose();
    }
  });

  it("reads EMBED_ORIGINS as a list of origins and refuses anything else", () => {
    expect(loadServerConfig({ EMBED_ORIGINS: "https://news.publisher.test, http://localhost:8080" }).embedOrigins).toEqual([
      "https://news.publisher.test",
      "http://localhost:8080",
    ]);
    expect(loadServerConfig({}).embedOrigins).toEqual([]);
    for (const bad of ["https://news.publisher.test/articles", "news.publisher.test", "ftp://news.publisher.test", "*"]) {
      expect(() => loadServerConfig({ EMBED_ORIGINS: bad })).toThrow(ConfigError);
    }
  });
});
