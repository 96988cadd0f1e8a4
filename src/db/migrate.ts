import { createHash } from "node:crypto";
import type { DatabaseHandle, ScriptTransaction } from "./handle.ts";

export interface Migration {
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 7_421_001;

const CREATE_LEDGER = `
  create table if not exists schema_migrations (
    name text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`;

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

async function lock(tx: ScriptTransaction): Promise<void> {
  await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
}

/**
 * Applies the migrations not yet recorded, in name order, each in its own transaction together with its
 * ledger row: a failing migration leaves the database as it was before it, and a migration is never
 * applied twice, even by several processes starting at once. Returns the names applied now.
 */
export async function migrate(database: DatabaseHandle, migrations: Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  await database.inScriptTransaction(async (tx) => {
    await lock(tx);
    await tx.runScript(CREATE_LEDGER);
  });
  const applied: string[] = [];
  for (const migration of ordered) {
    const checksum = checksumOf(migration.sql);
    const ranNow = await database
      .inScriptTransaction(async (tx) => {
        await lock(tx);
        const { rows } = await tx.query("select checksum from schema_migrations where name = $1", [
          migration.name,
        ]);
        const recorded = rows[0];
        if (recorded) {
          if (recorded.checksum !== checksum) {
            throw new MigrationError(
              `migration ${migration.name} was changed after it was applied; add a new migration instead`,
            );
          }
          return false;
        }
        await tx.runScript(migration.sql);
        await tx.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
          migration.name,
          checksum,
        ]);
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof MigrationError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${reason}`, {
          cause: error,
        });
      });
    if (ranNow) applied.push(migration.name);
  }
  return applied;
}
