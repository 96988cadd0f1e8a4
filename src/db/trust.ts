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
export async function findMemberTrust(
  db: Db,
  memberId: string,
  { cap, recent }: { cap: number; recent: number },
): Promise<{ level: TrustLevel; facts: TrustFacts } | undefined> {
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

/**
 * Moves the member from one level to another and records the change, in one statement: only when they are
 * still at `from`, so two writers that read the same level record one change, and a level another writer
 * set meanwhile (a removal that made them watched) is not overwritten. Whether it moved.
 */
export async function changeTrustLevel(
  db: Db,
  change: { memberId: string; from: TrustLevel; to: TrustLevel; why: string; facts: unknown; now: Date },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with moved as (
      update members set trust_level = ${change.to}, updated_at = ${change.now}
      where id = ${change.memberId} and trust_level = ${change.from}
      returning id
    )
    insert into member_trust_changes (member_id, from_level, to_level, why, facts, created_at)
    select id, ${change.from}, ${change.to}, ${change.why}, ${JSON.stringify(change.facts)}::jsonb, ${change.now} from moved
    returning member_id as id
  `.execute(db);
  return rows.length > 0;
}

export type TrustChangeRow = Selectable<Database["member_trust_changes"]>;

export async function listTrustChanges(db: Db, memberId: string, limit: number): Promise<TrustChangeRow[]> {
  return db.selectFrom("member_trust_changes").selectAll().where("member_id", "=", memberId).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}
