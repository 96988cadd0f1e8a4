import { randomBytes } from "node:crypto";
import type { DatabaseHandle } from "../../src/db/handle.ts";
import { migrate } from "../../src/db/migrate.ts";
import { readMigrationFiles } from "../../src/db/migration-files.ts";
import { connectPglite } from "../../src/db/pglite.ts";
import { connectPostgres, withClient } from "../../src/db/postgres.ts";

export const usingPostgres = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  database: DatabaseHandle;
  /** Drops what the test created (its schema on a shared server). */
  dispose(): Promise<void>;
}

/**
 * An empty database for one test file: an in-memory PGlite, or, when DATABASE_URL is set, a fresh
 * schema on that server that is dropped afterwards, so parallel files and runs never see each other.
 */
export async function openEmptyDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = await connectPglite();
    return { database, dispose: () => database.close() };
  }
  const schema = `test_${randomBytes(6).toString("hex")}`;
  await withClient(url, (client) => client.query(`create schema ${schema}`));
  const database = connectPostgres({ connectionString: url, poolMax: 5, searchPath: schema });
  return {
    database,
    async dispose() {
      await database.close();
      await withClient(url, (client) => client.query(`drop schema ${schema} cascade`));
    },
  };
}

export async function openMigratedDatabase(): Promise<TestDatabase> {
  const test = await openEmptyDatabase();
  await migrate(test.database, readMigrationFiles());
  return test;
}
