import { transparencyPageRoutes } from "./transparency-page.tsx";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { AppFetch } from "./api.ts";
import { articlePageRoutes } from "./article-page.tsx";
import { embedRoutes } from "./embed.tsx";
import { MEMBER_JS, MODERATE_JS, SITE_CSS } from "./assets.ts";
import { loginRoutes } from "./login-page.tsx";
import { moderatePageRoutes } from "./moderate-pages.tsx";
import { memberPageRoutes } from "./member-page.tsx";

// The pages load nothing from anywhere else and run no inline script; forms post only to this site.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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

  routes.get("/assets/site.css", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(SITE_CSS, 200, { "Content-Type": "text/css; charset=utf-8" });
  });
  routes.get("/assets/member.js", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(MEMBER_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  routes.get("/assets/moderate.js", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(MODERATE_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });

  // The embedded comment section sets its own headers: publishers' pages may frame it (src/web/embed.tsx).
  routes.route("/", embedRoutes(appFetch));
  routes.route("/", loginRoutes());
  routes.route("/", articlePageRoutes(appFetch, maxCommentChars));
  routes.route("/", moderatePageRoutes(appFetch));
  routes.route("/", memberPageRoutes(appFetch));
  routes.route("/", transparencyPageRoutes(appFetch));
  return routes;
}
