import { createHash } from "node:crypto";
import { Hono, type Context } from "hono";
import type { Transaction } from "kysely";
import { z } from "zod";
import type { AppDeps, AppEnv } from "../app-env.ts";
import { requireIdentity } from "../auth/middleware.ts";
import type { Identity } from "../auth/token.ts";
import { findArticle } from "../db/articles.ts";
import {
  countPublishedComments,
  findCommentByIdempotencyKey,
  insertComment,
  listPublishedComments,
  type CommentRow,
} from "../db/comments.ts";
import { recordDecision } from "../db/decisions.ts";
import { recordMemberAcceptance } from "../db/members.ts";
import { feedReviewItem } from "../db/review.ts";
import type { CommentStatus, Database, Severity } from "../db/schema.ts";
import { ApiError, errorBody } from "../errors.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import { reasonsForAuthor, verdictForAuthor, type Verdict } from "../moderation/verdict.ts";
import { higherSeverity } from "../review/priority.ts";
import { applyStrikes } from "../review/sanctions.ts";
import { articleIdParam, articleNotFound } from "./articles.ts";
import { assertMayAct } from "./sanction-checks.ts";
import { cursorRowId, decodeCursor, encodeCursor } from "../http/cursor.ts";

export const submitCommentSchema = z.strictObject({
  body: z.string(),
  acceptedRulesVersion: z.string().optional(),
  idempotencyKey: z.string().min(1).max(128).optional(),
});

export const listCommentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});

const STATUS_OF: Record<Verdict["action"], CommentStatus> = {
  allow: "published",
  review: "pending",
  reject: "removed",
};

// JSON may spell any character as a 6-byte \uXXXX escape (12 for a surrogate pair: 6 per UTF-16
// unit), so the byte ceiling leaves room for that plus the other fields; the exact character
// limit is checked after parsing.
export function maxCommentRequestBytes(maxChars: number): number {
  return maxChars * 12 + 4096;
}

export function commentRoutes(maxCommentChars: number) {
  const routes = new Hono<AppEnv>();

  routes.post("/:id/comments", requireIdentity, limitBody(maxCommentRequestBytes(maxCommentChars)), async (c) => {
    const articleId = articleIdParam(c);
    const { db, config, clock, clientIp } = c.get("deps");
    const identity = c.get("identity");
    const input = await readJson(c, submitCommentSchema);
    // A retry of a comment already stored is answered from it before the rate limit counts it: a client
    // retrying one comment 50 times has posted one comment.
    if (input.idempotencyKey) {
      const earlier = await findCommentByIdempotencyKey(db, identity.memberId, input.idempotencyKey);
      if (earlier) return replay(c, earlier, hashRequest(articleId, input.body.trim(), config.forumRules.version));
    }
    await enforceRateLimit(db, config.policy, "comment", identity.memberId, clientIp(c), clock.now(), input.idempotencyKey ?? null);
    return submitComment(c, c.get("deps"), identity, articleId, input);
  });

  routes.get("/:id/comments", async (c) => {
    const articleId = articleIdParam(c);
    const query = listCommentsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { db } = c.get("deps");
    const decoded = query.data.cursor === undefined ? null : decodeCursor(query.data.cursor, commentCursor);
    const cursor = decoded && { createdAt: new Date(decoded[0]), id: decoded[1] };
    if (!(await findArticle(db, articleId))) throw articleNotFound(articleId);
    const [page, publishedCount] = await Promise.all([
      listPublishedComments(db, articleId, query.data.limit + 1, cursor),
      countPublishedComments(db, articleId),
    ]);
    const shown = page.slice(0, query.data.limit);
    const last = shown.at(-1);
    return c.json({
      articleId,
      publishedCount,
      comments: shown.map((comment) => ({ ...comment, createdAt: comment.createdAt.toISOString() })),
      nextCursor: page.length > query.data.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    });
  });

  return routes;
}

async function submitComment(
  c: Context<AppEnv>,
  deps: AppDeps,
  identity: Identity,
  articleId: string,
  input: z.infer<typeof submitCommentSchema>,
): Promise<Response> {
  const { db, clock, moderator, config } = deps;
  const body = input.body.trim();
  if (body === "") throw new ApiError(400, "comment_empty", "留言內容不可為空白 (the comment body is empty)");
  const chars = [...body].length;
  if (chars > config.maxCommentChars) {
    throw new ApiError(413, "comment_too_long", `留言最多 ${config.maxCommentChars} 字，目前 ${chars} 字`, {
      maxChars: config.maxCommentChars,
      chars,
    });
  }
  const now = clock.now();
  // Independent reads, side by side.
  const [article, member] = await Promise.all([findArticle(db, articleId), assertMayAct(db, identity.memberId, now, "發言")]);
  if (!article) throw articleNotFound(articleId);
  const currentVersion = config.forumRules.version;
  if (input.acceptedRulesVersion !== currentVersion) {
    throw new ApiError(
      409,
      "rules_not_accepted",
      `請先閱讀並同意最新版討論區規則（版本 ${currentVersion}）後再發言`,
      { currentVersion, acceptedRulesVersion: input.acceptedRulesVersion ?? null },
    );
  }

  const requestHash = hashRequest(articleId, body, currentVersion);
  const idempotencyKey = input.idempotencyKey ?? null;

  const normalized = moderator.normalized(body);
  const canonical = normalized.text;
  const fingerprint = createHash("sha256").update(canonical).digest("hex").slice(0, 32);
  let verdict = moderator.moderate({ kind: "comment", text: body }, normalized);
  if (verdict.action !== "reject" && [...canonical].length >= config.policy.floods.minChars) {
    const others = await recordAndCountPosters(db, fingerprint, identity.memberId, now, config.policy.floods.windowSeconds);
    if (others + 1 >= config.policy.floods.distinctMembers) verdict = withFloodReason(verdict, config.policy.floods, others + 1);
  }
  const newComment = {
    articleId,
    memberId: identity.memberId,
    body,
    status: STATUS_OF[verdict.action],
    verdict,
    acceptedRulesVersion: currentVersion,
    idempotencyKey,
    requestHash,
    now,
  };
  // Most posts are published by members who already accepted this version: one statement, no transaction.
  const needsAcceptance = member?.accepted_rules_version !== currentVersion;
  // The comment with what its verdict brings: a review item, or a decision and perhaps a strike.
  const storeWithEffects = async (trx: Transaction<Database>) => {
    if (needsAcceptance) await recordMemberAcceptance(trx, identity.memberId, currentVersion, now);
    const comment = await insertComment(trx, newComment);
    if (comment?.status === "pending") {
      await feedReviewItem(trx, config.policy, {
        kind: "moderation",
        subjectKind: "comment",
        subjectId: comment.id,
        source: "automated_detection",
        detail: verdict,
        forumRules: verdict.reasons.map((r) => r.forumRule),
        severity: highestSeverity(verdict),
        reportWeight: 0,
        now,
      });
    }
    if (comment?.status === "removed") {
      await recordDecision(trx, {
        subjectKind: "comment",
        subjectId: comment.id,
        subjectText: comment.body,
        action: "remove",
        forumRules: [...new Set(verdict.reasons.map((r) => r.forumRule))],
        ruleIds: verdict.reasons.map((r) => r.ruleId),
        facts: { reasons: verdict.reasons, score: verdict.score },
        source: "automated_detection",
        automation: "fully_automated",
        moderatorId: null,
        affectedMemberId: identity.memberId,
        rulesVersion: verdict.rulesVersion,
        modelVersion: verdict.modelVersion,
        reversesDecisionId: null,
        now,
      });
      await applyStrikes(trx, config.policy, identity.memberId, now);
    }
    return comment;
  };
  const stored =
    verdict.action === "allow" && !needsAcceptance
      ? await insertComment(db, newComment)
      : await db.transaction().execute(storeWithEffects);
  if (stored) return respond(c, stored);
  // A concurrent retry with the same key inserted first: answer with its comment.
  const winner = await findCommentByIdempotencyKey(db, identity.memberId, idempotencyKey!);
  if (!winner) throw new Error("idempotent insert conflicted but no comment holds the key");
  return replay(c, winner, requestHash);
}

/**
 * Records this member's post of the text and counts the other members who posted it within the window,
 * in one statement (the count's snapshot does not include the row being added).
 */
async function recordAndCountPosters(db: AppDeps["db"], fingerprint: string, memberId: string, now: Date, windowSeconds: number): Promise<number> {
  const row = await db
    .with("recorded", (qb) =>
      qb.insertInto("comment_fingerprints").values({ fingerprint, member_id: memberId, created_at: now }).returning("fingerprint"),
    )
    .selectFrom("comment_fingerprints")
    .select((eb) => eb.fn.count<string>("member_id").distinct().as("members"))
    .where("fingerprint", "=", fingerprint)
    .where("member_id", "<>", memberId)
    .where("created_at", ">", new Date(now.getTime() - windowSeconds * 1000))
    .executeTakeFirstOrThrow();
  return Number(row.members);
}

/** The same text from many accounts: held for a moderator, with the flood named as the reason. */
function withFloodReason(verdict: Verdict, floods: AppDeps["config"]["policy"]["floods"], members: number): Verdict {
  const reason = {
    ruleId: floods.ruleId,
    forumRule: floods.forumRule,
    severity: "medium" as const,
    category: floods.category,
    action: "review" as const,
    message: `${floods.reason}（${members} 個帳號）`,
    spans: [],
  };
  return { ...verdict, action: "review", reasons: [...verdict.reasons, reason] };
}

function highestSeverity(verdict: Verdict): Severity | null {
  return verdict.reasons.reduce<Severity | null>((highest, reason) => higherSeverity(highest, reason.severity), null);
}

function hashRequest(articleId: string, body: string, rulesVersion: string): string {
  return createHash("sha256").update(JSON.stringify([articleId, body, rulesVersion])).digest("hex");
}

function replay(c: Context<AppEnv>, earlier: CommentRow, requestHash: string): Response {
  if (earlier.request_hash !== requestHash) {
    throw new ApiError(409, "idempotency_key_reused", "this idempotency key was already used for a different comment", {
      commentId: earlier.id,
    });
  }
  c.header("Idempotent-Replayed", "true");
  return respond(c, earlier);
}

/** The author's view of their comment: its status and the verdict that decided it, as an author sees one. */
function authorView(comment: CommentRow) {
  return {
    id: comment.id,
    articleId: comment.article_id,
    memberId: comment.member_id,
    body: comment.body,
    status: comment.status,
    createdAt: comment.created_at.toISOString(),
    verdict: verdictForAuthor(comment.verdict),
  };
}

function respond(c: Context<AppEnv>, comment: CommentRow): Response {
  switch (comment.status) {
    case "published":
      return c.json({ comment: authorView(comment) }, 201);
    case "pending":
      return c.json(
        { comment: authorView(comment), message: "留言已送出，將由管理員審核後顯示 (held for review)" },
        202,
      );
    case "removed": {
      const reasons = reasonsForAuthor(comment.verdict.reasons);
      return c.json(
        errorBody("comment_rejected", reasons[0]?.message ?? "留言違反討論區規則，無法刊登", {
          comment: authorView(comment),
          reasons,
        }),
        422,
      );
    }
  }
}

// A page of comments ends at its last row's time and id.
const commentCursor = z.tuple([z.iso.datetime(), cursorRowId]);
