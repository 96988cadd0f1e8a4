import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppEnv, WebSession } from "../app-env.ts";

export type { WebSession };
import { ROLES, type Identity, type Role } from "../auth/token.ts";

/**
 * Browser sessions for the web pages. The site's login system issues a JWT; /login exchanges it for a
 * signed cookie (HttpOnly, SameSite=Strict, Secure on HTTPS) that holds the identity, an expiry and the
 * session's CSRF token. Every form carries that token and every POST is checked against it.
 */

export const SESSION_COOKIE = "moderation_session";
export const LOGIN_CSRF_COOKIE = "moderation_login_csrf";
export const SESSION_HOURS = 8;

// A key of its own, so a session cookie can never be replayed as a JWT or the other way round.
function cookieSecret(c: Context<AppEnv>): string {
  return `web-session:${c.get("deps").config.jwtSecret}`;
}

export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function cookieOptions(c: Context<AppEnv>, maxAgeSeconds: number) {
  // Behind a TLS-terminating proxy the request is plain HTTP; the proxy's header says what the browser used.
  const https = new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
  return { httpOnly: true, sameSite: "Strict" as const, secure: https, path: "/", maxAge: maxAgeSeconds };
}

export async function readSession(c: Context<AppEnv>): Promise<WebSession | null> {
  const value = await getSignedCookie(c, cookieSecret(c), SESSION_COOKIE);
  if (!value) return null;
  let session: Partial<WebSession>;
  try {
    session = JSON.parse(value) as Partial<WebSession>;
  } catch {
    return null;
  }
  const now = c.get("deps").clock.now().getTime() / 1000;
  if (
    typeof session.memberId !== "string" ||
    !ROLES.includes(session.role as Role) ||
    typeof session.expiresAt !== "number" ||
    session.expiresAt <= now ||
    typeof session.csrf !== "string"
  ) {
    return null;
  }
  return session as WebSession;
}

export async function startSession(c: Context<AppEnv>, identity: Identity): Promise<void> {
  const now = Math.floor(c.get("deps").clock.now().getTime() / 1000);
  const session: WebSession = { ...identity, expiresAt: now + SESSION_HOURS * 3600, csrf: randomToken() };
  await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), cookieSecret(c), cookieOptions(c, SESSION_HOURS * 3600));
  deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/" });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: cookieOptions(c, 0).secure });
}

/** The login form's CSRF token: there is no session yet, so it is a cookie of its own (double submit). */
export async function loginCsrf(c: Context<AppEnv>): Promise<string> {
  const existing = await getSignedCookie(c, cookieSecret(c), LOGIN_CSRF_COOKIE);
  if (existing) return existing;
  const token = randomToken();
  await setSignedCookie(c, LOGIN_CSRF_COOKIE, token, cookieSecret(c), cookieOptions(c, 3600));
  return token;
}

export async function expectedLoginCsrf(c: Context<AppEnv>): Promise<string | null> {
  return (await getSignedCookie(c, cookieSecret(c), LOGIN_CSRF_COOKIE)) || null;
}

/** Constant-time comparison of two tokens. */
export function sameToken(given: unknown, expected: string | null): boolean {
  if (typeof given !== "string" || !expected || given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/**
 * A form post must come from our own pages: the Origin (when the browser sends one) names this host, and
 * the form's token matches the one the session (or the login cookie) holds.
 */
export function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === (c.req.header("host") ?? new URL(c.req.url).host);
  } catch {
    return false;
  }
}

/** Only paths on this site, so a login link cannot send the browser elsewhere. */
export function safeNextPath(next: unknown, fallback: string): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
