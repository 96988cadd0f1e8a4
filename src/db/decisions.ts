import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Policy } from "../policy.ts";
import { settleReportsQuery } from "./reports.ts";
import { closedItemValues, feedReviewItem } from "./review.ts";
import type { AppealsTable, Database, DecisionAutomation, DecisionSource, DecisionsTable, SubjectKind } from "./schema.ts";

export type DecisionRow = Selectable<DecisionsTable>;
export type AppealRow = Selectable<AppealsTable>;

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

/** The decisions row a NewDecision is written as. */
function decisionValues(decision: NewDecision) {
  return {
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
  };
}

/** Appends to the decision log; the table refuses updates and deletes. */
export async function recordDecision(
  db: Kysely<Database> | Transaction<Database>,
  decision: NewDecision,
): Promise<DecisionRow> {
  return db.insertInto("decisions").values(decisionValues(decision)).returningAll().executeTakeFirstOrThrow();
}

/**
 * A moderator's decision on a review item in one statement: the subject's open reports settled (when
 * `reports` is an outcome; an appeal settles none), the decision appended, and the item closed by it with
 * its lease released. Returns the decision and the members whose reports were settled. Call inside the
 * transaction that locked the item (src/review/decide.ts).
 */
export async function recordDecisionClosingItem(
  trx: Transaction<Database>,
  decision: NewDecision & { reviewItemId: string },
  reports: "upheld" | "dismissed" | null,
): Promise<{ decision: DecisionRow; reporters: string[] }> {
  const row = await trx
    // An appeal settles no reports: the statement is the same, with a condition that holds for none.
    .with("settled", (db) =>
      settleReportsQuery(db, decision.subjectKind, decision.subjectId, reports ?? "dismissed").where(sql<boolean>`${reports !== null}`),
    )
    .with("decision", (db) => db.insertInto("decisions").values(decisionValues(decision)).returningAll())
    .with("closed", (db) =>
      db
        .updateTable("review_items")
        .set((eb) => ({ ...closedItemValues(decision.now), decision_id: eb.selectFrom("decision").select("id") }))
        .where("id", "=", decision.reviewItemId)
        .returning("id"),
    )
    .selectFrom("decision")
    .selectAll("decision")
    .select(sql<string[]>`(select coalesce(array_agg(distinct reporter_id), '{}') from settled)`.as("reporters"))
    .executeTakeFirstOrThrow();
  const { reporters, ...written } = row;
  return { decision: written as DecisionRow, reporters };
}

/** The decision that reverses `decisionId`, if any. */
export async function findReversalOf(db: Kysely<Database> | Transaction<Database>, decisionId: string): Promise<DecisionRow | undefined> {
  return db.selectFrom("decisions").selectAll().where("reverses_decision_id", "=", decisionId).executeTakeFirst();
}

/** The decision with this id, if any. */
export async function findDecision(db: Kysely<Database> | Transaction<Database>, id: string): Promise<DecisionRow | undefined> {
  return db.selectFrom("decisions").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The newest `limit` decisions that affected the member, newest first, each with the id of its appeal (null when not appealed). */
export async function listDecisionsAffecting(
  db: Kysely<Database>,
  memberId: string,
  limit: number,
  sites?: string[],
): Promise<(DecisionRow & { appeal_id: string | null })[]> {
  let query = db
    .selectFrom("decisions")
    .leftJoin("appeals", "appeals.decision_id", "decisions.id")
    .selectAll("decisions")
    .select("appeals.id as appeal_id")
    .where("decisions.affected_member_id", "=", memberId);
  // For a moderator limited to some sites: those sites' decisions and those about every site.
  if (sites) query = query.where((eb) => eb.or([eb("decisions.site_id", "in", sites), eb("decisions.site_id", "is", null)]));
  return query
    .orderBy("decisions.created_at", "desc")
    .orderBy("decisions.id", "desc")
    .limit(limit)
    .execute();
}

export interface NewAppeal {
  decision: DecisionRow;
  memberId: string;
  note: string | null;
  now: Date;
}

/**
 * Opens the appeal of a decision in one transaction: feeds an appeal review item for the decision's subject
 * and records the appeal against it. Returns the appeal, or undefined when the decision was appealed already.
 */
export async function openAppeal(db: Kysely<Database>, policy: Policy, appeal: NewAppeal): Promise<AppealRow | undefined> {
  const { decision, memberId, note, now } = appeal;
  return db.transaction().execute(async (trx) => {
    const already = await trx.selectFrom("appeals").select("id").where("decision_id", "=", decision.id).forUpdate().executeTakeFirst();
    if (already) return undefined;
    const item = await feedReviewItem(trx, policy, {
      kind: "appeal",
      subjectKind: decision.subject_kind,
      subjectId: decision.subject_id,
      appealOfDecisionId: decision.id,
      source: "appeal",
      detail: { decisionId: decision.id, note },
      forumRules: decision.forum_rules,
      severity: policy.review.appealSeverity,
      reportWeight: 0,
      now,
    });
    return trx
      .insertInto("appeals")
      .values({ decision_id: decision.id, member_id: memberId, note, review_item_id: item.id, created_at: now })
      .onConflict((oc) => oc.column("decision_id").doNothing())
      .returningAll()
      .executeTakeFirst();
  });
}
