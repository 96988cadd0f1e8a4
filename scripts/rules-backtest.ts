// npm run rules:backtest -- --input IN.jsonl --against DIR [--kind comment] [--examples 3]
// Moderates every line with the live rules (rules/engine) and with the rules in DIR, and prints how many
// decisions change and examples of each change, so a moderator can try a rule change before it goes live.
import { parseArgs } from "node:util";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import type { SubjectKind, Verdict } from "../src/moderation/verdict.ts";
import { readEngineRuleFiles, readModelFile } from "../src/rules-on-disk.ts";
import { InputError, progress, readJsonl, runCommand, textOf } from "./jsonl.ts";

const USAGE = "usage: npm run rules:backtest -- --input IN.jsonl --against RULES_DIR [--kind comment|tag|nickname] [--examples N]";

const ruleIds = (verdict: Verdict) => verdict.reasons.map((r) => r.ruleId).sort().join(",");

async function main() {
  const { values } = parseArgs({
    options: {
      input: { type: "string" },
      against: { type: "string" },
      kind: { type: "string", default: "comment" },
      examples: { type: "string", default: "3" },
    },
  });
  if (!values.input || !values.against) throw new InputError(USAGE);
  if (!["comment", "tag", "nickname"].includes(values.kind)) throw new InputError(`--kind must be comment, tag or nickname\n${USAGE}`);
  const kind = values.kind as SubjectKind;
  const examplesWanted = Number(values.examples);
  const classifier = loadClassifier(readModelFile());
  const live = createModerator(loadRuleSet(readEngineRuleFiles()), classifier);
  const candidate = createModerator(loadRuleSet(readEngineRuleFiles(values.against)), classifier);

  const changes = new Map<string, { count: number; examples: string[] }>();
  let total = 0;
  let reasonsOnly = 0;
  const counted = progress("backtested");
  for await (const record of readJsonl(values.input)) {
    const text = textOf(record, values.input);
    const before = live.moderate({ kind, text });
    const after = candidate.moderate({ kind, text });
    total++;
    counted.tick();
    if (before.action === after.action) {
      if (ruleIds(before) !== ruleIds(after)) reasonsOnly++;
      continue;
    }
    const key = `${before.action} → ${after.action}`;
    const change = changes.get(key) ?? { count: 0, examples: [] };
    change.count++;
    if (change.examples.length < examplesWanted) {
      const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      change.examples.push(`line ${record.line}: ${shown}  [${ruleIds(before) || "-"} → ${ruleIds(after) || "-"}]`);
    }
    changes.set(key, change);
  }
  counted.done();
  const changed = [...changes.values()].reduce((sum, c) => sum + c.count, 0);
  console.log(`live rules ${live.rulesVersion} vs ${values.against} (${candidate.rulesVersion}), ${total} ${kind}s`);
  console.log(`decisions changed: ${changed} (${total ? ((100 * changed) / total).toFixed(2) : "0.00"}%)`);
  console.log(`same decision, different rules: ${reasonsOnly}`);
  for (const [key, change] of [...changes].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`\n${key}: ${change.count}`);
    for (const example of change.examples) console.log(`  ${example}`);
  }
}

runCommand(main);
