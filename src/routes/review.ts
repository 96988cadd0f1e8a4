import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../auth/middleware.ts";
import { findComment } from "../db/comments.ts";
import { ensureMember, findMember } from "../db/members.ts";
import { claimNextItem, listReviewItems, sourcesOf, type QueueCursor, type ReviewItemRow } from "../db/review.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import { decideReviewItem, decisionInputSchema } from "../review/decide.ts";
import { decisionView } from "./decisions.ts";

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

function encodeCursor(item: ReviewItemRow): string {
  return Buffer.from(JSON.stringify([item.sort_key, item.id])).toString("base64url");
}

function decodeCursor(cursor: string): QueueCursor {
  try {
    const [sortKey, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof sortKey === "number" && typeof id === "string" && /^\d{1,19}$/.test(id)) return { sortKey, id };
  } catch {
    // reported below
  }
  throw new ApiError(400, "invalid_cursor", "cursor is not one this API returned");
}

function itemIdParam(id: string | undefined): string {
  if (!id || !/^\d{1,19}$/.test(id)) throw new ApiError(404, "review_item_not_found", `no review item ${id ?? ""}`);
  return id;
}

export function reviewRoutes() {
  const routes = new Hono<AppEnv>();
  routes.use(requireIdentity, requireRole("moderator", "admin"));

  routes.get("/items", async (c) => {
    const query = listQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { limit, cursor, subject, ...filters } = query.data;
    const page = await listReviewItems(c.get("deps").db, { ...filters, subjectKind: subject }, limit + 1, cursor ? decodeCursor(cursor) : null);
    const shown = page.slice(0, limit);
    return c.json({ items: shown.map(itemView), nextCursor: page.length > limit ? encodeCursor(shown.at(-1)!) : null });
  });

  routes.get("/items/:id", async (c) => {
    const { db } = c.get("deps");
    const id = itemIdParam(c.req.param("id"));
    const item = await db.selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirst();
    if (!item) throw new ApiError(404, "review_item_not_found", `no review item ${id}`);
    const [sources, reports] = await Promise.all([
      sourcesOf(db, item.id),
      db
        .selectFrom("reports")
        .select(["id", "reporter_id", "reason", "note", "weight", "outcome", "created_at"])
        .where("subject_kind", "=", item.subject_kind)
        .where("subject_id", "=", item.subject_id)
        .orderBy("id")
        .execute(),
    ]);
    let subject: unknown = null;
    if (item.subject_kind === "comment") {
      const comment = await findComment(db, item.subject_id);
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
      const tag = await db.selectFrom("tags").selectAll().where("id", "=", item.subject_id).executeTakeFirst();
      subject = tag && { id: tag.id, articleId: tag.article_id, label: tag.label, status: tag.status, verdict: tag.verdict, createdBy: tag.created_by };
    } else if (item.subject_kind === "member") {
      const member = await findMember(db, item.subject_id);
      subject = member && { id: member.id, nickname: member.nickname, status: member.status };
    }
    return c.json({
      item: itemView(item),
      subject,
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
      },
      201,
    );
  });

  return routes;
}
