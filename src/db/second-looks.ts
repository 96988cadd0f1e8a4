import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database, SecondLooksTable, SubjectKind } from "./schema.ts";

// Second looks (migration 0014): moderators' decisions sampled for a blind re-review by another moderator.

export type SecondLookRow = Selectable<SecondLooksTable>;
type Db = Kysely<Database> | Transaction<Database>;

export async function openSecondLook(
  trx: Transaction<Database>,
  look: { decisionId: string; subjectKind: SubjectKind; subjectId: string; violation: boolean; forumRules: string[]; moderatorId: string; now: Date },
): Promise<void> {
  await trx
    .insertInto("second_looks")
    .values({
      decision_id: look.decisionId,
      subject_kind: look.subjectKind,
      subject_id: look.subjectId,
      first_violation: look.violation,
      first_forum_rules: look.forumRules,
      first_moderator_id: look.moderatorId,
      created_at: look.now,
    })
    .execute();
}

/** An open second look with the review item its decision closed (for the subject's reasons and reports) and the text the decision judged. */
export type OpenSecondLook = SecondLookRow & { review_item_id: string | null; subject_text: string };

/** Open second looks `reviewerId` may take: not of their own decisions, nor about themselves; oldest first. */
export async function listOpenSecondLooks(db: Db, reviewerId: string, limit: number, sites?: string[]): Promise<OpenSecondLook[]> {
  let query = db
    .selectFrom("second_looks")
    .innerJoin("decisions", "decisions.id", "second_looks.decision_id")
    .selectAll("second_looks")
    .select(sql<string | null>`decisions.review_item_id::text`.as("review_item_id"))
    .select("decisions.subject_text")
    .where("second_looks.state", "=", "open")
    .where("second_looks.first_moderator_id", "<>", reviewerId)
    .where(sql<boolean>`decisions.affected_member_id is distinct from ${reviewerId}`);
  // A moderator limited to some sites looks again only at their sites' decisions.
  if (sites) query = sites.length === 0 ? query.where(sql<boolean>`false`) : query.where("decisions.site_id", "in", sites);
  return query.orderBy("second_looks.created_at").orderBy("second_looks.id").limit(limit).execute();
}

export async function findSecondLook(db: Db, id: string): Promise<(SecondLookRow & { affected_member_id: string | null; site_id: string | null }) | undefined> {
  return db
    .selectFrom("second_looks")
    .innerJoin("decisions", "decisions.id", "second_looks.decision_id")
    .selectAll("second_looks")
    .select(["decisions.affected_member_id", "decisions.site_id"])
    .where("second_looks.id", "=", id)
    .executeTakeFirst();
}

/** Records the reviewer's call on an open look; undefined when it was taken meanwhile. */
export async function recordSecondLook(
  db: Db,
  id: string,
  call: { reviewerId: string; violation: boolean; forumRules: string[]; note: string | null; now: Date },
): Promise<SecondLookRow | undefined> {
  return db
    .updateTable("second_looks")
    .set(() => ({
      state: "done" as const,
      reviewer_id: call.reviewerId,
      reviewer_violation: call.violation,
      reviewer_forum_rules: call.forumRules,
      reviewer_note: call.note,
      agrees: sql<boolean>`first_violation = ${call.violation}`,
      decided_at: call.now,
    }))
    .where("id", "=", id)
    .where("state", "=", "open")
    .returningAll()
    .executeTakeFirst();
}

/** Second looks decided in [from, to): per forum rule of the first decision ("none" when it named none), how many and how many agreed. */
export async function secondLookAgreement(db: Db, range: { from: Date; to: Date }, sites?: string[]): Promise<{ rule: string; looked: number; agreed: number }[]> {
  const onSites = sites
    ? sql`and exists (select 1 from decisions d where d.id = second_looks.decision_id and d.site_id = any(${sites}::text[]))`
    : sql``;
  const { rows } = await sql<{ rule: string; looked: string; agreed: string }>`
    select coalesce(rule, 'none') as rule, count(*)::text as looked, count(*) filter (where agrees)::text as agreed
    from second_looks
    left join lateral unnest(case when cardinality(first_forum_rules) = 0 then null else first_forum_rules end) as rule on true
    where state = 'done' and decided_at >= ${range.from} and decided_at < ${range.to} ${onSites}
    group by 1
    order by 1`.execute(db);
  return rows.map((row) => ({ rule: row.rule, looked: Number(row.looked), agreed: Number(row.agreed) }));
}
