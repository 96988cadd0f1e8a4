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

/** The member's history as the trust rule reads it, in one statement; counts stop at `cap`, the recent list at `recent`. */
export async function findTrustFacts(db: Db, memberId: string, cap: number, recent: number): Promise<TrustFacts> {
  const { rows } = await sql<{ standing: string; recent: ("published" | "removed")[] | null; upheld_reports: string }>`
    select
      (select count(*) from (select 1 from comments where member_id = ${memberId} and status = 'published' limit ${cap}) s) as standing,
      (select array_agg(status) from (
        select status from comments where member_id = ${memberId} and status in ('published', 'removed')
        order by created_at desc limit ${recent}) r) as recent,
      (select count(*) from (select 1 from reports where reporter_id = ${memberId} and outcome = 'upheld' limit ${cap}) u) as upheld_reports
  `.execute(db);
  const row = rows[0]!;
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
