import type { TrustLevel } from "../db/schema.ts";
import type { CommentRow, CommentVersionRow } from "../db/comments.ts";
import type { MemberRow } from "../db/members.ts";
import type { DecisionRow } from "../db/decisions.ts";
import type { SubjectReport } from "../db/reports.ts";
import type { OpenItemCounts, QueueCardFacts, ReviewItemRow, ReviewSourceRow } from "../db/review.ts";
import type { OpenSecondLook, SecondLookRow } from "../db/second-looks.ts";
import type { TagRow } from "../db/tags.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import { commentFields } from "./comments.ts";
import { decisionView } from "./decisions.ts";

// The review API's answers (routes/review.ts) and what the moderator pages read of them (web/moderate/).

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
    escalation: item.escalated_at ? { at: item.escalated_at.toISOString(), by: item.escalated_by, note: item.escalation_note } : null,
    /** The site of the item's subject (rules/sites.yaml); null for a nickname, which is every site's. */
    site: item.site_id,
  };
}
export type ItemView = ReturnType<typeof itemView>;

/** An item's wait against its target (src/review/escalate.ts itemAge). */
export interface ItemAge {
  ageHours: number;
  targetHours: number;
  overdue: boolean;
}

/**
 * An item in the queue's listing: the item, the first 80 characters of what it is about, and its card — the
 * whole text with the words the rules marked, the reasons (the subject's verdict and any re-screen's, each
 * rule once), the classifier's score, and the reports by reason — so a moderator can decide from the list.
 */
export function queueItemView(item: ReviewItemRow & { subject_excerpt: string | null }, age: ItemAge, facts: QueueCardFacts) {
  return { ...itemView(item), subjectExcerpt: item.subject_excerpt, age, card: queueCardView(item, facts) };
}

/** The card of an item (or of a second look's subject: no item of its own when the decision had none). */
function queueCardView(item: { id: string | null; subject_kind: ReviewItemRow["subject_kind"]; subject_id: string; subject_excerpt: string | null }, facts: QueueCardFacts) {
  const subject = facts.subjects.get(`${item.subject_kind}:${item.subject_id}`);
  const sources = item.id === null ? [] : (facts.sources.get(item.id) ?? []);
  const verdicts = [subject?.verdict, ...sources.filter((s) => s.source === "automated_detection").map((s) => s.detail as Verdict)].filter(
    (verdict): verdict is Verdict => Boolean(verdict?.reasons),
  );
  const reasons = new Map<string, Verdict["reasons"][number]>();
  for (const verdict of verdicts) for (const reason of verdict.reasons) if (!reasons.has(reason.ruleId)) reasons.set(reason.ruleId, reason);
  const scores = verdicts.map((verdict) => verdict.score).filter((score): score is number => typeof score === "number");
  const reportsByReason: Record<string, number> = {};
  for (const source of sources) {
    if (source.source !== "member_report") continue;
    const reason = String((source.detail as { reason?: unknown }).reason ?? "other");
    reportsByReason[reason] = (reportsByReason[reason] ?? 0) + 1;
  }
  return {
    // A member item's text is the nickname; the subject may be gone (null).
    text: subject?.text ?? item.subject_excerpt,
    /** The comment's version, for a decision that must judge what the moderator read (subjectVersion). */
    subjectVersion: subject?.version ?? null,
    reasons: [...reasons.values()].map(({ ruleId, forumRule, category, severity, action, message, spans }) => ({ ruleId, forumRule, category, severity, action, message, spans })),
    score: scores.length ? Math.max(...scores) : null,
    reports: reportsByReason,
  };
}
export type QueueCardView = ReturnType<typeof queueCardView>;

/** A stored verdict as the item page reads it; a tag's carries its relatedness to the article. */
export type StoredVerdict = Verdict & { relatedness?: { kind: string; similarity?: number; supportingArticles?: number } };

/** What an item is about: a comment, a tag or a member's nickname; the fields the other kinds have are absent. */
export interface SubjectView {
  id: string;
  articleId?: string;
  memberId?: string;
  body?: string;
  label?: string;
  nickname?: string | null;
  status: string;
  /** A comment's version: 1, plus one per edit. */
  version?: number;
  verdict?: StoredVerdict;
  createdBy?: string;
  createdAt?: string;
  /** A reply: the comment it answers, as the moderator judges the reply in its context. */
  parent?: { id: string; memberId: string; body: string; status: string } | null;
  /** An edited comment's earlier versions, oldest first. */
  earlierVersions?: { version: number; body: string; createdAt: string }[];
}

export function commentSubjectView(comment: CommentRow, parent: CommentRow | null = null, earlier: CommentVersionRow[] = []): SubjectView {
  return {
    ...commentFields(comment),
    verdict: comment.verdict,
    parent: parent && { id: parent.id, memberId: parent.member_id, body: parent.body, status: parent.status },
    earlierVersions: earlier.map((v) => ({ version: v.version, body: v.body, createdAt: v.created_at.toISOString() })),
  };
}

export function tagSubjectView(tag: TagRow): SubjectView {
  return { id: tag.id, articleId: tag.article_id, label: tag.label, status: tag.status, verdict: tag.verdict as StoredVerdict, createdBy: tag.created_by };
}

export function memberSubjectView(member: MemberRow): SubjectView {
  return { id: member.id, nickname: member.nickname, status: member.status };
}

/** What a moderator weighs besides the item: the member's standing, strikes and the decisions that affected them. */
export function memberHistoryView(
  memberId: string,
  member: MemberRow | undefined,
  suspendedUntil: Date | null,
  strikes: number,
  strikePolicy: Policy["strikes"],
  decisions: DecisionRow[],
  trust: { level: TrustLevel; why: string },
) {
  return {
    id: memberId,
    nickname: member?.nickname ?? null,
    nicknameStatus: member?.nickname_status ?? null,
    status: member?.status ?? "active",
    suspendedUntil: suspendedUntil?.toISOString() ?? null,
    strikes,
    strikePolicy,
    trustLevel: trust.level,
    trustWhy: trust.why,
    recentDecisions: decisions.map(decisionView),
  };
}
export type MemberHistoryView = ReturnType<typeof memberHistoryView>;

export function reportView(report: SubjectReport) {
  return {
    id: report.id,
    reporterId: report.reporter_id,
    reason: report.reason,
    note: report.note,
    weight: report.weight,
    outcome: report.outcome,
    createdAt: report.created_at.toISOString(),
  };
}

export function sourceView(source: ReviewSourceRow) {
  return { source: source.source, detail: source.detail, createdAt: source.created_at.toISOString() };
}

/** One item with everything a moderator needs to decide it (GET /review/items/:id). */
export function itemDetailView(parts: {
  item: ReviewItemRow;
  conflict: { reason: string; message: string } | null;
  subject: SubjectView | null;
  member: MemberHistoryView | null;
  appealedDecision: DecisionRow | undefined;
  sources: ReviewSourceRow[];
  reports: SubjectReport[];
  age: ItemAge;
}) {
  return {
    item: { ...itemView(parts.item), age: parts.age },
    // Set when the caller may not decide this item (their own content, or an appeal of their decision).
    conflictOfInterest: parts.conflict,
    subject: parts.subject,
    member: parts.member,
    appealedDecision: parts.appealedDecision ? decisionView(parts.appealedDecision) : null,
    sources: parts.sources.map(sourceView),
    reports: parts.reports.map(reportView),
  };
}
export type ItemDetailView = ReturnType<typeof itemDetailView>;

/** Open items by kind, subject, forum rule and source (GET /review/counts). */
export function countsView(counts: OpenItemCounts) {
  return {
    open: (counts.byKind.moderation ?? 0) + (counts.byKind.appeal ?? 0),
    claimed: counts.claimed,
    byKind: counts.byKind,
    bySubject: counts.bySubject,
    byForumRule: counts.byForumRule,
    bySource: counts.bySource,
  };
}
export type CountsView = ReturnType<typeof countsView>;
export type QueueItemView = ReturnType<typeof queueItemView>;

/**
 * An open second look as the reviewer sees it: the subject's text, what the rules found and the reports,
 * as on a queue card; never the decision, its moderator or note.
 */
export function secondLookView(look: OpenSecondLook, facts: QueueCardFacts) {
  const subject = { id: look.review_item_id, subject_kind: look.subject_kind, subject_id: look.subject_id, subject_excerpt: null };
  // The text the first decision judged (the comment may have been edited since).
  return { id: look.id, subjectKind: look.subject_kind, subjectId: look.subject_id, createdAt: look.created_at.toISOString(), card: { ...queueCardView(subject, facts), text: look.subject_text } };
}
export type SecondLookView = ReturnType<typeof secondLookView>;

/** A second look once taken: the reviewer's call and whether it agrees with the first decision. */
export function secondLookDoneView(look: SecondLookRow) {
  return {
    id: look.id,
    decisionId: look.decision_id,
    reviewerId: look.reviewer_id,
    reviewerAction: look.reviewer_violation ? "remove" : "approve",
    reviewerForumRules: look.reviewer_forum_rules ?? [],
    note: look.reviewer_note,
    agrees: look.agrees,
    decidedAt: look.decided_at?.toISOString() ?? null,
  };
}
