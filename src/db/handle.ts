import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/**
 * A statement whose text holds this comment is never prepared on its connection (db/postgres.ts): for a
 * query whose best plan depends on its values (a date range of a month or of years), planned afresh on
 * every run.
 */
export const UNPREPARED_MARK = "/* unprepared */";

// One transaction as the migration runner sees it: parameterised queries plus whole SQL scripts
// (several statements, function bodies), which Kysely's prepared statements cannot run on PGlite.
export interface ScriptTransaction {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  runScript(script: string): Promise<void>;
}

/** An open database: Kysely for queries, script transactions for migrations. */
export interface DatabaseHandle {
  kind: "pglite" | "postgres";
  db: Kysely<Database>;
  inScriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
