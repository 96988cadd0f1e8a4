import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, OutboxEventsTable, WebhookDeliveriesTable, WebhookEndpointsTable, WebhookEvent } from "./schema.ts";

// Webhook endpoints, the outbox's events and their deliveries (migration 0013). Events and deliveries are
// written by the database's triggers in the transaction of what they report; here they are read, leased
// for sending and marked.

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type OutboxEventRow = Selectable<OutboxEventsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

export async function createEndpoint(
  db: Kysely<Database>,
  endpoint: { url: string; secret: string; events: WebhookEvent[]; description: string | null; createdBy: string; now: Date },
): Promise<WebhookEndpointRow> {
  return db
    .insertInto("webhook_endpoints")
    .values({
      url: endpoint.url,
      secret: endpoint.secret,
      events: endpoint.events,
      description: endpoint.description,
      created_by: endpoint.createdBy,
      created_at: endpoint.now,
      updated_at: endpoint.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listEndpoints(db: Kysely<Database>): Promise<WebhookEndpointRow[]> {
  return db.selectFrom("webhook_endpoints").selectAll().orderBy("id").execute();
}

export async function updateEndpoint(
  db: Kysely<Database>,
  id: string,
  change: { url?: string; events?: WebhookEvent[]; description?: string | null; active?: boolean },
  now: Date,
): Promise<WebhookEndpointRow | undefined> {
  return db
    .updateTable("webhook_endpoints")
    .set({ ...change, updated_at: now })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** A delivery to send, with its event and endpoint. */
export interface DueDelivery {
  delivery: WebhookDeliveryRow;
  event: OutboxEventRow;
  endpoint: WebhookEndpointRow;
}

/**
 * Leases up to `limit` deliveries that are due, to active endpoints, each the oldest pending one of its
 * endpoint and subject (so a subject's events arrive in order: a later one waits while an earlier one is
 * retried), until `leaseUntil`; concurrent senders skip each other's.
 */
export async function leaseDueDeliveries(db: Kysely<Database>, now: Date, leaseUntil: Date, lease: string, limit: number): Promise<DueDelivery[]> {
  const leased = await sql<WebhookDeliveryRow>`
    update webhook_deliveries set locked_until = ${leaseUntil}, lease = ${lease}
    where id in (
      select d.id from webhook_deliveries d
      join webhook_endpoints e on e.id = d.endpoint_id and e.active
      where d.state = 'pending' and d.next_attempt_at <= ${now}
        and (d.locked_until is null or d.locked_until <= ${now})
        and not exists (
          select 1 from webhook_deliveries earlier
          where earlier.endpoint_id = d.endpoint_id and earlier.subject_key = d.subject_key
            and earlier.state = 'pending' and earlier.event_id < d.event_id)
      order by d.event_id
      limit ${limit}
      for update of d skip locked)
    returning *`.execute(db);
  if (leased.rows.length === 0) return [];
  const [events, endpoints] = await Promise.all([
    db.selectFrom("outbox_events").selectAll().where("id", "in", leased.rows.map((d) => d.event_id)).execute(),
    db.selectFrom("webhook_endpoints").selectAll().where("id", "in", [...new Set(leased.rows.map((d) => d.endpoint_id))]).execute(),
  ]);
  const eventById = new Map(events.map((event) => [event.id, event]));
  const endpointById = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
  return leased.rows
    .map((delivery) => ({ delivery, event: eventById.get(String(delivery.event_id))!, endpoint: endpointById.get(String(delivery.endpoint_id))! }))
    .sort((a, b) => Number(a.delivery.event_id) - Number(b.delivery.event_id));
}

/**
 * Records one attempt: delivered, or to be tried again at `retryAt`, or given up (retryAt null) — only while
 * the sender still holds its lease (a replay meanwhile, or a lease run out and taken by another sender, wins).
 */
export async function recordAttempt(
  db: Kysely<Database>,
  id: string,
  lease: string,
  outcome: { delivered: true; status: number; now: Date } | { delivered: false; status: number | null; error: string; retryAt: Date | null; now: Date },
): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      locked_until: null,
      lease: null,
      last_status: outcome.status,
      ...(outcome.delivered
        ? { state: "delivered" as const, delivered_at: outcome.now, last_error: null }
        : { state: outcome.retryAt ? ("pending" as const) : ("failed" as const), next_attempt_at: outcome.retryAt ?? outcome.now, last_error: outcome.error.slice(0, 500) }),
    }))
    .where("id", "=", id)
    .where("lease", "=", lease)
    .execute();
}

export interface DeliveryLogFilters {
  endpointId?: string;
  state?: "pending" | "delivered" | "failed";
}

/** The delivery log, newest first, each with its event's type and subject. */
export async function listDeliveries(db: Kysely<Database>, filters: DeliveryLogFilters, limit: number, beforeId: string | null) {
  let query = db
    .selectFrom("webhook_deliveries")
    .innerJoin("outbox_events", "outbox_events.id", "webhook_deliveries.event_id")
    .selectAll("webhook_deliveries")
    .select(["outbox_events.type", "outbox_events.payload", "outbox_events.created_at as event_created_at"]);
  if (filters.endpointId) query = query.where("webhook_deliveries.endpoint_id", "=", filters.endpointId);
  if (filters.state) query = query.where("webhook_deliveries.state", "=", filters.state);
  if (beforeId) query = query.where("webhook_deliveries.id", "<", beforeId);
  return query.orderBy("webhook_deliveries.id", "desc").limit(limit).execute();
}
export type DeliveryLogRow = Awaited<ReturnType<typeof listDeliveries>>[number];

/**
 * Sends a delivery again (delivered, failed or pending): due now, its attempts counted afresh. Not while a
 * sender holds it ("in flight", answered as such); undefined when there is no such delivery.
 */
export async function replayDelivery(db: Kysely<Database>, id: string, now: Date): Promise<WebhookDeliveryRow | "in_flight" | undefined> {
  const replayed = await db
    .updateTable("webhook_deliveries")
    .set((eb) => ({ state: "pending" as const, attempts: 0, next_attempt_at: now, locked_until: null, lease: null, replays: eb("replays", "+", 1) }))
    .where("id", "=", id)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
    .returningAll()
    .executeTakeFirst();
  if (replayed) return replayed;
  const exists = await db.selectFrom("webhook_deliveries").select("id").where("id", "=", id).executeTakeFirst();
  return exists ? "in_flight" : undefined;
}
