import { mkdirSync } from "node:fs";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Database } from "./schema.ts";

// One transaction as the migration runner sees it: parameterised queries plus whole SQL scripts
// (several statements, function bodies), which Kysely's prepared statements cannot run on PGlite.
export interface ScriptTransaction {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  runScript(script: string): Promise<void>;
}

export interface DatabaseHandle {
  kind: "pglite" | "postgres";
  db: Kysely<Database>;
  inScriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8_OID = 20;

// int8 (bigint ids, count(*)) stays a string on both drivers: exact, and JSON-safe in responses.
pg.types.setTypeParser(INT8_OID, (value: string) => value);

export interface PostgresOptions {
  connectionString: string;
  poolMax?: number;
  // Tests isolate themselves in a schema of their own on a shared server.
  searchPath?: string;
}

export function connectPostgres(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports the outage.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: "postgres",
    db,
    async inScriptTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await work({
          query: (text, params) => client.query(text, params as unknown[]),
          runScript: async (script) => {
            // Without parameters pg uses the simple query protocol, which accepts several statements.
            await client.query(script);
          },
        });
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

export interface PgliteOptions {
  // A folder to persist into; in memory when absent.
  dataDir?: string;
}

export async function connectPglite(options: PgliteOptions = {}): Promise<DatabaseHandle> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: { [pgliteTypes.INT8]: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    kind: "pglite",
    db,
    inScriptTransaction: (work) =>
      client.transaction((tx) =>
        work({
          query: (text, params) => tx.query<Record<string, unknown>>(text, params as unknown[]),
          runScript: async (script) => {
            await tx.exec(script);
          },
        }),
      ),
    async close() {
      await db.destroy();
    },
  };
}
