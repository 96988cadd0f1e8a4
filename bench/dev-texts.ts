import { readFileSync } from "node:fs";

/** The texts of shared/data/cold/dev.jsonl (beside this repository), as published: the benchmarks' comments. */
export function devTexts(): string[] {
  return readFileSync(new URL("../../shared/data/cold/dev.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text);
}

/** The project's labelled Taiwanese comments (data/taiwan/, the splits named), with their labels: the realistic mix. */
export function taiwanComments(splits: string[]): { text: string; label: string }[] {
  return splits.flatMap((split) =>
    readFileSync(new URL(`../data/taiwan/${split}.jsonl`, import.meta.url), "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { text: string; label: string }),
  );
}
