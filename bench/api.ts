// Benchmark 2: POST /articles/:id/comments end to end (Node server, PostgreSQL on loopback, durable
// commits) against, in the same run, a baseline route that validates and inserts the same row in one
// statement without moderation. Load comes from autocannon in a second process; rounds alternate so drift
// hits both alike. Two mixes of comments:
//   taiwan  the project's own labelled Taiwanese comments (data/taiwan/), as a news site's comments are:
//           every line labelled allow and one in eight of the others, so about nine in ten are published;
//   cold    COLD's dev texts (mainland social media, half of them offensive), every other one in Taiwan
//           Traditional: a hostile day.
// In both, one comment in fifty is over the length limit, and each member writes from an address of their
// own (X-Forwarded-For behind TRUST_PROXY=1), as readers do: one address for every writer would make its
// rate-limit row the queue every comment waits in. The server's peak resident memory (VmHWM) is read
// after the load. Targets: moderated ≥ 0.85 × baseline; ≥ 1,000 comments/s with p99 < 50 ms.
import { cpus } from "node:os";
import { toTraditional } from "../scripts/traditional.ts";
import { readForumRules } from "../src/rules-on-disk.ts";
import { admin, benchPolicyFile, databaseUrl, freshDatabase, load, median, peakRssMb, saveResult, benchServer, tokens, type LoadResult, type PlannedRequest } from "./harness.ts";
import { devTexts, taiwanComments } from "./dev-texts.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Mostly published, as a news site's comments are: every allowed line, one in eight of the rest. */
function taiwanTexts(): string[] {
  let others = 0;
  return taiwanComments(["train", "dev", "test"])
    .filter(({ label }) => label === "allow" || others++ % 8 === 0)
    .map(({ text }) => text);
}

const MIXES: Record<string, () => string[]> = {
  taiwan: () => taiwanTexts().slice(0, 2000),
  cold: () => devTexts().slice(0, 2000).map((text, i) => (i % 2 ? toTraditional(text) : text)),
};

const summary = (results: LoadResult[]) => ({
  requestsPerSecond: Math.round(median(results.map((r) => r.requestsPerSecond))),
  p50Ms: median(results.map((r) => r.latencyMs.p50)),
  p99Ms: median(results.map((r) => r.latencyMs.p99)),
  statusCodes: results.at(-1)!.statusCodes,
  errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
});

async function runMix(name: string, texts: string[]) {
  const database = await freshDatabase(`bench_api_${name}`);
  const server = benchServer({ DATABASE_URL: databaseUrl(database), POLICY_PATH: benchPolicyFile(), BENCH_BASELINE: "1", DATABASE_POOL_MAX: "16", DEMO_SEED: "1", TRUST_PROXY: "1" });
  try {
    await server.start();
    const version = readForumRules().version;
    const members = await tokens(500, `bench-${name}-`);
    const bodies = texts.map((text, i) => (i % 50 === 49 ? "長".repeat(2100) : text));
    const plan = (path: string): PlannedRequest[] =>
      bodies.map((body, i) => ({
        method: "POST",
        path,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${members[i % members.length]}`,
          "x-forwarded-for": `10.0.${(i % members.length) >> 8}.${(i % members.length) & 255}`,
        },
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
      process.stderr.write(`${name} round ${round + 1}/${ROUNDS}: baseline ${Math.round(runs.baseline.at(-1)!.requestsPerSecond)}/s, moderated ${Math.round(runs.moderated.at(-1)!.requestsPerSecond)}/s\n`);
    }
    return {
      moderated: summary(runs.moderated),
      baseline: summary(runs.baseline),
      ratio: Number((median(runs.moderated.map((r) => r.requestsPerSecond)) / median(runs.baseline.map((r) => r.requestsPerSecond))).toFixed(3)),
      serverPeakRssMb: peakRssMb(server),
    };
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

async function main() {
  const mixes: Record<string, Awaited<ReturnType<typeof runMix>>> = {};
  for (const [name, texts] of Object.entries(MIXES)) mixes[name] = await runMix(name, texts());
  const result = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, PostgreSQL on loopback, synchronous_commit on`,
    connections: CONNECTIONS,
    secondsPerRound: SECONDS,
    rounds: ROUNDS,
    mixes,
  };
  saveResult("api", result);
  for (const [name, mix] of Object.entries(mixes)) {
    console.log(
      `API (${name} mix): moderated ${mix.moderated.requestsPerSecond}/s (p50 ${mix.moderated.p50Ms} ms, p99 ${mix.moderated.p99Ms} ms) vs baseline ` +
        `${mix.baseline.requestsPerSecond}/s (p50 ${mix.baseline.p50Ms} ms, p99 ${mix.baseline.p99Ms} ms): ratio ${mix.ratio} (target ≥ 0.85); server peak RSS ${mix.serverPeakRssMb} MB`,
    );
  }
}

await main();
