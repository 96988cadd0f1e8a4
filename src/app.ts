import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppDeps, AppEnv } from "./app-env.ts";
import { RecentReads } from "./recent-reads.ts";
import { ApiError, errorBody, isDatabaseUnavailable, respondWithError } from "./errors.ts";
import { articleRoutes } from "./routes/articles.ts";
import { commentRoutes, ownCommentRoutes } from "./routes/comments.ts";
import { decisionRoutes } from "./routes/decisions.ts";
import { healthRoutes } from "./routes/health.ts";
import { memberRoutes } from "./routes/members.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { docsPageRoutes } from "./web/docs-page.ts";
import { reportRoutes } from "./routes/reports.ts";
import { reviewRoutes } from "./routes/review.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { transparencyRoutes } from "./routes/transparency.ts";
import { statsRoutes } from "./routes/stats.ts";
import { tagRoutes } from "./routes/tags.ts";
import { webRoutes } from "./web/routes.ts";

/** Answers to a request that cannot have written anything: 401, 403, 404 and 405 are given before any write. */
const NOTHING_WRITTEN = [401, 403, 404, 405];

/** Builds the HTTP API from its dependencies; the same app serves Node, Workers and the tests. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const recentReads = new RecentReads(deps.config.publicReadMemoryMs);
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("recentReads", recentReads);
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    try {
      await next();
    } finally {
      // Whatever it wrote, no public read from before it is answered again (src/recent-reads.ts). A request
      // refused before anything could be written (no such route, no identity, no right) keeps them.
      if (!NOTHING_WRITTEN.includes(c.res.status)) recentReads.forget();
    }
  });

  app.route("/", healthRoutes());
  // Pages first: GET /articles/:id answers HTML to a browser and passes API clients on to the JSON route.
  app.route("/", webRoutes((request, c) => app.fetch(request, c.env), deps.config.maxCommentChars));
  app.route("/", openApiRoutes(deps.config.forumRules.version));
  app.route("/", docsPageRoutes());
  app.route("/articles", articleRoutes());
  app.route("/articles", commentRoutes(deps.config.maxCommentChars));
  app.route("/comments", ownCommentRoutes(deps.config.maxCommentChars));
  app.route("/articles", tagRoutes(deps.moderator));
  app.route("/reports", reportRoutes());
  app.route("/review", reviewRoutes());
  app.route("/", decisionRoutes());
  app.route("/", memberRoutes());
  app.route("/stats", statsRoutes());
  app.route("/webhooks", webhookRoutes());
  app.route("/transparency", transparencyRoutes());

  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) return respondWithError(c, error);
    if (error instanceof HTTPException) {
      return c.json(errorBody("http_error", error.message || "request refused"), error.status);
    }
    if (isDatabaseUnavailable(error)) {
      c.header("Retry-After", "5");
      return c.json(errorBody("database_unavailable", "the database is not reachable; nothing was saved, try again shortly"), 503);
    }
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return c.json(errorBody("internal_error", "something went wrong on our side"), 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
