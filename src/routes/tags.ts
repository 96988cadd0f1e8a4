import { Hono } from "hono";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../auth/middleware.ts";
import { findArticle } from "../db/articles.ts";
import { ensureMember } from "../db/members.ts";
import { feedReviewItem } from "../db/review.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import type { Moderator } from "../moderation/moderate.ts";
import { TagCorpus, type Relatedness } from "../tags/relatedness.ts";
import { relatednessView, screenTagText, tagOutcome } from "../tags/screen.ts";
import { articleIdParam, articleNotFound } from "./articles.ts";
import { assertMayAct } from "./sanction-checks.ts";

export const addTagSchema = z.strictObject({ label: z.string().trim().min(1).max(200) });

/** The relatedness corpus, rebuilt only when an article is added or changed. */
function corpusCache(moderator: Moderator) {
  let cached: { stamp: string; corpus: TagCorpus } | null = null;
  return async (db: Kysely<Database>, size: number): Promise<TagCorpus> => {
    const stamp = await db
      .selectFrom("articles")
      .select([(eb) => eb.fn.countAll<string>().as("count"), sql<string>`max(updated_at)::text`.as("latest")])
      .executeTakeFirstOrThrow();
    const key = `${stamp.count}:${stamp.latest}`;
    if (cached?.stamp === key) return cached.corpus;
    const articles = await db.selectFrom("articles").select(["id", "title", "body"]).orderBy("updated_at", "desc").limit(size).execute();
    const corpus = new TagCorpus(articles.map((a) => ({ id: a.id, text: `${a.title}\n${a.body}` })), moderator);
    cached = { stamp: key, corpus };
    return corpus;
  };
}

export function tagRoutes(moderator: Moderator) {
  const routes = new Hono<AppEnv>();
  const loadCorpus = corpusCache(moderator);

  routes.post("/:id/tags", requireIdentity, limitBody(4096), async (c) => {
    const articleId = articleIdParam(c);
    const { db, clock, config, clientIp } = c.get("deps");
    const memberId = c.get("identity").memberId;
    const now = clock.now();
    await enforceRateLimit(db, config.policy, "tag", memberId, clientIp(c), now);
    const { label } = await readJson(c, addTagSchema);
    const limits = config.policy.tags;
    await assertMayAct(db, memberId, now, "新增標籤");
    if (!(await findArticle(db, articleId))) throw articleNotFound(articleId);

    const { labelKey, verdict, refusal } = screenTagText(label, moderator, limits);
    if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message, refusal.details);

    const existing = await db.selectFrom("tags").selectAll().where("article_id", "=", articleId).where("label_key", "=", labelKey).executeTakeFirst();
    if (existing?.status === "removed") throw new ApiError(409, "tag_removed", "這個標籤已被管理員移除", { tagId: existing.id });

    // Supporting a tag already on the article needs no relatedness check.
    const relatedness: Relatedness = existing ? { kind: "word" } : (await loadCorpus(db, limits.corpusArticles)).relatedness(articleId, labelKey);
    const outcome = tagOutcome(verdict, relatedness, limits);
    if (outcome.refusal) throw new ApiError(outcome.refusal.status, outcome.refusal.code, outcome.refusal.message, outcome.refusal.details);
    const pending = outcome.pending;

    const tag = await db.transaction().execute(async (trx) => {
      await ensureMember(trx, memberId, now);
      let row =
        existing ??
        (await trx
          .insertInto("tags")
          .values({
            article_id: articleId,
            label,
            label_key: labelKey,
            status: pending ? "pending" : "published",
            verdict: JSON.stringify({ ...verdict, relatedness: relatednessView(relatedness) }),
            rules_version: verdict.rulesVersion,
            created_by: memberId,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.columns(["article_id", "label_key"]).doNothing())
          .returningAll()
          .executeTakeFirst());
      const created = row !== undefined && !existing;
      row ??= await trx.selectFrom("tags").selectAll().where("article_id", "=", articleId).where("label_key", "=", labelKey).executeTakeFirstOrThrow();
      if (created && pending) {
        await feedReviewItem(trx, config.policy, {
          kind: "moderation",
          subjectKind: "tag",
          subjectId: row.id,
          source: "automated_detection",
          detail: { ...verdict, relatedness: relatednessView(relatedness) },
          forumRules: verdict.action === "review" ? verdict.reasons.map((r) => r.forumRule) : ["R3"],
          severity: verdict.action === "review" ? "medium" : "low",
          reportWeight: 0,
          now,
        });
      }
      const supported = await trx
        .insertInto("tag_supporters")
        .values({ tag_id: row.id, member_id: memberId, created_at: now })
        .onConflict((oc) => oc.columns(["tag_id", "member_id"]).doNothing())
        .returning("member_id")
        .executeTakeFirst();
      const supporters = await trx
        .selectFrom("tag_supporters")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("tag_id", "=", row.id)
        .executeTakeFirstOrThrow();
      return { row, created, alreadySupported: !supported, supporters: Number(supporters.count) };
    });
    const body = {
      tag: { id: tag.row.id, articleId, label: tag.row.label, status: tag.row.status, supporters: tag.supporters },
      relatedness: relatednessView(relatedness),
      alreadySupported: tag.alreadySupported,
    };
    if (tag.row.status === "pending") return c.json({ ...body, message: "標籤已送出，將由管理員審核後顯示" }, 202);
    return c.json(body, tag.created ? 201 : 200);
  });

  routes.get("/:id/tags", async (c) => {
    const articleId = articleIdParam(c);
    const { db } = c.get("deps");
    if (!(await findArticle(db, articleId))) throw articleNotFound(articleId);
    const rows = await db
      .selectFrom("tags")
      .innerJoin("tag_supporters", "tag_supporters.tag_id", "tags.id")
      .select(["tags.id", "tags.label", (eb) => eb.fn.countAll<string>().as("supporters")])
      .where("tags.article_id", "=", articleId)
      .where("tags.status", "=", "published")
      .groupBy(["tags.id", "tags.label"])
      .orderBy("supporters", "desc")
      .orderBy("tags.id")
      .execute();
    return c.json({ articleId, tags: rows.map((row) => ({ id: row.id, label: row.label, supporters: Number(row.supporters) })) });
  });

  return routes;
}
