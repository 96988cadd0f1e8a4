import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env.ts";
import { mintToken, type Identity } from "../auth/token.ts";

/** Sends a request to this same app (no network): the pages are clients of the JSON API. */
export type AppFetch = (request: Request, c: Context<AppEnv>) => Response | Promise<Response>;

export interface ApiFailure {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details?: unknown;
}

export type ApiResult<T> = { ok: true; status: number; body: T } | { ok: false; status: ContentfulStatusCode; error: ApiFailure };

// Headers the runtime uses to tell who the client is (rate limits per address), passed through unchanged.
const CLIENT_HEADERS = ["x-forwarded-for", "cf-connecting-ip", "x-forwarded-proto"];

/**
 * Calls the JSON API as the signed-in person: a JWT good for one minute is minted from the session's
 * identity, so every check, limit and record is exactly the API's own.
 */
export async function callApi<T>(
  c: Context<AppEnv>,
  appFetch: AppFetch,
  identity: Identity | null,
  method: string,
  path: string,
  json?: unknown,
): Promise<ApiResult<T>> {
  const headers = new Headers({ accept: "application/json" });
  for (const name of CLIENT_HEADERS) {
    const value = c.req.header(name);
    if (value) headers.set(name, value);
  }
  const { config, clock } = c.get("deps");
  if (identity) headers.set("authorization", `Bearer ${await mintToken(identity, config.jwtSecret, { now: clock.now(), ttlSeconds: 60 })}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(new URL(path, c.req.url), { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const response = await appFetch(request, c);
  const body = (await response.json()) as { error?: { code: string; message: string; details?: unknown } };
  if (response.ok) return { ok: true, status: response.status, body: body as T };
  const error = body.error ?? { code: "http_error", message: `HTTP ${response.status}` };
  // The API answers errors with a JSON body, so the status is one that has content.
  const status = response.status as ContentfulStatusCode;
  return { ok: false, status, error: { status, ...error } };
}
