import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppEnv, WebSession } from "../app-env.ts";

export type { WebSession };
import { createHash } from "node:crypto";
import { cappedRole, type Identity } from "../auth/token.ts";
import { ensureMember } from "../db/members.ts";
import { createSession, endSessionByHash, findLiveSession, roleLimitOf } from "../db/sessions.ts";

/**
 * Browser sessions for the web pages. The site's login system issues a JWT; /login exchanges it for a
 * session kept on the server (web_sessions: identity, expiry, the session's CSRF token) and a signed cookie
 * (HttpOnly, SameSite=Strict, Secure on HTTPS) holding only a random secret whose hash names the row.
 * Every form carries the CSRF token and every POST is checked against it.
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

/** The SHA-256 of a session secret, as web_sessions stores it. */
function hashOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The browser's live session: its cookie's secret names a row that no sign-out, demotion or revocation has ended. */
export async function readSession(c: Context<AppEnv>): Promise<WebSession | null> {
  const secret = await getSignedCookie(c, cookieSecret(c), SESSION_COOKIE);
  if (!secret) return null;
  const { db, clock } = c.get("deps");
  const row = await findLiveSession(db, hashOf(secret), clock.now());
  if (!row) return null;
  return { memberId: row.member_id, role: row.role, sessionId: row.id, expiresAt: Math.floor(row.expires_at.getTime() / 1000), csrf: row.csrf };
}

/** Starts a session for the token's identity, its role no higher than any limit an admin set. */
export async function startSession(c: Context<AppEnv>, identity: Identity): Promise<void> {
  const { db, clock } = c.get("deps");
  const now = clock.now();
  // Signing in again in the same browser ends the session it had.
  const previous = await getSignedCookie(c, cookieSecret(c), SESSION_COOKIE);
  if (previous) await endSessionByHash(db, hashOf(previous), "signed_out", now);
  const secret = randomToken();
  // The role is read and the session written in one transaction, the member row locked: a demotion
  // committing meanwhile waits, then ends this session too.
  await db.transaction().execute(async (trx) => {
    await ensureMember(trx, identity.memberId, now);
    await createSession(trx, {
      secretHash: hashOf(secret),
      memberId: identity.memberId,
      role: cappedRole(identity.role, await roleLimitOf(trx, identity.memberId, true)),
      csrf: randomToken(),
      userAgent: c.req.header("user-agent")?.slice(0, 200) ?? null,
      now,
      expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
    });
  });
  await setSignedCookie(c, SESSION_COOKIE, secret, cookieSecret(c), cookieOptions(c, SESSION_HOURS * 3600));
  deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/" });
}

/** Signs the browser out: its session ends on the server (a copied cookie opens nothing) and the cookie goes. */
export async function endSession(c: Context<AppEnv>): Promise<void> {
  const secret = await getSignedCookie(c, cookieSecret(c), SESSION_COOKIE);
  if (secret) await endSessionByHash(c.get("deps").db, hashOf(secret), "signed_out", c.get("deps").clock.now());
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
