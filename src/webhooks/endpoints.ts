import { z } from "zod";
import { WEBHOOK_EVENTS } from "../db/schema.ts";

// What an admin sends to register or change a webhook endpoint (src/routes/webhooks.ts).

const url = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return (parsed.protocol === "https:" || parsed.protocol === "http:") && !parsed.username && !parsed.password;
    } catch {
      return false;
    }
  }, "an http(s) URL without credentials");

const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .transform((list) => [...new Set(list)]);

export const createEndpointSchema = z.strictObject({
  url,
  events,
  description: z.string().trim().max(500).optional(),
});

export const updateEndpointSchema = z
  .strictObject({ url: url.optional(), events: events.optional(), description: z.string().trim().max(500).nullable().optional(), active: z.boolean().optional() })
  .refine((change) => Object.keys(change).length > 0, "change at least one of url, events, description, active");

/** A new endpoint's signing secret: 32 random bytes, base64url, with a prefix that says what it is. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
