import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken, type Role } from "../src/auth/token.ts";
import { migrate } from "../src/db/migrate.ts";
import { readMigrationFiles } from "../src/db/migration-files.ts";
import { connectPostgres, withClient } from "../src/db/postgres.ts";
import { readForumRules } from "../src/rules-on-disk.ts";
import { TestPublisher } from "../test/support/publisher.ts";
import { WebhookReceiver } from "../test/support/receiver.ts";
import { freePort } from "../test/support/server-process.ts";

// The machine's PostgreSQL; each run gets a database of its own, dropped afterwards.
const SERVER = process.env.WORKERD_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const root = new URL("..", import.meta.url).pathname;
const database = `workerd_${randomBytes(5).toString("hex")}`;
const secret = randomBytes(24).toString("hex");
// Asked of the system when the test starts: a random port could be one it had handed to a connection.
let port = 0;
let base = "";
const rulesVersion = readForumRules().version;
let wrangler: ChildProcess;
let output = "";
// The publisher's login system: its JWKS served by the test, its tokens signed with keys the test made.
const publisher = new TestPublisher();
const AUDIENCE = "comments.edge.test";

async function admin(sql: string) {
  await withClient(SERVER, (client) => client.query(sql));
}

function databaseUrl(withPassword: boolean): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  // Hyperdrive's local binding insists on a password; trust authentication ignores it.
  if (withPassword && !url.password) url.password = "unused";
  return url.toString();
}

beforeAll(async () => {
  await admin(`create database ${database}`);
  const handle = connectPostgres({ connectionString: databaseUrl(false) });
  await migrate(handle, readMigrationFiles());
  await handle.close();

  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await publisher.start();
  await publisher.addKey("edge-rsa", "RS256");
  await publisher.addKey("edge-ec", "ES256");
  const vars = { JWT_SECRET: secret, JWKS_URL: publisher.jwksUrl, JWT_ISSUER: publisher.issuer, JWT_AUDIENCE: AUDIENCE };
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  wrangler = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), ...varArgs, "--log-level", "info", "--test-scheduled"], {
    cwd: root,
    env: {
      ...process.env,
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: databaseUrl(true),
      // Offline: no Request.cf download, no telemetry.
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  wrangler.stdout!.on("data", (chunk) => (output += chunk));
  wrangler.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (!output.includes("Ready on")) {
    if (Date.now() > deadline || wrangler.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  if (wrangler && wrangler.exitCode === null) {
    const exited = new Promise((resolve) => wrangler.once("exit", resolve));
    wrangler.kill("SIGTERM");
    await exited;
  }
  await admin(`drop database if exists ${database} with (force)`);
  await publisher.stop();
});

async function call(method: string, path: string, options: { as?: [string, Role?]; json?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.as) {
    headers.authorization = `Bearer ${await mintToken({ memberId: options.as[0], role: options.as[1] ?? "member" }, secret, { now: new Date(), ttlSeconds: 600 })}`;
  }
  if (options.json !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe("the Worker in workerd, on Postgres through Hyperdrive", () => {
  it("answers health and readiness (the database through Hyperdrive)", async () => {
    expect((await call("GET", "/healthz")).body).toEqual({ status: "ok" });
    expect((await call("GET", "/readyz")).body).toEqual({ ready: true });
  });

  it("stores an article, publishes an acceptable comment and refuses an abusive one with its span", async () => {
    expect((await call("PUT", "/articles/edge-1", { as: ["cms", "admin"], json: { title: "邊緣運算測試", body: "夜間公車明年上路。" } })).status).toBe(201);
    // A newcomer's first comment waits for a moderator (rules/policy.yaml trust), as on Node.
    const newcomer = await call("POST", "/articles/edge-1/comments", { as: ["w1"], json: { body: "颱風天出門要小心", acceptedRulesVersion: rulesVersion } });
    expect(newcomer.status).toBe(202);
    expect(newcomer.body.premoderation).toEqual({ ruleId: "R0-new-member" });
    await withClient(databaseUrl(false), (client) => client.query("update members set trust_level = 'member' where id = 'w1'"));
    const published = await call("POST", "/articles/edge-1/comments", { as: ["w1"], json: { body: "夜間公車終於來了", acceptedRulesVersion: rulesVersion } });
    expect(published.status).toBe(201);
    expect(published.body.comment.verdict.modelVersion).toMatch(/^model-/);
    const refused = await call("POST", "/articles/edge-1/comments", { as: ["w2"], json: { body: "幹 你 娘", acceptedRulesVersion: rulesVersion } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.reasons[0]).toMatchObject({ ruleId: "R2-profanity-severe", spans: [{ start: 0, end: 5, term: "幹你娘" }] });
  });

  it("lists the published comments with their count", async () => {
    const list = await call("GET", "/articles/edge-1/comments");
    expect(list.body).toMatchObject({ publishedCount: 1, comments: [{ body: "夜間公車終於來了" }] });
  });

  it("serves the public reads through the Workers cache, and 304 to the ETag it holds", async () => {
    const path = `${base}/articles/edge-1/tags`;
    const first = await fetch(path);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-worker-cache")).toBe("miss");
    expect(first.headers.get("cache-control")).toContain("max-age=");
    const tag = first.headers.get("etag")!;
    await first.text();
    // The copy is put in the cache after the answer leaves: wait for it.
    let second = await fetch(path);
    for (let i = 0; i < 20 && second.headers.get("x-worker-cache") !== "hit"; i++) {
      await second.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      second = await fetch(path);
    }
    expect(second.headers.get("x-worker-cache")).toBe("hit");
    expect(second.headers.get("etag")).toBe(tag);
    expect(await second.json()).toEqual({ articleId: "edge-1", tags: [] });
    const revalidated = await fetch(path, { headers: { "if-none-match": tag } });
    expect(revalidated.status).toBe(304);
    // A browser asking for the page gets the page, never the cached JSON.
    const page = await fetch(`${base}/articles/edge-1`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("x-worker-cache")).toBeNull();
    await page.text();
    // However the browser spells it.
    const wildcard = await fetch(`${base}/articles/edge-1/tags`, { headers: { accept: "Text/*" } });
    expect(wildcard.headers.get("x-worker-cache")).toBeNull();
    await wildcard.text();
  });

  it("holds a comment for review, and a moderator claims and decides it", async () => {
    const held = await call("POST", "/articles/edge-1/comments", { as: ["w3"], json: { body: "這個市長是白癡", acceptedRulesVersion: rulesVersion } });
    expect(held.status).toBe(202);
    const claimed = await call("POST", "/review/claim", { as: ["mod", "moderator"] });
    expect(claimed.body.item).toMatchObject({ subjectKind: "comment", subjectId: held.body.comment.id, claimedBy: "mod" });
    const decided = await call("POST", `/review/items/${claimed.body.item.id}/decision`, {
      as: ["mod", "moderator"],
      json: { action: "remove", forumRules: ["R2"], note: "人身攻擊" },
    });
    expect(decided.status).toBe(201);
    expect(decided.body.decision).toMatchObject({ action: "remove", automation: "human_with_automated_help", affectedMemberId: "w3" });
    const again = await call("POST", `/review/items/${claimed.body.item.id}/decision`, { as: ["mod", "moderator"], json: { action: "approve", note: "x" } });
    expect(again.status).toBe(409);
  });

  it("serves the web pages: the article page, a login with its session cookie, and the stats page", async () => {
    const page = await fetch(`${base}/articles/edge-1`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain("邊緣運算測試");
    expect(html).toContain("1 則留言");

    const login = await fetch(`${base}/login`);
    const loginCookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const token = await mintToken({ memberId: "mod", role: "moderator" }, secret, { now: new Date(), ttlSeconds: 600 });
    const signedIn = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: loginCookie, origin: base },
      body: new URLSearchParams({ _csrf: csrf, token, next: "/moderate/stats" }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((cookie) => cookie.startsWith("moderation_session="))!;
    expect(session).toMatch(/HttpOnly/);
    const stats = await fetch(`${base}/moderate/stats`, { headers: { cookie: session.split(";")[0]! } });
    expect(stats.status).toBe(200);
    expect(await stats.text()).toMatch(/data-forum-rule="R2">2</);
    // The live queue: one snapshot per stream here, then the browser comes back.
    const events = await fetch(`${base}/moderate/events?since=0`, { headers: { cookie: session.split(";")[0]! } });
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const stream = await events.text();
    expect(stream).toMatch(/^retry: \d+\nevent: queue\ndata: \{"counts":/);
    expect(stream.match(/event: queue/g)).toHaveLength(1);
  });

  it("signs in members by the publisher's RS256 and ES256 tokens against its JWKS, and refuses another audience", async () => {
    const post = async (token: string, body: string) => {
      const response = await fetch(`${base}/articles/edge-1/comments`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ body, acceptedRulesVersion: rulesVersion }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const now = new Date();
    const rsa = await post(await publisher.token("edge-rsa", { sub: "sso-1", aud: AUDIENCE }, { now }), "今天的捷運很準時");
    // Newcomers' first comments wait for a moderator (pre-moderation), as any member's do.
    expect([rsa.status, rsa.body.comment?.memberId]).toEqual([202, "sso-1"]);
    const ec = await post(await publisher.token("edge-ec", { sub: "sso-2", aud: AUDIENCE }, { now }), "希望公車班次再多一點");
    expect([ec.status, ec.body.comment?.memberId]).toEqual([202, "sso-2"]);
    const elsewhere = await post(await publisher.token("edge-rsa", { sub: "sso-1", aud: "another.service" }, { now }), "換個地方發言");
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([401, "invalid_token"]);
  });

  it("sends the outbox's webhooks from its Cron Trigger, signed", async () => {
    const receiver = new WebhookReceiver();
    await receiver.up();
    try {
      const registered = await call("POST", "/webhooks/endpoints", { as: ["cms", "admin"], json: { url: receiver.url, events: ["comment.held"] } });
      expect(registered.status).toBe(201);
      const held = await call("POST", "/articles/edge-1/comments", { as: ["w4"], json: { body: "你這個智障", acceptedRulesVersion: rulesVersion } });
      expect(held.status).toBe(202);
      // wrangler dev --test-scheduled: this path runs the scheduled handler as the cron would.
      const ran = await fetch(`${base}/__scheduled?cron=*+*+*+*+*`);
      expect(ran.status).toBe(200);
      await ran.text();
      expect(receiver.received).toHaveLength(1);
      expect(WebhookReceiver.verifies(registered.body.secret, receiver.received[0]!)).toBe(true);
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: "comment.held", data: { comment: { id: held.body.comment.id, memberId: "w4" } } });
      const log = await call("GET", "/webhooks/deliveries", { as: ["cms", "admin"] });
      expect(log.body.deliveries[0]).toMatchObject({ state: "delivered", lastStatus: 204 });
    } finally {
      await receiver.down();
    }
  });
});
