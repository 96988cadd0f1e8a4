import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNPREPARED_MARK, type DatabaseHandle } from "../src/db/handle.ts";
import { connectPostgres, planRefused, PREPARED_PER_CONNECTION, withClient } from "../src/db/postgres.ts";
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
    const migrateElsewhere = (ddl: string) => withClient(url, (client) => client.query(ddl));
    try {
      await sql`${sql.raw(`create schema ${schema}`)}`.execute(db.db);
      await sql`create table notes (id int primary key, body text)`.execute(db.db);
      await sql`insert into notes values (1, 'a')`.execute(db.db);
      const read = (on: Kysely<any> = db.db) => on.selectFrom("notes").selectAll().where("id", "=", 1).execute();
      expect(await read()).toEqual([{ id: 1, body: "a" }]);
      // Another server's migration adds a column. Outside a transaction the refused plan is prepared
      // again and the read answers at once, with the new column.
      await migrateElsewhere(`alter table ${schema}.notes add column site text default 'main'`);
      expect(await read()).toEqual([{ id: 1, body: "a", site: "main" }]);
      // Inside a transaction it cannot run again (the transaction is aborted): that transaction fails, the next one works.
      await migrateElsewhere(`alter table ${schema}.notes add column lang text default 'zh-TW'`);
      await expect(db.db.transaction().execute((trx) => read(trx))).rejects.toMatchObject({ code: "0A000" });
      expect(await db.db.transaction().execute((trx) => read(trx))).toEqual([{ id: 1, body: "a", site: "main", lang: "zh-TW" }]);
    } finally {
      await db.close();
      await migrateElsewhere(`drop schema if exists ${schema} cascade`);
    }
  });

  it("runs a statement again after a value that could not be sent (pg closed the statement)", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const echo = (value: unknown) => sql<{ v: unknown }>`select ${value}::jsonb as v`.execute(prepared.db);
    expect((await echo(JSON.stringify({ a: 1 }))).rows[0]!.v).toEqual({ a: 1 });
    await expect(echo(circular)).rejects.toThrow(/circular/i);
    expect((await echo(JSON.stringify({ a: 2 }))).rows[0]!.v).toEqual({ a: 2 });
    expect((await echo(JSON.stringify({ a: 3 }))).rows[0]!.v).toEqual({ a: 3 });
  });

  it("never prepares a statement marked unprepared (its best plan depends on its values)", async () => {
    const text = `select $1::int * 2 as n ${UNPREPARED_MARK}`;
    await sql`select ${21}::int * 2 as n ${sql.raw(UNPREPARED_MARK)}`.execute(prepared.db);
    await sql`select ${22}::int * 2 as n ${sql.raw(UNPREPARED_MARK)}`.execute(prepared.db);
    expect((await preparedTexts(prepared.db)).filter((t) => t === text)).toEqual([]);
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

describe("a refused plan, as PostgreSQL reports it", () => {
  it("is read from the SQLSTATE and the routine, not the message, which PostgreSQL translates", () => {
    expect(planRefused({ code: "0A000", routine: "RevalidateCachedQuery", message: "快取計畫不得變更結果型別" })).toBe(true);
    expect(planRefused({ code: "0A000", routine: "transformLockingClause", message: "cached plan must not change result type" })).toBe(false);
    expect(planRefused({ code: "42P01", routine: "RevalidateCachedQuery" })).toBe(false);
    expect(planRefused(new TypeError("Converting circular structure to JSON"))).toBe(false);
  });
});
