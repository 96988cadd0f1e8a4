import { transparencyPageRoutes } from "./transparency-page.tsx";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { AppFetch } from "./api.ts";
import { articlePageRoutes } from "./article-page.tsx";
import { embedRoutes } from "./embed.tsx";
import { EMBED_FRAME_JS, EMBED_JS } from "./embed-scripts.ts";
import { MEMBER_JS, MODERATE_JS, SITE_CSS } from "./assets.ts";
import { loginRoutes } from "./login-page.tsx";
import { moderatePageRoutes } from "./moderate-pages.tsx";
import { memberPageRoutes } from "./member-page.tsx";

// The pages load nothing from anywhere else and run no inline script; forms post only to this site.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CSS = "text/css; charset=utf-8";
const JS = "text/javascript; charset=utf-8";

/** The pages' static files, kept five minutes by browsers and caches. */
const ASSETS: Record<string, { body: string; type: string }> = {
  "/assets/site.css": { body: SITE_CSS, type: CSS },
  "/assets/member.js": { body: MEMBER_JS, type: JS },
  "/assets/moderate.js": { body: MODERATE_JS, type: JS },
  "/assets/embed-frame.js": { body: EMBED_FRAME_JS, type: JS },
  // The one a publisher's page loads (src/web/embed.tsx).
  "/embed.js": { body: EMBED_JS, type: JS },
};

/** Security headers on every page (HTML answers only; the JSON API is untouched). */
const pageHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!(c.res.headers.get("content-type") ?? "").startsWith("text/html")) return;
  c.res.headers.set("Content-Security-Policy", PAGE_CSP);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "same-origin");
  c.res.headers.set("X-Frame-Options", "DENY");
});

/** Routes of the web pages, which are paths a browser visits rather than API operations. */
export const PAGE_PATH_PREFIXES = ["/login", "/logout", "/moderate", "/assets/", "/articles/:id/page/", "/me/", "/embed/"];
export const PAGE_PATHS = ["/me", "/transparency", "/embed.js"];

/**
 * The web pages: the public article page, the login that turns the site's token into a session, and the
 * moderator pages. Each page reads and writes through the JSON API (`appFetch`), so the rules are the API's.
 */
export function webRoutes(appFetch: AppFetch, maxCommentChars: number) {
  const routes = new Hono<AppEnv>();
  routes.use("/articles/*", pageHeaders);
  routes.use("/login", pageHeaders);
  routes.use("/logout", pageHeaders);
  routes.use("/moderate", pageHeaders);
  routes.use("/moderate/*", pageHeaders);
  routes.use("/me", pageHeaders);
  routes.use("/me/*", pageHeaders);
  routes.use("/transparency", pageHeaders);

  for (const [path, asset] of Object.entries(ASSETS)) {
    routes.get(path, (c) => {
      c.header("Cache-Control", "public, max-age=300");
      c.header("X-Content-Type-Options", "nosniff");
      return c.body(asset.body, 200, { "Content-Type": asset.type });
    });
  }

  // The embedded comment section sets its own headers: publishers' pages may frame it (src/web/embed.tsx).
  routes.route("/", embedRoutes(appFetch));
  routes.route("/", loginRoutes());
  routes.route("/", articlePageRoutes(appFetch, maxCommentChars));
  routes.route("/", moderatePageRoutes(appFetch));
  routes.route("/", memberPageRoutes(appFetch));
  routes.route("/", transparencyPageRoutes(appFetch));
  return routes;
}
