// Reading and writing the JSON-lines files the batch commands share, with progress on stderr.
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";

export class InputError extends Error {
  override name = "InputError";
}

export interface JsonlRecord {
  line: number;
  value: Record<string, unknown>;
}

/** Yields each non-blank line as an object; a line that is not a JSON object stops with its line number. */
export async function* readJsonl(path: string | undefined): AsyncGenerator<JsonlRecord> {
  const input = path ? createReadStream(path, { encoding: "utf8" }) : process.stdin;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${path ?? "stdin"}:${line}: not valid JSON (${(error as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new InputError(`${path ?? "stdin"}:${line}: expected a JSON object`);
    }
    yield { line, value: value as Record<string, unknown> };
  }
}

export function textOf(record: JsonlRecord, source: string | undefined): string {
  const text = record.value.text;
  if (typeof text !== "string") throw new InputError(`${source ?? "stdin"}:${record.line}: "text" must be a string`);
  return text;
}

export function openOutput(path: string | undefined): Writable {
  return path ? createWriteStream(path, { encoding: "utf8" }) : process.stdout;
}

export async function closeOutput(output: Writable): Promise<void> {
  if (output === process.stdout) return;
  await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Counts lines and reports the count and rate on stderr about once a second. */
export function progress(label: string) {
  const started = Date.now();
  let last = started;
  let count = 0;
  const report = (final: boolean) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : count;
    process.stderr.write(`\r${label}: ${count.toLocaleString("en")} lines (${rate.toLocaleString("en")}/s)${final ? "\n" : ""}`);
  };
  return {
    tick() {
      count++;
      if (Date.now() - last >= 1000) {
        last = Date.now();
        report(false);
      }
    },
    done() {
      if (count >= 1000 || Date.now() - started >= 1000) report(true);
    },
  };
}

/** Runs a command's main: bad input or a missing file exits 2 with its message, anything else 1. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof InputError || (error as { code?: string }).code === "ENOENT" ? 2 : 1);
  });
}
