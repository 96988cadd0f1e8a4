import { DAY_MS } from "../clock.ts";
import type { DecisionRow } from "../db/decisions.ts";
import { reasonsForAuthor, type Reason } from "../moderation/verdict.ts";
import { VIOLATION_ACTIONS } from "../review/sanctions.ts";

// Decisions as the API answers them: to moderators in full, to the affected member as a statement of reasons.

export const APPEALABLE_ACTIONS = [...VIOLATION_ACTIONS, "suspend"];

export function decisionView(decision: DecisionRow) {
  return {
    id: decision.id,
    subjectKind: decision.subject_kind,
    subjectId: decision.subject_id,
    subjectText: decision.subject_text,
    action: decision.action,
    forumRules: decision.forum_rules,
    ruleIds: decision.rule_ids,
    facts: decision.facts,
    source: decision.source,
    automation: decision.automation,
    moderatorId: decision.moderator_id,
    affectedMemberId: decision.affected_member_id,
    rulesVersion: decision.rules_version,
    modelVersion: decision.model_version,
    reversesDecisionId: decision.reverses_decision_id,
    note: decision.note,
    createdAt: decision.created_at.toISOString(),
    /** The site it was made on (null: about every site). */
    site: decision.site_id,
  };
}

type ReportFact = { reason?: unknown };
type VerdictFact = { reasons?: Reason[] };

/**
 * The facts of a decision as the affected member reads them in their statement of reasons: the rules,
 * messages and marked words, and the reasons readers reported; not the classifier's score and n-grams
 * (they would help tune an evasion), nor who reported and what they wrote (reporters stay protected).
 */
function factsForAffectedMember(facts: unknown): unknown {
  if (!facts || typeof facts !== "object") return facts;
  const { score: _score, topNgrams: _topNgrams, reasons, verdicts, reports, ...rest } = facts as {
    score?: unknown;
    topNgrams?: unknown;
    reasons?: Reason[];
    verdicts?: VerdictFact[];
    reports?: ReportFact[];
  };
  return {
    ...rest,
    ...(reasons ? { reasons: reasonsForAuthor(reasons) } : {}),
    ...(verdicts ? { verdicts: verdicts.map((verdict) => ({ reasons: reasonsForAuthor(verdict.reasons ?? []) })) } : {}),
    ...(reports ? { reports: reports.map((report) => ({ reason: report.reason })) } : {}),
  };
}

export type DecisionView = ReturnType<typeof decisionView>;

/** One decision in the affected member's statement of reasons (GET /members/me/decisions), with its appeal or the appeal's deadline. */
export function statementEntryView({ appeal_id, ...decision }: DecisionRow & { appeal_id: string | null }, appealWindowDays: number) {
  return {
    ...decisionView(decision),
    // Moderator ids stay internal; the member sees that a person decided.
    moderatorId: undefined,
    facts: factsForAffectedMember(decision.facts),
    appeal: appeal_id
      ? { id: appeal_id }
      : APPEALABLE_ACTIONS.includes(decision.action)
        ? { appealableUntil: new Date(decision.created_at.getTime() + appealWindowDays * DAY_MS).toISOString() }
        : null,
  };
}
