// Benchmark 4: GET /articles/:id/comments, the first page and a deep cursor page, on an article with
// 100k comments in a 1M-comment table (BENCH_COMMENTS / BENCH_HOT to change), and the first page again
// revalidated: the reader holds its ETag and gets 304 (what browsers and CDNs send once max-age is over).
// Targets: first page p99 ≤ 10 ms and ≥ 2,000 requests/s at 8 connections; 304s ≥ 5,000 requests/s.
import { withClient } from "../src/db/postgres.ts";
import { admin, databaseUrl, freshDatabase, load, saveResult, benchServer } from "./harness.ts";
import { generate } from "./generate.ts";

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 1_000_000);
const HOT = Number(process.env.BENCH_HOT ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

async function main() {
  const database = await freshDatabase("bench_read");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "16" });
  try {
    await generate(databaseUrl(database), { comments: COMMENTS, hotComments: HOT, articles: 1000, members: 10_000 });
    await server.start();
    // The cursor a reader holds after paging 90% of the way down.
    const deep = await withClient(databaseUrl(database), (client) =>
      client.query(
        `select created_at, id::text from comments where article_id = 'hot' and status = 'published' order by created_at desc, id desc offset $1 limit 1`,
        [Math.floor(HOT * 0.9)],
      ),
    );
    const cursor = Buffer.from(JSON.stringify([deep.rows[0].created_at.toISOString(), deep.rows[0].id])).toString("base64url");
    const first = load(server.base, [{ method: "GET", path: "/articles/hot/comments?limit=20", headers: {} }], CONNECTIONS, SECONDS);
    const deepPage = load(server.base, [{ method: "GET", path: `/articles/hot/comments?limit=20&cursor=${cursor}`, headers: {} }], CONNECTIONS, SECONDS);
    const etag = (await fetch(`${server.base}/articles/hot/comments?limit=20`)).headers.get("etag");
    if (!etag) throw new Error("the first page has no ETag");
    const revalidated = load(server.base, [{ method: "GET", path: "/articles/hot/comments?limit=20", headers: { "if-none-match": etag } }], CONNECTIONS, SECONDS);
    if ((revalidated.statusCodes["304"]?.count ?? 0) !== revalidated.totalRequests) throw new Error(`revalidation answered ${JSON.stringify(revalidated.statusCodes)}`);
    const result = {
      comments: COMMENTS,
      hotArticleComments: HOT,
      connections: CONNECTIONS,
      firstPage: { requestsPerSecond: Math.round(first.requestsPerSecond), p50Ms: first.latencyMs.p50, p99Ms: first.latencyMs.p99, non2xx: first.non2xx },
      deepPage: { requestsPerSecond: Math.round(deepPage.requestsPerSecond), p50Ms: deepPage.latencyMs.p50, p99Ms: deepPage.latencyMs.p99, non2xx: deepPage.non2xx },
      revalidated: { requestsPerSecond: Math.round(revalidated.requestsPerSecond), p50Ms: revalidated.latencyMs.p50, p99Ms: revalidated.latencyMs.p99 },
    };
    saveResult("read", result);
    console.log(
      `reading (${HOT.toLocaleString("en")} of ${COMMENTS.toLocaleString("en")} comments on one article): ` +
        `first page ${result.firstPage.requestsPerSecond}/s p50 ${result.firstPage.p50Ms} ms p99 ${result.firstPage.p99Ms} ms, ` +
        `deep cursor page ${result.deepPage.requestsPerSecond}/s p50 ${result.deepPage.p50Ms} ms p99 ${result.deepPage.p99Ms} ms (target p99 ≤ 10 ms, ≥ 2,000/s), ` +
        `304 revalidation ${result.revalidated.requestsPerSecond}/s p99 ${result.revalidated.p99Ms} ms (target ≥ 5,000/s)`,
    );
  } finally {
    await server.stop();
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
