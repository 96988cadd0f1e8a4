// npm run bench:natural: natural's own classifiers on the same data and features family (character
// bigrams of the canonical text), to show why the service scores with a hashed linear model instead.
// Bayes trains on all of cold/train; natural's LogisticRegressionClassifier builds a dense matrix, so it
// is timed on a small slice (NATURAL_LR_ROWS, default 1,000) and its rate extrapolated.
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

function evaluate(classifier: { classify(tokens: string[]): string }, rows = dev) {
  const started = performance.now();
  const scores = rows.map((row) => (classifier.classify(bigrams(row.text)) === "1" ? 1 : 0));
  const msPerDocument = (performance.now() - started) / rows.length;
  return { msPerDocument: Number(msPerDocument.toFixed(3)), macroF1: Number(metricsOf(rows.map((r) => r.label), scores).macroF1.toFixed(4)) };
}

let started = performance.now();
const bayes = new natural.BayesClassifier();
for (const row of train) bayes.addDocument(bigrams(row.text), String(row.label));
bayes.train();
const bayesTrainSeconds = (performance.now() - started) / 1000;
const bayesEval = evaluate(bayes);
const bayesModelBytes = JSON.stringify(bayes).length;
console.log(`natural BayesClassifier: ${train.length} rows trained in ${bayesTrainSeconds.toFixed(1)} s, ${bayesEval.msPerDocument} ms/document, dev macro-F1 ${bayesEval.macroF1}, model ${(bayesModelBytes / 1e6).toFixed(1)} MB`);

const lrRows = Number(process.env.NATURAL_LR_ROWS ?? 1000);
const slice = train.filter((_, i) => i % Math.ceil(train.length / lrRows) === 0).slice(0, lrRows);
started = performance.now();
const logistic = new natural.LogisticRegressionClassifier();
for (const row of slice) logistic.addDocument(bigrams(row.text), String(row.label));
logistic.train();
const lrTrainSeconds = (performance.now() - started) / 1000;
const lrEval = evaluate(logistic, dev.slice(0, 500));
console.log(`natural LogisticRegressionClassifier: ${slice.length} rows trained in ${lrTrainSeconds.toFixed(1)} s, ${lrEval.msPerDocument} ms/document, dev[0:500] macro-F1 ${lrEval.macroF1}`);

mkdirSync(new URL("results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("results/natural-baseline.json", import.meta.url),
  `${JSON.stringify({ bayes: { rows: train.length, trainSeconds: Number(bayesTrainSeconds.toFixed(1)), ...bayesEval, modelBytes: bayesModelBytes }, logisticRegression: { rows: slice.length, trainSeconds: Number(lrTrainSeconds.toFixed(1)), ...lrEval } }, null, 2)}\n`,
);
