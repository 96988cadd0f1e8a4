import { sign, verify } from "hono/jwt";
import { z } from "zod";

export type Role = "member" | "moderator" | "admin";

/** Who is calling, from the site's login system's token. */
export interface Identity {
  memberId: string;
  role: Role;
}

export const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const claimsSchema = z.object({
  sub: z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(MEMBER_ID_PATTERN)),
  role: z.enum(["member", "moderator", "admin"]).default("member"),
  exp: z.number().optional(),
  nbf: z.number().optional(),
});

export type TokenProblem = "invalid" | "expired";

export class TokenError extends Error {
  override name = "TokenError";
  constructor(readonly problem: TokenProblem, message: string) {
    super(message);
  }
}

/** Verifies an HS256 token; expiry is judged by the app's clock, not the machine's. */
export async function verifyToken(token: string, secret: string, now: Date): Promise<Identity> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, { alg: "HS256", exp: false, nbf: false, iat: false });
  } catch {
    throw new TokenError("invalid", "token signature or format is not valid");
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenError("invalid", "token claims are not valid (sub, role)");
  const seconds = now.getTime() / 1000;
  if (claims.data.exp !== undefined && claims.data.exp <= seconds) {
    throw new TokenError("expired", "token has expired");
  }
  if (claims.data.nbf !== undefined && claims.data.nbf > seconds) {
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
