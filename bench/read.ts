// Benchmark 4: GET /articles/:id/comments, the first page and a deep cursor page, on an article with
// 100k comments in a 1M-comment table (BENCH_COMMENTS / BENCH_HOT to change), and the first page again
// revalidated: the reader holds its ETag and gets 304 (what browsers and CDNs send once max-age is over);
// once as the server is configured by default and once with its memory of public reads off.
// Targets: first page p99 ≤ 10 ms and ≥ 2,000 requests/s at 8 connections; 304s ≥ 5,000 requests/s.
import { withClient } from "../src/db/postgres.ts";
import { admin, databaseUrl, freshDatabase, load, saveResult, benchServer } from "./harness.ts";
import { generate } from "./generate.ts";

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 1_000_000);
const HOT = Number(process.env.BENCH_HOT ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

type Measured = { requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx?: number };
const measured = (r: ReturnType<typeof load>, withNon2xx = true): Measured => ({
  requestsPerSecond: Math.round(r.requestsPerSecond),
  p50Ms: r.latencyMs.p50,
  p99Ms: r.latencyMs.p99,
  ...(withNon2xx ? { non2xx: r.non2xx } : {}),
});

/** The first page, a deep cursor page and the first page revalidated, against one server. */
async function readings(base: string, deepCursor: string) {
  const first = load(base, [{ method: "GET", path: "/articles/hot/comments?limit=20", headers: {} }], CONNECTIONS, SECONDS);
  const deepPage = load(base, [{ method: "GET", path: `/articles/hot/comments?limit=20&cursor=${deepCursor}`, headers: {} }], CONNECTIONS, SECONDS);
  const etag = (await fetch(`${base}/articles/hot/comments?limit=20`)).headers.get("etag");
  if (!etag) throw new Error("the first page has no ETag");
  const revalidated = load(base, [{ method: "GET", path: "/articles/hot/comments?limit=20", headers: { "if-none-match": etag } }], CONNECTIONS, SECONDS);
  if ((revalidated.statusCodes["304"]?.count ?? 0) !== revalidated.totalRequests) throw new Error(`revalidation answered ${JSON.stringify(revalidated.statusCodes)}`);
  return { firstPage: measured(first), deepPage: measured(deepPage), revalidated: measured(revalidated, false) };
}

const line = (name: string, r: Awaited<ReturnType<typeof readings>>) =>
  `${name}: first page ${r.firstPage.requestsPerSecond}/s p50 ${r.firstPage.p50Ms} ms p99 ${r.firstPage.p99Ms} ms, ` +
  `deep cursor page ${r.deepPage.requestsPerSecond}/s p99 ${r.deepPage.p99Ms} ms, 304 ${r.revalidated.requestsPerSecond}/s p99 ${r.revalidated.p99Ms} ms`;

async function main() {
  const database = await freshDatabase("bench_read");
  // As configured by default (a public read is kept in the process for PUBLIC_READ_MEMORY_MS = 1 s), and
  // with that memory off, where every request asks the database.
  const server = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "16" });
  const fromDatabase = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "16", PUBLIC_READ_MEMORY_MS: "0" });
  try {
    await generate(databaseUrl(database), { comments: COMMENTS, hotComments: HOT, articles: 1000, members: 10_000 });
    // The cursor a reader holds after paging 90% of the way down.
    const deep = await withClient(databaseUrl(database), (client) =>
      client.query(
        `select created_at, id::text from comments where article_id = 'hot' and status = 'published' order by created_at desc, id desc offset $1 limit 1`,
        [Math.floor(HOT * 0.9)],
      ),
    );
    const cursor = Buffer.from(JSON.stringify([deep.rows[0].created_at.toISOString(), deep.rows[0].id])).toString("base64url");
    await server.start();
    const remembered = await readings(server.base, cursor);
    await server.stop();
    await fromDatabase.start();
    const asked = await readings(fromDatabase.base, cursor);
    const result = { comments: COMMENTS, hotArticleComments: HOT, connections: CONNECTIONS, ...remembered, everyRequestAsksTheDatabase: asked };
    saveResult("read", result);
    console.log(`reading (${HOT.toLocaleString("en")} of ${COMMENTS.toLocaleString("en")} comments on one article; targets first page p99 ≤ 10 ms, ≥ 2,000/s, 304s ≥ 5,000/s)`);
    console.log(line("  as configured (1 s in memory)", remembered));
    console.log(line("  every request asks the database", asked));
  } finally {
    await server.stop();
    await fromDatabase.stop();
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
