// Sign-in by the publisher's public keys: the publisher's login system signs members' tokens with RS256 or
// ES256 and publishes the public halves as a JWKS (RFC 7517) at a URL; this service verifies with them and
// so cannot mint a member's token itself (an HS256 secret shared with the publisher could). Keys are
// fetched when first needed and kept for `cacheSeconds`; a token naming a key id not in the set fetches it
// again (the publisher rotated), at most once every REFETCH_SECONDS; a key the publisher removed (revoked)
// is refused from the next fetch on. WebCrypto does the verifying, the same in Node and in workerd.

import type { webcrypto } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;

/** The publisher's single sign-on: JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, JWKS_CACHE_SECONDS. */
export interface PublisherSso {
  jwksUrl: string;
  /** The `iss` every publisher token must carry. */
  issuer: string;
  /** What `aud` must name (a string or one of an array). */
  audience: string;
  /** How long a fetched key set is used before it is fetched again. */
  cacheSeconds: number;
}

export const PUBLISHER_ALGORITHMS = ["RS256", "ES256"] as const;
export type PublisherAlgorithm = (typeof PUBLISHER_ALGORITHMS)[number];

/** The least time between two fetches of one key set, so made-up key ids cannot make us fetch on every request. */
export const REFETCH_SECONDS = 30;

const IMPORT: Record<PublisherAlgorithm, webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
};
const VERIFY: Record<PublisherAlgorithm, webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

interface KeySet {
  keys: Map<string, { alg: PublisherAlgorithm; key: CryptoKey }>;
  /** When the set was last fetched (ms), successfully or not. */
  triedAt: number;
  /** When it was last fetched successfully (ms); -Infinity before the first. */
  fetchedAt: number;
}

/** One key set per JWKS URL for the process (or the Worker's isolate): CryptoKeys, no I/O objects. */
const keySets = new Map<string, KeySet>();

/** The algorithm a JWK is for: its `alg` when it says, else RSA keys RS256 and P-256 keys ES256; null for any other. */
export function algorithmOfJwk(jwk: Record<string, unknown>): PublisherAlgorithm | null {
  if (jwk.use !== undefined && jwk.use !== "sig") return null;
  const alg = jwk.alg ?? (jwk.kty === "RSA" ? "RS256" : jwk.kty === "EC" && jwk.crv === "P-256" ? "ES256" : undefined);
  if (alg === "RS256" && jwk.kty === "RSA") return "RS256";
  if (alg === "ES256" && jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  return null;
}

async function importKeys(body: unknown): Promise<KeySet["keys"]> {
  const listed = body && typeof body === "object" && Array.isArray((body as { keys?: unknown }).keys) ? (body as { keys: unknown[] }).keys : null;
  if (!listed) throw new Error("the JWKS has no keys array");
  const keys: KeySet["keys"] = new Map();
  for (const jwk of listed) {
    if (!jwk || typeof jwk !== "object") continue;
    const { kid } = jwk as { kid?: unknown };
    const alg = algorithmOfJwk(jwk as Record<string, unknown>);
    // Keys without an id, for other uses or other algorithms are not ours to use.
    if (typeof kid !== "string" || kid === "" || !alg) continue;
    const { kty, n, e, crv, x, y } = jwk as Record<string, string>;
    const publicPart = kty === "RSA" ? { kty, n, e } : { kty, crv, x, y };
    try {
      keys.set(kid, { alg, key: await crypto.subtle.importKey("jwk", publicPart, IMPORT[alg], false, ["verify"]) });
    } catch {
      // A malformed key is skipped; the others still verify.
    }
  }
  return keys;
}

/** How long a fetch of the key set may take before it counts as failed. */
const FETCH_TIMEOUT_MS = 5000;

async function fetchKeySet(sso: PublisherSso, set: KeySet, now: number): Promise<void> {
  // Marked tried when the fetch ends, not when it starts: requests that come in meanwhile (a process's
  // first, an isolate's first) fetch too rather than find no keys and refuse a good token. Each request
  // fetches on its own: a Worker may not await I/O another request started.
  try {
    const response = await fetch(sso.jwksUrl, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`the JWKS answered ${response.status}`);
    set.keys = await importKeys(await response.json());
    set.fetchedAt = now;
    set.triedAt = now;
  } catch (error) {
    set.triedAt = now;
    // The keys already fetched stay in use (a publisher's outage must not sign every member out); a first
    // fetch that fails leaves none, and the token is refused.
    console.error(`fetching the publisher's keys from ${sso.jwksUrl} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The publisher's key `kid` for `alg`, fetching the key set when it is older than `cacheSeconds` or does
 * not hold `kid` (no sooner than REFETCH_SECONDS after the last try); null when there is no such key.
 */
export async function publisherKey(sso: PublisherSso, kid: string, alg: PublisherAlgorithm, now: Date): Promise<CryptoKey | null> {
  const at = now.getTime();
  let set = keySets.get(sso.jwksUrl);
  if (!set) keySets.set(sso.jwksUrl, (set = { keys: new Map(), triedAt: -Infinity, fetchedAt: -Infinity }));
  const stale = at - set.fetchedAt >= sso.cacheSeconds * 1000;
  const mayTry = at - set.triedAt >= REFETCH_SECONDS * 1000;
  if (mayTry && (stale || !set.keys.has(kid))) await fetchKeySet(sso, set, at);
  const found = set.keys.get(kid);
  return found && found.alg === alg ? found.key : null;
}

/** Whether `signature` signs `signed` under the key (JWS: RS256 PKCS#1 v1.5; ES256 the raw r ‖ s of P-256). */
export async function verifiesWith(key: CryptoKey, alg: PublisherAlgorithm, signed: string, signature: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify(VERIFY[alg], key, signature, new TextEncoder().encode(signed));
}
