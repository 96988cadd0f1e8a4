import type { CommentRow, PublishedComment } from "../db/comments.ts";
import { verdictForAuthor } from "../moderation/verdict.ts";

/** A stored comment's own fields, as the author and moderators see them. */
export function commentFields(comment: CommentRow) {
  return {
    id: comment.id,
    articleId: comment.article_id,
    memberId: comment.member_id,
    body: comment.body,
    status: comment.status,
    parentId: comment.parent_id,
    version: comment.version,
    createdAt: comment.created_at.toISOString(),
    editedAt: comment.edited_at?.toISOString() ?? null,
  };
}

/** The author's view of their comment: its status and the verdict that decided it, as an author sees one. */
export function authorView(comment: CommentRow) {
  return { ...commentFields(comment), verdict: verdictForAuthor(comment.verdict) };
}

/** A page of an article's published comments, newest first, with the published count and the next page's cursor. */
export function commentsPageView(articleId: string, publishedCount: number, comments: PublishedComment[], nextCursor: string | null) {
  return {
    articleId,
    publishedCount,
    comments: comments.map(({ parentId, parentGone, editedAt, ...comment }) => ({
      ...comment,
      createdAt: comment.createdAt.toISOString(),
      editedAt: editedAt?.toISOString() ?? null,
      // A reply keeps its place when the comment it answers is taken down or deleted: that one shows as gone.
      replyTo: parentId === null ? null : { id: parentId, removed: parentGone === true },
    })),
    nextCursor,
  };
}
export type CommentsPageView = ReturnType<typeof commentsPageView>;
export type AuthorCommentView = ReturnType<typeof authorView>;
