// Part of npm run bench: the abuse classifier's model size, load time (read, parse, decode) and
// single-thread classification rate on shared/data/cold/dev.jsonl texts, in comments/s.
import { readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { loadClassifier, type ModelFile } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { MODEL_PATH, readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { devTexts } from "./dev-texts.ts";

const ROUND_MS = 1500;
const ROUNDS = 5;
const texts = devTexts();
// The pipeline hands the classifier what it reads (moderate.ts classifierText: the engine's canonical text
// without reported mentions and web addresses); normalization and the rules are timed in bench/engine.ts.
const moderator = createModerator(loadRuleSet(readEngineRuleFiles()));
const readTexts = texts.map((text) => moderator.classifierText(text));

const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  loadClassifier(JSON.parse(readFileSync(MODEL_PATH, "utf8")) as ModelFile);
  loads.push(performance.now() - started);
}
const classifier = loadClassifier(JSON.parse(readFileSync(MODEL_PATH, "utf8")) as ModelFile);

function round(): number {
  let done = 0;
  let sink = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    for (const text of readTexts) {
      sink += classifier.classify(text).probability;
      done++;
    }
  }
  if (sink < 0) console.log(sink);
  return done / ((performance.now() - start) / 1000);
}

round();
const rates = Array.from({ length: ROUNDS }, round).sort((a, b) => a - b);
const result = {
  model: classifier.version,
  modelBytes: statSync(MODEL_PATH).size,
  loadMsFirst: Number(loads[0]!.toFixed(1)),
  loadMsMedian: Number([...loads].sort((a, b) => a - b)[2]!.toFixed(1)),
  texts: texts.length,
  meanChars: Number((texts.reduce((sum, text) => sum + text.length, 0) / texts.length).toFixed(1)),
  classifyPerSecond: Math.round(rates[Math.floor(ROUNDS / 2)]!),
  rounds: rates.map(Math.round),
};
mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(new URL("results/classifier.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`classifier ${result.model}: ${(result.modelBytes / 1e6).toFixed(2)} MB, load ${result.loadMsFirst} ms first / ${result.loadMsMedian} ms median`);
console.log(`classifies ${result.classifyPerSecond.toLocaleString("en")} comments/s on one thread (mean ${result.meanChars} chars; target ≥ 20,000)`);
