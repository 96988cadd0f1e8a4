import { mkdirSync } from "node:fs";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { DatabaseHandle } from "./handle.ts";
import type { Database } from "./schema.ts";

export interface PgliteOptions {
  // A folder to persist into; in memory when absent.
  dataDir?: string;
}

export async function connectPglite(options: PgliteOptions = {}): Promise<DatabaseHandle> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
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
