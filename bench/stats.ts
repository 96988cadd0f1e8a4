// Benchmark 8: GET /stats for the last 30 days over 10M decisions made through a year (BENCH_DECISIONS to
// change), 4 moderators asking at once. The decisions go in by batches, as they would arrive, so the
// trigger of migration 0009 counts them per day as it does in service. Target: p99 < 200 ms.
import { withClient } from "../src/db/postgres.ts";
import { admin, benchServer, databaseUrl, freshDatabase, load, saveResult, tokens } from "./harness.ts";

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 10_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const BATCH = 250_000;
const YEAR_MS = 365 * 86_400_000;

async function main() {
  const database = await freshDatabase("bench_stats");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "8" });
  try {
    const end = Date.now();
    await withClient(databaseUrl(database), async (client) => {
      await client.query(`insert into members (id, created_at, updated_at) select 'mod' || g, now(), now() from generate_series(0, 49) g`);
      for (let first = 0; first < DECISIONS; first += BATCH) {
        const last = Math.min(DECISIONS, first + BATCH) - 1;
        // One in twenty made by a moderator; the rest automated removals. Spread evenly over the year.
        await client.query(
          `insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation,
                                  moderator_id, affected_member_id, rules_version, model_version, created_at)
           select 'comment', g::text, '留言', case when g % 20 = 0 then (array['approve', 'remove', 'uphold', 'reverse'])[g % 4 + 1] else 'remove' end,
                  case g % 4 when 0 then '{R2}'::text[] when 1 then '{R1}'::text[] when 2 then '{R2,R3}'::text[] else '{R4}'::text[] end, '{}', '{}',
                  case when g % 20 = 0 then 'member_report' else 'automated_detection' end,
                  case when g % 20 = 0 then 'human' else 'fully_automated' end,
                  case when g % 20 = 0 then 'mod' || (g % 50) end, null, 'rules-bench', null,
                  to_timestamp(($3::bigint - $4::bigint + (g::bigint * $4::bigint) / $5::bigint) / 1000.0)
           from generate_series($1::bigint, $2::bigint) g`,
          [first, last, end, YEAR_MS, DECISIONS],
        );
        process.stderr.write(`\rdecisions ${(last + 1).toLocaleString("en")}/${DECISIONS.toLocaleString("en")}`);
      }
      process.stderr.write("\n");
      await client.query("vacuum analyze");
    });
    await server.start();
    const [token] = await tokens(1, "stats-", "moderator");
    const run = load(server.base, [{ method: "GET", path: "/stats", headers: { authorization: `Bearer ${token}` } }], CONNECTIONS, SECONDS);
    if (run.non2xx > 0) throw new Error(`/stats answered ${JSON.stringify(run.statusCodes)}`);
    const result = { decisions: DECISIONS, connections: CONNECTIONS, requestsPerSecond: Math.round(run.requestsPerSecond), p50Ms: run.latencyMs.p50, p99Ms: run.latencyMs.p99 };
    saveResult("stats", result);
    console.log(`/stats, last 30 days of ${DECISIONS.toLocaleString("en")} decisions: ${result.requestsPerSecond}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (target p99 < 200 ms)`);
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
