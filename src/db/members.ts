import type { Kysely, Selectable } from "kysely";
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
