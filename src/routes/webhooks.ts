import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { createEndpoint, listDeliveries, listEndpoints, replayDelivery, updateEndpoint } from "../db/webhooks.ts";
import { ApiError } from "../errors.ts";
import { requireIdentity, requireRole } from "../http/auth.ts";
import { limitBody, readJson, validationError } from "../http/json-body.ts";
import { isRowId } from "../http/row-id.ts";
import { deliveryLogView, deliveryView, endpointView } from "../views/webhooks.ts";
import { createEndpointSchema, newWebhookSecret, updateEndpointSchema } from "../webhooks/endpoints.ts";

// Admins manage webhook endpoints and read the delivery log (README, "Webhooks").

const logQuerySchema = z.strictObject({
  endpointId: z.string().refine(isRowId, "an endpoint id").optional(),
  state: z.enum(["pending", "delivered", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  // The log runs newest first: the next page starts below the last id seen.
  before: z.string().refine(isRowId, "a delivery id").optional(),
});

export function webhookRoutes() {
  const routes = new Hono<AppEnv>();
  routes.use(requireIdentity, requireRole("admin"));

  routes.post("/endpoints", limitBody(8 * 1024), async (c) => {
    const input = await readJson(c, createEndpointSchema);
    const { db, clock } = c.get("deps");
    const adminId = c.get("identity").memberId;
    const now = clock.now();
    const secret = newWebhookSecret();
    const endpoint = await createEndpoint(db, { url: input.url, secret, events: input.events, description: input.description ?? null, createdBy: adminId, now });
    // The only time the secret is shown: the receiver needs it to check signatures.
    return c.json({ endpoint: endpointView(endpoint), secret }, 201);
  });

  routes.get("/endpoints", async (c) => {
    return c.json({ endpoints: (await listEndpoints(c.get("deps").db)).map(endpointView) });
  });

  routes.patch("/endpoints/:id", limitBody(8 * 1024), async (c) => {
    const id = c.req.param("id");
    if (!isRowId(id)) throw new ApiError(404, "endpoint_not_found", `no webhook endpoint ${id}`);
    const input = await readJson(c, updateEndpointSchema);
    const { db, clock } = c.get("deps");
    const endpoint = await updateEndpoint(db, id, input, clock.now());
    if (!endpoint) throw new ApiError(404, "endpoint_not_found", `no webhook endpoint ${id}`);
    return c.json({ endpoint: endpointView(endpoint) });
  });

  routes.get("/deliveries", async (c) => {
    const query = logQuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const { limit, before, ...filters } = query.data;
    const rows = await listDeliveries(c.get("deps").db, filters, limit + 1, before ?? null);
    const shown = rows.slice(0, limit);
    return c.json({ deliveries: shown.map(deliveryLogView), nextBefore: rows.length > limit ? shown.at(-1)!.id : null });
  });

  // Send a delivery again, whatever its state: due now, attempts counted afresh.
  routes.post("/deliveries/:id/replay", async (c) => {
    const id = c.req.param("id");
    if (!isRowId(id)) throw new ApiError(404, "delivery_not_found", `no delivery ${id}`);
    const { db, clock } = c.get("deps");
    const delivery = await replayDelivery(db, id, clock.now());
    if (!delivery) throw new ApiError(404, "delivery_not_found", `no delivery ${id}`);
    if (delivery === "in_flight") throw new ApiError(409, "delivery_in_flight", "這筆正在送出，稍後再試 (a sender holds this delivery now; try again when it is done)");
    return c.json({ delivery: deliveryView(delivery) });
  });

  return routes;
}
