import { mkdirSync } from "node:fs";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { DatabaseHandle } from "./handle.ts";
import type { Database } from "./schema.ts";

/** Postgres's shared buffers inside PGlite (see connectPglite). */
export const PGLITE_SHARED_BUFFERS = "32MB";

export interface PgliteOptions {
  // A folder to persist into; in memory when absent.
  dataDir?: string;
}

export async function connectPglite(options: PgliteOptions = {}): Promise<DatabaseHandle> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    // PGlite keeps Postgres's shared buffers inside this process, so they count in the server's memory:
    // 32 MB instead of the 128 MB PGlite's initdb writes into postgresql.conf (the command line wins over
    // it, on a data folder made before too). A restarted server at rest: 291 MB against 384 MB (16 MB:
    // 276 MB); the embedded benchmark's writes and reads as before (README, Benchmarks).
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    // int8 stays a string, as on Postgres (postgres.ts).
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
      // Kysely closes the client only if it ever ran a query; a migrate-only run must close it here.
      if (!client.closed) await client.close();
    },
  };
}
