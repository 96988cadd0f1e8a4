import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.dispose());

const article = {
  title: "颱風假明日停止上班上課",
  body: "行政院人事行政總處公布，明日全台停止上班上課。",
  url: "https://news.example.tw/story/7266/8372910",
  publishedAt: "2026-11-28T08:00:00+08:00",
};

describe("PUT /articles/:id (the site's CMS)", () => {
  it("creates (201), then replaces (200) the article; GET returns it with its comment count", async () => {
    const admin = await t.token("cms", "admin");
    const created = await t.request("PUT", "/articles/7266-8372910", { token: admin, json: article });
    expect(created.status).toBe(201);
    expect(((await created.json()) as any).article).toMatchObject({
      id: "7266-8372910",
      title: article.title,
      url: article.url,
      publishedAt: "2026-11-28T00:00:00.000Z",
      publishedCommentCount: 0,
    });

    const replaced = await t.request("PUT", "/articles/7266-8372910", {
      token: admin,
      json: { title: "颱風假：明日停班停課（更新）", body: article.body },
    });
    expect(replaced.status).toBe(200);
    const fetched = (await (await t.request("GET", "/articles/7266-8372910")).json()) as any;
    expect(fetched.article).toMatchObject({ title: "颱風假：明日停班停課（更新）", url: null, publishedAt: null });
  });

  it("needs the admin role: no token 401, member 403, moderator 403", async () => {
    const none = await t.request("PUT", "/articles/a1", { json: article });
    expect(none.status).toBe(401);
    for (const role of ["member", "moderator"] as const) {
      const response = await t.request("PUT", "/articles/a1", { token: await t.token("x", role), json: article });
      expect(response.status, role).toBe(403);
      expect(((await response.json()) as any).error.code).toBe("forbidden");
    }
    expect((await t.request("GET", "/articles/a1")).status).toBe(404);
  });

  it.each([
    ["missing title", { body: "內文" }],
    ["blank title", { title: "  ", body: "內文" }],
    ["unknown field", { ...article, author: "someone" }],
    ["url that is not http(s)", { ...article, url: "javascript:alert(1)" }],
    ["publishedAt that is not a date", { ...article, publishedAt: "yesterday" }],
  ])("%s → 400 validation_failed", async (_, json) => {
    const response = await t.request("PUT", "/articles/a2", { token: await t.token("cms", "admin"), json });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.code).toBe("validation_failed");
  });

  it("an article id with characters outside the allowed set → 400 invalid_article_id", async () => {
    const response = await t.request("PUT", "/articles/bad%20id", { token: await t.token("cms", "admin"), json: article });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.code).toBe("invalid_article_id");
  });

  it("wrong content type → 415, malformed JSON → 400", async () => {
    const admin = await t.token("cms", "admin");
    const form = await t.request("PUT", "/articles/a3", {
      token: admin,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "title=x",
    });
    expect(form.status).toBe(415);
    const broken = await t.request("PUT", "/articles/a3", {
      token: admin,
      headers: { "content-type": "application/json" },
      body: "{title:",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as any).error.code).toBe("invalid_json");
  });
});

describe("GET /articles/:id", () => {
  it("unknown article → 404 article_not_found", async () => {
    const response = await t.request("GET", "/articles/never-published");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "article_not_found", message: "no article with id never-published" },
    });
  });
});
