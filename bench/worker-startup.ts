// npm run bench:worker: what src/worker.ts does at module load, timed cold in a fresh process (rule files
// parsed and compiled into the automaton, the script table built, the classifier decoded), and the size
// of the bundle `npm run build:worker` wrote to dist/ (Workers' limits: 1 s startup, 3 MiB compressed on
// the free plan).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { loadClassifier, type ModelFile } from "../src/classifier/model.ts";
import { parseForumRules } from "../src/forum-rules.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { parseNicknameRules } from "../src/nicknames/rules.ts";
import { parsePolicy } from "../src/policy.ts";
import { MODEL_PATH, readEngineRuleFiles } from "../src/rules-on-disk.ts";

// Read first, as the bundle has them in memory before its code runs.
const files = readEngineRuleFiles();
const forumText = readFileSync(new URL("../rules/forum-rules.yaml", import.meta.url), "utf8");
const policyText = readFileSync(new URL("../rules/policy.yaml", import.meta.url), "utf8");
const nicknameText = readFileSync(new URL("../rules/nicknames.yaml", import.meta.url), "utf8");
const modelFile = JSON.parse(readFileSync(MODEL_PATH, "utf8")) as ModelFile;

const timings: Record<string, number> = {};
const time = <T>(label: string, work: () => T): T => {
  const started = performance.now();
  const result = work();
  timings[label] = Number((performance.now() - started).toFixed(1));
  return result;
};
const total = performance.now();
time("settings", () => {
  parseForumRules("forum-rules.yaml", forumText);
  parsePolicy("policy.yaml", policyText);
  parseNicknameRules("nicknames.yaml", nicknameText);
});
const ruleSet = time("rules", () => loadRuleSet(files));
const classifier = time("classifier", () => loadClassifier(modelFile));
time("compile", () => createModerator(ruleSet, classifier));
timings.total = Number((performance.now() - total).toFixed(1));

const bundle = existsSync("dist") ? readdirSync("dist").filter((name) => name.endsWith(".js")) : [];
const bytes = bundle.reduce((sum, name) => sum + readFileSync(`dist/${name}`).length, 0);
const gzipped = bundle.reduce((sum, name) => sum + gzipSync(readFileSync(`dist/${name}`)).length, 0);
const result = { moduleLoadMs: timings, bundleBytes: bytes || null, bundleGzipBytes: gzipped || null };
mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(new URL("results/worker-startup.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`module load (cold, one process): ${timings.total} ms — settings ${timings.settings}, rules ${timings.rules}, classifier ${timings.classifier}, compile ${timings.compile}`);
console.log(bytes ? `bundle: ${(bytes / 1048576).toFixed(2)} MiB, ${(gzipped / 1048576).toFixed(2)} MiB gzipped` : "no dist/ bundle: run npm run build:worker first");
