// Benchmark 9: the registration form's live nickname check (POST /nicknames/check: the text phases, then
// the same-key and near-match lookups) with 1M members holding nicknames (BENCH_MEMBERS to change).
// Nicknames are generated in PostgreSQL with their keys and one-deletion neighbour entries, as setNickname
// stores them (src/db/nicknames.ts). Half the checks ask for a nickname one letter away from a member's,
// half for a new one. Target: p99 < 10 ms.
import { withClient } from "../src/db/postgres.ts";
import { admin, benchServer, databaseUrl, freshDatabase, load, saveResult, tokens, type PlannedRequest } from "./harness.ts";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const BATCH = 100_000;

async function main() {
  const database = await freshDatabase("bench_nicknames");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "16" });
  try {
    await withClient(databaseUrl(database), async (client) => {
      for (let first = 0; first < MEMBERS; first += BATCH) {
        const last = Math.min(MEMBERS, first + BATCH) - 1;
        // Keys as the engine writes plain lower-case Latin names: the nickname itself.
        await client.query(
          `insert into members (id, nickname, nickname_key, nickname_status, created_at, updated_at)
           select 'm' || g, 'reader' || g, 'reader' || g, 'approved', now(), now() from generate_series($1::int, $2::int) g`,
          [first, last],
        );
        await client.query(
          `insert into nickname_neighbors (variant, member_id)
           select distinct v.variant, m.id
           from members m
           cross join lateral (
             select m.nickname_key as variant
             union
             select overlay(m.nickname_key placing '' from i for 1) from generate_series(1, char_length(m.nickname_key)) i
           ) v
           where m.id in (select 'm' || g from generate_series($1::int, $2::int) g)`,
          [first, last],
        );
        process.stderr.write(`\rmembers ${(last + 1).toLocaleString("en")}/${MEMBERS.toLocaleString("en")}`);
      }
      process.stderr.write("\n");
      await client.query("vacuum analyze");
    });
    await server.start();
    const checkers = await tokens(200, "checker-");
    const checks: PlannedRequest[] = checkers.map((token, i) => ({
      method: "POST",
      path: "/nicknames/check",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      // One letter off a member's nickname (held as similar), or a name nobody has.
      body: JSON.stringify({ nickname: i % 2 ? `reader${(i * 4999) % MEMBERS}x` : `新讀者${i}號` }),
    }));
    // The near ones must be found: a check one letter off a member's nickname is held as similar.
    const probe = (await (await fetch(`${server.base}/nicknames/check`, { method: "POST", headers: checks[1]!.headers, body: checks[1]!.body })).json()) as { code: string | null };
    if (probe.code !== "nickname_similar") throw new Error(`a near nickname was not found: ${JSON.stringify(probe)}`);
    load(server.base, checks, CONNECTIONS, 2);
    const run = load(server.base, checks, CONNECTIONS, SECONDS);
    if (run.non2xx > 0) throw new Error(`/nicknames/check answered ${JSON.stringify(run.statusCodes)}`);
    const result = { members: MEMBERS, connections: CONNECTIONS, requestsPerSecond: Math.round(run.requestsPerSecond), p50Ms: run.latencyMs.p50, p99Ms: run.latencyMs.p99 };
    saveResult("nicknames", result);
    console.log(`nickname checks with ${MEMBERS.toLocaleString("en")} members: ${result.requestsPerSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (target p99 < 10 ms)`);
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
