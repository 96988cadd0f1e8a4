import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { buildServer } from "../../scripts/build-server.ts";

const root = new URL("../..", import.meta.url).pathname;
let built: Promise<void> | undefined;

/**
 * The Node server as npm start runs it (build/server.js, bundled once per process from the sources) as a
 * child process on a port of its own, for the resilience tests and the benchmarks. It runs as node itself
 * rather than through npm, whose wrapper process would take a SIGKILL meant for the server and leave the
 * server running. `fromSources` runs src/server.ts through tsx instead, so that a CPU profile names the
 * source files (bench/profile-summary.ts groups by them).
 */
export class ServerProcess {
  /** The port of the last start: one the system had free just before, taken again if another took it. */
  port = 0;
  process!: ChildProcess;
  output = "";

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  constructor(
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
    private readonly fromSources = false,
  ) {}

  async start(): Promise<void> {
    if (!this.fromSources) await (built ??= buildServer());
    // A port picked at random, or even one the system had free a moment ago, can be taken by then (a
    // client connection's local port on a busy machine): start again on another.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      const started = await this.spawnOnPort();
      if (started) return;
      if (!this.output.includes("EADDRINUSE") || attempt === 5) throw new Error(`server did not start:\n${this.output}`);
    }
  }

  /** Whether the server came up listening on `port` (false: it exited first). */
  private async spawnOnPort(): Promise<boolean> {
    this.output = "";
    const entry = this.fromSources ? ["--import", "tsx", "src/server.ts"] : ["--enable-source-maps", "build/server.js"];
    this.process = spawn(process.execPath, [...this.nodeArgs, ...entry], {
      cwd: root,
      env: { ...process.env, PORT: String(this.port), ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process.stdout!.on("data", (chunk) => (this.output += chunk));
    this.process.stderr!.on("data", (chunk) => (this.output += chunk));
    const deadline = Date.now() + 60_000;
    while (!this.output.includes("listening on")) {
      if (this.process.exitCode !== null) return false;
      if (Date.now() > deadline) throw new Error(`server did not start:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  exited(): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve(this.process.exitCode);
    return new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return this.process?.exitCode ?? null;
    const exited = this.exited();
    this.process.kill(signal);
    return exited;
  }
}

/** A port the system has free now (it may be taken again before it is used: start() retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
