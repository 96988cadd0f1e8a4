// npm run --silent moderate -- [--kind comment|tag|nickname] [--input IN.jsonl] [--output OUT.jsonl] [--rules DIR]
// (--kind defaults to comment)
// Screens every line's "text" with the text phases of its kind's screening (src/screening/: the API runs the
// same ones before its database phases) and writes the line back with action, score, reasons and `code`,
// which names a refusal (comment_too_long, tag_meaningless, nickname_personal_data ...) or is null. Tags whose
// line carries the article's text in "article" are also screened for relatedness to it (forum rule R3).
// Reads stdin and writes stdout when --input / --output are left out. A stable contract for batch jobs.
import { parseArgs } from "node:util";
import { loadClassifier } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import type { SubjectKind, Verdict, VerdictAction } from "../src/moderation/verdict.ts";
import { readEngineRuleFiles, readModelFile, readNicknameRules, readPolicy } from "../src/rules-on-disk.ts";
import { loadServerConfig } from "../src/config.ts";
import { screenCommentText } from "../src/screening/comment.ts";
import { nicknameAnswer, screenNicknameText } from "../src/screening/nickname.ts";
import type { Screening } from "../src/screening/phase.ts";
import { givenArticleRelatedness, screenTagText } from "../src/screening/tag.ts";
import { closeOutput, InputError, openOutput, progress, readJsonl, runCommand, textOf } from "./jsonl.ts";

const KINDS: SubjectKind[] = ["comment", "tag", "nickname"];
const USAGE = "usage: npm run --silent moderate -- [--kind comment|tag|nickname (default comment)] [--input IN.jsonl] [--output OUT.jsonl] [--rules DIR]";

/**
 * The batch output's fields: one reason per matched span (the classifier's reason is listed only when it
 * marks a passage of a long comment, with `passage: true`).
 */
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
        ...(span.passage ? { passage: true } : {}),
      })),
    ),
    rulesVersion: verdict.rulesVersion,
    modelVersion: verdict.modelVersion,
  };
}

async function main() {
  const { values } = parseArgs({
    options: { kind: { type: "string", default: "comment" }, input: { type: "string" }, output: { type: "string" }, rules: { type: "string" } },
  });
  if (!KINDS.includes(values.kind as SubjectKind)) throw new InputError(`--kind must be comment, tag or nickname\n${USAGE}`);
  const kind = values.kind as SubjectKind;
  const moderator = createModerator(
    loadRuleSet(values.rules ? readEngineRuleFiles(values.rules) : readEngineRuleFiles()),
    loadClassifier(readModelFile()),
  );
  const env = { moderator, limits: readPolicy().tags, maxCommentChars: loadServerConfig(process.env).maxCommentChars };
  const nicknameRules = readNicknameRules();
  const output = openOutput(values.output);
  const counted = progress("moderated");
  const actions = { allow: 0, review: 0, reject: 0 };
  for await (const record of readJsonl(values.input)) {
    const text = textOf(record, values.input);
    // The text phases of the subject's screening, as the API runs them before the database.
    let screened: Screening;
    let action: VerdictAction;
    let code: string | null;
    if (kind === "tag") {
      const article = record.value.article;
      if (article !== undefined && typeof article !== "string") throw new InputError(`${values.input ?? "stdin"}:${record.line}: "article" must be a string`);
      const read = screenTagText(text, env);
      const tag = read.refusal || article === undefined ? read : givenArticleRelatedness.run(read, { ...env, article });
      screened = tag;
      action = tag.refusal ? "reject" : tag.pending ? "review" : "allow";
      code = tag.refusal?.code ?? null;
    } else if (kind === "nickname") {
      const nickname = screenNicknameText(text, { moderator, nicknameRules });
      const answer = nicknameAnswer(nickname);
      screened = nickname;
      action = answer.outcome;
      code = answer.code;
    } else {
      screened = screenCommentText(text, env);
      action = screened.refusal ? "reject" : screened.verdict!.action;
      code = screened.refusal?.code ?? null;
    }
    // Refused before the rules ran (length, characters): no reasons, no score.
    const verdict: Verdict = { ...(screened.verdict ?? { reasons: [], score: null, topNgrams: [], rulesVersion: moderator.rulesVersion, modelVersion: moderator.modelVersion }), action };
    actions[verdict.action]++;
    const fields = { ...batchFields(verdict), code };
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
