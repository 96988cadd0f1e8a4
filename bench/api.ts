// Benchmark 2: POST /articles/:id/comments end to end (Node server, PostgreSQL on loopback, durable
// commits) against, in the same run, a baseline route that validates and inserts the same row without
// moderation. Load comes from autocannon in a second process; rounds alternate so drift hits both alike.
// Targets: moderated ≥ 0.85 × baseline throughput; ≥ 2,000 comments/s with p99 < 50 ms.
import { cpus } from "node:os";
import { toTraditional } from "../scripts/traditional.ts";
import { readForumRules } from "../src/rules-on-disk.ts";
import { admin, benchPolicyFile, databaseUrl, freshDatabase, load, median, saveResult, benchServer, tokens, type LoadResult, type PlannedRequest } from "./harness.ts";
import { devTexts } from "./dev-texts.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const texts = devTexts();

async function main() {
  const database = await freshDatabase("bench_api");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), POLICY_PATH: benchPolicyFile(), BENCH_BASELINE: "1", DATABASE_POOL_MAX: "16", DEMO_SEED: "1" });
  try {
    await server.start();
    const version = readForumRules().version;
    const members = await tokens(500, "bench-");
    // The mix: COLD dev texts, every other one in Taiwan Traditional, and one in fifty over the length limit.
    const bodies = texts.slice(0, 2000).map((text, i) => (i % 50 === 49 ? "長".repeat(2100) : i % 2 ? toTraditional(text) : text));
    const plan = (path: string): PlannedRequest[] =>
      bodies.map((body, i) => ({
        method: "POST",
        path,
        headers: { "content-type": "application/json", authorization: `Bearer ${members[i % members.length]}` },
        body: JSON.stringify({ body, acceptedRulesVersion: version }),
      }));
    const moderated = plan("/articles/demo-1/comments");
    const baseline = plan("/bench/baseline/articles/demo-1/comments");
    // Warm up both paths (JIT, pool, caches) before measuring.
    load(server.base, moderated, CONNECTIONS, 2);
    load(server.base, baseline, CONNECTIONS, 2);
    const runs: { moderated: LoadResult[]; baseline: LoadResult[] } = { moderated: [], baseline: [] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.baseline.push(load(server.base, baseline, CONNECTIONS, SECONDS));
      runs.moderated.push(load(server.base, moderated, CONNECTIONS, SECONDS));
      process.stderr.write(`round ${round + 1}/${ROUNDS}: baseline ${Math.round(runs.baseline.at(-1)!.requestsPerSecond)}/s, moderated ${Math.round(runs.moderated.at(-1)!.requestsPerSecond)}/s\n`);
    }
    const summary = (results: LoadResult[]) => ({
      requestsPerSecond: Math.round(median(results.map((r) => r.requestsPerSecond))),
      p50Ms: median(results.map((r) => r.latencyMs.p50)),
      p99Ms: median(results.map((r) => r.latencyMs.p99)),
      statusCodes: results.at(-1)!.statusCodes,
      errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    });
    const result = {
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, PostgreSQL on loopback, synchronous_commit on`,
      connections: CONNECTIONS,
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      moderated: summary(runs.moderated),
      baseline: summary(runs.baseline),
      ratio: Number((median(runs.moderated.map((r) => r.requestsPerSecond)) / median(runs.baseline.map((r) => r.requestsPerSecond))).toFixed(3)),
    };
    saveResult("api", result);
    console.log(`API: moderated ${result.moderated.requestsPerSecond}/s (p50 ${result.moderated.p50Ms} ms, p99 ${result.moderated.p99Ms} ms) vs baseline ${result.baseline.requestsPerSecond}/s (p50 ${result.baseline.p50Ms} ms, p99 ${result.baseline.p99Ms} ms): ratio ${result.ratio} (target ≥ 0.85)`);
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
