import type { Server as HttpServer } from "node:http";
import { setFlagsFromString } from "node:v8";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "./app.ts";
import { benchBaselineRoutes } from "./routes/bench-baseline.ts";
import { mintToken } from "./auth/token.ts";
import { systemClock } from "./clock.ts";
import { heapGrowingFlag, loadServerConfig } from "./config.ts";
import { openDatabase } from "./db/open.ts";
import { startWebhookSender } from "./webhooks/send.ts";
import { DEMO_ARTICLE_ID, seedDemoArticle } from "./demo.ts";
import { loadClassifier } from "./classifier/model.ts";
import { createModerator } from "./moderation/moderate.ts";
import { loadRuleSet } from "./moderation/rules.ts";
import { readEngineRuleFiles, readForumRules, readModelFile, readNicknameRules, readPolicy, readSiteEntries } from "./rules-on-disk.ts";
import { buildSites } from "./sites.ts";

const config = loadServerConfig(process.env);
// V8's heap growing factor, 1 + HEAP_GROWING_PERCENT / 100: after a full collection the old generation's
// next limit is what it kept times this, plus the young generation's room. Under a steady load of comments
// V8's own factor (up to 4) let the old generation grow to 190-220 MB while 90-120 MB of it were in use
// (objects of requests waiting on the database outlive two young collections and die old), so the peak
// RSS moved between 212 and 405 MB from run to run of the same code; at 30 % it stayed at 185-195 MB with
// the same throughput (README, Benchmarks). V8 reads the flag each time it sets the next limit, so setting
// it here works as `node --heap-growing-percent=30` does (measured alike); a value given to node that way
// is the operator's and is left as it is.
const heapFlag = heapGrowingFlag(config.heapGrowingPercent, process.execArgv);
if (heapFlag) setFlagsFromString(heapFlag);
const forumRules = readForumRules();
const policy = config.policyPath ? readPolicy(config.policyPath) : readPolicy();
const nicknameRules = readNicknameRules();
const moderator = createModerator(loadRuleSet(readEngineRuleFiles()), loadClassifier(readModelFile()));
const sites = buildSites(config.sitesPath ? readSiteEntries(config.sitesPath) : readSiteEntries(), { forumRules, policy, moderator });
const { database, applied } = await openDatabase(config);
if (config.seedDemo) await seedDemoArticle(database.db, systemClock.now());

let draining = false;

const app = createApp({
  draining: () => draining,
  db: database.db,
  clock: systemClock,
  moderator,
  // Behind the site's proxy (TRUST_PROXY=1) the client is the first X-Forwarded-For address; otherwise the socket's.
  clientIp: (c) =>
    (config.trustProxy ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined) || getConnInfo(c).remote.address || null,
  config: {
    jwtSecret: config.jwtSecret,
    publisherSso: config.publisherSso,
    embedOrigins: config.embedOrigins,
    maxCommentChars: config.maxCommentChars,
    maxTokenAgeSeconds: config.maxTokenAgeSeconds,
    publicReadMemoryMs: config.publicReadMemoryMs,
    forumRules,
    policy,
    nicknameRules,
    sites,
  },
});

if (config.benchBaseline) app.route("/bench", benchBaselineRoutes(config.maxCommentChars));

// The outbox's webhooks (src/webhooks/send.ts), sent from this process every WEBHOOK_INTERVAL_MS.
const webhookSender =
  config.webhookIntervalMs > 0 ? startWebhookSender(database.db, fetch, policy.webhooks, () => systemClock.now(), config.webhookIntervalMs) : null;

const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, async (info) => {
  const base = `http://${config.host}:${info.port}`;
  const where = config.databaseUrl ? "Postgres (DATABASE_URL)" : `embedded PGlite in ${config.pgliteDir}`;
  console.log(`comment moderation service listening on ${base}`);
  console.log(`database: ${where}; migrations applied now: ${applied.length ? applied.join(", ") : "none"}`);
  console.log(`rules ${moderator.rulesVersion}, model ${moderator.modelVersion}; forum rules version ${forumRules.version}; API docs ${base}/docs`);
  if (config.usingDevelopmentSecret) {
    console.log("JWT_SECRET is not set: using the development secret (never deploy like this).");
  }
  if (config.seedDemo) {
    const token = await mintToken({ memberId: "42", role: "member" }, config.jwtSecret, {
      now: systemClock.now(),
      ttlSeconds: Math.min(24 * 3600, config.maxTokenAgeSeconds),
    });
    console.log(`\nTry it (member 42, token valid ${Math.round(Math.min(24 * 3600, config.maxTokenAgeSeconds) / 3600)} h):`);
    console.log(
      `curl -s -X POST ${base}/articles/${DEMO_ARTICLE_ID}/comments -H 'content-type: application/json' ` +
        `-H 'authorization: Bearer ${token}' ` +
        `-d '{"body":"夜間公車終於來了，支持！","acceptedRulesVersion":"${forumRules.version}"}'`,
    );
    console.log(`curl -s ${base}/articles/${DEMO_ARTICLE_ID}/comments`);
    if (policy.trust.newcomerComments > 0) {
      console.log(`(member 42 is new here: their first ${policy.trust.newcomerComments} comments wait for a moderator, who approves them at /moderate)`);
    }
    console.log(`\nIn a browser: the article page ${base}/articles/${DEMO_ARTICLE_ID} and the moderator pages ${base}/moderate;`);
    console.log("sign in at /login with the token above (member) or one from `npm run token -- --member 7 --role moderator`.");
  }
});

// Graceful shutdown, as a load balancer expects it: on SIGTERM, /readyz turns false at once so no new
// traffic is routed here, while connections already made (including those still in the kernel's accept
// queue, which closing the listener would reset) are served for a grace period with `Connection: close`;
// then the listener closes, idle connections with it, and the process exits once the last response is out.
const http = server as HttpServer;
http.on("request", (_request, response) => {
  if (draining) response.setHeader("connection", "close");
});

function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  console.log(`${signal}: not ready any more; finishing in-flight requests for ${config.shutdownGraceMs} ms, then closing`);
  setTimeout(() => {
    http.close(async () => {
      // A round in progress finishes; what it did not reach stays due for the next process.
      await webhookSender?.stop();
      database
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          console.error("closing the database failed:", error);
          process.exit(1);
        });
    });
    // Whatever is still open after another grace period is cut off.
    setTimeout(() => http.closeAllConnections(), config.shutdownGraceMs).unref();
  }, config.shutdownGraceMs).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
