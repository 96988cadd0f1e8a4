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
      created_at: decision.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function decisionsAbout(
  db: Kysely<Database>,
  subjectKind: SubjectKind,
  subjectId: string,
): Promise<DecisionRow[]> {
  return db
    .selectFrom("decisions")
    .selectAll()
    .where("subject_kind", "=", subjectKind)
    .where("subject_id", "=", subjectId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}
