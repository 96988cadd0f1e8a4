import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyToken } from "../src/auth/token.ts";
import { DEVELOPMENT_JWT_SECRET } from "../src/config.ts";

const root = new URL("..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");
const scratch = mkdtempSync(join(tmpdir(), "moderation-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The commands a newcomer runs, on embedded PGlite in a scratch folder (never the developer's data/).
function env(extra: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, JWT_SECRET: _secret, ...rest } = process.env;
  return { ...rest, PGLITE_DIR: join(scratch, "pglite"), ...extra };
}

describe("npm run token", () => {
  it("mints a token the API accepts, with the role asked for", async () => {
    const result = spawnSync(tsx, ["scripts/token.ts", "--member", "42", "--role", "moderator"], { cwd: root, env: env(), encoding: "utf8" });
    expect(result.status).toBe(0);
    const identity = await verifyToken(result.stdout.trim(), DEVELOPMENT_JWT_SECRET, new Date());
    expect(identity).toEqual({ memberId: "42", role: "moderator" });
  });

  it("refuses a bad role with usage and exit code 2", () => {
    const result = spawnSync(tsx, ["scripts/token.ts", "--member", "42", "--role", "root"], { cwd: root, env: env(), encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npm run token");
  });
});

describe("npm run migrate and npm start", () => {
  it("migrates once, then starts, prints a working example, serves it and stops cleanly on SIGTERM", async () => {
    const first = spawnSync(tsx, ["scripts/migrate.ts"], { cwd: root, env: env(), encoding: "utf8" });
    expect(first.stdout).toContain("applied: 0001_foundation.sql");
    const second = spawnSync(tsx, ["scripts/migrate.ts"], { cwd: root, env: env(), encoding: "utf8" });
    expect(second.stdout).toContain("database is up to date");

    const server = spawn(tsx, ["src/server.ts"], { cwd: root, env: env({ PORT: "0" }) });
    let output = "";
    server.stdout.on("data", (chunk) => (output += chunk));
    server.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes("curl -s http") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const base = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      expect(base, output).toBeDefined();
      const token = /authorization: Bearer ([\w.-]+)/.exec(output)![1]!;
      const body = /-d '(\{.*\})'/.exec(output)![1]!;

      const posted = await fetch(`${base}/articles/demo-1/comments`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      });
      expect(posted.status).toBe(201);
      const listed = (await (await fetch(`${base}/articles/demo-1/comments`)).json()) as any;
      expect(listed.publishedCount).toBe(1);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
