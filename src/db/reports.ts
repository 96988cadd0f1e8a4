import type { Kysely, QueryCreator, Selectable, Transaction } from "kysely";
import { findComment, setCommentStatus } from "./comments.ts";
import { findMember } from "./members.ts";
import { findTagById } from "./tags.ts";
import type { Database, ReportReason, ReportsTable, SubjectKind } from "./schema.ts";

export type ReportRow = Selectable<ReportsTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface NewReport {
  reporterId: string;
  subjectKind: SubjectKind;
  subjectId: string;
  reason: ReportReason;
  note: string | null;
  weight: number;
  now: Date;
}

/** How many of a reporter's past reports moderators upheld and dismissed. */
export async function findReporterRecord(db: Db, reporterId: string): Promise<{ upheld: number; dismissed: number }> {
  const past = await db
    .selectFrom("reports")
    .select((eb) => [
      eb.fn.count<string>("id").filterWhere("outcome", "=", "upheld").as("upheld"),
      eb.fn.count<string>("id").filterWhere("outcome", "=", "dismissed").as("dismissed"),
    ])
    .where("reporter_id", "=", reporterId)
    .executeTakeFirstOrThrow();
  return { upheld: Number(past.upheld), dismissed: Number(past.dismissed) };
}

/** Inserts a report; undefined when this reporter has already reported this subject. */
export async function insertReport(db: Db, report: NewReport): Promise<ReportRow | undefined> {
  return db
    .insertInto("reports")
    .values({
      reporter_id: report.reporterId,
      subject_kind: report.subjectKind,
      subject_id: report.subjectId,
      reason: report.reason,
      note: report.note,
      weight: report.weight,
      created_at: report.now,
    })
    .onConflict((oc) => oc.columns(["reporter_id", "subject_kind", "subject_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** A reported subject's author and whether it is gone (removed, or deleted by its author); undefined when there is none. Pass row ids only for comments and tags. */
export async function findReportedSubject(
  db: Db,
  kind: SubjectKind,
  id: string,
): Promise<{ ownerId: string; removed: boolean; articleId: string | null } | undefined> {
  if (kind === "comment") {
    const comment = await findComment(db, id);
    return comment && { ownerId: comment.member_id, removed: comment.status === "removed" || comment.status === "deleted", articleId: comment.article_id };
  }
  if (kind === "tag") {
    const tag = await findTagById(db, id);
    return tag && { ownerId: tag.created_by, removed: tag.status === "removed", articleId: tag.article_id };
  }
  const member = await findMember(db, id);
  return member && { ownerId: member.id, removed: false, articleId: null };
}

/** Sets a published comment or tag back to pending; whether it was published. A member is never hidden. */
export async function hideReportedSubject(trx: Transaction<Database>, kind: SubjectKind, id: string, now: Date): Promise<boolean> {
  if (kind === "comment") {
    const comment = await findComment(trx, id);
    if (comment?.status !== "published") return false;
    await setCommentStatus(trx, id, "pending", now);
    return true;
  }
  if (kind === "tag") {
    const changed = await trx
      .updateTable("tags")
      .set({ status: "pending", updated_at: now })
      .where("id", "=", id)
      .where("status", "=", "published")
      .executeTakeFirst();
    return changed.numUpdatedRows > 0n;
  }
  return false;
}

export type SubjectReport = Pick<Selectable<ReportsTable>, "id" | "reporter_id" | "reason" | "note" | "weight" | "outcome" | "created_at">;

/** Every report on the subject, oldest first. */
export async function listReportsOn(db: Db, subjectKind: SubjectKind, subjectId: string): Promise<SubjectReport[]> {
  return db
    .selectFrom("reports")
    .select(["id", "reporter_id", "reason", "note", "weight", "outcome", "created_at"])
    .where("subject_kind", "=", subjectKind)
    .where("subject_id", "=", subjectId)
    .orderBy("id")
    .execute();
}

/**
 * The statement that gives the subject's reports without an outcome this one, returning their reporters:
 * settleReportsOn runs it alone, db/decisions.ts recordDecisionClosingItem inside a decision's statement.
 */
export function settleReportsQuery(db: QueryCreator<Database>, subjectKind: SubjectKind, subjectId: string, outcome: "upheld" | "dismissed") {
  return db
    .updateTable("reports")
    .set({ outcome })
    .where("subject_kind", "=", subjectKind)
    .where("subject_id", "=", subjectId)
    .where("outcome", "is", null)
    .returning("reporter_id");
}

/** Gives the subject's reports that have no outcome yet this one; returns their reporters. */
export async function settleReportsOn(db: Db, subjectKind: SubjectKind, subjectId: string, outcome: "upheld" | "dismissed"): Promise<string[]> {
  const settled = await settleReportsQuery(db, subjectKind, subjectId, outcome).execute();
  return [...new Set(settled.map((row) => row.reporter_id))];
}
