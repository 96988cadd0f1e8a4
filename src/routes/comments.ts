import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../http/auth.ts";
import { findArticleState } from "../db/articles.ts";
import { entityTag, publicRead } from "../http/cache.ts";
import type { Premoderation } from "../review/trust.ts";
import { findArticlePage, type CommentRow } from "../db/comments.ts";
import { authorView, commentsPageView } from "../views/comments.ts";
import { errorBody } from "../errors.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import { reasonsForAuthor } from "../moderation/verdict.ts";
import { articleIdParam } from "./articles.ts";
import { articleNotFound } from "../errors.ts";
import { cursorRowId, decodeCursor, encodeCursor } from "../http/cursor.ts";
import { findRetriedComment, submitComment } from "../comments/submit.ts";
import { deleteOwnComment, editComment } from "../comments/edit.ts";

export const submitCommentSchema = z.strictObject({
  body: z.string(),
  acceptedRulesVersion: z.string().optional(),
  idempotencyKey: z.string().min(1).max(128).optional(),
  /** The published top-level comment of this article this one answers. */
  parentId: z.string().optional(),
});

export const listCommentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});


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
    const { clientIp } = c.get("deps");
    const identity = c.get("identity");
    const input = await readJson(c, submitCommentSchema);
    const retried = await findRetriedComment(c.get("deps"), identity.memberId, articleId, input);
    if (retried) return respond(c, retried, true);
    const { comment, replayed, premoderation } = await submitComment(c.get("deps"), identity, articleId, input, clientIp(c));
    return respond(c, comment, replayed, premoderation ?? null);
  });

  routes.get("/:id/comments", async (c) => {
    const articleId = articleIdParam(c);
    const query = listCommentsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { db } = c.get("deps");
    const decoded = query.data.cursor === undefined ? null : decodeCursor(query.data.cursor, commentCursor);
    const cursor = decoded && { createdAt: new Date(decoded[0]), id: decoded[1] };
    const tagOf = (changes: number) => entityTag(["comments", articleId, changes, query.data.limit, query.data.cursor ?? ""]);
    const read = publicRead(c, c.get("recentReads"), `comments\u0000${articleId}\u0000${query.data.limit}\u0000${query.data.cursor ?? ""}`);
    if (read.answer) return read.answer;
    // A client that holds a tag may need no page at all: the state alone first. Otherwise both at once.
    if (c.req.header("if-none-match")) {
      const state = await findArticleState(db, articleId);
      if (!state) throw articleNotFound(articleId);
      const notModified = read.notModified(tagOf(state.changes));
      if (notModified) return notModified;
    }
    const found = await findArticlePage(db, articleId, query.data.limit + 1, cursor);
    if (!found) throw articleNotFound(articleId);
    const { state, page } = found;
    const shown = page.slice(0, query.data.limit);
    const last = shown.at(-1);
    const nextCursor = page.length > query.data.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null;
    return read.reply(tagOf(state.changes), JSON.stringify(commentsPageView(articleId, state.publishedComments, shown, nextCursor)));
  });

  return routes;
}

export const editCommentSchema = z.strictObject({ body: z.string() });

/** The author's own comment: PATCH edits it (moderated like a new one), DELETE deletes it. */
export function ownCommentRoutes(maxCommentChars: number) {
  const routes = new Hono<AppEnv>();

  routes.patch("/:id", requireIdentity, limitBody(maxCommentRequestBytes(maxCommentChars)), async (c) => {
    const input = await readJson(c, editCommentSchema);
    const { clientIp } = c.get("deps");
    const { comment, premoderation } = await editComment(c.get("deps"), c.get("identity"), c.req.param("id"), input.body, clientIp(c));
    if (comment.status === "pending") return respond(c, comment, false, premoderation);
    return c.json({ comment: authorView(comment) }, 200);
  });

  routes.delete("/:id", requireIdentity, async (c) => {
    const comment = await deleteOwnComment(c.get("deps"), c.get("identity"), c.req.param("id"));
    return c.json({ comment: authorView(comment) }, 200);
  });

  return routes;
}

function respond(c: Context<AppEnv>, comment: CommentRow, replayed: boolean, premoderation: Premoderation | null = null): Response {
  if (replayed) c.header("Idempotent-Replayed", "true");
  switch (comment.status) {
    case "published":
      return c.json({ comment: authorView(comment) }, 201);
    case "pending":
      // Pre-moderation (a newcomer, a watched member, a link) says it is routine and names its reason.
      return c.json(
        premoderation
          ? { comment: authorView(comment), message: premoderation.message, premoderation: { ruleId: premoderation.ruleId } }
          : { comment: authorView(comment), message: "留言已送出，將由管理員審核後顯示 (held for review)" },
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
    case "deleted":
      // A retry of a comment its author has since deleted: what it is now.
      return c.json({ comment: authorView(comment) }, 200);
  }
}

// A page of comments ends at its last row's time and id.
const commentCursor = z.tuple([z.iso.datetime(), cursorRowId]);
