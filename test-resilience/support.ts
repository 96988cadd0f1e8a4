import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintToken } from "../src/auth/token.ts";
import { readForumRules } from "../src/rules-on-disk.ts";

const rulesVersion = readForumRules().version;

export const root = new URL("..", import.meta.url).pathname;
export const SECRET = "resilience-test-secret-0123456789abcdef";

const pgBin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin");

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port), so stopping it
 * mid-test never touches the machine's server. Runs as the postgres user, as initdb requires.
 */
export class PrivatePostgres {
  readonly port = 30000 + Math.floor(Math.random() * 20000);
  private readonly dir = mkdtempSync(join(tmpdir(), "pg-private-"));
  readonly url = `postgres://postgres@127.0.0.1:${this.port}/postgres`;

  private run(args: string[]) {
    const result = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}${result.stdout}`);
  }

  init() {
    chmodSync(this.dir, 0o777);
    this.run([join(pgBin, "initdb"), "-D", join(this.dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    this.start();
  }

  start() {
    this.run([join(pgBin, "pg_ctl"), "-D", join(this.dir, "data"), "-o", `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, "-l", join(this.dir, "log"), "-w", "start"]);
  }

  stop() {
    this.run([join(pgBin, "pg_ctl"), "-D", join(this.dir, "data"), "-m", "immediate", "-w", "stop"]);
  }

  destroy() {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The Node server (npm start's entry) as a child process on a port of its own. */
export class ServerProcess {
  readonly port = 30000 + Math.floor(Math.random() * 20000);
  readonly base = `http://127.0.0.1:${this.port}`;
  process!: ChildProcess;
  output = "";

  constructor(private readonly databaseUrl: string) {}

  async start() {
    this.output = "";
    this.process = spawn(join(root, "node_modules/.bin/tsx"), ["src/server.ts"], {
      cwd: root,
      // Behind a "proxy": each test request names its own client address, so per-address limits stay out of the way.
      env: { ...process.env, DATABASE_URL: this.databaseUrl, PORT: String(this.port), JWT_SECRET: SECRET, DEMO_SEED: "1", TRUST_PROXY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process.stdout!.on("data", (chunk) => (this.output += chunk));
    this.process.stderr!.on("data", (chunk) => (this.output += chunk));
    const deadline = Date.now() + 60_000;
    while (!this.output.includes("listening on")) {
      if (Date.now() > deadline || this.process.exitCode !== null) throw new Error(`server did not start:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  exited(): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve(this.process.exitCode);
    return new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  async stop(signal: NodeJS.Signals = "SIGTERM") {
    const exited = this.exited();
    this.process.kill(signal);
    return exited;
  }
}

export async function tokenFor(memberId: string, role: "member" | "moderator" | "admin" = "member") {
  return mintToken({ memberId, role }, SECRET, { now: new Date(), ttlSeconds: 3600 });
}

let address = 0;

export async function postComment(base: string, token: string, body: string, idempotencyKey: string) {
  address++;
  return fetch(`${base}/articles/demo-1/comments`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": `10.9.${address >> 8 & 255}.${address & 255}` },
    body: JSON.stringify({ body, acceptedRulesVersion: rulesVersion, idempotencyKey }),
  });
}
