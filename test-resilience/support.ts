import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintToken } from "../src/auth/token.ts";
import { readForumRules } from "../src/rules-on-disk.ts";
import { freePort, ServerProcess } from "../test/support/server-process.ts";

const rulesVersion = readForumRules().version;

export const SECRET = "resilience-test-secret-0123456789abcdef";

const pgBin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin");

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port), so stopping it
 * mid-test never touches the machine's server. Runs as the postgres user, as initdb requires.
 */
export class PrivatePostgres {
  port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), "pg-private-"));

  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(args: string[]) {
    const result = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8" });
    if (result.status !== 0) {
      const log = join(this.dir, "log");
      throw new Error(`${args.join(" ")} failed: ${result.stderr}${result.stdout}${existsSync(log) ? `\n${readFileSync(log, "utf8")}` : ""}`);
    }
  }

  /**
   * Creates the cluster and starts it on a port the system has free. A random port could be one the
   * system had handed out to a connection (CI failed so once): the first start asks for a free one, and
   * tries another if that was taken in between. The port then stays the cluster's across restarts.
   */
  async init() {
    chmodSync(this.dir, 0o777);
    this.run([join(pgBin, "initdb"), "-D", join(this.dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        this.start();
        return;
      } catch (error) {
        if (attempt === 5 || !/could not bind|already in use/i.test(String(error))) throw error;
      }
    }
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

/** The Node server on `databaseUrl`, behind a "proxy": each test request names its own client address,
 * so per-address rate limits stay out of the way. */
export function serverOn(databaseUrl: string, env: Record<string, string> = {}): ServerProcess {
  return new ServerProcess({ DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, DEMO_SEED: "1", TRUST_PROXY: "1", ...env });
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
