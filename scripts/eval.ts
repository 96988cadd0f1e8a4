// npm run eval -- --input FILE.jsonl [--script as-is|traditional] [--precision 0.9]
// Scores the committed classifier alone on labelled lines ({"text", "label": 0|1}, or this project's
// Taiwanese lines whose label allow counts as 0 and review or reject as 1): accuracy, macro-F1,
// per-class precision and recall, ROC-AUC and the confusion matrix at 0.5; then what the policy's review
// threshold does, and the lowest threshold that reaches --precision on the offensive class.
import { parseArgs } from "node:util";
import { metricsOf, thresholdForPrecision, type Metrics } from "../src/classifier/metrics.ts";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles, readModelFile } from "../src/rules-on-disk.ts";
import { InputError, progress, readJsonl, runCommand, textOf } from "./jsonl.ts";
import { toTraditional } from "./traditional.ts";

const USAGE = "usage: npm run eval -- --input FILE.jsonl [--script as-is|traditional] [--precision 0.9]";

function printMetrics(title: string, metrics: Metrics) {
  const f = (value: number) => value.toFixed(4);
  console.log(`${title}: accuracy ${f(metrics.accuracy)}, macro-F1 ${f(metrics.macroF1)}, ROC-AUC ${f(metrics.rocAuc)}`);
  for (const row of metrics.perClass) {
    console.log(`  class ${row.label}: precision ${f(row.precision)}, recall ${f(row.recall)}, F1 ${f(row.f1)}`);
  }
  const [[tn, fp], [fn, tp]] = metrics.confusion;
  console.log("  confusion (rows actual, columns predicted):");
  console.log(`            pred 0  pred 1`);
  console.log(`  actual 0 ${String(tn).padStart(7)} ${String(fp).padStart(7)}`);
  console.log(`  actual 1 ${String(fn).padStart(7)} ${String(tp).padStart(7)}`);
}

async function main() {
  const { values } = parseArgs({
    options: { input: { type: "string" }, script: { type: "string", default: "as-is" }, precision: { type: "string", default: "0.9" } },
  });
  if (!values.input) throw new InputError(USAGE);
  if (!["as-is", "traditional"].includes(values.script)) throw new InputError(`--script must be as-is or traditional\n${USAGE}`);
  const wanted = Number(values.precision);
  if (!(wanted > 0 && wanted < 1)) throw new InputError(`--precision must be between 0 and 1\n${USAGE}`);
  const ruleSet = loadRuleSet(readEngineRuleFiles());
  const started = performance.now();
  const classifier = loadClassifier(readModelFile());
  const loadMs = performance.now() - started;
  const convert = values.script === "traditional" ? toTraditional : (text: string) => text;
  // The classifier reads what the service gives it: the canonical text without reported mentions.
  const rulesOnly = createModerator(ruleSet);

  const labels: (0 | 1)[] = [];
  const scores: number[] = [];
  const counted = progress("scored");
  for await (const record of readJsonl(values.input)) {
    const label = record.value.label === "allow" ? 0 : record.value.label === "review" || record.value.label === "reject" ? 1 : record.value.label;
    if (label !== 0 && label !== 1) throw new InputError(`${values.input}:${record.line}: "label" must be 0 or 1, or allow, review or reject`);
    labels.push(label);
    scores.push(classifier.classify(rulesOnly.classifierText(convert(textOf(record, values.input)))).probability);
    counted.tick();
  }
  counted.done();
  console.log(`${values.input} (${values.script}), ${labels.length} lines, model ${classifier.version} (loaded in ${loadMs.toFixed(0)} ms)`);
  printMetrics("at 0.5", metricsOf(labels, scores));
  const policy = ruleSet.classifierPolicy;
  if (policy) {
    const atPolicy = metricsOf(labels, scores, policy.reviewThreshold);
    const held = atPolicy.confusion[0][1] + atPolicy.confusion[1][1];
    console.log(
      `policy review threshold ${policy.reviewThreshold}: holds ${held} lines (${((100 * held) / labels.length).toFixed(1)}%), ` +
        `precision ${atPolicy.perClass[1]!.precision.toFixed(4)}, recall ${atPolicy.perClass[1]!.recall.toFixed(4)}`,
    );
  }
  const threshold = thresholdForPrecision(labels, scores, wanted);
  console.log(threshold === null ? `no threshold reaches precision ${wanted}` : `lowest threshold with precision ≥ ${wanted}: ${threshold.toFixed(4)}`);
}

runCommand(main);
