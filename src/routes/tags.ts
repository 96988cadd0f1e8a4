import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { findArticle } from "../db/articles.ts";
import { entityTag, publicRead } from "../http/cache.ts";
import { listPublishedTags } from "../db/tags.ts";
import { tagListView } from "../views/tags.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import type { Moderator } from "../moderation/moderate.ts";
import { addTag, corpusCache } from "../tags/add.ts";
import { relatednessView } from "../screening/tag.ts";
import { articleIdParam } from "./articles.ts";
import { articleNotFound } from "../errors.ts";
import { articleSite, assertMayAct } from "../members/may-act.ts";

export const addTagSchema = z.strictObject({ label: z.string().trim().min(1).max(200) });

export function tagRoutes(moderator: Moderator) {
  const routes = new Hono<AppEnv>();
  const loadCorpus = corpusCache(moderator);

  routes.post("/:id/tags", requireIdentity, limitBody(4096), async (c) => {
    const articleId = articleIdParam(c);
    const deps = c.get("deps");
    const { db, clock, clientIp } = deps;
    const identity = c.get("identity");
    const memberId = identity.memberId;
    const now = clock.now();
    // The article's site: its policy, its handling of the engine's rules, its suspensions (src/sites.ts).
    const site = await articleSite(deps, identity, articleId);
    await enforceRateLimit(db, site.rateLimits, "tag", memberId, clientIp(c), now);
    const { label } = await readJson(c, addTagSchema);
    await assertMayAct(db, memberId, now, "新增標籤", { posting: true, site });

    const tag = await addTag(db, site.policy, site.moderator, loadCorpus, { articleId, memberId, label, now });
    const body = {
      tag: { id: tag.row.id, articleId, label: tag.row.label, status: tag.row.status, supporters: tag.supporters },
      relatedness: relatednessView(tag.relatedness),
      alreadySupported: tag.alreadySupported,
    };
    if (tag.row.status === "pending") return c.json({ ...body, message: "標籤已送出，將由管理員審核後顯示" }, 202);
    return c.json(body, tag.created ? 201 : 200);
  });

  routes.get("/:id/tags", async (c) => {
    const articleId = articleIdParam(c);
    const read = publicRead(c, c.get("recentReads"), `tags\u0000${articleId}`);
    if (read.answer) return read.answer;
    const { db } = c.get("deps");
    if (!(await findArticle(db, articleId))) throw articleNotFound(articleId);
    // The list is small: its tag is a hash of what it says, so the tag and the body always go together.
    const body = JSON.stringify(tagListView(articleId, await listPublishedTags(db, articleId)));
    return read.reply(entityTag(["tags", body]), body);
  });

  return routes;
}
