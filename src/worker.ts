import { createApp } from "./app.ts";
import { loadClassifier, type ModelFile } from "./classifier/model.ts";
import { systemClock } from "./clock.ts";
import { connectPostgres } from "./db/postgres.ts";
import { parseForumRules } from "./forum-rules.ts";
import { parseNicknameRules } from "./nicknames/rules.ts";
import { parsePolicy } from "./policy.ts";
import { createModerator } from "./moderation/moderate.ts";
import { loadRuleSet, type RuleFile } from "./moderation/rules.ts";
import modelFile from "../models/abuse-classifier.json";
import forumRulesText from "../rules/forum-rules.yaml";
import nicknameRulesText from "../rules/nicknames.yaml";
import policyText from "../rules/policy.yaml";
import sitesText from "../rules/sites.yaml";
import classifierPolicy from "../rules/engine/classifier-policy.yaml";
import mentions from "../rules/engine/mentions.yaml";
import r1Illegal from "../rules/engine/r1-illegal.yaml";
import r1Links from "../rules/engine/r1-links.yaml";
import r1PersonalData from "../rules/engine/r1-personal-data.yaml";
import r2Abuse from "../rules/engine/r2-abuse.yaml";
import r2Hokkien from "../rules/engine/r2-hokkien.yaml";
import r4NicknameHooks from "../rules/engine/r4-nickname-hooks.yaml";
import r4PublicFigures from "../rules/engine/r4-public-figures.yaml";
import substitutions from "../rules/engine/substitutions.yaml";
import type { z } from "zod";
import type { PublisherSso } from "./auth/publisher-keys.ts";
import { limitSettingsSchema, publisherSsoOf } from "./config.ts";
import { matchesIfNoneMatch } from "./http/cache.ts";
import { sendDueWebhooks } from "./webhooks/send.ts";
import { buildSites, parseSitesFile } from "./sites.ts";

// Workers have no file system at run time: the rule files are bundled as text. Every file in
// rules/engine/ must be listed here; test/worker.test.ts fails when one is missing.
export const ENGINE_RULE_FILES: RuleFile[] = [
  { name: "rules/engine/classifier-policy.yaml", text: classifierPolicy },
  { name: "rules/engine/mentions.yaml", text: mentions },
  { name: "rules/engine/r1-illegal.yaml", text: r1Illegal },
  { name: "rules/engine/r1-links.yaml", text: r1Links },
  { name: "rules/engine/r1-personal-data.yaml", text: r1PersonalData },
  { name: "rules/engine/r2-abuse.yaml", text: r2Abuse },
  { name: "rules/engine/r2-hokkien.yaml", text: r2Hokkien },
  { name: "rules/engine/r4-nickname-hooks.yaml", text: r4NicknameHooks },
  { name: "rules/engine/r4-public-figures.yaml", text: r4PublicFigures },
  { name: "rules/engine/substitutions.yaml", text: substitutions },
];

// Compiled once per isolate, at module load; the model is bundled with the code.
const forumRules = parseForumRules("rules/forum-rules.yaml", forumRulesText);
const policy = parsePolicy("rules/policy.yaml", policyText);
const nicknameRules = parseNicknameRules("rules/nicknames.yaml", nicknameRulesText);
const moderator = createModerator(loadRuleSet(ENGINE_RULE_FILES), loadClassifier(modelFile as ModelFile));
// Kept per isolate: it also remembers which site each article it has seen is on (an article never moves).
const sites = buildSites(parseSitesFile("rules/sites.yaml", sitesText), { forumRules, policy, moderator });

export interface WorkerEnv {
  /** Hyperdrive binding in front of the Postgres server (wrangler.toml). */
  HYPERDRIVE: { connectionString: string };
  /** Secret: `wrangler secret put JWT_SECRET`. */
  JWT_SECRET: string;
  MAX_COMMENT_CHARS?: string;
  /** The longest a token may live, in seconds (default 86400). */
  MAX_TOKEN_AGE_SECONDS?: string;
  /** The publisher's sign-on (README, "Put it on your site"): its JWKS and the iss and aud its tokens carry. */
  JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWKS_CACHE_SECONDS?: string;
  /** The publisher's origins whose pages may embed the comment section, comma-separated. */
  EMBED_ORIGINS?: string;
}

interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** The Workers cache (the Cache API's default cache); absent outside the Workers runtime. */
declare const caches: { default: { match(key: Request): Promise<Response | undefined>; put(key: Request, response: Response): Promise<void> } } | undefined;

// The public reads of the JSON API: an article, its comment pages, its tags. The same paths answer HTML
// to browsers (per session, never cached), so only requests that do not ask for HTML are.
const PUBLIC_READ = /^\/articles\/[^/]+(\/comments|\/tags)?$/;

/** Whether the app might answer this request with a page (text/html or text/* in Accept, in any case): never from the JSON cache. */
function mayWantHtml(request: Request): boolean {
  const accept = (request.headers.get("accept") ?? "").toLowerCase();
  return accept.includes("text/html") || accept.includes("text/*");
}

/**
 * A public read from the Workers cache when it holds a fresh copy (their Cache-Control says how long:
 * src/http/cache.ts), from the app otherwise, stored for the next reader. `X-Worker-Cache` says which.
 */
async function throughCache(request: Request, ctx: WorkerContext, answer: () => Promise<Response>): Promise<Response> {
  const url = new URL(request.url);
  const cache = typeof caches === "undefined" ? undefined : caches.default;
  if (!cache || request.method !== "GET" || !PUBLIC_READ.test(url.pathname) || mayWantHtml(request)) {
    return answer();
  }
  const key = new Request(url.toString(), { method: "GET" });
  const hit = await cache.match(key);
  if (hit) {
    const tag = hit.headers.get("etag");
    const headers = new Headers(hit.headers);
    headers.set("X-Worker-Cache", "hit");
    if (tag && matchesIfNoneMatch(request.headers.get("if-none-match") ?? undefined, tag)) return new Response(null, { status: 304, headers });
    return new Response(hit.body, { status: hit.status, headers });
  }
  const response = await answer();
  if (response.status !== 200 || !(response.headers.get("cache-control") ?? "").startsWith("public")) return response;
  ctx.waitUntil(cache.put(key, response.clone()));
  const headers = new Headers(response.headers);
  headers.set("X-Worker-Cache", "miss");
  return new Response(response.body, { status: response.status, headers });
}

let limits: z.infer<typeof limitSettingsSchema> | undefined;
let publisherSso: PublisherSso | null | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
    // A Worker may not reuse I/O objects across requests, so each request gets its own connection;
    // Hyperdrive pools the real connections to Postgres.
    // An isolate's environment does not change: its limits are read once, on the first request.
    limits ??= limitSettingsSchema.parse({
      MAX_TOKEN_AGE_SECONDS: env.MAX_TOKEN_AGE_SECONDS || undefined,
      MAX_COMMENT_CHARS: env.MAX_COMMENT_CHARS || undefined,
      JWKS_URL: env.JWKS_URL || undefined,
      JWT_ISSUER: env.JWT_ISSUER || undefined,
      JWT_AUDIENCE: env.JWT_AUDIENCE || undefined,
      JWKS_CACHE_SECONDS: env.JWKS_CACHE_SECONDS || undefined,
      EMBED_ORIGINS: env.EMBED_ORIGINS || undefined,
    });
    publisherSso ??= publisherSsoOf(limits);
    const database = connectPostgres({ connectionString: env.HYPERDRIVE.connectionString, poolMax: 1, prepare: false });
    const app = createApp({
      db: database.db,
      clock: systemClock,
      moderator,
      clientIp: (c) => c.req.header("cf-connecting-ip") ?? null,
      draining: () => false,
      config: {
        jwtSecret: env.JWT_SECRET,
        // The publisher's keys are kept per isolate (src/auth/publisher-keys.ts), fetched by the request that needs them.
        publisherSso,
        embedOrigins: limits.EMBED_ORIGINS,
        maxCommentChars: limits.MAX_COMMENT_CHARS,
        maxTokenAgeSeconds: limits.MAX_TOKEN_AGE_SECONDS,
        // Each request has an app of its own here, and the Workers cache (throughCache) keeps public reads.
        publicReadMemoryMs: 0,
        // A request's database connection closes when its answer is returned, so the live queue's stream
        // carries one snapshot and the browser comes back for the next (polling by server-sent events).
        liveQueueHoldMs: 0,
        forumRules,
        policy,
        nicknameRules,
        sites,
      },
    });
    try {
      return await throughCache(request, ctx, async () => app.fetch(request));
    } finally {
      ctx.waitUntil(database.close());
    }
  },

  // The Cron Trigger (wrangler.toml [triggers]): sends the outbox's due webhooks, a full batch at a time,
  // for as long as a scheduled run may take; what is left waits for the next minute.
  async scheduled(_event: unknown, env: WorkerEnv, ctx: WorkerContext): Promise<void> {
    const database = connectPostgres({ connectionString: env.HYPERDRIVE.connectionString, poolMax: 1, prepare: false });
    const run = (async () => {
      try {
        const until = Date.now() + 25_000;
        let round = await sendDueWebhooks(database.db, fetch, policy.webhooks, () => systemClock.now());
        while (round.attempted === policy.webhooks.batch && Date.now() < until) round = await sendDueWebhooks(database.db, fetch, policy.webhooks, () => systemClock.now());
      } finally {
        await database.close();
      }
    })();
    ctx.waitUntil(run);
    await run;
  },
};
