import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFETCH_SECONDS } from "../src/auth/publisher-keys.ts";
import { ConfigError, loadServerConfig } from "../src/config.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { TestPublisher } from "./support/publisher.ts";

// Members signed in by the publisher's login system: RS256 and ES256 tokens verified against the JWKS the
// publisher serves (here a real HTTP server the test runs), with the issuer and audience checked, keys
// rotated in and revoked out. HS256 with the service's own secret keeps working (its pages, development).
const AUDIENCE = "comments.publisher.test";
const ARTICLE = "sso-news";
const CACHE_SECONDS = 600;
let t: TestContext;
let publisher: TestPublisher;

beforeAll(async () => {
  publisher = await new TestPublisher().start();
  await publisher.addKey("rsa-1", "RS256");
  await publisher.addKey("ec-1", "ES256");
  t = await createTestContext({ publisherSso: { jwksUrl: publisher.jwksUrl, issuer: publisher.issuer, audience: AUDIENCE, cacheSeconds: CACHE_SECONDS } });
  await t.putArticle(ARTICLE);
});
afterAll(async () => {
  await t.dispose();
  await publisher.stop();
});

// Any signed-in caller's own decisions (none here): 200 when the token is taken, 401 when not.
const me = async (token: string) => {
  const response = await t.request("GET", "/members/me/decisions", { token });
  const body = (await response.json()) as any;
  return { status: response.status, body };
};
const signed = (kid: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  publisher.token(kid, { sub: "reader-7", aud: AUDIENCE, ...claims }, { now: t.clock.now(), header });

describe("sign-in with the publisher's keys", () => {
  it("accepts RS256 and ES256 tokens from the publisher, and a member so signed in comments", async () => {
    expect((await me(await signed("rsa-1"))).status).toBe(200);
    expect((await me(await signed("ec-1", { sub: "reader-8", aud: ["other.service", AUDIENCE] }))).status).toBe(200);
    const posted = await t.request("POST", `/articles/${ARTICLE}/comments`, {
      token: await signed("ec-1", { sub: "reader-8" }),
      json: { body: "颱風天大家出門小心，注意安全", acceptedRulesVersion: t.config.forumRules.version },
    });
    expect(posted.status).toBe(201);
    expect(((await posted.json()) as any).comment.memberId).toBe("reader-8");
    // One fetch served both keys.
    expect(publisher.fetches).toBe(1);
  });

  it("refuses a publisher token from another issuer, for another audience, without a key id, or signed by a key not published", async () => {
    const refused = async (token: string) => {
      const answer = await me(token);
      expect(answer.status).toBe(401);
      return answer.body.error;
    };
    expect((await refused(await signed("rsa-1", { iss: "https://login.elsewhere.test" }))).message).toContain("iss");
    expect((await refused(await signed("rsa-1", { aud: "another.service" }))).message).toContain("aud");
    expect((await refused(await signed("rsa-1", { aud: undefined }))).message).toContain("aud");
    await refused(await signed("rsa-1", {}, { kid: undefined }));
    // A key pair of the same id as a published one, but not the publisher's.
    const impostor = new TestPublisher();
    await impostor.addKey("rsa-1", "RS256", false);
    await refused(await impostor.token("rsa-1", { sub: "reader-7", aud: AUDIENCE }, { now: t.clock.now() }));
    // An EC token claiming the RSA key's id, and an unsigned one.
    await refused(await signed("ec-1", {}, { kid: "rsa-1" }));
    const [head, body] = (await signed("rsa-1")).split(".");
    const none = Buffer.from(JSON.stringify({ alg: "none", kid: "rsa-1" })).toString("base64url");
    await refused(`${none}.${body}.`);
    expect(head).toBeTruthy();
  });

  it("fetches the keys again for a key id it does not know (rotation), but not more than once in a while", async () => {
    await publisher.addKey("rsa-2", "RS256");
    // Within REFETCH_SECONDS of the last fetch even a real new key waits; after it, one fetch finds it.
    expect((await me(await signed("rsa-2"))).status).toBe(401);
    t.clock.advance(REFETCH_SECONDS * 1000);
    const before = publisher.fetches;
    expect((await me(await signed("rsa-2"))).status).toBe(200);
    expect(publisher.fetches).toBe(before + 1);
    // Made-up key ids right after: refused without asking the publisher again.
    for (const kid of ["made-up-1", "made-up-2"]) {
      await publisher.addKey(kid, "ES256", false);
      expect((await me(await signed(kid))).status).toBe(401);
    }
    expect(publisher.fetches).toBe(before + 1);
    // A key published since is found once the pause is over.
    publisher.publish("made-up-1");
    expect((await me(await signed("made-up-1"))).status).toBe(401);
    t.clock.advance(REFETCH_SECONDS * 1000);
    expect((await me(await signed("made-up-1"))).status).toBe(200);
    expect(publisher.fetches).toBe(before + 2);
  });

  it("refuses a revoked key once its set is fetched again, and keeps the keys it has while the publisher is down", async () => {
    publisher.withdraw("rsa-1");
    // Until the cached set expires the withdrawn key still verifies (the cache time is the revocation delay).
    expect((await me(await signed("rsa-1"))).status).toBe(200);
    t.clock.advance(CACHE_SECONDS * 1000);
    expect((await me(await signed("rsa-1"))).status).toBe(401);
    expect((await me(await signed("rsa-2"))).status).toBe(200);
    // An outage: the keys fetched last stay in use.
    publisher.failWith = 503;
    t.clock.advance(CACHE_SECONDS * 1000);
    const during = publisher.fetches;
    expect((await me(await signed("rsa-2"))).status).toBe(200);
    expect(publisher.fetches).toBe(during + 1);
    publisher.failWith = null;
  });

  it("still takes HS256 tokens signed with the service's own secret", async () => {
    expect((await me(await t.token("reader-9"))).status).toBe(200);
  });
});

describe("a process's first requests", () => {
  it("all sign in when they come at once, before the keys were ever fetched", async () => {
    const fresh = await new TestPublisher().start();
    await fresh.addKey("first", "ES256");
    const context = await createTestContext({ publisherSso: { jwksUrl: fresh.jwksUrl, issuer: fresh.issuer, audience: AUDIENCE, cacheSeconds: CACHE_SECONDS } });
    try {
      const tokens = await Promise.all([1, 2, 3, 4, 5].map((n) => fresh.token("first", { sub: `early-${n}`, aud: AUDIENCE }, { now: context.clock.now() })));
      const answers = await Promise.all(tokens.map((token) => context.request("GET", "/members/me/decisions", { token })));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await context.dispose();
      await fresh.stop();
    }
  });
});

describe("without the publisher's keys", () => {
  it("refuses RS256 and ES256 tokens", async () => {
    const plain = await createTestContext();
    try {
      const response = await plain.request("GET", "/members/me/decisions", { token: await publisher.token("rsa-2", { sub: "reader-7", aud: AUDIENCE }, { now: plain.clock.now() }) });
      expect(response.status).toBe(401);
    } finally {
      await plain.dispose();
    }
  });

  it("refuses a configuration with JWKS_URL but no issuer or audience, or an issuer without keys", () => {
    expect(() => loadServerConfig({ JWKS_URL: "https://login.publisher.test/jwks.json", JWT_ISSUER: "https://login.publisher.test" })).toThrow(ConfigError);
    expect(() => loadServerConfig({ JWT_AUDIENCE: AUDIENCE })).toThrow(ConfigError);
    expect(() => loadServerConfig({ JWKS_URL: "file:///etc/passwd", JWT_ISSUER: "x", JWT_AUDIENCE: "y" })).toThrow(ConfigError);
    // Plain http could hand the service a forged key: only to this machine.
    expect(() => loadServerConfig({ JWKS_URL: "http://login.publisher.test/jwks.json", JWT_ISSUER: "x", JWT_AUDIENCE: "y" })).toThrow(ConfigError);
    expect(() => loadServerConfig({ JWKS_URL: "http://localhost.evil.test/jwks.json", JWT_ISSUER: "x", JWT_AUDIENCE: "y" })).toThrow(ConfigError);
    expect(loadServerConfig({ JWKS_URL: "http://127.0.0.1:8080/jwks.json", JWT_ISSUER: "x", JWT_AUDIENCE: "y" }).publisherSso?.jwksUrl).toBe("http://127.0.0.1:8080/jwks.json");
    const config = loadServerConfig({ JWKS_URL: "https://login.publisher.test/jwks.json", JWT_ISSUER: "https://login.publisher.test", JWT_AUDIENCE: AUDIENCE });
    expect(config.publisherSso).toEqual({ jwksUrl: "https://login.publisher.test/jwks.json", issuer: "https://login.publisher.test", audience: AUDIENCE, cacheSeconds: 600 });
  });
});
