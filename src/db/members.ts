import { endSessionsOf } from "./sessions.ts";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database, MembersTable } from "./schema.ts";

export type MemberRow = Selectable<MembersTable>;

export async function findMember(db: Kysely<Database>, id: string): Promise<MemberRow | undefined> {
  return db.selectFrom("members").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Members are created by the site's login system; this service learns of one the first time it acts,
 * and records the forum rules version it last accepted.
 */
export async function recordMemberAcceptance(
  db: Kysely<Database>,
  memberId: string,
  acceptedRulesVersion: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto("members")
    .values({ id: memberId, accepted_rules_version: acceptedRulesVersion, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc
        .column("id")
        .doUpdateSet({ accepted_rules_version: acceptedRulesVersion, updated_at: now })
        .where("members.accepted_rules_version", "is distinct from", acceptedRulesVersion),
    )
    .execute();
}

export async function setMemberSanction(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  sanction: { status: "active" } | { status: "suspended"; until: Date } | { status: "revoked" },
  now: Date,
): Promise<void> {
  await db
    .updateTable("members")
    .set({
      status: sanction.status,
      suspended_until: sanction.status === "suspended" ? sanction.until : null,
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
  // A member whose membership is revoked is signed out everywhere at once.
  if (sanction.status === "revoked") await endSessionsOf(db, id, "revoked", now);
}

/** Suspended until a time still to come; a suspension that has run out is over by itself. */
export function activeSuspension(member: MemberRow, now: Date): Date | null {
  return member.status === "suspended" && member.suspended_until && member.suspended_until > now ? member.suspended_until : null;
}

/**
 * The member with when their suspension from a site ends, if one is running at `now` (migration 0019), in
 * one statement.
 */
export async function findMemberOnSite(
  db: Kysely<Database>,
  memberId: string,
  siteId: string,
  now: Date,
): Promise<(MemberRow & { site_suspended_until: Date | null }) | undefined> {
  return db
    .selectFrom("members")
    .selectAll("members")
    .select((eb) =>
      eb
        .selectFrom("member_site_suspensions")
        .select((e) => e.fn.max("until").as("until"))
        .whereRef("member_site_suspensions.member_id", "=", "members.id")
        .where("member_site_suspensions.site_id", "=", siteId)
        .where("member_site_suspensions.until", ">", now)
        .as("site_suspended_until"),
    )
    .where("members.id", "=", memberId)
    .executeTakeFirst();
}

/** Suspends a member from one site until a time, as `decisionId` decided (another suspension from it runs on alongside). */
export async function suspendFromSite(trx: Transaction<Database>, memberId: string, siteId: string, until: Date, decisionId: string, now: Date): Promise<void> {
  await trx.insertInto("member_site_suspensions").values({ decision_id: decisionId, member_id: memberId, site_id: siteId, until, created_at: now }).execute();
}

/** Lifts the suspension from a site that `decisionId` made (the member's other suspensions stay); whether there was one. */
export async function liftSiteSuspension(trx: Transaction<Database>, memberId: string, decisionId: string): Promise<boolean> {
  const lifted = await trx.deleteFrom("member_site_suspensions").where("member_id", "=", memberId).where("decision_id", "=", decisionId).executeTakeFirst();
  return lifted.numDeletedRows > 0n;
}

/** The member's suspensions from single sites still running at `now`. */
export async function siteSuspensionsOf(db: Kysely<Database>, memberId: string, now: Date, sites?: string[]): Promise<{ site_id: string; until: Date; decision_id: string }[]> {
  let query = db.selectFrom("member_site_suspensions").select(["site_id", "until", "decision_id"]).where("member_id", "=", memberId).where("until", ">", now);
  if (sites) query = query.where("site_id", "in", sites);
  return query.orderBy("site_id").orderBy("until", "desc").execute();
}

/** The site's login system owns identities; this service records a member the first time one acts. */
export async function ensureMember(db: Kysely<Database> | Transaction<Database>, id: string, now: Date): Promise<void> {
  await db
    .insertInto("members")
    .values({ id, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/** Records the forum rules version a member accepted on registering. */
export async function setAcceptedRulesVersion(db: Kysely<Database> | Transaction<Database>, id: string, acceptedRulesVersion: string): Promise<void> {
  await db.updateTable("members").set({ accepted_rules_version: acceptedRulesVersion }).where("id", "=", id).execute();
}

type Db = Kysely<Database> | Transaction<Database>;

/** A warning given (its decision already recorded): the member must acknowledge it before posting again. */
export async function addWarning(trx: Transaction<Database>, memberId: string, decisionId: string, now: Date): Promise<void> {
  await trx.insertInto("member_warnings").values({ decision_id: decisionId, member_id: memberId, acknowledged_at: null, created_at: now }).execute();
  await trx
    .updateTable("members")
    .set((eb) => ({ unacknowledged_warnings: eb("unacknowledged_warnings", "+", 1), updated_at: now }))
    .where("id", "=", memberId)
    .execute();
}

/** Acknowledges the member's warning; false when it is not theirs or was already acknowledged. */
export async function acknowledgeWarning(trx: Transaction<Database>, memberId: string, decisionId: string, now: Date): Promise<boolean> {
  const acknowledged = await trx
    .updateTable("member_warnings")
    .set({ acknowledged_at: now })
    .where("decision_id", "=", decisionId)
    .where("member_id", "=", memberId)
    .where("acknowledged_at", "is", null)
    .returning("decision_id")
    .executeTakeFirst();
  if (!acknowledged) return false;
  await trx
    .updateTable("members")
    .set((eb) => ({ unacknowledged_warnings: eb("unacknowledged_warnings", "-", 1), updated_at: now }))
    .where("id", "=", memberId)
    .execute();
  return true;
}

export interface WarningRow {
  decision_id: string;
  acknowledged_at: Date | null;
  created_at: Date;
  forum_rules: string[];
  note: string | null;
}

/** The member's warnings, newest first, with the decision's forum rules and the moderator's note. */
export async function listWarnings(db: Db, memberId: string, limit: number): Promise<WarningRow[]> {
  return db
    .selectFrom("member_warnings")
    .innerJoin("decisions", "decisions.id", "member_warnings.decision_id")
    .select(["member_warnings.decision_id", "member_warnings.acknowledged_at", "member_warnings.created_at", "decisions.forum_rules", "decisions.note"])
    .where("member_warnings.member_id", "=", memberId)
    .orderBy("member_warnings.created_at", "desc")
    .orderBy("member_warnings.decision_id", "desc")
    .limit(limit)
    .execute();
}

export type MemberNoteRow = Selectable<Database["member_notes"]>;

export async function addMemberNote(db: Db, note: { memberId: string; moderatorId: string; note: string; now: Date }): Promise<MemberNoteRow> {
  return db
    .insertInto("member_notes")
    .values({ member_id: note.memberId, moderator_id: note.moderatorId, note: note.note, created_at: note.now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listMemberNotes(db: Db, memberId: string, limit: number): Promise<MemberNoteRow[]> {
  return db.selectFrom("member_notes").selectAll().where("member_id", "=", memberId).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** The member's comments by status: how many of each, and the newest `limit`. */
export async function memberCommentsByStatus(db: Db, memberId: string, limit: number, sites?: string[]) {
  let latestQuery = db.selectFrom("comments").select(["id", "article_id", "body", "status", "created_at"]).where("member_id", "=", memberId);
  // For a moderator limited to some sites, the texts of those sites' comments only (the counts are of all).
  if (sites) latestQuery = latestQuery.where("article_id", "in", (eb) => eb.selectFrom("articles").select("articles.id").where("articles.site_id", "in", sites));
  const [counts, latest] = await Promise.all([
    db.selectFrom("comments").select(["status", (eb) => eb.fn.countAll<string>().as("n")]).where("member_id", "=", memberId).groupBy("status").execute(),
    latestQuery.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute(),
  ]);
  return { counts: Object.fromEntries(counts.map((row) => [row.status, Number(row.n)])) as Record<string, number>, latest };
}

/** Reports the member filed, and reports on what the member wrote (comments, tags, their nickname), by outcome. */
export async function memberReportCounts(db: Db, memberId: string) {
  const [filed, received] = await Promise.all([
    db.selectFrom("reports").select(["outcome", (eb) => eb.fn.countAll<string>().as("n")]).where("reporter_id", "=", memberId).groupBy("outcome").execute(),
    db
      .selectFrom("reports")
      .select(["reports.outcome", (eb) => eb.fn.countAll<string>().as("n")])
      .where((eb) =>
        eb.or([
          eb.and([eb("reports.subject_kind", "=", "comment"), eb("reports.subject_id", "in", eb.selectFrom("comments").select((e) => e.cast<string>("id", "text").as("id")).where("member_id", "=", memberId))]),
          eb.and([eb("reports.subject_kind", "=", "tag"), eb("reports.subject_id", "in", eb.selectFrom("tags").select((e) => e.cast<string>("id", "text").as("id")).where("created_by", "=", memberId))]),
          eb.and([eb("reports.subject_kind", "=", "member"), eb("reports.subject_id", "=", memberId)]),
        ]),
      )
      .groupBy("reports.outcome")
      .execute(),
  ]);
  const byOutcome = (rows: { outcome: string | null; n: string }[]) =>
    Object.fromEntries(rows.map((row) => [row.outcome ?? "open", Number(row.n)])) as Record<string, number>;
  return { filed: byOutcome(filed), received: byOutcome(received) };
}
