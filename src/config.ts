import { z } from "zod";
import type { PublisherSso } from "./auth/publisher-keys.ts";
import { DEFAULT_MAX_TOKEN_AGE_SECONDS } from "./auth/token.ts";

// Used only when JWT_SECRET is unset outside production, so `npm start` works with no setup.
// Tokens signed with it are worthless anywhere else.
export const DEVELOPMENT_JWT_SECRET = "development-only-secret-do-not-deploy";

/**
 * The limits the Worker reads from its environment too (its bindings are strings): parsed by the same
 * rules as on Node, so a mistyped value stops the app instead of turning a check off (NaN).
 */
export const limitSettingsSchema = z.object({
  MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(DEFAULT_MAX_TOKEN_AGE_SECONDS),
  MAX_COMMENT_CHARS: z.coerce.number().int().min(1).max(100_000).default(2000),
  // The publisher's single sign-on (src/auth/publisher-keys.ts): all three or none.
  // https, so that nobody on the way can hand us a key; plain http only to this machine (development, tests).
  JWKS_URL: z
    .string()
    .url()
    .refine((url) => /^https:\/\//.test(url) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//.test(url), "JWKS_URL must be https (http only to localhost)")
    .optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWKS_CACHE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  // The publisher's pages that may embed the comment section (src/web/embed.tsx): origins, comma-separated.
  EMBED_ORIGINS: z
    .string()
    .transform((list) => list.split(",").map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((origin) => isOrigin(origin), "each of EMBED_ORIGINS must be an origin, like https://news.example.com")))
    .default([]),
});

/** An http(s) origin as a browser sends it: scheme, host and port only. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

/** The publisher's sign-on from the settings: null without JWKS_URL; refused when the issuer or audience is missing. */
export function publisherSsoOf(values: z.infer<typeof limitSettingsSchema>): PublisherSso | null {
  if (!values.JWKS_URL) {
    if (values.JWT_ISSUER || values.JWT_AUDIENCE) throw new ConfigError("JWT_ISSUER and JWT_AUDIENCE need JWKS_URL, the publisher's keys");
    return null;
  }
  if (!values.JWT_ISSUER || !values.JWT_AUDIENCE) {
    throw new ConfigError("JWKS_URL needs JWT_ISSUER and JWT_AUDIENCE: a publisher token's iss and aud are checked against them");
  }
  return { jwksUrl: values.JWKS_URL, issuer: values.JWT_ISSUER, audience: values.JWT_AUDIENCE, cacheSeconds: values.JWKS_CACHE_SECONDS };
}

const envSchema = limitSettingsSchema.extend({
  NODE_ENV: z.string().optional(),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().min(1).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_PREPARE: z.enum(["0", "1"]).default("1"),
  PGLITE_DIR: z.string().min(1).default("data/pglite"),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  DEMO_SEED: z.enum(["0", "1"]).optional(),
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(1000),
  POLICY_PATH: z.string().min(1).optional(),
  SITES_PATH: z.string().min(1).optional(),
  BENCH_BASELINE: z.enum(["0", "1"]).default("0"),
  PUBLIC_READ_MEMORY_MS: z.coerce.number().int().min(0).max(5000).default(1000),
  WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(30),
});

export interface ServerConfig {
  host: string;
  port: number;
  /** Real Postgres when set; embedded PGlite in `pgliteDir` otherwise. */
  databaseUrl: string | null;
  databasePoolMax: number;
  /** Statements prepared on each connection (DATABASE_PREPARE, db/postgres.ts). */
  databasePrepare: boolean;
  pgliteDir: string;
  jwtSecret: string;
  usingDevelopmentSecret: boolean;
  /** The publisher's keys for members' RS256/ES256 tokens (JWKS_URL, JWT_ISSUER, JWT_AUDIENCE); null: HS256 only. */
  publisherSso: PublisherSso | null;
  /** The origins whose pages may embed the comment section (EMBED_ORIGINS); none: no embedding. */
  embedOrigins: string[];
  /** The longest a token may live or have lived since its `iat`; longer-lived tokens are refused. */
  maxTokenAgeSeconds: number;
  maxCommentChars: number;
  /** Create the demo article at start (default: on for embedded PGlite, off for a real server). */
  seedDemo: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** How long a SIGTERM keeps serving connections already made before closing. */
  shutdownGraceMs: number;
  /** Another policy file than rules/policy.yaml (the benchmarks lift the rate limits this way). */
  policyPath: string | null;
  /** Another sites file than rules/sites.yaml (SITES_PATH). */
  sitesPath: string | null;
  /** Serve the benchmark's baseline route (validate and insert without moderation). Never in production. */
  benchBaseline: boolean;
  /** How long a public read's answer is kept in this process (0: not at all); at most max-age (5 s). */
  publicReadMemoryMs: number;
  /** How often the server sends the webhooks due (0: never; another process or the Worker's cron sends them). */
  webhookIntervalMs: number;
  /**
   * V8's heap growing factor for the Node server, 1 + this / 100: after a full collection the old
   * generation may grow to what it kept times the factor (plus the young generation's room) before the
   * next; 0 leaves the factor to V8's own heuristics (up to 4). A `--heap-growing-percent` given to node wins.
   */
  heapGrowingPercent: number;
}

/** The V8 flag the Node server sets for HEAP_GROWING_PERCENT, or null when node was given one itself. */
export function heapGrowingFlag(percent: number, execArgv: readonly string[]): string | null {
  // node takes V8 flags with one dash or two, - or _ inside (NODE_OPTIONS refuses this one).
  if (execArgv.some((arg) => /^--?heap[-_]growing[-_]percent(?:=|$)/.test(arg))) return null;
  return `--heap-growing-percent=${percent}`;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid configuration ${issue.path.join(".")}: ${issue.message}`);
  }
  const values = parsed.data;
  if (!values.JWT_SECRET && values.NODE_ENV === "production") {
    throw new ConfigError("JWT_SECRET is required when NODE_ENV=production");
  }
  if (values.BENCH_BASELINE === "1" && values.NODE_ENV === "production") {
    throw new ConfigError("BENCH_BASELINE is for benchmarks only and refused when NODE_ENV=production");
  }
  return {
    host: values.HOST,
    port: values.PORT,
    databaseUrl: values.DATABASE_URL ?? null,
    databasePoolMax: values.DATABASE_POOL_MAX,
    databasePrepare: values.DATABASE_PREPARE === "1",
    pgliteDir: values.PGLITE_DIR,
    jwtSecret: values.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
    usingDevelopmentSecret: !values.JWT_SECRET,
    publisherSso: publisherSsoOf(values),
    embedOrigins: values.EMBED_ORIGINS,
    maxTokenAgeSeconds: values.MAX_TOKEN_AGE_SECONDS,
    maxCommentChars: values.MAX_COMMENT_CHARS,
    publicReadMemoryMs: values.PUBLIC_READ_MEMORY_MS,
    webhookIntervalMs: values.WEBHOOK_INTERVAL_MS,
    heapGrowingPercent: values.HEAP_GROWING_PERCENT,
    seedDemo: values.DEMO_SEED ? values.DEMO_SEED === "1" : !values.DATABASE_URL,
    trustProxy: values.TRUST_PROXY === "1",
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    policyPath: values.POLICY_PATH ?? null,
    sitesPath: values.SITES_PATH ?? null,
    benchBaseline: values.BENCH_BASELINE === "1",
  };
}
