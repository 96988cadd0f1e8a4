import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DatabaseHandle } from "./handle.ts";
import type { Database } from "./schema.ts";

const INT8_OID = 20;

// int8 (bigint ids, count(*)) stays a string, as on PGlite (pglite.ts): exact, and JSON-safe in responses.
pg.types.setTypeParser(INT8_OID, (value: string) => value);

/**
 * One connection for one piece of work (creating a database or schema, loading data, a check), closed
 * afterwards whatever happens. For the tests, benchmarks and tools; the app itself uses the pool.
 */
export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

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
    // During an outage, fail the request in seconds (503) instead of queueing it forever.
    connectionTimeoutMillis: 3000,
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
