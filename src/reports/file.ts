import type { Kysely } from "kysely";
import { ensureMember } from "../db/members.ts";
import { findReportedSubject, findReporterRecord, hideReportedSubject, insertReport, type ReportRow } from "../db/reports.ts";
import { feedReviewItem, type ReviewItemRow } from "../db/review.ts";
import type { Database, ReportReason, SubjectKind } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { isRowId } from "../http/row-id.ts";
import { reporterWeight, type Policy } from "../policy.ts";

export interface ReportFiling {
  subject: SubjectKind;
  id: string;
  reason: ReportReason;
  note?: string | undefined;
}

export interface FiledReport {
  report: ReportRow;
  item: ReviewItemRow;
  /** Whether this report's weight hid the comment or tag until a moderator decides. */
  hidden: boolean;
}

// Which forum rule a reason points at, for the review item's filters.
const FORUM_RULE_OF_REASON: Record<ReportReason, string | null> = {
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

/**
 * What a report is about, checked: 404 for nothing (or nothing left) to report, 403 for one's own. Its
 * article, for the site whose policy the report is filed under (null: a member's nickname, every site's).
 */
export async function reportedSubject(db: Kysely<Database>, reporterId: string, filing: ReportFiling): Promise<{ articleId: string | null }> {
  // Comments and tags have bigint ids: anything else names no row.
  const subject = filing.subject === "member" || isRowId(filing.id) ? await findReportedSubject(db, filing.subject, filing.id) : undefined;
  if (!subject || subject.removed) throw new ApiError(404, "subject_not_found", `no ${filing.subject} ${filing.id}`);
  if (subject.ownerId === reporterId) throw new ApiError(403, "cannot_report_own", "不能檢舉自己的內容 (you cannot report your own content)");
  return { articleId: subject.articleId };
}

/**
 * A member's report (its subject checked first with reportedSubject), filed in one transaction: the subject checked, the reporter's weight from their
 * record, the report row, the subject's review item fed, and the subject hidden once reports weigh enough.
 */
export async function fileReport(db: Kysely<Database>, policy: Policy, reporterId: string, filing: ReportFiling, now: Date): Promise<FiledReport> {
  const filed = await db.transaction().execute(async (trx) => {
    await ensureMember(trx, reporterId, now);
    const past = await findReporterRecord(trx, reporterId);
    const weight = reporterWeight(policy, past.upheld, past.dismissed);
    const report = await insertReport(trx, {
      reporterId,
      subjectKind: filing.subject,
      subjectId: filing.id,
      reason: filing.reason,
      note: filing.note ?? null,
      weight,
      now,
    });
    if (!report) return null;
    const forumRule = FORUM_RULE_OF_REASON[filing.reason];
    const item = await feedReviewItem(trx, policy, {
      kind: "moderation",
      subjectKind: filing.subject,
      subjectId: filing.id,
      source: "member_report",
      detail: { reportId: report.id, reason: filing.reason, note: report.note, weight },
      forumRules: forumRule ? [forumRule] : [],
      severity: policy.reports.severityByReason[filing.reason],
      reportWeight: weight,
      now,
    });
    // Enough weight of distinct reporters hides a published comment or tag until a moderator decides.
    const hidden = item.report_weight >= policy.reports.hideAtWeight && (await hideReportedSubject(trx, filing.subject, filing.id, now));
    return { report, item, hidden };
  });
  if (!filed) throw new ApiError(409, "already_reported", "你已檢舉過這則內容 (you already reported this)");
  return filed;
}
