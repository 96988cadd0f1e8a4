// npm run bench:natural: natural's own classifiers on the same data and features family (character
// bigrams of the canonical text), to show why the service scores with a hashed linear model instead.
// Both are far slower than the service's model, so each trains on an evenly spaced slice of cold/train
// (NATURAL_BAYES_ROWS, default 2,000; NATURAL_LR_ROWS, default 300: about 3 minutes in all) and is scored on the first
// 1,000 dev lines; the times say how the full data would go.
import { mkdirSync, writeFileSync } from "node:fs";
import natural from "natural";
import { deduplicate, readLabelled } from "../src/classifier/dataset.ts";
import { metricsOf } from "../src/classifier/metrics.ts";
import { normalize } from "../src/moderation/normalize.ts";

const train = deduplicate(readLabelled(new URL("../../shared/data/cold/train.jsonl", import.meta.url)));
const dev = readLabelled(new URL("../../shared/data/cold/dev.jsonl", import.meta.url));
const bigrams = (text: string) => {
  const chars = [...normalize(text, { leetCharacters: "" }).text];
  return natural.NGrams.bigrams(chars).map((pair: string[]) => pair.join(""));
};

const devSlice = dev.slice(0, 1000);
const sliceOf = (rows: number) => train.filter((_, i) => i % Math.ceil(train.length / rows) === 0).slice(0, rows);

function evaluate(classifier: { classify(tokens: string[]): string }, rows = devSlice) {
  const started = performance.now();
  const scores = rows.map((row) => (classifier.classify(bigrams(row.text)) === "1" ? 1 : 0));
  const msPerDocument = (performance.now() - started) / rows.length;
  return { msPerDocument: Number(msPerDocument.toFixed(3)), macroF1: Number(metricsOf(rows.map((r) => r.label), scores).macroF1.toFixed(4)) };
}

const bayesRows = sliceOf(Number(process.env.NATURAL_BAYES_ROWS ?? 2000));
let started = performance.now();
const bayes = new natural.BayesClassifier();
for (const row of bayesRows) bayes.addDocument(bigrams(row.text), String(row.label));
bayes.train();
const bayesTrainSeconds = (performance.now() - started) / 1000;
const bayesEval = evaluate(bayes);
const bayesModelBytes = JSON.stringify(bayes).length;
console.log(`natural BayesClassifier: ${bayesRows.length} rows trained in ${bayesTrainSeconds.toFixed(1)} s, ${bayesEval.msPerDocument} ms/document, dev[0:1000] macro-F1 ${bayesEval.macroF1}, model ${(bayesModelBytes / 1e6).toFixed(1)} MB`);

const lrRows = Number(process.env.NATURAL_LR_ROWS ?? 300);
console.log("training natural LogisticRegressionClassifier…");
const slice = sliceOf(lrRows);
started = performance.now();
const logistic = new natural.LogisticRegressionClassifier();
for (const row of slice) logistic.addDocument(bigrams(row.text), String(row.label));
logistic.train();
const lrTrainSeconds = (performance.now() - started) / 1000;
const lrEval = evaluate(logistic);
console.log(`natural LogisticRegressionClassifier: ${slice.length} rows trained in ${lrTrainSeconds.toFixed(1)} s, ${lrEval.msPerDocument} ms/document, dev[0:1000] macro-F1 ${lrEval.macroF1}`);

mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("results/natural-baseline.json", import.meta.url),
  `${JSON.stringify({ bayes: { rows: bayesRows.length, trainSeconds: Number(bayesTrainSeconds.toFixed(1)), ...bayesEval, modelBytes: bayesModelBytes }, logisticRegression: { rows: slice.length, trainSeconds: Number(lrTrainSeconds.toFixed(1)), ...lrEval } }, null, 2)}\n`,
);
