import { createHash } from "node:crypto";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { UNPREPARED_MARK, type DatabaseHandle } from "./handle.ts";
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

/** The most statement texts one connection keeps prepared; later texts run unprepared. */
export const PREPARED_PER_CONNECTION = 200;

/** A statement text's name on a connection (the same text, the same name), or null for a text marked UNPREPARED_MARK. */
const statementNames = new Map<string, string | null>();
function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = text.includes(UNPREPARED_MARK) ? null : `s${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (statementNames.size < 10 * PREPARED_PER_CONNECTION) statementNames.set(text, name);
  }
  return name;
}

/**
 * A connection that prepares the statements it runs: a statement with parameters is parsed and planned
 * the first time its connection sees its text, under a name derived from that text, and afterwards only
 * bound and executed, with no extra round trip (the Parse goes out with the first Bind): 6-30 % more
 * moderated comments per second and a third less of PostgreSQL's time per claim and decision (README,
 * Benchmarks). Kysely writes a new text for each length of an `in (…)` list, so a connection
 * prepares its first PREPARED_PER_CONNECTION texts and runs any others unprepared; a text marked
 * UNPREPARED_MARK (a query whose best plan depends on its values) is never prepared.
 *
 * A migration that changes a table's columns while a server runs (a rolling deploy) makes PostgreSQL
 * refuse that server's prepared statements returning the table's rows (`select *`, `returning *`): the
 * statement is prepared afresh under a new name and, outside a transaction, run again at once (nothing
 * ran); inside one, the transaction fails once on that connection. A name PostgreSQL no longer knows
 * (pg closes the statement when a value cannot be sent; DISCARD ALL) is replaced the same way.
 */
class PreparingClient extends pg.Client {
  /** The names this connection gave out, stale ones included: the server holds no more than the cap. */
  private readonly prepared = new Set<string>();
  /** Statements whose name went stale: prepared again under the name with this suffix. */
  private readonly renamed = new Map<string, number>();

  // pg.Client.query has many forms; Kysely's, query(text, values), is the one prepared here.
  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0 && callback === undefined) {
      const name = this.nameFor(config);
      if (name !== null) return this.runPrepared(config, values, name, true);
    }
    return (super.query as Function)(config, values, callback);
  }

  /** The text's name on this connection, or null: a text marked unprepared, or the connection holds its cap of other texts. */
  private nameFor(text: string): string | null {
    const base = statementName(text);
    if (base === null) return null;
    const generation = this.renamed.get(base);
    const name = generation === undefined ? base : `${base}_${generation}`;
    if (!this.prepared.has(name)) {
      if (this.prepared.size >= PREPARED_PER_CONNECTION) return null;
      this.prepared.add(name);
    }
    return name;
  }

  private async runPrepared(text: string, values: unknown[], name: string, mayRetry: boolean): Promise<unknown> {
    const outsideTransaction = this.getTransactionStatus() === "I";
    try {
      return await super.query({ name, text, values });
    } catch (error) {
      if (!nameWentStale(error)) throw error;
      const base = statementName(text)!;
      this.renamed.set(base, (this.renamed.get(base) ?? 0) + 1);
      // Outside a transaction a refused plan or an unknown name fails at Bind, before anything ran: run it again.
      if (!(mayRetry && outsideTransaction && (planRefused(error) || (error as { code?: string }).code === "26000"))) throw error;
      const fresh = this.nameFor(text);
      return fresh === null ? super.query(text, values) : this.runPrepared(text, values, fresh, false);
    }
  }
}

/** PostgreSQL refused a prepared plan: a table it reads changed its columns since (SQLSTATE 0A000 from plan revalidation; the message is translated, the routine is not). */
export function planRefused(error: unknown): boolean {
  const { code, routine } = error as { code?: string; routine?: string };
  return code === "0A000" && routine === "RevalidateCachedQuery";
}

/** The statement's name stands for nothing usable on the connection: a refused plan, a name PostgreSQL does not know (26000), or values pg could not send (no SQLSTATE; pg then closes the statement). */
function nameWentStale(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return planRefused(error) || code === "26000" || code === undefined;
}

export interface PostgresOptions {
  connectionString: string;
  poolMax?: number;
  // Tests isolate themselves in a schema of their own on a shared server.
  searchPath?: string;
  /**
   * Prepare statements on each connection (default true). Off behind a pooler that hands one client's
   * statements to other server connections (PgBouncer in transaction mode without
   * max_prepared_statements, which is 0 by default before 1.24) and in the Worker, whose connection
   * lasts one request.
   */
  prepare?: boolean;
}

export function connectPostgres(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    ...(options.prepare === false ? {} : { Client: PreparingClient }),
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
          // Unprepared: a migration changes the tables a prepared statement was planned on.
          query: (text, params) => client.query({ text, values: params as unknown[] }),
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
