// npm run bench: single-thread throughput of the moderation engine on shared/data/cold/dev.jsonl texts,
// against mint-filter (Aho-Corasick, no normalization or span mapping) given the same terms, in the
// same run. Machines here are noisy: the figure that matters is the ratio, from interleaved rounds.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Mint } from "mint-filter";
import { createModerator } from "../src/moderation/moderate.ts";
import { normalize } from "../src/moderation/normalize.ts";
import { exceptionWords, loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { devTexts } from "./dev-texts.ts";

const RESULTS = new URL("results/", import.meta.url);
const ROUND_MS = 1500;
const ROUNDS = 5;

const texts = devTexts();

let started = performance.now();
const ruleSet = loadRuleSet(readEngineRuleFiles());
const moderator = createModerator(ruleSet);
const compileMs = performance.now() - started;

// The same terms for both: every listed term and exception, as written in the rule files.
const listedTerms = [
  ...new Set(ruleSet.rules.flatMap((rule) => [...rule.terms.flatMap((group) => group.list), ...exceptionWords(rule).map(({ word }) => word)])),
];
const options = { leetCharacters: ruleSet.substitutions.leetCharacters };
started = performance.now();
const mint = new Mint(listedTerms);
const mintBuildMs = performance.now() - started;

/** Comments per second over one timed round of passes through all texts. */
function round(work: (text: string) => unknown): number {
  let done = 0;
  let sink = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    for (const text of texts) {
      if (work(text)) sink++;
      done++;
    }
  }
  if (sink < 0) console.log(sink);
  return done / ((performance.now() - start) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const engineRuns: number[] = [];
const mintRuns: number[] = [];
const normalizeRuns: number[] = [];
// Warm up both before timing.
round((text) => moderator.moderate({ kind: "comment", text }).action !== "allow");
round((text) => mint.filter(text, { replace: false }).words.length);
for (let i = 0; i < ROUNDS; i++) {
  engineRuns.push(round((text) => moderator.moderate({ kind: "comment", text }).action !== "allow"));
  mintRuns.push(round((text) => mint.filter(text, { replace: false }).words.length));
  normalizeRuns.push(round((text) => normalize(text, options).text.length));
}

const meanChars = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
const result = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
  texts: texts.length,
  meanChars: Number(meanChars.toFixed(1)),
  rulesVersion: moderator.rulesVersion,
  terms: listedTerms.length,
  compiledSpellings: moderator.patternCount,
  compileMs: Math.round(compileMs),
  mintBuildMs: Math.round(mintBuildMs),
  engineCommentsPerSecond: Math.round(median(engineRuns)),
  normalizeOnlyPerSecond: Math.round(median(normalizeRuns)),
  mintFilterCommentsPerSecond: Math.round(median(mintRuns)),
  engineToMintRatio: Number((median(engineRuns) / median(mintRuns)).toFixed(3)),
  rounds: { engine: engineRuns.map(Math.round), mintFilter: mintRuns.map(Math.round), normalize: normalizeRuns.map(Math.round) },
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(new URL("engine.json", RESULTS), `${JSON.stringify(result, null, 2)}\n`);
console.log(`engine: ${result.engineCommentsPerSecond.toLocaleString("en")} comments/s (median of ${ROUNDS}), ${result.texts} COLD dev texts, mean ${result.meanChars} chars`);
console.log(`mint-filter, same ${result.terms} terms: ${result.mintFilterCommentsPerSecond.toLocaleString("en")} comments/s`);
console.log(`ratio engine / mint-filter: ${result.engineToMintRatio} (target ≥ 0.5); normalization alone ${result.normalizeOnlyPerSecond.toLocaleString("en")}/s`);
console.log(`rules compile ${result.compileMs} ms into ${result.compiledSpellings} spellings; written to bench/results/engine.json`);
