import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { findComment, listCommentVersions } from "../db/comments.ts";
import { findMember } from "../db/members.ts";
import { findDecision } from "../db/decisions.ts";
import { claimNextItem, countOpenReviewItems, findReviewItem, latestItemId, listReviewItems, queueCardFacts, sourcesOf, type QueueCursor } from "../db/review.ts";
import { listReportsOn } from "../db/reports.ts";
import { findTagById } from "../db/tags.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import { conflictOfInterest } from "../review/conflict.ts";
import { decideReviewItem, decisionInputSchema } from "../review/decide.ts";
import { bulkDecisionSchema, decideInBulk } from "../review/bulk.ts";
import { secondLookInputSchema, takeSecondLook } from "../review/second-look.ts";
import { listOpenSecondLooks } from "../db/second-looks.ts";
import { memberStanding } from "../members/history.ts";
import { escalate, escalateSchema, itemAge } from "../review/escalate.ts";
import { assertItemInSites, sitesAsked, staffOf } from "../review/scope.ts";
import { decisionView } from "../views/decisions.ts";
import { commentSubjectView, countsView, itemDetailView, itemView, memberSubjectView, queueItemView, secondLookDoneView, secondLookView, tagSubjectView, type SubjectView } from "../views/review.ts";
import { isRowId } from "../http/row-id.ts";
import { cursorRowId, decodeCursor, encodeCursor } from "../http/cursor.ts";

const listQuerySchema = z.strictObject({
  kind: z.enum(["moderation", "appeal"]).optional(),
  subject: z.enum(["comment", "tag", "member"]).optional(),
  forumRule: z.enum(["R1", "R2", "R3", "R4"]).optional(),
  source: z.enum(["automated_detection", "member_report", "appeal"]).optional(),
  state: z.enum(["open", "decided"]).default("open"),
  // true: the admins' queue of escalated items; false: the others.
  escalated: z.enum(["true", "false"]).transform((value) => value === "true").optional(),
  // One member's items (their comments, tags, nickname), or the items on one article.
  memberId: z.string().min(1).max(128).optional(),
  articleId: z.string().min(1).max(128).optional(),
  // One site's items (rules/sites.yaml); a moderator limited to some sites sees only theirs anyway.
  site: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});

const liveQuerySchema = z.strictObject({ since: z.string().refine((value) => value === "0" || isRowId(value), "an item id or 0") });
/** New items a live queue is sent at once at most; more show in the counts. */
const LIVE_ITEMS = 20;

// `escalated: true` (admins): the next escalated item.
export const claimSchema = z.strictObject({ kind: z.enum(["moderation", "appeal"]).optional(), escalated: z.boolean().optional() });

// A page of the queue ends at its last item's sort key and id.
const queueCursor = z.tuple([z.number().finite(), cursorRowId]);
const queueCursorOf = ([sortKey, id]: [number, string]): QueueCursor => ({ sortKey, id });


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
    const { limit, cursor, subject, site, ...filters } = query.data;
    const { db, config, clock } = c.get("deps");
    const sites = sitesAsked(config.sites, site, c.get("identity").moderatorSites);
    const page = await listReviewItems(db, { ...filters, subjectKind: subject, sites }, limit + 1, cursor ? queueCursorOf(decodeCursor(cursor, queueCursor)) : null);
    const shown = page.slice(0, limit);
    const now = clock.now();
    const facts = await queueCardFacts(db, shown);
    return c.json({
      items: shown.map((item) => queueItemView(item, itemAge(item, now, config.policy.review.targetHours), facts)),
      nextCursor: page.length > limit ? encodeCursor([shown.at(-1)!.sort_key, shown.at(-1)!.id]) : null,
    });
  });

  routes.get("/items/:id", async (c) => {
    const { db, config, clock } = c.get("deps");
    const id = itemIdParam(c.req.param("id"));
    const item = await findReviewItem(db, id);
    if (!item) throw new ApiError(404, "review_item_not_found", `no review item ${id}`);
    assertItemInSites(item, c.get("identity").moderatorSites);
    const [sources, reports] = await Promise.all([
      sourcesOf(db, item.id),
      listReportsOn(db, item.subject_kind, item.subject_id),
    ]);
    let subject: SubjectView | null = null;
    // Whose conduct the item is about: the comment's author, the tag's creator, or the member.
    let memberId: string | null = null;
    if (item.subject_kind === "comment") {
      const comment = await findComment(db, item.subject_id);
      memberId = comment?.member_id ?? null;
      if (comment) {
        const [parent, earlier] = await Promise.all([comment.parent_id ? findComment(db, comment.parent_id) : undefined, listCommentVersions(db, comment.id)]);
        subject = commentSubjectView(comment, parent ?? null, earlier);
      }
    } else if (item.subject_kind === "tag") {
      const tag = await findTagById(db, item.subject_id);
      memberId = tag?.created_by ?? null;
      subject = tag ? tagSubjectView(tag) : null;
    } else if (item.subject_kind === "member") {
      const member = await findMember(db, item.subject_id);
      memberId = member?.id ?? null;
      subject = member ? memberSubjectView(member) : null;
    }
    const [member, appealedDecision, conflict] = await Promise.all([
      memberStanding(db, config.policy, memberId, clock.now(), c.get("identity").moderatorSites),
      item.appeal_of_decision_id ? findDecision(db, item.appeal_of_decision_id) : undefined,
      conflictOfInterest(db, item, c.get("identity").memberId),
    ]);
    return c.json(
      itemDetailView({
        item,
        conflict: conflict ? { reason: conflict.details.reason, message: conflict.message } : null,
        subject,
        member,
        appealedDecision,
        sources,
        reports,
        age: itemAge(item, clock.now(), config.policy.review.targetHours),
      }),
    );
  });

  // What a live queue needs each few seconds: the counts, and the open items opened since the newest it has
  // seen (a moderator's leave out the escalated ones), with `latest` to ask from next time.
  routes.get("/live", async (c) => {
    const query = liveQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { db, clock, config } = c.get("deps");
    const now = clock.now();
    const admin = c.get("identity").role === "admin";
    const sites = c.get("identity").moderatorSites;
    // The newest id is read first: an item that commits meanwhile is listed now or asked for next time.
    const latest = await latestItemId(db);
    const [counts, found] = await Promise.all([
      countOpenReviewItems(db, now, sites),
      listReviewItems(db, { state: "open", sinceId: query.data.since, sites, ...(admin ? {} : { escalated: false }) }, LIVE_ITEMS + 1, null, "oldest"),
    ]);
    // More than a look carries: send the oldest, and ask from the last one sent next time.
    const fresh = found.slice(0, LIVE_ITEMS);
    const next = found.length > LIVE_ITEMS ? fresh.at(-1)!.id : latest;
    const facts = await queueCardFacts(db, fresh);
    return c.json({
      counts: countsView(counts),
      latest: next,
      items: fresh.map((item) => queueItemView(item, itemAge(item, now, config.policy.review.targetHours), facts)),
    });
  });

  // Open items by kind, subject, forum rule and source, for the queue's filters.
  routes.get("/counts", async (c) => {
    const { db, clock } = c.get("deps");
    const sites = c.get("identity").moderatorSites;
    const [counts, latest] = await Promise.all([countOpenReviewItems(db, clock.now(), sites), latestItemId(db)]);
    // `sites`: the sites the caller is limited to (null: every site).
    return c.json({ ...countsView(counts), latest, sites: sites ?? null });
  });

  routes.post("/claim", limitBody(4096), async (c) => {
    // The body is optional: a bare POST claims the next item of any kind.
    const input = c.req.header("content-type") ? await readJson(c, claimSchema) : {};
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    // Moderators never get an escalated item; admins get any, or only escalated ones when they ask.
    const admin = c.get("identity").role === "admin";
    if (input.escalated && !admin) throw new ApiError(403, "escalated_to_admins", "only admins claim escalated items");
    const escalated = !admin ? "skip" : input.escalated ? "only" : "any";
    const item = await claimNextItem(db, moderatorId, now, config.policy.review.leaseSeconds, input.kind, escalated, c.get("identity").moderatorSites);
    return c.json({ item: item ? itemView(item) : null });
  });

  routes.post("/items/:id/decision", limitBody(16 * 1024), async (c) => {
    const id = itemIdParam(c.req.param("id"));
    const input = await readJson(c, decisionInputSchema);
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    const outcome = await decideReviewItem(db, config.policy, moderatorId, id, input, now, staffOf(c.get("identity")));
    return c.json(
      {
        decision: decisionView(outcome.decision),
        strikeSuspension: outcome.strikeSuspension ? decisionView(outcome.strikeSuspension) : null,
        liftedSuspension: outcome.liftedSuspension ? decisionView(outcome.liftedSuspension) : null,
      },
      201,
    );
  });

  // One action and note over many items: each decided on its own, with a result per item.
  routes.post("/bulk-decisions", limitBody(32 * 1024), async (c) => {
    const input = await readJson(c, bulkDecisionSchema);
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    const outcome = await decideInBulk(db, config.policy, moderatorId, staffOf(c.get("identity")), input, now);
    const decided = outcome.results.filter((result) => result.ok).length;
    return c.json({
      batchId: outcome.batchId,
      decided,
      failed: outcome.results.length - decided,
      more: outcome.more,
      results: outcome.results.map((result) =>
        result.ok
          ? { itemId: result.itemId, ok: true, decision: decisionView(result.decision), strikeSuspension: result.strikeSuspension ? decisionView(result.strikeSuspension) : null }
          : result,
      ),
    });
  });

  // Blind second looks: the open ones the caller may take (the subject, what the rules found, the reports;
  // never the decision), and the caller's call, answered with the first decision and whether they agree.
  routes.get("/second-looks", async (c) => {
    const { db } = c.get("deps");
    const looks = await listOpenSecondLooks(db, c.get("identity").memberId, 50, c.get("identity").moderatorSites);
    const facts = await queueCardFacts(db, looks.map((look) => ({ id: look.review_item_id, subject_kind: look.subject_kind, subject_id: look.subject_id })));
    return c.json({ looks: looks.map((look) => secondLookView(look, facts)) });
  });

  routes.post("/second-looks/:id", limitBody(8 * 1024), async (c) => {
    const id = c.req.param("id");
    if (!isRowId(id)) throw new ApiError(404, "second_look_not_found", `no second look ${id}`);
    const input = await readJson(c, secondLookInputSchema);
    const { db, clock } = c.get("deps");
    const reviewerId = c.get("identity").memberId;
    const now = clock.now();
    const outcome = await takeSecondLook(db, reviewerId, id, input, now, c.get("identity").moderatorSites);
    return c.json({ look: secondLookDoneView(outcome.look), first: decisionView(outcome.first) });
  });

  // Hand an open item to the admins with a note; it leaves the moderators' claims.
  routes.post("/items/:id/escalate", limitBody(8 * 1024), async (c) => {
    const id = itemIdParam(c.req.param("id"));
    const input = await readJson(c, escalateSchema);
    const { db, clock, config } = c.get("deps");
    const moderatorId = c.get("identity").memberId;
    const now = clock.now();
    const item = await escalate(db, moderatorId, id, input.note, now, c.get("identity").moderatorSites);
    return c.json({ item: { ...itemView(item), age: itemAge(item, now, config.policy.review.targetHours) } }, 200);
  });

  return routes;
}
