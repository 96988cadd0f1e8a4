import { Hono } from "hono";
import { sql } from "kysely";
import type { AppEnv } from "../app-env.ts";
import { errorBody } from "../errors.ts";

const READINESS_TIMEOUT_MS = 2000;

export function healthRoutes() {
  const routes = new Hono<AppEnv>();

  // Liveness: the process answers. It does not touch the database, so an outage does not get it restarted.
  routes.get("/healthz", (c) => c.json({ status: "ok" }));

  // Readiness: the database answers a query within the timeout.
  routes.get("/readyz", async (c) => {
    const { db, draining } = c.get("deps");
    if (draining()) return c.json({ ready: false, ...errorBody("shutting_down", "this process is shutting down") }, 503);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(db), timeout]);
      return c.json({ ready: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return c.json({ ready: false, ...errorBody("database_unavailable", `database is not reachable: ${reason}`) }, 503);
    } finally {
      clearTimeout(timer);
    }
  });

  return routes;
}
