import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { connectPglite, PGLITE_SHARED_BUFFERS } from "../src/db/pglite.ts";

describe("embedded PGlite", () => {
  it("runs with the smaller shared buffers connectPglite asks for, not initdb's 128 MB", async () => {
    const database = await connectPglite();
    try {
      const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(database.db);
      expect(rows[0]!.shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
    } finally {
      await database.close();
    }
  });
});
