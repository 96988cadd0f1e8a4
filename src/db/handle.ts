import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

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
