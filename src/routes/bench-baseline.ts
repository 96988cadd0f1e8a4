import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { insertBaselineComment } from "../db/comments.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { articleIdParam } from "./articles.ts";
import { articleNotFound } from "../errors.ts";
import { maxCommentRequestBytes, submitCommentSchema } from "./comments.ts";

/**
 * The benchmark's baseline (BENCH_BASELINE=1, never in production): the comment route's validation and
 * the same row inserted in one statement (the member made sure of, the article checked), with no
 * moderation, rate limit or flood check, so that the benchmark can show what moderation adds.
 */
export function benchBaselineRoutes(maxCommentChars: number) {
  const routes = new Hono<AppEnv>();
  routes.post("/baseline/articles/:id/comments", requireIdentity, limitBody(maxCommentRequestBytes(maxCommentChars)), async (c) => {
    const articleId = articleIdParam(c);
    const input = await readJson(c, submitCommentSchema);
    const { db, clock, config, moderator } = c.get("deps");
    const body = input.body.trim();
    if (body === "") throw new ApiError(400, "comment_empty", "the comment body is empty");
    if ([...body].length > maxCommentChars) throw new ApiError(413, "comment_too_long", "comment too long");
    if (input.acceptedRulesVersion !== config.forumRules.version) throw new ApiError(409, "rules_not_accepted", "accept the rules");
    const now = clock.now();
    const id = await insertBaselineComment(db, {
      articleId,
      memberId: c.get("identity").memberId,
      body,
      status: "published",
      verdict: { action: "allow", reasons: [], score: null, topNgrams: [], rulesVersion: moderator.rulesVersion, modelVersion: null },
      acceptedRulesVersion: config.forumRules.version,
      requestHash: "baseline",
      now,
    });
    if (id === null) throw articleNotFound(articleId);
    return c.json({ comment: { id } }, 201);
  });
  return routes;
}
