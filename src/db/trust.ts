import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database, TrustLevel } from "./schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** What a member's trust level is computed from (src/review/trust.ts), each count bounded by what the rule needs. */
export interface TrustFacts {
  /** Their comments standing published, counted up to `cap`. */
  standing: number;
  /** Their last decided comments (published or removed), newest first. */
  recent: ("published" | "removed")[];
  /** Their reports a moderator upheld, counted up to `cap`. */
  upheldReports: number;
}

/** The member's level as stored and their history as the trust rule reads it (member_trust_facts, migration 0010), in one statement. */
export async function findMemberTrust(db: Db, memberId: string, cap: number, recent: number): Promise<{ level: TrustLevel; facts: TrustFacts } | undefined> {
  const { rows } = await sql<{ trust_level: TrustLevel; standing: number; recent: unknown; upheld_reports: number }>`
    select m.trust_level, f.standing, f.recent, f.upheld_reports
    from members m, member_trust_facts(${memberId}, ${cap}, ${recent}) f
    where m.id = ${memberId}
  `.execute(db);
  const row = rows[0];
  return row && { level: row.trust_level, facts: trustFactsOf(row) };
}

/** member_trust_facts' row (or its JSON, from post_comment) as TrustFacts. */
export function trustFactsOf(row: { standing: number | string; recent: unknown; upheld_reports: number | string }): TrustFacts {
  return { standing: Number(row.standing), recent: parseStatuses(row.recent), upheldReports: Number(row.upheld_reports) };
}

// node-postgres parses text[] to an array; PGlite may hand back the literal.
function parseStatuses(value: unknown): ("published" | "removed")[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value as ("published" | "removed")[];
  return String(value).replace(/^\{|\}$/g, "").split(",").filter(Boolean) as ("published" | "removed")[];
}

/** Sets the member's level and records the change, in the caller's transaction. */
export async function changeTrustLevel(
  trx: Db,
  change: { memberId: string; from: TrustLevel; to: TrustLevel; why: string; facts: unknown; now: Date },
): Promise<void> {
  await trx.updateTable("members").set({ trust_level: change.to, updated_at: change.now }).where("id", "=", change.memberId).execute();
  await trx
    .insertInto("member_trust_changes")
    .values({ member_id: change.memberId, from_level: change.from, to_level: change.to, why: change.why, facts: JSON.stringify(change.facts), created_at: change.now })
    .execute();
}

export type TrustChangeRow = Selectable<Database["member_trust_changes"]>;

export async function listTrustChanges(db: Db, memberId: string, limit: number): Promise<TrustChangeRow[]> {
  return db.selectFrom("member_trust_changes").selectAll().where("member_id", "=", memberId).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}
