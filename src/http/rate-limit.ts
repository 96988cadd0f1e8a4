import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Policy, RateLimits } from "../policy.ts";

export type LimitedAction = keyof Policy["rateLimits"];

/**
 * Counts one attempt at `action` for the member and for the client address, in fixed windows stored in
 * Postgres (so every server process sees the same counts), and refuses with 429 and Retry-After once a
 * window's limit is passed. With a `requestKey` (the member's idempotency key), retries of one request
 * count once, however many arrive at the same time.
 */
/** One fixed window of a limit: the bucket it counts in, where the current window began, how many it allows. */
export interface RateWindow {
  bucket: string;
  limit: number;
  windowMs: number;
  windowStart: Date;
}

/** The windows an attempt at `action` counts in: the member's, and the client address's when known. */
export function rateLimitWindows(rateLimits: RateLimits, action: LimitedAction, memberId: string, clientIp: string | null, now: Date): RateWindow[] {
  const limits = rateLimits.windows[action];
  const buckets: { bucket: string; limit: number; windowSeconds: number }[] = [
    { bucket: `${rateLimits.scope}${action}:member:${memberId}`, ...limits.perMember },
  ];
  if (clientIp) buckets.push({ bucket: `${rateLimits.scope}${action}:ip:${clientIp}`, ...limits.perIp });
  return buckets.map(({ bucket, limit, windowSeconds }) => {
    const windowMs = windowSeconds * 1000;
    return { bucket, limit, windowMs, windowStart: new Date(Math.floor(now.getTime() / windowMs) * windowMs) };
  });
}

/** 429 with Retry-After: the window's limit is passed. */
export function rateLimitError(action: LimitedAction, window: RateWindow, now: Date): ApiError {
  const retryAfter = Math.max(1, Math.ceil((window.windowStart.getTime() + window.windowMs - now.getTime()) / 1000));
  const windowSeconds = window.windowMs / 1000;
  return new ApiError(
    429,
    "rate_limited",
    `操作太頻繁，請 ${retryAfter} 秒後再試 (${action} limit ${window.limit} per ${windowSeconds} s)`,
    { action, limit: window.limit, windowSeconds, retryAfterSeconds: retryAfter },
    { "Retry-After": String(retryAfter) },
  );
}

export async function enforceRateLimit(
  db: Kysely<Database>,
  rateLimits: RateLimits,
  action: LimitedAction,
  memberId: string,
  clientIp: string | null,
  now: Date,
  requestKey: string | null = null,
): Promise<void> {
  const windows = rateLimitWindows(rateLimits, action, memberId, clientIp, now);
  const counted = requestKey
    ? // Only the buckets where this key is new are counted; the key's earlier attempt already was.
      await db
        .with("fresh", (qb) =>
          qb
            .insertInto("rate_limit_request_keys")
            .values(windows.map((w) => ({ bucket: w.bucket, window_start: w.windowStart, request_key: `${memberId}:${requestKey}` })))
            .onConflict((oc) => oc.doNothing())
            .returning(["bucket", "window_start"]),
        )
        .insertInto("rate_limit_counters")
        .columns(["bucket", "window_start", "hits"])
        .expression((eb) => eb.selectFrom("fresh").select(["fresh.bucket", "fresh.window_start", sql<number>`1`.as("hits")]))
        .onConflict((oc) => oc.columns(["bucket", "window_start"]).doUpdateSet((eb) => ({ hits: eb("rate_limit_counters.hits", "+", 1) })))
        .returning(["bucket", "hits"])
        .execute()
    : await db
        .insertInto("rate_limit_counters")
        .values(windows.map((w) => ({ bucket: w.bucket, window_start: w.windowStart, hits: 1 })))
        .onConflict((oc) => oc.columns(["bucket", "window_start"]).doUpdateSet((eb) => ({ hits: eb("rate_limit_counters.hits", "+", 1) })))
        .returning(["bucket", "hits"])
        .execute();
  // A bucket where this key was counted before: judged by its count now, so a key once refused with 429
  // stays refused until the window ends (a repeated key must not be a way past the limit).
  const repeated = windows.filter((w) => !counted.some((row) => row.bucket === w.bucket));
  const current =
    repeated.length === 0
      ? []
      : await db
          .selectFrom("rate_limit_counters")
          .select(["bucket", "hits"])
          .where((eb) => eb.or(repeated.map((w) => eb.and([eb("bucket", "=", w.bucket), eb("window_start", "=", w.windowStart)]))))
          .execute();
  for (const window of windows) {
    const fresh = counted.find((row) => row.bucket === window.bucket)?.hits;
    const hits = fresh ?? current.find((row) => row.bucket === window.bucket)?.hits ?? 0;
    if (fresh === 1) {
      // A new window began: the bucket's older windows are done with.
      await db.deleteFrom("rate_limit_counters").where("bucket", "=", window.bucket).where("window_start", "<", window.windowStart).execute();
      await db.deleteFrom("rate_limit_request_keys").where("bucket", "=", window.bucket).where("window_start", "<", window.windowStart).execute();
    }
    if (hits > window.limit) throw rateLimitError(action, window, now);
  }
}
