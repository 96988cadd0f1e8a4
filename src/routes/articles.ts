import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { findArticleState, upsertArticle } from "../db/articles.ts";
import { entityTag, publicRead } from "../http/cache.ts";
import { articleView } from "../views/articles.ts";
import { ApiError, articleNotFound } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { assertKnownSites } from "../sites.ts";

// The site's CMS ids, e.g. 7266-8372910; kept to characters that are safe in a URL path.
const ARTICLE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const MAX_ARTICLE_REQUEST_BYTES = 1024 * 1024;

export const putArticleSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(200_000),
  url: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
  publishedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** The site the article is on (rules/sites.yaml); a new article without one is the default site's. */
  site: z.string().optional(),
});

export function articleIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!ARTICLE_ID_PATTERN.test(id)) {
    throw new ApiError(400, "invalid_article_id", "article ids are 1-128 letters, digits, '.', '_' or '-'");
  }
  return id;
}


export function articleRoutes() {
  const routes = new Hono<AppEnv>();

  routes.put("/:id", requireIdentity, requireRole("admin"), limitBody(MAX_ARTICLE_REQUEST_BYTES), async (c) => {
    const id = articleIdParam(c);
    const input = await readJson(c, putArticleSchema);
    const { db, clock, config } = c.get("deps");
    if (input.site !== undefined) assertKnownSites(config.sites, [input.site]);
    const stored = await upsertArticle(
      db,
      {
        id,
        title: input.title,
        body: input.body,
        url: input.url ?? null,
        publishedAt: input.publishedAt ? new Date(input.publishedAt) : null,
        siteId: input.site,
      },
      clock.now(),
    );
    if (stored.movedFrom !== undefined) {
      throw new ApiError(409, "article_on_another_site", `article ${id} is on the site ${stored.movedFrom}; an article does not move to another site`, {
        site: stored.movedFrom,
      });
    }
    const { article, created } = stored;
    const count = created ? 0 : ((await findArticleState(db, id))?.publishedComments ?? 0);
    return c.json({ article: articleView(article, count, config.sites.of(article.site_id)) }, created ? 201 : 200);
  });

  routes.get("/:id", async (c) => {
    const id = articleIdParam(c);
    const read = publicRead(c, c.get("recentReads"), `article\u0000${id}`);
    if (read.answer) return read.answer;
    const { db, config } = c.get("deps");
    const state = await findArticleState(db, id);
    if (!state) throw articleNotFound(id);
    // What the article says is in its tag, not only when it changed: two edits within a millisecond differ.
    const body = JSON.stringify({ article: articleView(state.article, state.publishedComments, config.sites.of(state.article.site_id)) });
    return read.reply(entityTag(["article", body]), body);
  });

  return routes;
}
