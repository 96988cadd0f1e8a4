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
  if (depthOf(value) > MAX_DEPTH) {
    throw new ApiError(400, "json_too_deep", `request JSON nests deeper than ${MAX_DEPTH} levels`);
  }
  const problem = findUnstorableText(value, "");
  if (problem !== null) {
    throw new ApiError(400, "invalid_text", `${problem || "body"}: text holds a NUL, a control character, a bidirectional override or half of a surrogate pair`, { path: problem });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

// NUL cannot be stored in a Postgres text column, a lone surrogate would be stored as U+FFFD (the member's
// text changed behind their back), and other C0 controls have no business in a comment. Tab and line breaks are fine.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Bidirectional embeddings, overrides and isolates reorder what a browser shows: \u202e娘你幹 displays as
// 幹你娘 while the engine reads 娘你幹. No comment, tag or note needs them.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

// No request of this API nests more than a few levels; refusing deeper ones keeps every walk over a body shallow.
const MAX_DEPTH = 32;

/** How deep a parsed JSON value nests, counted without recursion (a hostile body may nest 100,000 deep). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    if (item && typeof item === "object") for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The path of the first string in a JSON value that cannot be stored as the member wrote it, or null. */
function findUnstorableText(value: unknown, path: string): string | null {
  if (typeof value === "string") return CONTROL.test(value) || LONE_SURROGATE.test(value) || BIDI_CONTROL.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], path ? `${path}.${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnstorableText(key, path) ?? findUnstorableText(item, path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return null;
}
