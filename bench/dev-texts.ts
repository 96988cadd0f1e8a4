import { readFileSync } from "node:fs";

/** The texts of shared/data/cold/dev.jsonl (beside this repository), as published: the benchmarks' comments. */
export function devTexts(): string[] {
  return readFileSync(new URL("../../shared/data/cold/dev.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text);
}
