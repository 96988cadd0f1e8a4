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
}

/** Suspended until a time still to come; a suspension that has run out is over by itself. */
export function activeSuspension(member: MemberRow, now: Date): Date | null {
  return member.status === "suspended" && member.suspended_until && member.suspended_until > now ? member.suspended_until : null;
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
