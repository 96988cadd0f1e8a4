// npm run --silent moderate -- --kind comment|tag|nickname [--input IN.jsonl] [--output OUT.jsonl] [--rules DIR]
// Moderates every line's "text" and writes the line back with action, score and reasons. Tags are screened as
// the API screens them (length, meaning, rules) and, when the line carries the article's text in "article",
// for relatedness to that article (forum rule R3); `code` then names an R3 refusal.
// Reads stdin and writes stdout when --input / --output are left out. A stable contract for batch jobs.
import { parseArgs } from "node:util";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import type { SubjectKind, Verdict } from "../src/moderation/verdict.ts";
import { readEngineRuleFiles, readModelFile, readPolicy } from "../src/rules-on-disk.ts";
import { TagCorpus } from "../src/tags/relatedness.ts";
import { screenTagText, tagOutcome } from "../src/tags/screen.ts";
import { closeOutput, InputError, openOutput, progress, readJsonl, runCommand, textOf } from "./jsonl.ts";

const KINDS: SubjectKind[] = ["comment", "tag", "nickname"];
const USAGE = "usage: npm run --silent moderate -- --kind comment|tag|nickname [--input IN.jsonl] [--output OUT.jsonl] [--rules DIR]";

/** The batch output's fields: one reason per matched span (the classifier's reason has no span and is not listed). */
export function batchFields(verdict: Verdict) {
  return {
    action: verdict.action,
    score: verdict.score,
    reasons: verdict.reasons.flatMap((reason) =>
      reason.spans.map((span) => ({
        rule: reason.ruleId,
        forumRule: reason.forumRule,
        category: reason.category,
        action: reason.action,
        span: [span.start, span.end],
        ...(span.term === undefined ? {} : { term: span.term }),
        ...(span.mention === undefined ? {} : { mention: span.mention }),
      })),
    ),
    rulesVersion: verdict.rulesVersion,
    modelVersion: verdict.modelVersion,
  };
}

async function main() {
  const { values } = parseArgs({
    options: { kind: { type: "string" }, input: { type: "string" }, output: { type: "string" }, rules: { type: "string" } },
  });
  if (!values.kind || !KINDS.includes(values.kind as SubjectKind)) throw new InputError(`--kind is required\n${USAGE}`);
  const kind = values.kind as SubjectKind;
  const moderator = createModerator(
    loadRuleSet(values.rules ? readEngineRuleFiles(values.rules) : readEngineRuleFiles()),
    loadClassifier(readModelFile()),
  );
  const tagLimits = readPolicy().tags;
  const output = openOutput(values.output);
  const counted = progress("moderated");
  const actions = { allow: 0, review: 0, reject: 0 };
  for await (const record of readJsonl(values.input)) {
    const text = textOf(record, values.input);
    let verdict = moderator.moderate({ kind, text });
    let code: string | null = null;
    if (kind === "tag") {
      const article = record.value.article;
      if (article !== undefined && typeof article !== "string") throw new InputError(`${values.input ?? "stdin"}:${record.line}: "article" must be a string`);
      const screened = screenTagText(text, moderator, tagLimits);
      // The article alone is the corpus: a tag that is not one of its words is unsure, as the API holds it.
      const outcome =
        screened.refusal || article === undefined
          ? null
          : tagOutcome(screened.verdict, new TagCorpus([{ id: "article", text: article }], moderator).relatedness("article", screened.labelKey), tagLimits);
      const refusal = screened.refusal ?? outcome?.refusal ?? null;
      code = refusal?.code ?? null;
      if (refusal) verdict = { ...verdict, action: "reject" };
      else if (outcome?.pending) verdict = { ...verdict, action: "review" };
    }
    actions[verdict.action]++;
    const fields = kind === "tag" ? { ...batchFields(verdict), code } : batchFields(verdict);
    if (!output.write(`${JSON.stringify({ ...record.value, ...fields })}\n`)) {
      await new Promise((resolve) => output.once("drain", resolve));
    }
    counted.tick();
  }
  await closeOutput(output);
  counted.done();
  process.stderr.write(`allow ${actions.allow}, review ${actions.review}, reject ${actions.reject} (rules ${moderator.rulesVersion})\n`);
}

runCommand(main);
