import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../src/db/handle.ts";
import { connectPostgres, PREPARED_PER_CONNECTION, withClient } from "../src/db/postgres.ts";
import { usingPostgres } from "./support/database.ts";

// The pool prepares each statement text once per connection (src/db/postgres.ts). One connection per
// pool here, so that every query below runs on the session whose pg_prepared_statements is read.
describe.skipIf(!usingPostgres)("statements prepared on a PostgreSQL connection", () => {
  const url = process.env.DATABASE_URL!;
  let prepared: DatabaseHandle;
  let unprepared: DatabaseHandle;

  beforeAll(() => {
    prepared = connectPostgres({ connectionString: url, poolMax: 1 });
    unprepared = connectPostgres({ connectionString: url, poolMax: 1, prepare: false });
  });
  afterAll(async () => {
    await prepared?.close();
    await unprepared?.close();
  });

  const preparedTexts = async (db: Kysely<any>) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

  it("prepares a statement with parameters the first time, then reuses it with other values", async () => {
    const first = await sql<{ n: number }>`select ${41}::int + 1 as n`.execute(prepared.db);
    const again = await sql<{ n: number }>`select ${1}::int + 1 as n`.execute(prepared.db);
    expect([first.rows[0]!.n, again.rows[0]!.n]).toEqual([42, 2]);
    const texts = await preparedTexts(prepared.db);
    expect(texts.filter((text) => text === "select $1::int + 1 as n")).toHaveLength(1);
  });

  it("prepares nothing when asked not to (a pooler in transaction mode, the Worker)", async () => {
    await sql`select ${41}::int + 1 as n`.execute(unprepared.db);
    expect(await preparedTexts(unprepared.db)).toEqual([]);
  });

  it("runs a migration's statements unprepared: they change the tables statements are planned on", async () => {
    const seen = await prepared.inScriptTransaction(async (tx) => {
      await tx.query("select $1::int as one", [1]);
      return (await tx.query("select statement from pg_prepared_statements where statement = 'select $1::int as one'")).rows;
    });
    expect(seen).toEqual([]);
  });

  it("prepares a statement afresh after a migration changed the columns it returns (a rolling deploy)", async () => {
    const schema = `prepared_${Date.now()}`;
    const db = connectPostgres({ connectionString: url, poolMax: 1, searchPath: schema });
    try {
      await sql`${sql.raw(`create schema ${schema}`)}`.execute(db.db);
      await sql`create table notes (id int primary key, body text)`.execute(db.db);
      await sql`insert into notes values (1, 'a')`.execute(db.db);
      const read = () => db.db.selectFrom("notes" as never).selectAll().where("id" as never, "=", 1 as never).execute();
      expect(await read()).toEqual([{ id: 1, body: "a" }]);
      // Another server's migration adds a column: this connection's plan returns the old columns.
      await withClient(url, (client) => client.query(`alter table ${schema}.notes add column site text default 'main'`));
      await expect(read()).rejects.toThrow("cached plan must not change result type");
      expect(await read()).toEqual([{ id: 1, body: "a", site: "main" }]);
      expect(await read()).toEqual([{ id: 1, body: "a", site: "main" }]);
    } finally {
      await db.close();
      await withClient(url, (client) => client.query(`drop schema if exists ${schema} cascade`));
    }
  });

  it(`keeps at most ${PREPARED_PER_CONNECTION} texts prepared on a connection and runs the others unprepared`, async () => {
    const db = connectPostgres({ connectionString: url, poolMax: 1 });
    try {
      for (let i = 0; i <= PREPARED_PER_CONNECTION; i++) {
        const result = await sql<{ n: number }>`select ${i}::int + ${sql.raw(String(i))} as n`.execute(db.db);
        expect(result.rows[0]!.n).toBe(2 * i);
      }
      const count = await sql<{ n: string }>`select count(*) as n from pg_prepared_statements`.execute(db.db);
      // The count query itself has no parameters, so it is not among them.
      expect(Number(count.rows[0]!.n)).toBe(PREPARED_PER_CONNECTION);
    } finally {
      await db.close();
    }
  });
});
