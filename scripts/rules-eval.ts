// npm run rules:eval -- --input FILE.jsonl [--script as-is|traditional] [--kind comment]
// Scores the rules alone on labelled lines ({"text", "label": 0|1}, 1 = offensive): a line counts as
// flagged when the verdict is review or reject. --script traditional converts each text to Taiwan
// Traditional first (opencc-js), to measure the same data as the site's readers write it.
import { parseArgs } from "node:util";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { InputError, progress, readJsonl, runCommand, textOf } from "./jsonl.ts";
import { toTraditional } from "./traditional.ts";

const USAGE = "usage: npm run rules:eval -- --input FILE.jsonl [--script as-is|traditional] [--kind comment|tag|nickname]";

async function main() {
  const { values } = parseArgs({
    options: { input: { type: "string" }, script: { type: "string", default: "as-is" }, kind: { type: "string", default: "comment" } },
  });
  if (!values.input) throw new InputError(USAGE);
  if (!["as-is", "traditional"].includes(values.script)) throw new InputError(`--script must be as-is or traditional\n${USAGE}`);
  const convert = values.script === "traditional" ? toTraditional : (text: string) => text;
  const moderator = createModerator(loadRuleSet(readEngineRuleFiles()));
  const counts = { tp: 0, fp: 0, tn: 0, fn: 0, rejectedBenign: 0 };
  const byRule = new Map<string, { hits: number; onBenign: number }>();
  const counted = progress("evaluated");
  for await (const record of readJsonl(values.input)) {
    const label = record.value.label;
    if (label !== 0 && label !== 1) throw new InputError(`${values.input}:${record.line}: "label" must be 0 or 1`);
    const verdict = moderator.moderate({ kind: values.kind as "comment", text: convert(textOf(record, values.input)) });
    const flagged = verdict.action !== "allow";
    if (flagged && label === 1) counts.tp++;
    else if (flagged) counts.fp++;
    else if (label === 1) counts.fn++;
    else counts.tn++;
    if (verdict.action === "reject" && label === 0) counts.rejectedBenign++;
    for (const reason of verdict.reasons) {
      const rule = byRule.get(reason.ruleId) ?? { hits: 0, onBenign: 0 };
      rule.hits++;
      if (label === 0) rule.onBenign++;
      byRule.set(reason.ruleId, rule);
    }
    counted.tick();
  }
  counted.done();
  const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(4));
  const total = counts.tp + counts.fp + counts.tn + counts.fn;
  console.log(`${values.input} (${values.script}), ${total} lines, rules ${moderator.rulesVersion}`);
  console.log(`flagged (review or reject): precision ${ratio(counts.tp, counts.tp + counts.fp)}, recall ${ratio(counts.tp, counts.tp + counts.fn)}, false-positive rate ${ratio(counts.fp, counts.fp + counts.tn)}`);
  console.log(`benign lines rejected outright: ${counts.rejectedBenign} (${ratio(counts.rejectedBenign, counts.fp + counts.tn)})`);
  console.log(`confusion: tp ${counts.tp}, fp ${counts.fp}, tn ${counts.tn}, fn ${counts.fn}`);
  console.log("hits by rule (on benign lines):");
  for (const [rule, { hits, onBenign }] of [...byRule].sort((a, b) => b[1].hits - a[1].hits)) {
    console.log(`  ${rule.padEnd(28)} ${String(hits).padStart(6)} (${onBenign})`);
  }
}

runCommand(main);
