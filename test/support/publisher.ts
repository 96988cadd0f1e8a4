import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { webcrypto } from "node:crypto";

type Alg = "RS256" | "ES256";
interface SigningKey {
  kid: string;
  alg: Alg;
  pair: webcrypto.CryptoKeyPair;
}

const GENERATE: Record<Alg, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
};
const SIGN: Record<Alg, webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

const base64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64url");

/**
 * A publisher's login system for the tests: key pairs the test generates, their public halves served as a
 * JWKS over real HTTP on a port of its own (what it publishes can change: rotation, revocation, outage),
 * and tokens signed with any of them.
 */
export class TestPublisher {
  readonly issuer = "https://login.publisher.test";
  private keys = new Map<string, SigningKey>();
  private published = new Set<string>();
  private server!: Server;
  /** How many times the JWKS was asked for. */
  fetches = 0;
  /** When set, the JWKS answers this status instead of the keys (an outage). */
  failWith: number | null = null;

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      this.fetches++;
      if (this.failWith !== null) {
        response.writeHead(this.failWith).end();
        return;
      }
      const keys = await Promise.all(
        [...this.published].map(async (kid) => {
          const key = this.keys.get(kid)!;
          return { ...(await webcrypto.subtle.exportKey("jwk", key.pair.publicKey)), kid, alg: key.alg, use: "sig" };
        }),
      );
      response.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** A new key pair; published in the JWKS unless `publish` is false. */
  async addKey(kid: string, alg: Alg, publish = true): Promise<void> {
    const pair = (await webcrypto.subtle.generateKey(GENERATE[alg], true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    this.keys.set(kid, { kid, alg, pair });
    if (publish) this.published.add(kid);
  }

  publish(kid: string): void {
    this.published.add(kid);
  }

  /** The key leaves the JWKS (revoked, or rotated out). */
  withdraw(kid: string): void {
    this.published.delete(kid);
  }

  /** A token signed with key `kid`; `header` and `claims` override the defaults (alg, kid; iss, sub, iat, exp). */
  async token(kid: string, claims: Record<string, unknown>, options: { now: Date; header?: Record<string, unknown> }): Promise<string> {
    const key = this.keys.get(kid)!;
    const iat = Math.floor(options.now.getTime() / 1000);
    const header = base64url(JSON.stringify({ alg: key.alg, kid, typ: "JWT", ...options.header }));
    const payload = base64url(JSON.stringify({ iss: this.issuer, iat, exp: iat + 600, ...claims }));
    const signature = await webcrypto.subtle.sign(SIGN[key.alg], key.pair.privateKey, new TextEncoder().encode(`${header}.${payload}`));
    return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
