import { z } from "zod";
import type { AppDeps } from "../app-env.ts";
import {
  eraseCommentTexts,
  eraseMemberRow,
  eraseNotes,
  readMemberData,
  recordDataRequest,
  redactDecisionsAbout,
  withdrawMemberContent,
} from "../db/data-requests.ts";
import { listDecisionsAffecting } from "../db/decisions.ts";
import { findMember } from "../db/members.ts";
import { endSessionsOf } from "../db/sessions.ts";
import { ApiError } from "../errors.ts";
import { statementEntryView } from "../views/decisions.ts";
import { memberView } from "../views/members.ts";

// A member's requests under Taiwan's Personal Data Protection Act (art. 3): to see what this service holds
// about them, and to have their texts and personal data deleted. The decision log keeps what the law asks
// of a platform's moderation record (the decision, its grounds, whom it affected and when), with the
// subject's text redacted; sanctions in force stay in force.

/** The decisions a download carries, newest first; a member with more has the rest on their decisions page. */
const EXPORT_DECISIONS = 10_000;

const iso = (date: Date | null) => date?.toISOString() ?? null;

function notKnown(): ApiError {
  return new ApiError(404, "member_not_found", "你還沒有在討論區發言或註冊 (not known here yet)");
}

/** What a member downloads (GET /members/me/data): everything this service holds about them, as JSON. */
export async function exportMemberData(deps: Pick<AppDeps, "db" | "clock" | "config">, memberId: string) {
  const { db, clock, config } = deps;
  const now = clock.now();
  const member = await findMember(db, memberId);
  if (!member) throw notKnown();
  const [data, decisions] = await Promise.all([readMemberData(db, memberId), listDecisionsAffecting(db, memberId, EXPORT_DECISIONS)]);
  const versionsOf = new Map<string, typeof data.versions>();
  for (const version of data.versions) {
    const list = versionsOf.get(version.comment_id);
    if (list) list.push(version);
    else versionsOf.set(version.comment_id, [version]);
  }
  const document = {
    exportedAt: now.toISOString(),
    member: { ...memberView(member), createdAt: iso(member.created_at), erasedAt: iso(member.erased_at) },
    comments: data.comments.map((comment) => ({
      id: comment.id,
      articleId: comment.article_id,
      parentId: comment.parent_id,
      body: comment.body,
      status: comment.status,
      version: comment.version,
      createdAt: iso(comment.created_at),
      editedAt: iso(comment.edited_at),
      earlierVersions: (versionsOf.get(comment.id) ?? []).map((v) => ({ version: v.version, body: v.body, createdAt: iso(v.created_at) })),
    })),
    tags: data.tags.map((tag) => ({ id: tag.id, articleId: tag.article_id, label: tag.label, status: tag.status, createdAt: iso(tag.created_at) })),
    supportedTags: data.supported.map((support) => ({ tagId: support.tag_id, createdAt: iso(support.created_at) })),
    reports: data.reports.map((report) => ({
      id: report.id,
      subjectKind: report.subject_kind,
      subjectId: report.subject_id,
      reason: report.reason,
      note: report.note,
      outcome: report.outcome,
      createdAt: iso(report.created_at),
    })),
    // The statements of reasons of every decision that affected them (their content, nickname or account).
    decisions: decisions.map((decision) => statementEntryView(decision, config.policy.appeals.windowDays)),
    appeals: data.appeals.map((appeal) => ({ id: appeal.id, decisionId: appeal.decision_id, note: appeal.note, createdAt: iso(appeal.created_at) })),
    warnings: data.warnings.map((warning) => ({ decisionId: warning.decision_id, acknowledgedAt: iso(warning.acknowledged_at), createdAt: iso(warning.created_at) })),
    trustChanges: data.trustChanges.map((change) => ({ from: change.from_level, to: change.to_level, why: change.why, createdAt: iso(change.created_at) })),
    signIns: data.sessions.map((session) => ({
      role: session.role,
      userAgent: session.user_agent,
      createdAt: iso(session.created_at),
      lastSeenAt: iso(session.last_seen_at),
      endedAt: iso(session.ended_at),
      endedReason: session.ended_reason,
    })),
    dataRequests: data.requests.map((request) => ({ kind: request.kind, summary: request.summary, createdAt: iso(request.created_at) })),
  };
  await recordDataRequest(db, memberId, "export", {
    comments: document.comments.length,
    tags: document.tags.length,
    reports: document.reports.length,
    decisions: document.decisions.length,
  }, now);
  return document;
}
export type MemberDataExport = Awaited<ReturnType<typeof exportMemberData>>;

/** An erasure must be asked for in so many words: `{"confirm": true}`. */
export const erasureSchema = z.strictObject({ confirm: z.literal(true) });

/**
 * Erases the member's texts and personal data (POST /members/me/erasure), in one transaction: their
 * comments leave the pages and the counts with their open items (held, reported, appealed) withdrawn, and
 * every comment's text (and earlier versions) is blanked; the nickname, their tag supports, their notes on
 * reports and appeals (wherever copied) and their text fingerprints go; the decision log keeps each
 * decision with the subject's text and the member's words redacted; their browser sessions end. What was
 * erased is recorded and answered.
 */
export async function eraseMemberData(deps: Pick<AppDeps, "db" | "clock">, memberId: string) {
  const { db, clock } = deps;
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom("members").select("id").where("id", "=", memberId).forUpdate().executeTakeFirst();
    if (!member) throw notKnown();
    const withdrawn = await withdrawMemberContent(trx, memberId, now);
    const texts = await eraseCommentTexts(trx, memberId, now);
    const notes = await eraseNotes(trx, memberId);
    // The row is marked erased first: the decision log lets its redaction through only for an erased member.
    const row = await eraseMemberRow(trx, memberId, now);
    const redacted = await redactDecisionsAbout(trx, memberId);
    const sessions = await endSessionsOf(trx, memberId, "erased", now);
    const summary = {
      commentsTakenDown: withdrawn.comments,
      commentTextsErased: texts.comments,
      earlierVersionsErased: texts.versions,
      reviewItemsWithdrawn: withdrawn.items,
      decisionsRedacted: redacted.decisions,
      reviewSourcesRedacted: redacted.sources,
      reportNotesErased: notes.reports,
      appealNotesErased: notes.appeals,
      tagSupportsWithdrawn: row.tagSupports,
      sessionsEnded: sessions,
    };
    await recordDataRequest(trx, memberId, "erasure", summary, now);
    return { erasedAt: now.toISOString(), ...summary };
  });
}
