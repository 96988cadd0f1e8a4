// Benchmark 5: the cost of one comment submission as the table grows — 10k, 100k and 1M existing
// comments (data generated in PostgreSQL), the same load at each size, after a full warm-up round (JIT,
// pool, caches: without it the first size measured the warm-up). Target: largest / smallest ≤ 1.2.
import { readForumRules } from "../src/rules-on-disk.ts";
import { addComments, generate } from "./generate.ts";
import { admin, benchPolicyFile, databaseUrl, freshDatabase, load, saveResult, benchServer, tokens } from "./harness.ts";
import { devTexts } from "./dev-texts.ts";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
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
      if (size > have) {
        await addComments(databaseUrl(database), shape, have + 1, size);
        have = size;
      }
      const run = load(server.base, requests, CONNECTIONS, SECONDS);
      points.push({
        existingComments: size,
        requestsPerSecond: Math.round(run.requestsPerSecond),
        msPerComment: Number((1000 / run.requestsPerSecond).toFixed(3)),
        p50Ms: run.latencyMs.p50,
        p99Ms: run.latencyMs.p99,
      });
      process.stderr.write(`${size.toLocaleString("en")} existing: ${points.at(-1)!.requestsPerSecond}/s, p50 ${run.latencyMs.p50} ms\n`);
    }
    const costs = points.map((p) => p.msPerComment);
    const result = { points, largestToSmallest: Number((Math.max(...costs) / Math.min(...costs)).toFixed(3)) };
    saveResult("growth", result);
    console.log(`growth: cost per comment at ${SIZES.map((s) => s.toLocaleString("en")).join(" / ")} existing: ${costs.join(" / ")} ms; largest / smallest ${result.largestToSmallest} (target ≤ 1.2)`);
  } finally {
    await server.stop();
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
