// Benchmark 5: the cost of one comment submission as the table grows — 10k, 100k and 1M existing
// comments (data generated in PostgreSQL), the same load at each size, after a full warm-up round (JIT,
// pool, caches: without it the first size measured the warm-up). Each size is measured in BENCH_ROUNDS
// rounds and its median kept: one round of 8 s on a shared 2-core machine varied by a quarter from run to
// run, more than the growth it is there to show. Every size starts from a vacuumed database, as
// autovacuum keeps one: the load rewrites the same rate-limit and counter rows thousands of times a
// second, and without it the size measured first (right after the warm-up round) paid for their dead
// rows (its rounds fell from 658 to 475/s while the larger sizes, measured after their bulk load's
// vacuum, ran at 830/s). Target: largest / smallest ≤ 1.2.
import { withClient } from "../src/db/postgres.ts";
import { readForumRules } from "../src/rules-on-disk.ts";
import { addComments, generate } from "./generate.ts";
import { admin, benchPolicyFile, databaseUrl, freshDatabase, load, median, saveResult, benchServer, tokens } from "./harness.ts";
import { devTexts } from "./dev-texts.ts";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const shape = { comments: SIZES[0]!, hotComments: 0, articles: 1000, members: 10_000 };

const texts = devTexts();

async function main() {
  const database = await freshDatabase("bench_growth");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), POLICY_PATH: benchPolicyFile(), DATABASE_POOL_MAX: "16" });
  try {
    await generate(databaseUrl(database), shape);
    await server.start();
    const version = readForumRules().version;
    const members = await tokens(2000, "grower-");
    const requests = texts.slice(0, 2000).map((body, i) => ({
      method: "POST",
      path: `/articles/a${i % 1000}/comments`,
      headers: { "content-type": "application/json", authorization: `Bearer ${members[i]}` },
      body: JSON.stringify({ body, acceptedRulesVersion: version }),
    }));
    load(server.base, requests, CONNECTIONS, SECONDS);
    const points: { existingComments: number; requestsPerSecond: number; msPerComment: number; p50Ms: number; p99Ms: number }[] = [];
    let have = shape.comments;
    for (const size of SIZES) {
      // addComments ends with a vacuum; a size measured without adding (the first, after the warm-up) needs one.
      if (size > have) {
        await addComments(databaseUrl(database), shape, have + 1, size);
        have = size;
      } else {
        await withClient(databaseUrl(database), (client) => client.query("vacuum analyze"));
      }
      const runs = Array.from({ length: ROUNDS }, () => load(server.base, requests, CONNECTIONS, SECONDS));
      const requestsPerSecond = median(runs.map((run) => run.requestsPerSecond));
      points.push({
        existingComments: size,
        requestsPerSecond: Math.round(requestsPerSecond),
        msPerComment: Number((1000 / requestsPerSecond).toFixed(3)),
        p50Ms: median(runs.map((run) => run.latencyMs.p50)),
        p99Ms: median(runs.map((run) => run.latencyMs.p99)),
      });
      process.stderr.write(`${size.toLocaleString("en")} existing: ${runs.map((run) => Math.round(run.requestsPerSecond)).join(", ")}/s (median ${points.at(-1)!.requestsPerSecond}/s)\n`);
    }
    const costs = points.map((p) => p.msPerComment);
    const result = { rounds: ROUNDS, secondsPerRound: SECONDS, points, largestToSmallest: Number((Math.max(...costs) / Math.min(...costs)).toFixed(3)) };
    saveResult("growth", result);
    console.log(`growth: cost per comment at ${SIZES.map((s) => s.toLocaleString("en")).join(" / ")} existing: ${costs.join(" / ")} ms; largest / smallest ${result.largestToSmallest} (target ≤ 1.2)`);
  } finally {
    await server.stop();
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
