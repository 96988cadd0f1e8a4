import type { AppDeps } from "../app-env.ts";
import type { Identity } from "../auth/token.ts";
import { findComment, keepVersionAndRewrite, lockComment, setCommentStatus, type CommentRow } from "../db/comments.ts";
import { lockOpenItemsOn, withdrawOpenItemsOn } from "../db/review.ts";
import { ApiError } from "../errors.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import { isRowId } from "../http/row-id.ts";
import { articleSite, assertMayAct } from "../members/may-act.ts";
import { hasLink, premoderationOf, type Premoderation } from "../review/trust.ts";
import { reasonsForAuthor, type Verdict } from "../moderation/verdict.ts";
import { holdForReview } from "../review/intake.ts";
import { screenCommentStored, screenCommentText } from "../screening/comment.ts";
import { refusalError } from "../screening/phase.ts";
import { judgeReply } from "../screening/reply.ts";
import { heldFacts, premoderatedFacts } from "./submit.ts";

// The author's own changes to a comment: an edit within the policy's window, moderated like a new comment
// (the old versions kept), and deletion (gone from the page and the count, kept for the decision record).

function notFound(id: string): ApiError {
  return new ApiError(404, "comment_not_found", `no comment ${id}`);
}

function ownComment(comment: CommentRow | undefined, id: string, memberId: string): CommentRow {
  if (!comment) throw notFound(id);
  if (comment.member_id !== memberId) throw new ApiError(403, "not_your_comment", "只能修改或刪除自己的留言 (not your comment)");
  return comment;
}

/**
 * An edit: refused (422 `edit_rejected`) when the rules would reject the new text, which leaves the
 * comment as it was; otherwise the old version is kept and the comment carries the new text. A published
 * comment stays published when the new text is allowed and the member's level does not hold it; it waits
 * for a moderator when the new text is held (its item carries the new verdict). A held comment stays held:
 * an edit never takes a comment out of the queue.
 */
export async function editComment(
  deps: Pick<AppDeps, "db" | "clock" | "moderator" | "config">,
  identity: Identity,
  commentId: string,
  body: string,
  clientIp: string | null,
): Promise<{ comment: CommentRow; premoderation: Premoderation | null }> {
  const { db, clock, config } = deps;
  const now = clock.now();
  if (!isRowId(commentId)) throw notFound(commentId);
  const text = body.trim();
  const before = ownComment(await findComment(db, commentId), commentId, identity.memberId);
  // Edited under the comment's site's policy and handling of the engine's rules (src/sites.ts).
  const site = await articleSite(deps, identity, before.article_id);
  const { policy, moderator } = site;
  await enforceRateLimit(db, site.rateLimits, "comment", identity.memberId, clientIp, now, null);
  const member = await assertMayAct(db, identity.memberId, now, "修改留言", { posting: true, site });
  const read = screenCommentText(text, { moderator, maxCommentChars: config.maxCommentChars });
  if (read.refusal) throw refusalError(read.refusal);
  // The flood check too: several members editing their comments into the same text is a flood.
  const screened = await screenCommentStored(read, { db, memberId: identity.memberId, now, floods: policy.floods });
  const parent = before.parent_id ? await findComment(db, before.parent_id) : undefined;
  const verdict: Verdict = parent ? judgeReply(screened.verdict!, text, policy.replies) : screened.verdict!;
  if (verdict.action === "reject") {
    const reasons = reasonsForAuthor(verdict.reasons);
    throw new ApiError(422, "edit_rejected", reasons[0]?.message ?? "修改後的留言違反討論區規則，原留言維持不變", { reasons });
  }
  const premoderation = verdict.action === "allow" ? premoderationOf(member?.trust_level ?? "newcomer", policy.trust, hasLink(verdict)) : null;
  const comment = await db.transaction().execute(async (trx) => {
    // Its open items first, then the comment: the order a decision takes them in, so the two never deadlock.
    await lockOpenItemsOn(trx, "comment", commentId);
    const current = ownComment(await lockComment(trx, commentId), commentId, identity.memberId);
    if (current.status === "removed" || current.status === "deleted") {
      throw new ApiError(409, "comment_not_editable", "這則留言已被移除或刪除，無法修改 (removed or deleted)");
    }
    if (now.getTime() - current.created_at.getTime() > policy.edits.windowMinutes * 60_000) {
      throw new ApiError(409, "edit_window_closed", `留言只能在發表後 ${policy.edits.windowMinutes} 分鐘內修改 (the edit window has closed)`, {
        windowMinutes: policy.edits.windowMinutes,
      });
    }
    const held = current.status === "pending" || verdict.action === "review" || premoderation !== null;
    const edited = await keepVersionAndRewrite(trx, current, { body: text, verdict, status: held ? "pending" : "published", now });
    // Whatever held it, the item gains the new version's verdict, so the moderator reads what is there now.
    if (held) {
      const facts = premoderation ? premoderatedFacts(verdict, premoderation) : heldFacts(verdict);
      await holdForReview(trx, policy, { subjectKind: "comment", subjectId: edited.id, ...facts, now });
    }
    return edited;
  });
  return { comment, premoderation: comment.status === "pending" ? premoderation : null };
}

/**
 * The author deletes their comment: gone from the page and the count, kept for the record; its open
 * moderation item (held, or reported) is withdrawn, and reports on it keep no outcome.
 */
export async function deleteOwnComment(deps: Pick<AppDeps, "db" | "clock">, identity: Identity, commentId: string): Promise<CommentRow> {
  const now = deps.clock.now();
  if (!isRowId(commentId)) throw notFound(commentId);
  return deps.db.transaction().execute(async (trx) => {
    // Its open items first, then the comment: the order a decision takes them in, so the two never deadlock.
    await lockOpenItemsOn(trx, "comment", commentId);
    const comment = ownComment(await lockComment(trx, commentId), commentId, identity.memberId);
    if (comment.status === "deleted") throw new ApiError(409, "already_deleted", "這則留言已經刪除 (already deleted)");
    if (comment.status === "removed") {
      throw new ApiError(409, "comment_not_deletable", "這則留言已被管理員移除，處理紀錄會保留 (taken down; the decision record stays)");
    }
    await setCommentStatus(trx, comment.id, "deleted", now);
    await withdrawOpenItemsOn(trx, "comment", comment.id, now);
    return { ...comment, status: "deleted" as const, updated_at: now };
  });
}
