// npm run migrate: applies pending migrations to the configured database (DATABASE_URL or PGLITE_DIR).
import { loadServerConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/open.ts";

try {
  const { database, applied } = await openDatabase(loadServerConfig(process.env));
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  await database.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
