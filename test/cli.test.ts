import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyToken } from "../src/auth/token.ts";
import { DEVELOPMENT_JWT_SECRET } from "../src/config.ts";
import { connectPglite } from "../src/db/pglite.ts";

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

  const JWT_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;

  it("prints the token alone on stdout and its notes on stderr, so $(…) captures it", async () => {
    const result = spawnSync(tsx, ["scripts/token.ts", "--member", "42"], { cwd: root, env: env(), encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(JWT_LINE);
    expect(result.stderr).toContain("development secret");
    // The default lifetime is MAX_TOKEN_AGE_SECONDS (a day), which the API accepts.
    const payload = JSON.parse(Buffer.from(result.stdout.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(86_400);
    // Through npm as the README says: --silent keeps npm's banner off stdout.
    const viaNpm = spawnSync("npm", ["run", "--silent", "token", "--", "--member", "42"], { cwd: root, env: env(), encoding: "utf8" });
    expect(viaNpm.status, viaNpm.stderr).toBe(0);
    expect(viaNpm.stdout).toMatch(JWT_LINE);
  });

  it("refuses a --ttl the API would refuse (beyond MAX_TOKEN_AGE_SECONDS), printing nothing on stdout", () => {
    const result = spawnSync(tsx, ["scripts/token.ts", "--member", "42", "--ttl", "7200"], { cwd: root, env: env({ MAX_TOKEN_AGE_SECONDS: "3600" }), encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("MAX_TOKEN_AGE_SECONDS (3600)");
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

    // What npm start runs: the bundle of the sources, by node.
    const build = spawnSync(tsx, ["scripts/build-server.ts"], { cwd: root, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    const server = spawn(process.execPath, ["--enable-source-maps", "build/server.js"], { cwd: root, env: env({ PORT: "0" }) });
    let output = "";
    server.stdout.on("data", (chunk) => (output += chunk));
    server.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
    try {
      const deadline = Date.now() + 90_000;
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
      // Member 42 is new: the example's comment waits for a moderator, as the printed note says.
      expect(posted.status).toBe(202);
      expect(((await posted.json()) as any).premoderation).toEqual({ ruleId: "R0-new-member" });
      expect(output).toContain("wait for a moderator");
      const listed = (await (await fetch(`${base}/articles/demo-1/comments`)).json()) as any;
      expect(listed.publishedCount).toBe(0);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("npm run moderate (batch contract)", () => {
  it("adds action, score and one reason per span to every line, keeping the input fields", () => {
    const input = [
      { id: 1, text: "幹 你 娘" },
      { id: 2, text: "今天天氣很好" },
      { id: 3, text: "手機0912-345-678", extra: { keep: true } },
    ];
    const inPath = join(scratch, "in.jsonl");
    const outPath = join(scratch, "out.jsonl");
    writeFileSync(inPath, input.map((line) => JSON.stringify(line)).join("\n") + "\n");
    const result = spawnSync(tsx, ["scripts/moderate.ts", "--kind", "comment", "--input", inPath, "--output", outPath], { cwd: root, env: env(), encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const output = readFileSync(outPath, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(output).toHaveLength(3);
    expect(output[0]).toMatchObject({ id: 1, text: "幹 你 娘", action: "reject" });
    expect(output[0].reasons).toContainEqual({
      rule: "R2-profanity-severe",
      forumRule: "R2",
      category: "profanity",
      action: "reject",
      span: [0, 5],
      term: "幹你娘",
    });
    expect(output[1]).toMatchObject({ id: 2, action: "allow", reasons: [] });
    expect(output[1]).toHaveProperty("score");
    expect(output[2]).toMatchObject({ extra: { keep: true }, action: "review", reasons: [{ rule: "R1-phone-number", forumRule: "R1", category: "personal_data", span: [2, 14] }] });
    expect(result.stderr).toContain("allow 1, review 1, reject 1");
  });

  it("reads stdin and writes stdout; a bad line stops with its line number and exit code 2", () => {
    const ok = spawnSync(tsx, ["scripts/moderate.ts", "--kind", "nickname"], { cwd: root, env: env(), encoding: "utf8", input: '{"text":"官方小編"}\n' });
    const line = JSON.parse(ok.stdout);
    expect(line.action).toBe("reject");
    expect(line.reasons.map((r: { rule: string; span: number[] }) => [r.rule, r.span])).toEqual([
      ["R4-staff-impersonation", [0, 2]],
      ["R4-staff-impersonation", [2, 4]],
    ]);
    const bad = spawnSync(tsx, ["scripts/moderate.ts", "--kind", "comment"], { cwd: root, env: env(), encoding: "utf8", input: '{"text":"ok"}\nnot json\n' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("stdin:2: not valid JSON");
    const badKind = spawnSync(tsx, ["scripts/moderate.ts", "--kind", "article"], { cwd: root, env: env(), encoding: "utf8", input: "" });
    expect(badKind.status).toBe(2);
    expect(badKind.stderr).toContain("usage:");
  });

  it("moderates comments when --kind is left out", () => {
    const result = spawnSync(tsx, ["scripts/moderate.ts"], { cwd: root, env: env(), encoding: "utf8", input: '{"text":"今天天氣很好"}\n{"text":"幹你娘"}\n' });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => line.action)).toEqual(["allow", "reject"]);
    // Only comments are scored by the classifier (tags and nicknames answer null).
    expect(typeof lines[0].score).toBe("number");
  });
});

describe("npm run rules:backtest", () => {
  it("counts and shows the decisions a rule change would change", () => {
    const candidate = join(scratch, "candidate-rules");
    cpSync(join(root, "rules/engine"), candidate, { recursive: true });
    // A careless candidate: it adds 颱風假 to R2-insult, so ordinary comments about a typhoon day off are held.
    const abuse = readFileSync(join(candidate, "r2-abuse.yaml"), "utf8").replace("智障, 腦殘, 白癡, 混蛋", "智障, 腦殘, 白癡, 混蛋, 颱風假");
    writeFileSync(join(candidate, "r2-abuse.yaml"), abuse);
    const inPath = join(scratch, "backtest.jsonl");
    writeFileSync(inPath, ["這個颱風假放得莫名其妙，根本沒下雨。", "明天颱風假嗎", "今天天氣很好", "幹你娘"].map((text) => JSON.stringify({ text })).join("\n"));
    const result = spawnSync(tsx, ["scripts/rules-backtest.ts", "--input", inPath, "--against", candidate], { cwd: root, env: env(), encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("decisions changed: 2 (50.00%)");
    expect(result.stdout).toContain("allow → review: 2");
    expect(result.stdout).toContain("line 1: 這個颱風假放得莫名其妙，根本沒下雨。  [- → R2-insult]");
  });
});

describe("npm run rescreen:nicknames", () => {
  it("sends newly failing nicknames to review, and a rerun has nothing left to do", async () => {
    const dataDir = join(scratch, "rescreen");
    const migrate = spawnSync(tsx, ["scripts/migrate.ts"], { cwd: root, env: env({ PGLITE_DIR: dataDir }), encoding: "utf8" });
    expect(migrate.status, migrate.stderr).toBe(0);
    // Nicknames from before today's rules: one now breaks R4, two are fine.
    const database = await connectPglite({ dataDir });
    await database.db
      .insertInto("members")
      .values([
        { id: "ok-1", nickname: "能幹的小王", nickname_rules_version: "rules-old" },
        { id: "bad-1", nickname: "官方小編", nickname_rules_version: "rules-old" },
        { id: "ok-2", nickname: "機車騎士" },
      ])
      .execute();
    await database.close();

    const first = spawnSync(tsx, ["scripts/rescreen-nicknames.ts"], { cwd: root, env: env({ PGLITE_DIR: dataDir }), encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain("3 nicknames to re-check");
    expect(first.stderr).toContain("3/3");
    expect(first.stderr).toContain("1 nicknames sent to the review queue");
    const second = spawnSync(tsx, ["scripts/rescreen-nicknames.ts"], { cwd: root, env: env({ PGLITE_DIR: dataDir }), encoding: "utf8" });
    expect(second.stderr).toContain("0 nicknames to re-check");

    const check = await connectPglite({ dataDir });
    const items = await check.db.selectFrom("review_items").select(["subject_kind", "subject_id", "state"]).execute();
    await check.close();
    expect(items).toEqual([{ subject_kind: "member", subject_id: "bad-1", state: "open" }]);
  });
});
