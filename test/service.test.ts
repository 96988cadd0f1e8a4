import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { connectPostgres } from "../src/db/postgres.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { PAGE_PATH_PREFIXES, PAGE_PATHS } from "../src/web/routes.ts";

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.dispose());

describe("health, readiness and docs", () => {
  it("GET /healthz answers ok", async () => {
    const response = await t.request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz is true while the database answers and 503 database_unavailable once it is gone", async () => {
    expect(await (await t.request("GET", "/readyz")).json()).toEqual({ ready: true });

    // A Postgres server that is not there: nothing listens on port 1.
    const unreachable = connectPostgres({ connectionString: "postgres://postgres@127.0.0.1:1/test" });
    const app = createApp({ db: unreachable.db, clock: t.clock, moderator: t.moderator, config: t.config, clientIp: () => null, draining: () => false });
    const response = await app.request("/readyz");
    await unreachable.close();
    expect(response.status).toBe(503);
    const body = (await response.json()) as any;
    expect(body.ready).toBe(false);
    expect(body.error.code).toBe("database_unavailable");
  });

  it("GET /openapi.json describes every endpoint and the request schemas", async () => {
    const doc = (await (await t.request("GET", "/openapi.json")).json()) as any;
    expect(doc.openapi).toBe("3.1.0");
    // Every route the app serves is described (the docs page and the document itself aside).
    const served = t.app.routes
      .filter((route) => route.method !== "ALL" && !["/openapi.json", "/docs"].includes(route.path))
      // The web pages are places a browser goes, not API operations.
      .filter((route) => !PAGE_PATH_PREFIXES.some((prefix) => route.path.startsWith(prefix)) && !PAGE_PATHS.includes(route.path))
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations as object).map((method) => `${method} ${path}`));
    expect([...new Set(served)].sort()).toEqual(documented.sort());
    const commentBody = doc.paths["/articles/{id}/comments"].post.requestBody.content["application/json"].schema;
    expect(commentBody.required).toEqual(["body"]);
    expect(commentBody.additionalProperties).toBe(false);
    expect(Object.keys(commentBody.properties).sort()).toEqual(["acceptedRulesVersion", "body", "idempotencyKey", "parentId"]);
    expect(doc.info.description).toContain(t.config.forumRules.version);
  });

  it("GET /docs serves the interactive page without any outside resource", async () => {
    const response = await t.request("GET", "/docs");
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain('fetch("/openapi.json")');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });

  it("unknown routes → 404 JSON error", async () => {
    const response = await t.request("GET", "/no/such/route");
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe("not_found");
  });
});
