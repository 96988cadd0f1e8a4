import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { requireIdentity } from "../auth/middleware.ts";
import { findComment, setCommentStatus } from "../db/comments.ts";
import { ensureMember, findMember } from "../db/members.ts";
import { feedReviewItem } from "../db/review.ts";
import { ApiError } from "../errors.ts";
import { limitBody, readJson } from "../http/json-body.ts";
import { enforceRateLimit } from "../http/rate-limit.ts";
import { reporterWeight } from "../policy.ts";
import { assertMayAct } from "./sanction-checks.ts";
import { isRowId } from "../http/row-id.ts";

export const reportSchema = z.strictObject({
  subject: z.enum(["comment", "tag", "member"]),
  id: z.string().trim().min(1).max(64),
  reason: z.enum(["illegal", "rights", "false", "abuse", "meaningless", "irrelevant", "nickname", "spam", "other"]),
  note: z.string().trim().max(500).optional(),
});

// Which forum rule a reason points at, for the review item's filters.
const FORUM_RULE_OF_REASON: Record<z.infer<typeof reportSchema>["reason"], string | null> = {
  illegal: "R1",
  rights: "R1",
  false: "R2",
  abuse: "R2",
  meaningless: "R3",
  irrelevant: "R3",
  nickname: "R4",
  spam: null,
  other: null,
};

export function reportRoutes() {
  const routes = new Hono<AppEnv>();

  routes.post("/", requireIdentity, limitBody(8 * 1024), async (c) => {
    const { db, clock, config, clientIp } = c.get("deps");
    const reporterId = c.get("identity").memberId;
    const now = clock.now();
    await enforceRateLimit(db, config.policy, "report", reporterId, clientIp(c), now);
    const input = await readJson(c, reportSchema);
    await assertMayAct(db, reporterId, now, "檢舉");

    let ownerId: string;
    if (input.subject === "comment") {
      const comment = isRowId(input.id) ? await findComment(db, input.id) : undefined;
      if (!comment || comment.status === "removed") throw new ApiError(404, "subject_not_found", `no comment ${input.id}`);
      ownerId = comment.member_id;
    } else if (input.subject === "tag") {
      const tag = isRowId(input.id)
        ? await db.selectFrom("tags").select(["created_by", "status"]).where("id", "=", input.id).executeTakeFirst()
        : undefined;
      if (!tag || tag.status === "removed") throw new ApiError(404, "subject_not_found", `no tag ${input.id}`);
      ownerId = tag.created_by;
    } else {
      const member = await findMember(db, input.id);
      if (!member) throw new ApiError(404, "subject_not_found", `no member ${input.id}`);
      ownerId = member.id;
    }
    if (ownerId === reporterId) throw new ApiError(403, "cannot_report_own", "不能檢舉自己的內容 (you cannot report your own content)");

    const result = await db.transaction().execute(async (trx) => {
      await ensureMember(trx, reporterId, now);
      const past = await trx
        .selectFrom("reports")
        .select((eb) => [
          eb.fn.count<string>("id").filterWhere("outcome", "=", "upheld").as("upheld"),
          eb.fn.count<string>("id").filterWhere("outcome", "=", "dismissed").as("dismissed"),
        ])
        .where("reporter_id", "=", reporterId)
        .executeTakeFirstOrThrow();
      const weight = reporterWeight(config.policy, Number(past.upheld), Number(past.dismissed));
      const report = await trx
        .insertInto("reports")
        .values({
          reporter_id: reporterId,
          subject_kind: input.subject,
          subject_id: input.id,
          reason: input.reason,
          note: input.note ?? null,
          weight,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(["reporter_id", "subject_kind", "subject_id"]).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!report) return null;
      const forumRule = FORUM_RULE_OF_REASON[input.reason];
      const item = await feedReviewItem(trx, config.policy, {
        kind: "moderation",
        subjectKind: input.subject,
        subjectId: input.id,
        source: "member_report",
        detail: { reportId: report.id, reason: input.reason, note: report.note, weight },
        forumRules: forumRule ? [forumRule] : [],
        severity: null,
        reportWeight: weight,
        now,
      });
      // Enough weight of distinct reporters hides a published comment or tag until a moderator decides.
      let hidden = false;
      if (item.report_weight >= config.policy.reports.hideAtWeight) {
        if (input.subject === "comment") {
          const comment = await findComment(trx, input.id);
          if (comment?.status === "published") {
            await setCommentStatus(trx, input.id, "pending", now);
            hidden = true;
          }
        } else if (input.subject === "tag") {
          const changed = await trx
            .updateTable("tags")
            .set({ status: "pending", updated_at: now })
            .where("id", "=", input.id)
            .where("status", "=", "published")
            .executeTakeFirst();
          hidden = changed.numUpdatedRows > 0n;
        }
      }
      return { report, item, hidden };
    });
    if (!result) throw new ApiError(409, "already_reported", "你已檢舉過這則內容 (you already reported this)");
    return c.json(
      {
        report: {
          id: result.report.id,
          subject: input.subject,
          subjectId: input.id,
          reason: input.reason,
          weight: result.report.weight,
          createdAt: result.report.created_at.toISOString(),
        },
        reviewItemId: result.item.id,
        hidden: result.hidden,
      },
      201,
    );
  });

  return routes;
}
