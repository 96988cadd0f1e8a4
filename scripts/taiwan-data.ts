// npm run data:taiwan
// Builds the Taiwanese train / dev / test splits from the lines written for this project (data/taiwan/raw/),
// deterministically: validates every line against rules/labelling-guide.md's outcomes and categories, drops
// exact duplicates (and every copy of a text written with two labels), groups near-duplicates (character
// 3-gram Jaccard ≥ NEAR) so that a group never straddles two splits, assigns each group to a split by a hash
// of its first text, and writes data/taiwan/CHECK.md: counts, near-duplicate rate, repeated openings and
// endings (templated lines), and the topic × label table.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { normalize } from "../src/moderation/normalize.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { CATEGORIES, FORUM_RULE_CATEGORIES, type Category } from "../src/moderation/verdict.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { InputError, runCommand } from "./jsonl.ts";

const DIR = "data/taiwan";
const RAW = join(DIR, "raw");
// Near-duplicates: share at least this share of their character 3-grams (Jaccard).
const NEAR = 0.3;
// Share of groups per split, by hash: 70 % train, 15 % dev, 15 % test.
const SPLITS = [
  { name: "train", upTo: 70 },
  { name: "dev", upTo: 85 },
  { name: "test", upTo: 100 },
] as const;
const LABELS = ["allow", "review", "reject"] as const;
const KINDS = ["plain", "hard_negative", "hard_positive"];

export interface TaiwanLine {
  text: string;
  label: (typeof LABELS)[number];
  category: string;
  forumRule: "R1" | "R2" | null;
  topic: string;
  kind: string;
  source: string;
}

function validate(value: unknown, where: string, source: string): TaiwanLine {
  const row = value as Partial<TaiwanLine>;
  const fail = (detail: string) => {
    throw new InputError(`${where}: ${detail}`);
  };
  if (typeof row.text !== "string" || row.text.trim() === "") fail(`"text" must be a non-empty string`);
  if (!LABELS.includes(row.label as never)) fail(`"label" must be one of ${LABELS.join(", ")}`);
  if (row.label === "allow") {
    if (row.category !== "none" || row.forumRule !== null) fail(`an allow line has category "none" and forumRule null`);
  } else {
    if (!CATEGORIES.includes(row.category as never)) fail(`"category" must be one of ${CATEGORIES.join(", ")}`);
    if (row.forumRule !== "R1" && row.forumRule !== "R2") fail(`"forumRule" must be R1 or R2`);
    if (row.forumRule === "R1" && !FORUM_RULE_CATEGORIES.R1.includes(row.category as Category)) fail(`category ${row.category} belongs to R2`);
  }
  if (typeof row.topic !== "string" || row.topic === "") fail(`"topic" must be a string`);
  if (!KINDS.includes(row.kind as string)) fail(`"kind" must be one of ${KINDS.join(", ")}`);
  return { text: row.text!.trim(), label: row.label!, category: row.category!, forumRule: row.forumRule!, topic: row.topic!, kind: row.kind!, source };
}

function shinglesOf(canonical: string): Set<string> {
  const chars = Array.from(canonical);
  const shingles = new Set<string>();
  if (chars.length < 3) shingles.add(canonical);
  for (let i = 0; i + 3 <= chars.length; i++) shingles.add(chars.slice(i, i + 3).join(""));
  return shingles;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Groups of line indices whose texts are near-duplicates of one another (transitively). */
function nearDuplicateGroups(shingles: Set<string>[]): number[][] {
  const parent = shingles.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const byShingle = new Map<string, number[]>();
  shingles.forEach((set, i) => {
    for (const shingle of set) {
      const list = byShingle.get(shingle) ?? [];
      list.push(i);
      byShingle.set(shingle, list);
    }
  });
  shingles.forEach((set, i) => {
    const candidates = new Set<number>();
    for (const shingle of set) for (const j of byShingle.get(shingle)!) if (j > i) candidates.add(j);
    for (const j of candidates) {
      if (find(i) !== find(j) && jaccard(set, shingles[j]!) >= NEAR) parent[find(j)] = find(i);
    }
  });
  const groups = new Map<number, number[]>();
  shingles.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  return [...groups.values()];
}

function splitOf(firstText: string): (typeof SPLITS)[number]["name"] {
  const bucket = parseInt(createHash("sha256").update(firstText).digest("hex").slice(0, 8), 16) % 100;
  return SPLITS.find((split) => bucket < split.upTo)!.name;
}

/** The most frequent openings or endings of `size` characters: a templated set shows them at once. */
function repeated(texts: string[], size: number, fromEnd: boolean): [string, number][] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const chars = Array.from(text.replace(/[\s\p{P}]/gu, ""));
    if (chars.length < size * 2) continue;
    const piece = (fromEnd ? chars.slice(-size) : chars.slice(0, size)).join("");
    counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).sort((a, b) => b[1] - a[1]).slice(0, 10);
}

async function main() {
  const leetCharacters = loadRuleSet(readEngineRuleFiles()).substitutions.leetCharacters;
  const canonical = (text: string) => normalize(text, { leetCharacters }).text;
  const files = readdirSync(RAW).filter((name) => name.endsWith(".jsonl")).sort();
  if (files.length === 0) throw new InputError(`no .jsonl files in ${RAW}`);

  const written: TaiwanLine[] = [];
  for (const file of files) {
    readFileSync(join(RAW, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() === "") return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          throw new InputError(`${RAW}/${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
        }
        written.push(validate(value, `${RAW}/${file}:${i + 1}`, file.replace(/\.jsonl$/, "")));
      });
  }

  // Exact duplicates in canonical form (script, width, punctuation folded): one copy, none when labels differ.
  const labelsOf = new Map<string, Set<string>>();
  for (const line of written) {
    const key = canonical(line.text);
    labelsOf.set(key, (labelsOf.get(key) ?? new Set()).add(line.label));
  }
  const conflicting = [...labelsOf].filter(([, labels]) => labels.size > 1).map(([key]) => key);
  const seen = new Set<string>();
  const lines = written.filter((line) => {
    const key = canonical(line.text);
    if (labelsOf.get(key)!.size > 1 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const shingles = lines.map((line) => shinglesOf(canonical(line.text)));
  const groups = nearDuplicateGroups(shingles);
  const splitOfLine = new Array<string>(lines.length);
  for (const group of groups) {
    const split = splitOf(canonical(lines[group[0]!]!.text));
    for (const index of group) splitOfLine[index] = split;
  }
  for (const split of SPLITS) {
    const rows = lines.filter((_, i) => splitOfLine[i] === split.name);
    writeFileSync(join(DIR, `${split.name}.jsonl`), rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
  }

  const inGroups = groups.filter((group) => group.length > 1);
  const nearDuplicateLines = inGroups.reduce((sum, group) => sum + group.length, 0);
  const count = (rows: TaiwanLine[], label: string) => rows.filter((row) => row.label === label).length;
  const table = (title: string, key: (row: TaiwanLine) => string) => {
    const values = [...new Set(lines.map(key))].sort();
    const out = [`| ${title} | allow | review | reject | all |`, "|---|---|---|---|---|"];
    for (const value of values) {
      const rows = lines.filter((row) => key(row) === value);
      out.push(`| ${value} | ${count(rows, "allow")} | ${count(rows, "review")} | ${count(rows, "reject")} | ${rows.length} |`);
    }
    out.push(`| all | ${count(lines, "allow")} | ${count(lines, "review")} | ${count(lines, "reject")} | ${lines.length} |`);
    return out.join("\n");
  };
  const categories = [...new Set(lines.map((row) => row.category))].sort();
  const categoryTable = [
    `| category | ${SPLITS.map((s) => s.name).join(" | ")} |`,
    `|---|${SPLITS.map(() => "---").join("|")}|`,
    ...categories.map((category) => `| ${category} | ${SPLITS.map((s) => lines.filter((row, i) => row.category === category && splitOfLine[i] === s.name).length).join(" | ")} |`),
  ].join("\n");
  const texts = lines.map((line) => line.text);
  const largest = [...inGroups].sort((a, b) => b.length - a.length).slice(0, 5);
  const report = [
    "# Taiwanese comment data: check",
    "",
    `Written by \`npm run data:taiwan\` from data/taiwan/raw/ (${files.length} files, ${written.length} lines). Do not edit by hand.`,
    "",
    `- exact duplicates dropped (canonical form): ${written.length - lines.length - conflicting.length} extra copies; texts written with two labels and dropped: ${conflicting.length}`,
    `- lines kept: ${lines.length}; ${SPLITS.map((s) => `${s.name} ${splitOfLine.filter((x) => x === s.name).length}`).join(", ")}`,
    `- near-duplicate groups (character 3-gram Jaccard ≥ ${NEAR}): ${inGroups.length} groups holding ${nearDuplicateLines} lines (${((100 * nearDuplicateLines) / lines.length).toFixed(1)} % of lines); every group lies inside one split, so no near-duplicate crosses train, dev and test`,
    `- largest groups: ${largest.map((group) => `${group.length} (「${lines[group[0]!]!.text.slice(0, 20)}…」)`).join("; ")}`,
    "",
    "## Templated lines",
    "Most repeated openings and endings of 4 characters (punctuation and spaces removed); a templated set shows",
    "the same frame tens of times.",
    "",
    `- openings: ${repeated(texts, 4, false).map(([piece, n]) => `${piece} ×${n}`).join(", ")}`,
    `- endings: ${repeated(texts, 4, true).map(([piece, n]) => `${piece} ×${n}`).join(", ")}`,
    "",
    "## Topic × label",
    "",
    table("topic", (row) => row.topic),
    "",
    "## Kind × label",
    "",
    table("kind", (row) => row.kind),
    "",
    "## Category per split",
    "",
    categoryTable,
    "",
  ].join("\n");
  writeFileSync(join(DIR, "CHECK.md"), report);
  console.log(report);
}

runCommand(main);
