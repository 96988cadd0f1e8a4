// Benchmark 7: what a small and a large site run into.
//   embedded  the server on embedded PGlite (a small site's default, no database to run): comments
//             posted with the Taiwanese mix, then the first page read and revalidated (304);
//   tags      tag posts (forum rule R3: relatedness among the newest articles) with 100k articles on
//             PostgreSQL. Target p99 < 50 ms.
// Each writer posts from an address of its own, as in bench/api.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readForumRules } from "../src/rules-on-disk.ts";
import { taiwanComments } from "./dev-texts.ts";
import { generate } from "./generate.ts";
import { admin, benchPolicyFile, benchServer, databaseUrl, freshDatabase, load, peakRssMb, saveResult, tokens, type PlannedRequest } from "./harness.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);

const summary = (run: ReturnType<typeof load>) => ({
  requestsPerSecond: Math.round(run.requestsPerSecond),
  p50Ms: run.latencyMs.p50,
  p99Ms: run.latencyMs.p99,
  statusCodes: run.statusCodes,
});

async function embedded() {
  const dir = mkdtempSync(join(tmpdir(), "bench-pglite-"));
  const server = benchServer({ PGLITE_DIR: dir, POLICY_PATH: benchPolicyFile(), DEMO_SEED: "1", TRUST_PROXY: "1" });
  try {
    await server.start();
    const version = readForumRules().version;
    const members = await tokens(200, "small-");
    const posts: PlannedRequest[] = taiwanComments(["dev"]).filter(({ label }) => label === "allow").slice(0, 1000).map(({ text: body }, i) => ({
      method: "POST",
      path: "/articles/demo-1/comments",
      headers: { "content-type": "application/json", authorization: `Bearer ${members[i % members.length]}`, "x-forwarded-for": `10.1.0.${i % members.length}` },
      body: JSON.stringify({ body, acceptedRulesVersion: version }),
    }));
    load(server.base, posts, CONNECTIONS, 2);
    const writes = load(server.base, posts, CONNECTIONS, SECONDS);
    const read: PlannedRequest[] = [{ method: "GET", path: "/articles/demo-1/comments?limit=20", headers: {} }];
    const reads = load(server.base, read, CONNECTIONS, SECONDS);
    const etag = (await fetch(`${server.base}/articles/demo-1/comments?limit=20`)).headers.get("etag")!;
    const revalidated = load(server.base, [{ ...read[0]!, headers: { "if-none-match": etag } }], CONNECTIONS, SECONDS);
    return { writes: summary(writes), firstPage: summary(reads), revalidated: summary(revalidated), serverPeakRssMb: peakRssMb(server) };
  } finally {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

const TAG_WORDS = ["颱風", "停班停課", "捷運", "健保", "房價", "選舉", "半導體", "兩岸", "棒球", "地震", "疫苗", "電價", "缺水", "少子化", "長照", "空污"];

async function tags() {
  const database = await freshDatabase("bench_scale_tags");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), POLICY_PATH: benchPolicyFile(), DATABASE_POOL_MAX: "16", TRUST_PROXY: "1" });
  try {
    await generate(databaseUrl(database), { comments: 1000, hotComments: 0, articles: ARTICLES, members: 1000 });
    await server.start();
    const members = await tokens(2000, "tagger-");
    const posts: PlannedRequest[] = members.map((token, i) => ({
      method: "POST",
      path: `/articles/a${(i * 7919) % ARTICLES}/tags`,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": `10.2.${i >> 8}.${i & 255}` },
      body: JSON.stringify({ label: TAG_WORDS[i % TAG_WORDS.length] }),
    }));
    load(server.base, posts, CONNECTIONS, 2);
    const run = load(server.base, posts, CONNECTIONS, SECONDS);
    return { articles: ARTICLES, ...summary(run) };
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

async function main() {
  const result = { connections: CONNECTIONS, embedded: await embedded(), tags: await tags() };
  saveResult("scale", result);
  const e = result.embedded;
  console.log(
    `embedded PGlite: ${e.writes.requestsPerSecond} comments/s (p99 ${e.writes.p99Ms} ms), first page ${e.firstPage.requestsPerSecond}/s (p99 ${e.firstPage.p99Ms} ms), ` +
      `304 ${e.revalidated.requestsPerSecond}/s; peak RSS ${e.serverPeakRssMb} MB`,
  );
  console.log(`tags with ${result.tags.articles.toLocaleString("en")} articles: ${result.tags.requestsPerSecond}/s, p50 ${result.tags.p50Ms} ms, p99 ${result.tags.p99Ms} ms (target p99 < 50 ms)`);
}

await main();
