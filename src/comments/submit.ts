import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import type { AppDeps } from "../app-env.ts";
import type { Identity } from "../auth/token.ts";
import { siteIdOfArticle } from "../db/articles.ts";
import { DEFAULT_SITE_ID } from "../sites.ts";
import { findComment, findCommentByIdempotencyKey, insertComment, postCommentInOneTrip, type CommentRow } from "../db/comments.ts";
import { newItemValues } from "../db/review.ts";
import { recordMemberAcceptance } from "../db/members.ts";
import type { Database, Severity } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Verdict } from "../moderation/verdict.ts";
import { higherSeverity } from "../db/review-priority.ts";
import { articleSite, assertMayAct } from "../members/may-act.ts";
import { hasLink, heldLevels, premoderationOf, reassessTrust, settleTrust, trustBounds, type Premoderation } from "../review/trust.ts";
import { automaticRemovalGrounds, holdForReview, removeAutomatically } from "../review/intake.ts";
import { strikeRule } from "../review/sanctions.ts";
import { floodCheck, judgeFlood, screenCommentStored, screenCommentText } from "../screening/comment.ts";
import { enforceRateLimit, rateLimitError, rateLimitWindows } from "../http/rate-limit.ts";
import { refusalError } from "../screening/phase.ts";
import { judgeReply } from "../screening/reply.ts";
import { isRowId } from "../http/row-id.ts";

/** What a member sends: the comment, the forum rules version they accepted, and a key for retries. */
export interface SubmitCommentInput {
  body: string;
  acceptedRulesVersion?: string;
  idempotencyKey?: string;
  parentId?: string;
}

const STATUS_OF: Record<Verdict["action"], "published" | "pending" | "removed"> = {
  allow: "published",
  review: "pending",
  reject: "removed",
};

/**
 * A member's comment on an article, from the rate limit and the checks to the stored row with everything
 * its verdict brings (a review item; or a decision and perhaps a strike suspension), in one transaction
 * when there is more than the row. Most comments are posted by members who accepted the current rules,
 * without a retry key: those take one round trip in all (postCommentInOneTrip, with the held one's review
 * item or the removed one's decision; a removal that suspends takes the general path). A retry of a key
 * already stored answers with that comment (`replayed`).
 */
export async function submitComment(
  deps: Pick<AppDeps, "db" | "clock" | "moderator" | "config">,
  identity: Identity,
  articleId: string,
  input: SubmitCommentInput,
  clientIp: string | null,
): Promise<{ comment: CommentRow; replayed: boolean; premoderation?: Premoderation | null }> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const memberId = identity.memberId;
  const idempotencyKey = input.idempotencyKey ?? null;
  // The article's site: its forum rules, its policy and its handling of the engine's rules (src/sites.ts).
  const site = await articleSite(deps, identity, articleId);
  const { policy, moderator } = site;
  const currentVersion = site.forumRules.version;
  const body = input.body.trim();
  const read = screenCommentText(body, { moderator, maxCommentChars: config.maxCommentChars });
  const requestHash = hashRequest(articleId, body, currentVersion);

  // The common case in one round trip; what it found (counts taken, fingerprint recorded) carries on.
  let floodCounted: number | null = null;
  const action = read.verdict?.action;
  // Replies take the general path: their parent is checked and their verdict read in its context.
  const reply = input.parentId !== undefined;
  if (!read.refusal && idempotencyKey === null && !reply && input.acceptedRulesVersion === currentVersion) {
    const verdict = read.verdict!;
    const windows = rateLimitWindows(site.rateLimits, "comment", memberId, clientIp, now);
    const flood = floodCheck(read, policy.floods, now);
    const held = action === "review" ? heldFacts(verdict) : null;
    const link = hasLink(verdict);
    // Which levels would hold this allowed comment, and the review item each would open: the trip reads the level.
    const hold = Object.fromEntries(
      (action === "allow" ? heldLevels(policy.trust, link) : []).map((level) => {
        const facts = premoderatedFacts(verdict, premoderationOf(level, policy.trust, link)!);
        return [level, { ...facts, ...newItemValues(policy, { ...facts, reportWeight: 0, now }) }];
      }),
    );
    const trip = await postCommentInOneTrip(db, {
      articleId,
      memberId,
      body,
      status: STATUS_OF[verdict.action],
      review: held && { ...held, ...newItemValues(policy, { ...held, reportWeight: 0, now }) },
      verdict,
      acceptedRulesVersion: currentVersion,
      requestHash,
      now,
      windows,
      flood,
      hold,
      trustBounds: trustBounds(policy.trust),
      removal: action === "reject" ? { ...automaticRemovalGrounds(verdict), strikes: strikeRule(policy, now) } : null,
    });
    const over = windows.find((w) => trip.overLimit.some((o) => o.bucket === w.bucket));
    if (over) throw rateLimitError("comment", over, now);
    if (trip.comment) {
      const level = trip.trustLevel!;
      // A removal, or a publication by a member below trusted: the trip brought their history; a write only when the level moves.
      if (trip.trustFacts) {
        const cause = { [trip.comment.status === "removed" ? "removedCommentId" : "publishedCommentId"]: trip.comment.id };
        await settleTrust(db, policy.trust, { memberId, level, facts: trip.trustFacts, now, cause });
      }
      const premoderation = action === "allow" && trip.comment.status === "pending" ? premoderationOf(level, policy.trust, link) : null;
      return { comment: trip.comment, replayed: false, premoderation };
    }
    if (trip.open && flood !== null) floodCounted = trip.floodOthers;
  } else {
    await enforceRateLimit(db, site.rateLimits, "comment", memberId, clientIp, now, idempotencyKey);
  }
  if (read.refusal) throw refusalError(read.refusal);

  // The member's standing, on this site too.
  const member = await assertMayAct(db, memberId, now, "發言", { posting: true, site });
  if (input.acceptedRulesVersion !== currentVersion) {
    throw new ApiError(
      409,
      "rules_not_accepted",
      `請先閱讀並同意最新版討論區規則（版本 ${currentVersion}）後再發言`,
      { currentVersion, acceptedRulesVersion: input.acceptedRulesVersion ?? null },
    );
  }

  const parent = reply ? await replyParent(db, articleId, input.parentId!) : null;

  const screened =
    floodCounted === null
      ? await screenCommentStored(read, { db, memberId, now, floods: policy.floods })
      : judgeFlood(read, policy.floods, floodCounted);
  const verdict = parent ? judgeReply(screened.verdict!, body, policy.replies) : screened.verdict!;
  // A member not yet stored is a newcomer (the column's default when the comment stores them).
  const level = member?.trust_level ?? "newcomer";
  const premoderation = verdict.action === "allow" ? premoderationOf(level, policy.trust, hasLink(verdict)) : null;
  const newComment = {
    articleId,
    memberId,
    body,
    status: premoderation ? "pending" : STATUS_OF[verdict.action],
    verdict,
    acceptedRulesVersion: currentVersion,
    idempotencyKey,
    requestHash,
    now,
    parentId: parent?.id ?? null,
  };
  // Most posts are published by members who already accepted this version: one statement, no transaction.
  const needsAcceptance = member?.accepted_rules_version !== currentVersion;
  // The comment with what its verdict brings: a review item, or a decision and perhaps a strike.
  const storeWithEffects = async (trx: Transaction<Database>) => {
    if (needsAcceptance) await recordMemberAcceptance(trx, memberId, currentVersion, now);
    const comment = await insertComment(trx, newComment);
    if (comment?.status === "pending") {
      const facts = premoderation ? premoderatedFacts(verdict, premoderation) : heldFacts(verdict);
      await holdForReview(trx, policy, { subjectKind: "comment", subjectId: comment.id, ...facts, now });
    }
    if (comment?.status === "removed") {
      await removeAutomatically(trx, policy, { subjectKind: "comment", subjectId: comment.id, subjectText: comment.body, verdict, authorId: memberId, now });
    }
    // A removal counts against the member's recent history; a publication may lift a member below trusted.
    if (comment && (comment.status === "removed" || (comment.status === "published" && level !== "trusted"))) {
      await reassessTrust(trx, policy.trust, memberId, now, { [comment.status === "removed" ? "removedCommentId" : "publishedCommentId"]: comment.id });
    }
    return comment;
  };
  const stored =
    newComment.status === "published" && !needsAcceptance && level === "trusted"
      ? await insertComment(db, newComment)
      : await db.transaction().execute(storeWithEffects);
  if (stored) return { comment: stored, replayed: false, premoderation: stored.status === "pending" ? premoderation : null };
  // A concurrent retry with the same key inserted first: answer with its comment.
  const winner = await findCommentByIdempotencyKey(db, memberId, idempotencyKey!);
  if (!winner) throw new Error("idempotent insert conflicted but no comment holds the key");
  return { comment: checkedRetry(winner, requestHash), replayed: true };
}

/** The comment a reply answers: a published top-level comment of the same article (one level, as news sites do). */
async function replyParent(db: AppDeps["db"], articleId: string, parentId: string): Promise<CommentRow> {
  const parent = isRowId(parentId) ? await findComment(db, parentId) : undefined;
  if (!parent) throw new ApiError(404, "parent_not_found", `no comment ${parentId} to reply to`);
  if (parent.article_id !== articleId) throw new ApiError(400, "parent_not_on_article", `comment ${parentId} is on another article`);
  if (parent.parent_id !== null) throw new ApiError(400, "reply_to_reply", "只能回覆文章下的留言，不能回覆回覆 (replies are one level deep)");
  if (parent.status !== "published") throw new ApiError(409, "parent_not_published", "這則留言目前沒有刊登，無法回覆 (the comment is not published)");
  return parent;
}

/** What a held comment's review item carries, whichever path stores it: the verdict, its forum rules, its highest severity. */
export function heldFacts(verdict: Verdict) {
  const severity = verdict.reasons.reduce<Severity | null>((highest, reason) => higherSeverity(highest, reason.severity), null);
  return { detail: verdict as Verdict & { premoderation?: Premoderation }, forumRules: verdict.reasons.map((r) => r.forumRule), severity };
}

/** A comment the rules allow, held by pre-moderation: its item carries the verdict and why it waits (src/review/trust.ts). */
export function premoderatedFacts(verdict: Verdict, premoderation: Premoderation) {
  const facts = heldFacts(verdict);
  return { ...facts, detail: { ...facts.detail, premoderation } };
}

function hashRequest(articleId: string, body: string, rulesVersion: string): string {
  return createHash("sha256").update(JSON.stringify([articleId, body, rulesVersion])).digest("hex");
}

/** An earlier comment stored under the same key: the same request, or 409 for a key reused on another. */
function checkedRetry(earlier: CommentRow, requestHash: string): CommentRow {
  if (earlier.request_hash !== requestHash) {
    throw new ApiError(409, "idempotency_key_reused", "this idempotency key was already used for a different comment", {
      commentId: earlier.id,
    });
  }
  return earlier;
}

/**
 * The comment a retry of an earlier submission (the same idempotency key) already stored, or null: asked
 * before the rate limit counts the request, so a client retrying one comment has posted one comment.
 */
export async function findRetriedComment(
  deps: Pick<AppDeps, "db" | "config">,
  memberId: string,
  articleId: string,
  input: SubmitCommentInput,
): Promise<CommentRow | null> {
  if (!input.idempotencyKey) return null;
  const earlier = await findCommentByIdempotencyKey(deps.db, memberId, input.idempotencyKey);
  if (!earlier) return null;
  const siteId = await siteIdOfArticle(deps.db, deps.config.sites, articleId);
  const version = deps.config.sites.of(siteId ?? DEFAULT_SITE_ID).forumRules.version;
  return checkedRetry(earlier, hashRequest(articleId, input.body.trim(), version));
}
