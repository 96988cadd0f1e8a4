import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database, DecisionAutomation, DecisionSource, DecisionsTable, SubjectKind } from "./schema.ts";

export type DecisionRow = Selectable<DecisionsTable>;

export interface NewDecision {
  subjectKind: SubjectKind;
  subjectId: string;
  subjectText: string;
  action: string;
  forumRules: string[];
  ruleIds: string[];
  facts: unknown;
  source: DecisionSource;
  automation: DecisionAutomation;
  moderatorId: string | null;
  affectedMemberId: string | null;
  rulesVersion: string | null;
  modelVersion: string | null;
  reversesDecisionId: string | null;
  note?: string | null;
  reviewItemId?: string | null;
  now: Date;
}

/** Appends to the decision log; the table refuses updates and deletes. */
export async function recordDecision(
  db: Kysely<Database> | Transaction<Database>,
  decision: NewDecision,
): Promise<DecisionRow> {
  return db
    .insertInto("decisions")
    .values({
      subject_kind: decision.subjectKind,
      subject_id: decision.subjectId,
      subject_text: decision.subjectText,
      action: decision.action,
      forum_rules: decision.forumRules,
      rule_ids: decision.ruleIds,
      facts: JSON.stringify(decision.facts),
      source: decision.source,
      automation: decision.automation,
      moderator_id: decision.moderatorId,
      affected_member_id: decision.affectedMemberId,
      rules_version: decision.rulesVersion,
      model_version: decision.modelVersion,
      reverses_decision_id: decision.reversesDecisionId,
      note: decision.note ?? null,
      review_item_id: decision.reviewItemId ?? null,
      created_at: decision.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The decision that reverses `decisionId`, if any. */
export async function findReversalOf(db: Kysely<Database> | Transaction<Database>, decisionId: string): Promise<DecisionRow | undefined> {
  return db.selectFrom("decisions").selectAll().where("reverses_decision_id", "=", decisionId).executeTakeFirst();
}
