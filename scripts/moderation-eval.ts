// npm run eval:moderation -- --input data/taiwan/dev.jsonl [--sweep] [--grid] [--show N]
// The whole pipeline (rules, mentions and classifier, as the service runs it) on labelled Taiwanese lines
// (data/taiwan/, labels allow|review|reject): how many benign lines it holds, how many abusive lines it
// catches, how many of its rejections were right, binary macro-F1, and the same per topic and category.
// --sweep: the same figures at other classifier thresholds (to choose one on dev, never on test);
// --grid: the pairs of whole-comment and passage thresholds ranked by classifier-policy.yaml's written rule;
// --show N: up to N benign lines held and abusive lines passed, to read.
import { parseArgs } from "node:util";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator, mostAbusivePassage } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { verdictAction, type VerdictAction } from "../src/moderation/verdict.ts";
import { readEngineRuleFiles, readModelFile } from "../src/rules-on-disk.ts";
import { InputError, readJsonl, runCommand, textOf } from "./jsonl.ts";

const USAGE = "usage: npm run eval:moderation -- --input FILE.jsonl [--sweep] [--grid] [--show N]";

interface Judged {
  text: string;
  label: VerdictAction;
  category: string;
  topic: string;
  /** What the rules decided without the classifier, the classifier's score, and its best passage's. */
  rulesAction: VerdictAction;
  score: number;
  passageScore: number;
  action: VerdictAction;
  firstCategory: string | null;
}

const percent = (a: number, b: number) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(1)} %`);

function summary(rows: Judged[], actionOf: (row: Judged) => VerdictAction) {
  const benign = rows.filter((r) => r.label === "allow");
  const abusive = rows.filter((r) => r.label !== "allow");
  const benignHeld = benign.filter((r) => actionOf(r) !== "allow").length;
  const caught = abusive.filter((r) => actionOf(r) !== "allow").length;
  const rejected = rows.filter((r) => actionOf(r) === "reject");
  const tp = caught;
  const fp = benignHeld;
  const fn = abusive.length - caught;
  const tn = benign.length - benignHeld;
  const f1 = (p: number, n1: number, n2: number) => (2 * p === 0 ? 0 : (2 * p) / (2 * p + n1 + n2));
  return {
    benign: benign.length,
    abusive: abusive.length,
    benignHeld,
    caught,
    rejected: rejected.length,
    rejectedRight: rejected.filter((r) => r.label === "reject").length,
    rejectedAbusive: rejected.filter((r) => r.label !== "allow").length,
    macroF1: (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2,
  };
}

async function main() {
  const { values } = parseArgs({ options: { input: { type: "string" }, sweep: { type: "boolean", default: false }, grid: { type: "boolean", default: false }, show: { type: "string", default: "0" } } });
  if (!values.input) throw new InputError(USAGE);
  const ruleSet = loadRuleSet(readEngineRuleFiles());
  const classifier = loadClassifier(readModelFile());
  const moderator = createModerator(ruleSet, classifier);
  const threshold = ruleSet.classifierPolicy!.reviewThreshold;
  const passagePolicy = ruleSet.classifierPolicy!.passage ?? null;

  const rows: Judged[] = [];
  for await (const record of readJsonl(values.input)) {
    const text = textOf(record, values.input);
    const label = record.value.label as VerdictAction;
    if (!["allow", "review", "reject"].includes(label)) throw new InputError(`${values.input}:${record.line}: "label" must be allow, review or reject`);
    // The service's two halves, so the rules run once for the verdict and the passage sweep alike.
    const subject = { kind: "comment" as const, text };
    const hits = moderator.ruleHits(subject, moderator.normalized(text));
    const verdict = moderator.verdictOf(subject, hits);
    const passage = passagePolicy ? mostAbusivePassage(classifier, hits.classifierInput!, passagePolicy.length) : null;
    const ruleReasons = verdict.reasons.filter((r) => r.ruleId !== ruleSet.classifierPolicy!.ruleId);
    const rulesAction = verdictAction(ruleReasons);
    const held = verdict.reasons.filter((r) => r.action !== "flag");
    rows.push({
      text,
      label,
      category: String(record.value.category ?? "none"),
      topic: String(record.value.topic ?? "—"),
      rulesAction,
      score: verdict.score ?? 0,
      passageScore: passage?.probability ?? 0,
      action: verdict.action,
      firstCategory: held[0]?.category ?? null,
    });
  }

  const s = summary(rows, (r) => r.action);
  console.log(`${values.input}: ${rows.length} lines (${s.benign} allow, ${s.abusive} review or reject); rules ${ruleSet.version}, model ${classifier.version}, threshold ${threshold}`);
  console.log(`benign held (review or reject): ${s.benignHeld} of ${s.benign} = ${percent(s.benignHeld, s.benign)}`);
  console.log(`abusive caught (review or reject): ${s.caught} of ${s.abusive} = ${percent(s.caught, s.abusive)}`);
  console.log(`rejections: ${s.rejected}; labelled reject ${s.rejectedRight} (${percent(s.rejectedRight, s.rejected)}), labelled review or reject ${s.rejectedAbusive} (${percent(s.rejectedAbusive, s.rejected)})`);
  console.log(`binary macro-F1 (allow against review or reject): ${s.macroF1.toFixed(4)}`);
  const caughtRows = rows.filter((r) => r.label !== "allow" && r.action !== "allow");
  const categoryRight = caughtRows.filter((r) => r.firstCategory === r.category).length;
  console.log(`category of the first reason equals the label's: ${categoryRight} of ${caughtRows.length} caught lines (${percent(categoryRight, caughtRows.length)})`);
  const confusion = (["allow", "review", "reject"] as const).map((label) =>
    (["allow", "review", "reject"] as const).map((action) => rows.filter((r) => r.label === label && r.action === action).length),
  );
  console.log("label \\ action   allow  review  reject");
  confusion.forEach((line, i) => console.log(`${["allow ", "review", "reject"][i]}          ${line.map((n) => String(n).padStart(6)).join("  ")}`));

  console.log("\nper topic: benign held, abusive caught");
  for (const topic of [...new Set(rows.map((r) => r.topic))].sort()) {
    const t = summary(rows.filter((r) => r.topic === topic), (r) => r.action);
    console.log(`  ${topic.padEnd(14)} ${percent(t.benignHeld, t.benign).padStart(8)} of ${String(t.benign).padStart(4)}   ${percent(t.caught, t.abusive).padStart(8)} of ${String(t.abusive).padStart(4)}`);
  }
  console.log("per category: caught");
  for (const category of [...new Set(rows.map((r) => r.category))].filter((c) => c !== "none").sort()) {
    const c = rows.filter((r) => r.category === category);
    console.log(`  ${category.padEnd(18)} ${percent(c.filter((r) => r.action !== "allow").length, c.length).padStart(8)} of ${c.length}`);
  }

  if (values.sweep) {
    const sweep = (title: string, holds: (r: Judged, t: number) => boolean) => {
      console.log(`\n${title}: threshold, benign held, abusive caught, precision of holding, macro-F1`);
      for (let t = 0.3; t < 0.991; t += 0.05) {
        const at = summary(rows, (r) => (r.rulesAction === "reject" ? "reject" : r.rulesAction === "review" || holds(r, t) ? "review" : "allow"));
        const precision = at.caught / Math.max(1, at.caught + at.benignHeld);
        console.log(`  ${t.toFixed(2)}  ${percent(at.benignHeld, at.benign).padStart(8)}  ${percent(at.caught, at.abusive).padStart(8)}  ${precision.toFixed(3)}  ${at.macroF1.toFixed(4)}`);
      }
    };
    const byPassage = (r: Judged) => passagePolicy !== null && r.passageScore >= passagePolicy.threshold;
    sweep(`classifier threshold sweep (rules and the passage threshold ${passagePolicy?.threshold ?? "—"} unchanged)`, (r, t) => r.score >= t || byPassage(r));
    if (passagePolicy) sweep(`passage threshold sweep (whole-comment threshold ${threshold} unchanged)`, (r, t) => r.score >= threshold || r.passageScore >= t);
  }
  if (values.grid && passagePolicy) {
    // The written rule of rules/engine/classifier-policy.yaml: of the pairs (whole-comment threshold,
    // passage threshold) that catch at least 90 % of the abusive lines, the one that holds the fewest
    // benign lines; of equals, the one that catches most, then the highest passage threshold.
    const pairs: { whole: number; passage: number; held: number; caught: number }[] = [];
    for (let w = 55; w <= 85; w++) {
      for (let p = 85; p <= 99; p++) {
        const at = summary(rows, (r) => (r.rulesAction !== "allow" || r.score >= w / 100 || r.passageScore >= p / 100 ? "review" : "allow"));
        pairs.push({ whole: w / 100, passage: p / 100, held: at.benignHeld, caught: at.caught });
      }
    }
    const abusive = rows.filter((r) => r.label !== "allow").length;
    const needed = Math.ceil(0.9 * abusive);
    const ranked = pairs.filter((p) => p.caught >= needed).sort((a, b) => a.held - b.held || b.caught - a.caught || b.passage - a.passage);
    console.log(`\nthreshold pairs catching at least ${needed} of ${abusive} abusive lines (90 %), fewest benign held first:`);
    for (const p of ranked.slice(0, 8)) console.log(`  whole ${p.whole.toFixed(2)}  passage ${p.passage.toFixed(2)}  held ${p.held}  caught ${p.caught}`);
    if (ranked.length === 0) console.log("  none");
  }
  const show = Number(values.show);
  if (show > 0) {
    console.log("\nbenign lines held:");
    for (const r of rows.filter((r) => r.label === "allow" && r.action !== "allow").slice(0, show)) console.log(`  [${r.action} ${r.score.toFixed(2)}] ${r.text}`);
    console.log("abusive lines passed:");
    for (const r of rows.filter((r) => r.label !== "allow" && r.action === "allow").slice(0, show)) console.log(`  [${r.label}/${r.category} ${r.score.toFixed(2)}] ${r.text}`);
    console.log("rejected, labelled review or allow:");
    for (const r of rows.filter((r) => r.label !== "reject" && r.action === "reject").slice(0, show)) console.log(`  [${r.label}/${r.category}] ${r.text}`);
  }
}

runCommand(main);
