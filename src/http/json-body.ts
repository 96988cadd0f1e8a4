import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { ApiError, errorBody } from "../errors.ts";

/** Refuses a body over `maxBytes` while it streams in (or at once from Content-Length), before parsing. */
export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      c.json(errorBody("payload_too_large", `request body is larger than ${maxBytes} bytes`, { maxBytes }), 413),
  });
}

export function validationError(error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const first = issues[0]!;
  return new ApiError(400, "validation_failed", `${first.path || "body"}: ${first.message}`, { issues });
}

/** Reads a JSON request body and checks it against a strict schema. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new ApiError(415, "unsupported_media_type", "send the body as application/json", {
      received: contentType || null,
    });
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
