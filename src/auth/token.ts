import { createHmac, timingSafeEqual } from "node:crypto";
import { sign } from "hono/jwt";
import { z } from "zod";

export const ROLES = ["member", "moderator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The lower of a role and the limit an admin set on the member (null: no limit). */
export function cappedRole(role: Role, limit: Role | null | undefined): Role {
  if (!limit) return role;
  return ROLES.indexOf(limit) < ROLES.indexOf(role) ? limit : role;
}

/** Who is calling, from the site's login system's token. */
export interface Identity {
  memberId: string;
  role: Role;
}

export const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const claimsSchema = z.object({
  sub: z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(MEMBER_ID_PATTERN)),
  role: z.enum(ROLES).default("member"),
  exp: z.number().optional(),
  nbf: z.number().optional(),
  iat: z.number().optional(),
});

/** The longest a token may live, from `iat` (or from now when it has none): `MAX_TOKEN_AGE_SECONDS`. */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;
// How far the login system's clock may run ahead of or behind the app's before a token counts as too
// long-lived; expiry itself (exp, nbf) is judged exactly.
const CLOCK_SKEW_SECONDS = 60;

export type TokenProblem = "invalid" | "expired";

export class TokenError extends Error {
  override name = "TokenError";
  constructor(readonly problem: TokenProblem, message: string) {
    super(message);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function base64UrlBytes(part: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error("not base64url");
  return Buffer.from(part, "base64url");
}

/**
 * Checks an HS256 JWT's header and signature and returns its payload; throws on anything else. The HMAC
 * is node:crypto's (Workers have it under nodejs_compat): WebCrypto's verify is a job handed to a thread
 * and awaited, which the write benchmark's profile showed as a tenth of the server's busy time.
 */
function verifiedPayload(token: string, secret: string): unknown {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("a JWT has three parts");
  const header = JSON.parse(decoder.decode(base64UrlBytes(parts[0]!))) as { alg?: unknown };
  if (header.alg !== "HS256") throw new Error("only HS256 tokens are accepted");
  const expected = createHmac("sha256", secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = base64UrlBytes(parts[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("signature does not match");
  return JSON.parse(decoder.decode(base64UrlBytes(parts[1]!)));
}

/**
 * Verifies an HS256 token; expiry is judged by the app's clock, not the machine's. A token must carry
 * `exp`; one with `iat` may be neither issued in the future nor older than `maxAgeSeconds`; and none may
 * live longer than that: `exp` at most `maxAgeSeconds` past its `iat`, or past now when it has none.
 */
export async function verifyToken(
  token: string,
  secret: string,
  now: Date,
  options: { maxAgeSeconds?: number } = {},
): Promise<Identity> {
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  let payload: unknown;
  try {
    payload = verifiedPayload(token, secret);
  } catch {
    throw new TokenError("invalid", "token signature or format is not valid");
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenError("invalid", "token claims are not valid (sub, role, exp, nbf, iat)");
  const { exp, nbf, iat } = claims.data;
  const seconds = now.getTime() / 1000;
  if (exp === undefined) throw new TokenError("invalid", "token has no expiry (exp)");
  if (exp <= seconds) throw new TokenError("expired", "token has expired");
  if (iat !== undefined && iat > seconds + CLOCK_SKEW_SECONDS) throw new TokenError("invalid", "token is issued in the future (iat)");
  if (iat !== undefined && seconds - iat > maxAgeSeconds + CLOCK_SKEW_SECONDS) {
    throw new TokenError("expired", `token was issued more than ${maxAgeSeconds} seconds ago`);
  }
  if (exp - (iat ?? seconds) > maxAgeSeconds + CLOCK_SKEW_SECONDS) {
    throw new TokenError("invalid", `token lives longer than the maximum of ${maxAgeSeconds} seconds`);
  }
  if (nbf !== undefined && nbf > seconds) {
    throw new TokenError("invalid", "token is not valid yet");
  }
  return { memberId: claims.data.sub, role: claims.data.role };
}

export async function mintToken(
  identity: Identity,
  secret: string,
  options: { now: Date; ttlSeconds: number },
): Promise<string> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  return sign(
    { sub: identity.memberId, role: identity.role, iat: issuedAt, exp: issuedAt + options.ttlSeconds },
    secret,
    "HS256",
  );
}
