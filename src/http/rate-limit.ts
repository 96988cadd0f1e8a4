import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Policy } from "../policy.ts";

export type LimitedAction = keyof Policy["rateLimits"];

/**
 * Counts one attempt at `action` for the member and for the client address, in fixed windows stored in
 * Postgres (so every server process sees the same counts), and refuses with 429 and Retry-After once a
 * window's limit is passed.
 */
export async function enforceRateLimit(
  db: Kysely<Database>,
  policy: Policy,
  action: LimitedAction,
  memberId: string,
  clientIp: string | null,
  now: Date,
): Promise<void> {
  const limits = policy.rateLimits[action];
  const buckets: { bucket: string; limit: number; windowSeconds: number }[] = [
    { bucket: `${action}:member:${memberId}`, ...limits.perMember },
  ];
  if (clientIp) buckets.push({ bucket: `${action}:ip:${clientIp}`, ...limits.perIp });
  for (const { bucket, limit, windowSeconds } of buckets) {
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const row = await db
      .insertInto("rate_limit_counters")
      .values({ bucket, window_start: windowStart, hits: 1 })
      .onConflict((oc) => oc.columns(["bucket", "window_start"]).doUpdateSet((eb) => ({ hits: eb("rate_limit_counters.hits", "+", 1) })))
      .returning("hits")
      .executeTakeFirstOrThrow();
    if (row.hits === 1) {
      // A new window began: the bucket's older windows are done with.
      await db.deleteFrom("rate_limit_counters").where("bucket", "=", bucket).where("window_start", "<", windowStart).execute();
    }
    if (row.hits > limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
      throw new ApiError(
        429,
        "rate_limited",
        `操作太頻繁，請 ${retryAfter} 秒後再試 (${action} limit ${limit} per ${windowSeconds} s)`,
        { action, limit, windowSeconds, retryAfterSeconds: retryAfter },
        { "Retry-After": String(retryAfter) },
      );
    }
  }
}
