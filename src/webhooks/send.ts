import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import { leaseDueDeliveries, recordAttempt, type DueDelivery } from "../db/webhooks.ts";
import type { Database } from "../db/schema.ts";
import type { Policy } from "../policy.ts";

// Delivering the outbox (migration 0013): each round leases the due deliveries, POSTs each event to its
// endpoint signed with the endpoint's secret, and records the answer. At least once: a delivery is marked
// delivered only after a 2xx, so an event whose answer was lost is sent again (receivers deduplicate by
// Webhook-Id). A sender that dies mid-round leaves its leases to run out; another round picks them up.

export type WebhookPolicy = Policy["webhooks"];
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * The signature a receiver checks: HMAC-SHA256 with the endpoint's secret over `${timestamp}.${body}`, hex,
 * as `v1=<hex>` in the Webhook-Signature header; the timestamp (Unix seconds) is the Webhook-Timestamp
 * header, so a receiver can refuse old replays.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones: doubling from backoffSeconds, capped. */
export function backoffMs(attempts: number, policy: WebhookPolicy): number {
  return Math.min(policy.backoffSeconds * 2 ** Math.max(0, attempts - 1), policy.maxBackoffSeconds) * 1000;
}

/** What an endpoint receives: the event's id, type, time and data. */
export function webhookBody(due: DueDelivery): string {
  return JSON.stringify({ id: due.event.id, type: due.event.type, createdAt: due.event.created_at.toISOString(), data: due.event.payload });
}

export interface RoundResult {
  attempted: number;
  delivered: number;
  /** Attempts that failed and will be tried again. */
  retrying: number;
  /** Deliveries given up after maxAttempts. */
  failed: number;
}

/**
 * One sending round: every due delivery (up to policy.batch). Endpoints are sent to side by side, so one
 * that does not answer holds up only its own deliveries; each endpoint's go one at a time in event order.
 */
export async function sendDueWebhooks(db: Kysely<Database>, fetchFn: Fetch, policy: WebhookPolicy, now: () => Date): Promise<RoundResult> {
  const start = now();
  const result: RoundResult = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
  // Long enough for every request of the round to time out one after another, with room for the writes.
  const leaseUntil = new Date(start.getTime() + (policy.batch + 2) * policy.timeoutSeconds * 2000);
  const lease = globalThis.crypto.randomUUID();
  const due = await leaseDueDeliveries(db, start, leaseUntil, lease, policy.batch);
  const byEndpoint = new Map<string, DueDelivery[]>();
  for (const item of due) byEndpoint.set(item.endpoint.id, [...(byEndpoint.get(item.endpoint.id) ?? []), item]);
  await Promise.all(
    [...byEndpoint.values()].map(async (items) => {
      for (const item of items) {
        const outcome = await sendOne(db, fetchFn, policy, now, lease, item);
        result.attempted++;
        result[outcome]++;
      }
    }),
  );
  return result;
}

/** Sends one delivery and records the attempt: delivered, to be retried, or given up. */
async function sendOne(db: Kysely<Database>, fetchFn: Fetch, policy: WebhookPolicy, now: () => Date, lease: string, item: DueDelivery): Promise<"delivered" | "retrying" | "failed"> {
  const body = webhookBody(item);
  const timestamp = Math.floor(now().getTime() / 1000);
  let status: number | null = null;
  let error = "";
  try {
    const response = await fetchFn(item.endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "comment-moderation-webhooks/1",
        "webhook-id": item.event.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": webhookSignature(item.endpoint.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(policy.timeoutSeconds * 1000),
      redirect: "manual",
    });
    status = response.status;
    // Read the body so the connection can be reused; its content is not kept.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) {
      await recordAttempt(db, item.delivery.id, lease, { delivered: true, status, now: now() });
      return "delivered";
    }
    error = `HTTP ${status}`;
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const attempts = item.delivery.attempts + 1;
  const giveUp = attempts >= policy.maxAttempts;
  const at = now();
  await recordAttempt(db, item.delivery.id, lease, { delivered: false, status, error, retryAt: giveUp ? null : new Date(at.getTime() + backoffMs(attempts, policy)), now: at });
  return giveUp ? "failed" : "retrying";
}

/**
 * Sends rounds every `intervalMs` until stopped (the Node server's sender; the Worker sends from its Cron
 * Trigger). A round never overlaps the previous one; a round's error is logged and the next one tries again.
 */
export function startWebhookSender(db: Kysely<Database>, fetchFn: Fetch, policy: WebhookPolicy, now: () => Date, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<void> | null = null;
  const round = async () => {
    try {
      // A full round may mean more are due: keep going until a round finds less than a batch.
      let sent = await sendDueWebhooks(db, fetchFn, policy, now);
      while (sent.attempted === policy.batch && !stopped) sent = await sendDueWebhooks(db, fetchFn, policy, now);
    } catch (error) {
      console.error("webhook round failed:", error);
    } finally {
      current = null;
    }
  };
  const timer = setInterval(() => {
    if (!stopped && !current) current = round();
  }, intervalMs);
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
