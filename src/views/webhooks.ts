import type { DeliveryLogRow, WebhookDeliveryRow, WebhookEndpointRow } from "../db/webhooks.ts";

// The webhook API's answers (src/routes/webhooks.ts). An endpoint's secret is shown once, when it is created.

export function endpointView(endpoint: WebhookEndpointRow) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    active: endpoint.active,
    createdBy: endpoint.created_by,
    createdAt: endpoint.created_at.toISOString(),
    updatedAt: endpoint.updated_at.toISOString(),
  };
}

function deliveryFields(delivery: WebhookDeliveryRow) {
  return {
    id: delivery.id,
    endpointId: delivery.endpoint_id,
    eventId: delivery.event_id,
    subject: delivery.subject_key,
    state: delivery.state,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.state === "pending" ? delivery.next_attempt_at.toISOString() : null,
    lastStatus: delivery.last_status,
    lastError: delivery.last_error,
    deliveredAt: delivery.delivered_at?.toISOString() ?? null,
    replays: delivery.replays,
    createdAt: delivery.created_at.toISOString(),
  };
}

export function deliveryView(delivery: WebhookDeliveryRow) {
  return deliveryFields(delivery);
}

/** A delivery in the log, with the event it carries. */
export function deliveryLogView(row: DeliveryLogRow) {
  return { ...deliveryFields(row), event: { type: row.type, data: row.payload, createdAt: row.event_created_at.toISOString() } };
}
