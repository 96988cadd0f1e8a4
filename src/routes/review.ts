import { Hono } from "hono";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../auth/middleware.ts";
import { findComment } from "../db/comments.ts";
import { activeSuspension, ensureMember, findMember } from "../db/members.ts";
import { findDecision, listDecisionsAffecting } from "../db/decisions.ts";
import { claimNextItem, countOpenReviewItems, findReviewItem, listReviewItems, sourcesOf, type QueueCursor, type ReviewItemRow } from "../db/review.ts";
import { listReportsOn } from "../db/reports.ts";
import { findTagById } from "../db/tags.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import type { Database } from "../db/schema.ts";
import type { Policy } from "../policy.ts";
import { conflictOfInterest } from "../review/conflict.ts";
import { decideReviewItem, decisionInputSchema } from "../review/decide.ts";
import { currentStrikes } from "../review/sanctions.ts";
import { decisionView } from "./decisions.ts";
import { isRowId } from "../http/row-id.ts";
import { cursorRowId, decodeCursor, encodeCursor } from "../http/cursor.ts";

const listQuerySchema = z.strictObject({
  kind: z.enum(["moderation", "appeal"]).optional(),
  subject: z.enum(["comment", "tag", "member"]).optional(),
  forumRule: z.enum(["R1", "R2", "R3", "R4"]).optional(),
  source: z.enum(["automated_detection", "member_report", "appeal"]).optional(),
  state: z.enum(["open", "decided"]).default("open"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});

export const claimSchema = z.strictObject({ kind: z.enum(["moderation", "appeal"]).optional() });

export function itemView(item: ReviewItemRow) {
  return {
    id: item.id,
    kind: item.kind,
    subjectKind: item.subject_kind,
    subjectId: item.subject_id,
    appealOfDecisionId: item.appeal_of_decision_id,
    state: item.state,
    forumRules: item.forum_rules,
    severity: item.severity,
    reportWeight: item.report_weight,
    priority: Number(item.sort_key.toFixed(4)),
    claimedBy: item.claimed_by,
    leaseUntil: item.lease_until?.toISOString() ?? null,
    decisionId: item.decision_id,
    createdAt: item.created_at.toISOString(),
    decidedAt: item.decided_at?.toISOString() ?? null,
  };
}

// A page of the queue ends at its last item's sort key and id.
const queueCursor = z.tuple([z.number().finite(), cursorRowId]);
const queueCursorOf = ([sortKey, id]: [number, string]): QueueCursor => ({ sortKey, id });

/** What a moderator weighs besides the item: the member's standing, strikes and the decisions that affected them. */
async function memberHistory(db: Kysely<Database>, policy: Policy, memberId: string | null, now: Date) {
  if (!memberId) return null;
  const [member, strikes, decisions] = await Promise.all([
    findMember(db, memberId),
    currentStrikes(db, policy, memberId, now),
    listDecisionsAffecting(db, memberId, 20),
  ]);
  return {
    id: memberId,
    nickname: member?.nickname ?? null,
    nicknameStatus: member?.nickname_status ?? null,
    status: member?.status ?? "active",
    suspendedUntil: member ? (activeSuspension(member, now)?.toISOString() ?? null) : null,
    strikes: strikes.length,
    strikePolicy: policy.strikes,
    recentDecisions: decisions.map(decisionView),
  };
}

function itemIdParam(id: string | undefined): string {
  if (!isRowId(id)) throw new ApiError(404, "review_item_not_found", `no review item ${id ?? ""}`);
  return id;
}

export function reviewRoutes() {
  const routes = new Hono<AppEnv>();
  routes.use(requireIdentity, requireRole("moderator", "admin"));

  routes.get("/items", async (c) => {
    const query = listQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { limit, cursor, subject, ...filters } = query.data;
    const page = await listReviewItems(c.get("deps").db, { ...filters, subjectKind: subject }, limit + 1, cursor ? queueCursorOf(decodeCursor(cursor, queueCursor)) : null);
    const shown = page.slice(0, limit);
    return c.json({ items: shown.map((item) => ({ ...itemView(item), subjectExcerpt: item.subject_excerpt })), nextCursor: page.length > limit ? encodeCursor([shown.at(-1)!.sort_key, shown.at(-1)!.id]) : null });
  });

  routes.get("/items/:id", async (c) => {
    const { db, config, clock } = c.get("deps");
    const id = itemIdParam(c.req.param("id"));
    const item = await findReviewItem(db, id);
    if (!item) throw new ApiError(404, "review_item_not_found", `no review item ${id}`);
    const [sources, reports] = await Promise.all([
      sourcesOf(db, item.id),
      listReportsOn(db, item.subject_kind, item.subject_id),
    ]);
    let subject: unknown = null;
    // Whose conduct the item is about: the comment's author, the tag's creator, or the member.
    let memberId: string | null = null;
    if (item.subject_kind === "comment") {
      const comment = await findComment(db, item.subject_id);
      memberId = comment?.member_id ?? null;
      subject = comment && {
        id: comment.id,
        articleId: comment.article_id,
        memberId: comment.member_id,
        body: comment.body,
        status: comment.status,
        verdict: comment.verdict,
        createdAt: comment.created_at.toISOString(),
      };
    } else if (item.subject_kind === "tag") {
      const tag = await findTagById(db, item.subject_id);
      memberId = tag?.created_by ?? null;
      subject = tag && { id: tag.id, articleId: tag.article_id, label: tag.label, status: tag.status, verdict: tag.verdict, createdBy: tag.created_by };
    } else if (item.subject_kind === "member") {
      const member = await findMember(db, item.subject_id);
      memberId = member?.id ?? null;
      subject = member && { id: member.id, nickname: member.nickname, status: member.status };
    }
    const [member, appealedDecision, conflict] = await Promise.all([
      memberHistory(db, config.policy, memberId, clock.now()),
      item.appeal_of_decision_id ? findDecision(db, item.appeal_of_decision_id) : undefined,
      conflictOfInterest(db, item, c.get("identity").memberId),
    ]);
    return c.json({
      item: itemView(item),
      // Set when the caller may not decide this item (their own content, or an appeal of their decision).
      conflictOfInterest: conflict ? { reason: conflict.details.reason, message: conflict.message } : null,
      subject,
      member,
      appealedDecision: appealedDecision ? decisionView(appealedDecision) : null,
      sources: sources.map((s) => ({ source: s.source, detail: s.detail, createdAt: s.created_at.toISOString() })),
      reports: reports.map((r) => ({
        id: r.id,
        reporterId: r.reporter_id,
        reason: r.reason,
        note: r.note,
        weight: r.weight,
        outcome: r.outcome,
        createdAt: r.created_at.toISOString(),
      })),
    });
  });

  // Open items by kind, subject, forum rule and source, for the queue's filters.
  routes.get("/counts", async (c) => {
    const { db, clock } = c.get("deps");
    const counts = await countOpenReviewItems(db, clock.now());
    return c.json({
      open: (counts.byKind.moderation ?? 0) + (counts.byKind.appeal ?? 0),
      claimed: counts.claimed,
      byKind: counts.byKind,
      bySubject: counts.bySubject,
      byForumRule: counts.byForumRule,
      bySource: counts.bySource,
    });
  });

  routes.post("/claim", limitBody(4096), async (c) => {
    // The body is optional: a bare POST claims the next item of any kind.
    const input = c.req.header("content-type") ? await readJson(c, claimSchema) : {};
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    await ensureMember(db, moderatorId, now);
    const item = await claimNextItem(db, moderatorId, now, config.policy.review.leaseSeconds, input.kind);
    return c.json({ item: item ? itemView(item) : null });
  });

  routes.post("/items/:id/decision", limitBody(16 * 1024), async (c) => {
    const id = itemIdParam(c.req.param("id"));
    const input = await readJson(c, decisionInputSchema);
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    await ensureMember(db, moderatorId, now);
    const outcome = await decideReviewItem(db, config.policy, moderatorId, id, input, now);
    return c.json(
      {
        decision: decisionView(outcome.decision),
        strikeSuspension: outcome.strikeSuspension ? decisionView(outcome.strikeSuspension) : null,
        liftedSuspension: outcome.liftedSuspension ? decisionView(outcome.liftedSuspension) : null,
      },
      201,
    );
  });

  return routes;
}
