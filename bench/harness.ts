// Shared by the API benchmarks: a database of their own on the machine's PostgreSQL, the Node server as
// a process on it, and the load generator as a second process.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { mintToken } from "../src/auth/token.ts";
import { migrate } from "../src/db/migrate.ts";
import { readMigrationFiles } from "../src/db/migration-files.ts";
import { connectPostgres, withClient } from "../src/db/postgres.ts";
import { ServerProcess } from "../test/support/server-process.ts";

export const root = new URL("..", import.meta.url).pathname;
export const SERVER_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const SECRET = "benchmark-secret-0123456789abcdef0123";

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin(sql: string): Promise<void> {
  await withClient(SERVER_URL, (client) => client.query(sql));
}

/** A fresh, migrated database; drop it with `admin("drop database …")` when done. */
export async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const handle = connectPostgres({ connectionString: databaseUrl(name) });
  await migrate(handle, readMigrationFiles());
  await handle.close();
  return name;
}

/** rules/policy.yaml with the rate limits lifted, since a load generator is one client posting a lot. */
export function benchPolicyFile(): string {
  const policy = parse(readFileSync(join(root, "rules/policy.yaml"), "utf8")) as Record<string, any>;
  const open = { perMember: { limit: 100_000_000, windowSeconds: 60 }, perIp: { limit: 100_000_000, windowSeconds: 60 } };
  policy.rateLimits = { comment: open, tag: open, report: open };
  // The load's writers stand for a news site's established readers, not newcomers whose comments wait.
  policy.trust.newcomerComments = 0;
  const path = join(mkdtempSync(join(tmpdir(), "bench-policy-")), "policy.yaml");
  writeFileSync(path, stringify(policy));
  return path;
}

/**
 * The Node server for a benchmark, as npm start runs it (bundled); BENCH_CPU_PROF=DIR writes a V8 CPU
 * profile of it (node --cpu-prof) into DIR, from the sources so that the profile names their files.
 */
export function benchServer(env: Record<string, string>): ServerProcess {
  const profiling = Boolean(process.env.BENCH_CPU_PROF);
  const profile = profiling ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return new ServerProcess({ JWT_SECRET: SECRET, SHUTDOWN_GRACE_MS: "0", ...env }, profile, profiling);
}

/** The server process's peak resident memory so far (VmHWM, Linux), in MB; null where /proc is not there. */
export function peakRssMb(server: ServerProcess): number | null {
  try {
    const status = readFileSync(`/proc/${server.process.pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

export interface LoadResult {
  requestsPerSecond: number;
  totalRequests: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  statusCodes: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface PlannedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Runs bench/load.ts in its own process against `url`. */
export function load(url: string, requests: PlannedRequest[], connections: number, durationSeconds: number): LoadResult {
  const planFile = join(mkdtempSync(join(tmpdir(), "bench-plan-")), "plan.json");
  writeFileSync(planFile, JSON.stringify({ url, connections, durationSeconds, requests }));
  const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["bench/load.ts", planFile], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`load generator failed: ${result.error?.message ?? result.stderr}`);
  return JSON.parse(result.stdout) as LoadResult;
}

export async function tokens(count: number, prefix: string, role: "member" | "moderator" | "admin" = "member"): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => mintToken({ memberId: `${prefix}${i}`, role }, SECRET, { now: new Date(), ttlSeconds: 6 * 3600 })));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function saveResult(name: string, result: unknown): void {
  writeFileSync(join(root, "bench/results", `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
