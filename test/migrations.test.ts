import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.ts";
import { readMigrationFiles } from "../src/db/migration-files.ts";
import { openEmptyDatabase, openMigratedDatabase, usingPostgres, type TestDatabase } from "./support/database.ts";

let opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.map((d) => d.dispose()));
  opened = [];
});
async function empty() {
  const d = await openEmptyDatabase();
  opened.push(d);
  return d.database;
}

async function tableExists(database: Awaited<ReturnType<typeof empty>>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(database.db);
  return rows[0]!.found !== null;
}

describe("migrations", () => {
  it("apply in order, each once, recorded in schema_migrations", async () => {
    const database = await empty();
    const files = readMigrationFiles();
    expect(await migrate(database, files)).toEqual(files.map((f) => f.name));
    expect(await migrate(database, files)).toEqual([]);
    const ledger = await database.db.selectFrom("schema_migrations").select("name").orderBy("name").execute();
    expect(ledger.map((r) => r.name)).toEqual(files.map((f) => f.name));
    for (const table of ["members", "articles", "comments", "decisions"]) expect(await tableExists(database, table)).toBe(true);
  });

  it("a failing migration leaves the database as it was and is not recorded; earlier ones stay", async () => {
    const database = await empty();
    const good = { name: "0001_good.sql", sql: "create table good_one (id int primary key);" };
    const bad = {
      name: "0002_bad.sql",
      sql: "create table half_done (id int); insert into half_done values (1); select * from no_such_table;",
    };
    await expect(migrate(database, [good, bad])).rejects.toThrow(/0002_bad\.sql failed and was rolled back.*no_such_table/);
    expect(await tableExists(database, "good_one")).toBe(true);
    expect(await tableExists(database, "half_done")).toBe(false);
    const ledger = await database.db.selectFrom("schema_migrations").select("name").execute();
    expect(ledger.map((r) => r.name)).toEqual(["0001_good.sql"]);

    // Fixed, it applies on the next run.
    const fixed = { name: "0002_bad.sql", sql: "create table half_done (id int);" };
    expect(await migrate(database, [good, fixed])).toEqual(["0002_bad.sql"]);
  });

  it("refuses to run when an applied migration was edited", async () => {
    const database = await empty();
    await migrate(database, [{ name: "0001_a.sql", sql: "create table a (id int);" }]);
    await expect(migrate(database, [{ name: "0001_a.sql", sql: "create table a (id bigint);" }])).rejects.toThrow(
      /0001_a\.sql was changed after it was applied/,
    );
  });

  // An embedded PGlite belongs to one process, so this only means something on a server.
  it.skipIf(!usingPostgres)("several processes migrating at once apply each migration once", async () => {
    const first = await empty();
    const files = readMigrationFiles();
    const results = await Promise.all([migrate(first, files), migrate(first, files), migrate(first, files)]);
    expect(results.flat().sort()).toEqual(files.map((f) => f.name).sort());
  });
});

describe("the decision log", () => {
  it("refuses UPDATE, DELETE and TRUNCATE at the database", async () => {
    const migrated = await openMigratedDatabase();
    opened.push(migrated);
    const { db } = migrated.database;
    const row = await db
      .insertInto("decisions")
      .values({
        subject_kind: "comment",
        subject_id: "1",
        subject_text: "text",
        action: "remove",
        forum_rules: ["R2"],
        rule_ids: ["R2-profanity-severe"],
        facts: JSON.stringify({}),
        source: "automated_detection",
        automation: "fully_automated",
        moderator_id: null,
        affected_member_id: null,
        rules_version: "rules-x",
        model_version: null,
        reverses_decision_id: null,
        created_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(db.updateTable("decisions").set({ action: "approve" }).where("id", "=", row.id).execute()).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(db.deleteFrom("decisions").where("id", "=", row.id).execute()).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate decisions cascade`.execute(db)).rejects.toThrow(/append-only: TRUNCATE/);
    const still = await db.selectFrom("decisions").select("action").where("id", "=", row.id).executeTakeFirstOrThrow();
    expect(still.action).toBe("remove");
  });
});
