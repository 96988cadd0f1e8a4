// npm run train [-- --train FILE.jsonl --dev FILE.jsonl --output models/abuse-classifier.json]
// Trains the abuse classifier deterministically (seeded order, fixed settings) and writes the model with
// its version (hash of the training data and settings) and its figures on the dev data.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { deduplicate, readLabelled } from "../src/classifier/dataset.ts";
import { metricsOf } from "../src/classifier/metrics.ts";
import { bucketOf, encodeWeights, loadClassifier, ngramsOf, sigmoid, type ModelFile } from "../src/classifier/model.ts";
import { normalize } from "../src/moderation/normalize.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { toTraditional } from "./traditional.ts";

// Hashed 1-3 character n-grams, 2^18 buckets (1 MiB of float32): larger tables gained < 0.01 macro-F1 on dev.
const SETTINGS = { bits: 18, maxN: 3, epochs: 2, learningRate: 0.2, l2: 1e-6, biasRate: 0.01, seed: 20261128 };

const { values } = parseArgs({
  options: {
    train: { type: "string", default: "../shared/data/cold/train.jsonl" },
    dev: { type: "string", default: "../shared/data/cold/dev.jsonl" },
    output: { type: "string", default: "models/abuse-classifier.json" },
  },
});

const leetCharacters = loadRuleSet(readEngineRuleFiles()).substitutions.leetCharacters;
const canonical = (text: string) => normalize(text, { leetCharacters }).text;
const rows = deduplicate(readLabelled(values.train));
const size = 1 << SETTINGS.bits;
const mask = size - 1;
const features = rows.map((row) => ngramsOf(canonical(row.text), SETTINGS.maxN).map((g) => bucketOf(`${g.length}${g}`, mask)));

// Logistic regression by AdaGrad: per-bucket step sizes suit sparse n-gram features.
const weights = new Float64Array(size);
const squaredGradients = new Float64Array(size).fill(1e-8);
let bias = 0;
let seed = SETTINGS.seed;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const order = rows.map((_, i) => i);
const started = performance.now();
for (let epoch = 0; epoch < SETTINGS.epochs; epoch++) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const index of order) {
    const buckets = features[index]!;
    let z = bias;
    for (const bucket of buckets) z += weights[bucket]!;
    const error = sigmoid(z) - rows[index]!.label;
    for (const bucket of buckets) {
      const gradient = error + SETTINGS.l2 * weights[bucket]!;
      squaredGradients[bucket]! += gradient * gradient;
      weights[bucket]! -= (SETTINGS.learningRate * gradient) / Math.sqrt(squaredGradients[bucket]!);
    }
    bias -= SETTINGS.biasRate * error;
  }
}
const trainSeconds = (performance.now() - started) / 1000;

const version = createHash("sha256")
  .update(readFileSync(values.train))
  .update(JSON.stringify({ SETTINGS, leetCharacters }))
  .digest("hex")
  .slice(0, 12);
const model: ModelFile = {
  kind: "hashed-char-ngram-logistic-regression",
  version: `model-${version}`,
  bits: SETTINGS.bits,
  maxN: SETTINGS.maxN,
  bias,
  weights: encodeWeights(Float32Array.from(weights)),
  training: { data: values.train, rows: rows.length, settings: SETTINGS, leetCharacters },
  dev: { macroF1: 0, rocAuc: 0, accuracy: 0 },
};

const dev = readLabelled(values.dev);
const classifier = loadClassifier(model);
const score = (texts: string[]) => texts.map((text) => classifier.classify(canonical(text)).probability);
const simplified = metricsOf(dev.map((r) => r.label), score(dev.map((r) => r.text)));
const traditional = metricsOf(dev.map((r) => r.label), score(dev.map((r) => toTraditional(r.text))));
model.dev = { macroF1: round(simplified.macroF1), rocAuc: round(simplified.rocAuc), accuracy: round(simplified.accuracy) };
model.training.devTraditional = { macroF1: round(traditional.macroF1), rocAuc: round(traditional.rocAuc) };
writeFileSync(values.output, `${JSON.stringify(model)}\n`);
console.log(`${model.version}: ${rows.length} rows in ${trainSeconds.toFixed(1)} s → ${values.output}`);
console.log(`dev (Simplified): macro-F1 ${model.dev.macroF1}, ROC-AUC ${model.dev.rocAuc}, accuracy ${model.dev.accuracy}`);
console.log(`dev (Traditional, opencc-js): macro-F1 ${round(traditional.macroF1)}, ROC-AUC ${round(traditional.rocAuc)}`);

function round(value: number): number {
  return Number(value.toFixed(4));
}
