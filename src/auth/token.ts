import { createHmac, timingSafeEqual } from "node:crypto";
import { sign } from "hono/jwt";
import { z } from "zod";
import { PUBLISHER_ALGORITHMS, publisherKey, verifiesWith, type PublisherSso } from "./publisher-keys.ts";

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
  /** A publisher token made for some sites only (their `sso` in rules/sites.yaml): it acts on those sites' articles only. */
  tokenSites?: string[];
  /** A moderator limited to some sites (members.moderator_sites, set by an admin): they see and decide those sites' items only. */
  moderatorSites?: string[];
}

export const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const claimsSchema = z.object({
  sub: z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(MEMBER_ID_PATTERN)),
  role: z.enum(ROLES).default("member"),
  exp: z.number().optional(),
  nbf: z.number().optional(),
  iat: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
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
 * Checks a JWT's header and signature and returns its payload and whether the publisher signed it; throws
 * on anything else. HS256 with this service's own secret (its pages' tokens, development); RS256 and ES256
 * with the publisher's published keys when PublisherSso is set (src/auth/publisher-keys.ts). The HMAC is
 * node:crypto's (Workers have it under nodejs_compat): WebCrypto's verify is a job handed to a thread and
 * awaited, which the write benchmark's profile showed as a tenth of the server's busy time.
 */
async function verifiedPayload(token: string, secret: string, publisher: PublisherSso | null, now: Date): Promise<{ payload: unknown; byPublisher: boolean }> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("a JWT has three parts");
  const header = JSON.parse(decoder.decode(base64UrlBytes(parts[0]!))) as { alg?: unknown; kid?: unknown };
  const signed = `${parts[0]}.${parts[1]}`;
  const given = base64UrlBytes(parts[2]!);
  if (header.alg === "HS256") {
    const expected = createHmac("sha256", secret).update(signed).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("signature does not match");
    return { payload: JSON.parse(decoder.decode(base64UrlBytes(parts[1]!))), byPublisher: false };
  }
  const alg = PUBLISHER_ALGORITHMS.find((known) => known === header.alg);
  if (!alg || !publisher) throw new Error("only HS256 tokens, and RS256 or ES256 when the publisher's keys are set, are accepted");
  if (typeof header.kid !== "string") throw new Error("a publisher token names its key (kid)");
  const key = await publisherKey(publisher, header.kid, alg, now);
  if (!key || !(await verifiesWith(key, alg, signed, given))) throw new Error("signature does not match a publisher key");
  return { payload: JSON.parse(decoder.decode(base64UrlBytes(parts[1]!))), byPublisher: true };
}

/**
 * Verifies a token (HS256 with the service's secret, or RS256/ES256 with the publisher's keys); expiry is
 * judged by the app's clock, not the machine's. A token must carry `exp`; one with `iat` may be neither
 * issued in the future nor older than `maxAgeSeconds`; and none may live longer than that: `exp` at most
 * `maxAgeSeconds` past its `iat`, or past now when it has none. A publisher's token must also carry the
 * publisher's `iss` and name this service in `aud`, or carry a site's own `iss` and `aud` (`siteAudiences`):
 * such a token acts on that site's articles only (Identity.tokenSites).
 */
export async function verifyToken(
  token: string,
  secret: string,
  now: Date,
  options: { maxAgeSeconds?: number; publisher?: PublisherSso | null; siteAudiences?: SiteAudience[] } = {},
): Promise<Identity> {
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  const publisher = options.publisher ?? null;
  let verified: Awaited<ReturnType<typeof verifiedPayload>>;
  try {
    verified = await verifiedPayload(token, secret, publisher, now);
  } catch {
    throw new TokenError("invalid", "token signature or format is not valid");
  }
  const claims = claimsSchema.safeParse(verified.payload);
  if (!claims.success) throw new TokenError("invalid", "token claims are not valid (sub, role, exp, nbf, iat, iss, aud)");
  const { exp, nbf, iat, iss, aud } = claims.data;
  let tokenSites: string[] | undefined;
  if (verified.byPublisher && publisher) {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (iss !== publisher.issuer || !audiences.includes(publisher.audience)) {
      // Not the service's issuer and audience: a token made for some sites only, or none at all.
      const sites = (options.siteAudiences ?? []).filter((site) => site.issuer === iss && audiences.includes(site.audience));
      if (sites.length === 0) {
        throw new TokenError("invalid", iss !== publisher.issuer ? "token is not from the publisher's issuer (iss)" : "token is not for this service (aud)");
      }
      tokenSites = sites.map((site) => site.siteId);
    }
  }
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
  return { memberId: claims.data.sub, role: claims.data.role, ...(tokenSites ? { tokenSites } : {}) };
}

/** A site's own issuer and audience (rules/sites.yaml sso): a publisher token carrying them acts on that site only. */
export interface SiteAudience {
  siteId: string;
  issuer: string;
  audience: string;
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
