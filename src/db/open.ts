import type { ServerConfig } from "../config.ts";
import type { DatabaseHandle } from "./handle.ts";
import { connectPostgres } from "./postgres.ts";
import { migrate } from "./migrate.ts";
import { readMigrationFiles } from "./migration-files.ts";

/** Opens the configured database (Postgres server or embedded PGlite) and brings its schema up to date. */
export async function openDatabase(config: ServerConfig): Promise<{ database: DatabaseHandle; applied: string[] }> {
  const database = config.databaseUrl
    ? connectPostgres({ connectionString: config.databaseUrl, poolMax: config.databasePoolMax, prepare: config.databasePrepare })
    : // Loaded only when used: PGlite's WebAssembly module adds about 28 MB to a server that runs on Postgres.
      await (await import("./pglite.ts")).connectPglite({ dataDir: config.pgliteDir });
  try {
    const applied = await migrate(database, readMigrationFiles());
    return { database, applied };
  } catch (error) {
    await database.close();
    throw error;
  }
}
