import { createHash } from "node:crypto";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";

/** A rule file as read from rules/engine/ (by the Node server) or bundled (by the Worker). */
export interface RuleFile {
  name: string;
  text: string;
}

export class RuleFileError extends Error {
  override name = "RuleFileError";
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${detail}`);
  }
}

const wordList = z.strictObject({
  // Where the words come from: a lexicon file and its licence, or who curated them and why.
  source: z.string().trim().min(1),
  list: z.array(z.string().trim().min(1)).min(1),
});

const ruleSchema = z.strictObject({
  id: z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/, "ids look like R2-profanity"),
  forumRule: z.enum(["R1", "R2", "R3", "R4"]),
  description: z.string().trim().min(1),
  subjects: z.array(z.enum(["comment", "tag", "nickname"])).min(1),
  severity: z.enum(["low", "medium", "high", "critical"]),
  action: z.enum(["reject", "review", "flag"]),
  reason: z.string().trim().min(1),
  terms: z.array(wordList).min(1),
  // Ordinary words that contain a term (幹部 contains 幹): a term inside one of them is not a hit.
  exceptions: z.array(wordList).default([]),
});

const ruleFileSchema = z.strictObject({ rules: z.array(ruleSchema).min(1) });

export type Rule = z.infer<typeof ruleSchema>;

export interface RuleSet {
  rules: Rule[];
  /** Hash of the loaded rules: recorded in every verdict so a decision names the rules it applied. */
  version: string;
}

function parseRuleFile(file: RuleFile): Rule[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new RuleFileError(file.name, line, `not valid YAML: ${yamlError.message}`);
  }
  const parsed = ruleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
    // Point at the deepest node that exists: a missing key is reported at its parent.
    let line: number | null = null;
    for (let depth = path.length; depth >= 0 && line === null; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    }
    const rules = doc.toJS()?.rules;
    const ruleIndex = typeof path[1] === "number" ? path[1] : null;
    const ruleId = ruleIndex !== null && Array.isArray(rules) ? rules[ruleIndex]?.id : undefined;
    const where = ruleId ? `rule ${ruleId}, ` : "";
    throw new RuleFileError(file.name, line, `${where}${path.join(".") || "(file)"}: ${issue.message}`);
  }
  return parsed.data.rules;
}

export function loadRuleSet(files: readonly RuleFile[]): RuleSet {
  const rules: Rule[] = [];
  const fileOfRule = new Map<string, string>();
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const rule of parseRuleFile(file)) {
      const other = fileOfRule.get(rule.id);
      if (other) throw new RuleFileError(file.name, null, `rule ${rule.id} is already defined in ${other}`);
      fileOfRule.set(rule.id, file.name);
      rules.push(rule);
    }
  }
  const version = createHash("sha256").update(JSON.stringify(rules)).digest("hex").slice(0, 12);
  return { rules, version: `rules-${version}` };
}
