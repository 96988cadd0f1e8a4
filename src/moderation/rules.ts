import { createHash } from "node:crypto";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { DETECTOR_NAMES } from "./detectors.ts";
import { CATEGORIES } from "./verdict.ts";

/** A file of rules/engine/ as read by the Node server or bundled by the Worker. */
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

const source = z.string().trim().min(1);

const termGroup = z.strictObject({
  // Where the words come from: a lexicon file and its licence, or who curated them and why.
  source,
  list: z.array(z.string().trim().min(1)).min(1),
  // Counts only where the match is a whole word of the text (Intl.Segmenter, zh-TW): 低能 but not 低能耗.
  wholeWord: z.boolean().default(false),
  // Counts only standing alone between separators or text ends: 幹！ but not 幹部, 能幹, 干杯.
  standalone: z.boolean().default(false),
});

// Ordinary words that contain a term (`list`: 去死皮 contains 去死), or words that, right before any of the
// rule's terms, make the hit no abuse (`precededBy`: 我 before 北七 is the commenter laughing at themselves).
// `unbroken`: the listed words excuse only written as one word, with no space or punctuation inside (母狗絕育
// is a dog's neutering; 那女的就是母狗，絕育啦 is not).
const exceptionGroup = z
  .strictObject({
    source,
    list: z.array(z.string().trim().min(1)).min(1).optional(),
    precededBy: z.array(z.string().trim().min(1)).min(1).optional(),
    unbroken: z.boolean().optional(),
    // `leading`: the listed words excuse only where they open the comment or a sentence (after 。！？；… or a
    // line break; spaces and emoji between are skipped): 我北七 排了三小時 is the commenter; 不要惹我北七,
    // 不要惹 我北七 and 樓上，我家小母狗 are said to someone. Implies unbroken.
    leading: z.boolean().optional(),
  })
  .refine((group) => group.list !== undefined || group.precededBy !== undefined, { message: "an exception group needs list or precededBy" });

const pattern = z.strictObject({
  source,
  // Words one of which the text must hold (in the engine's canonical form) for the expression to run: the
  // automaton finds them in its one pass, so a rarely needed expression costs nothing on other comments.
  anchors: z.array(z.string().trim().min(1)).default([]),
  regex: z.string().min(1).refine((text) => {
    try {
      new RegExp(text, "giu");
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression"),
});

const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/, "ids look like R2-profanity"),
    forumRule: z.enum(["R1", "R2", "R3", "R4"]),
    description: z.string().trim().min(1),
    subjects: z.array(z.enum(["comment", "tag", "nickname"])).min(1),
    severity: z.enum(["low", "medium", "high", "critical"]),
    // The kind of harm, as rules/labelling-guide.md defines it (insult, hate, threat …).
    category: z.enum(CATEGORIES),
    action: z.enum(["reject", "review", "flag"]),
    reason: z.string().trim().min(1),
    terms: z.array(termGroup).default([]),
    // Regular expressions over the detector view (NFKC, separators kept), case-insensitive.
    patterns: z.array(pattern).default([]),
    detector: z.enum(DETECTOR_NAMES as [string, ...string[]]).optional(),
    // A term inside one of these words, or right after one of `precededBy`, is not a hit.
    exceptions: z.array(exceptionGroup).default([]),
    // false: the classifier does not read what this rule matched (web addresses: the link rules judge
    // them, and a URL's letters are no evidence of abuse).
    classifierReads: z.boolean().default(true),
  })
  .refine((rule) => rule.terms.length > 0 || rule.patterns.length > 0 || rule.detector !== undefined, {
    message: "a rule needs terms, patterns or a detector",
  });

const substitutionsSchema = z.strictObject({
  // Symbols that stand for letters inside a Latin word: sh!t, f*ck.
  leetCharacters: z.string(),
  // Spellings that stand for a character inside a listed term: homophones, Zhuyin, digits, leetspeak.
  characters: z
    .array(
      z.strictObject({
        char: z.string().refine((text) => [...text].length === 1, "one character"),
        variants: z.array(z.string().trim().min(1)).min(1),
        source,
      }),
    )
    .min(1),
});

const mentionsSchema = z.strictObject({
  // Opening and closing quotation marks, each pair written as two characters: 「」, “”.
  quotePairs: z.array(z.string().refine((pair) => [...pair].length === 2, "two characters: the opening and the closing mark")).min(1),
  // Words that, in the same sentence as a quoted term, show it is reported (罵, 辱罵, 公然侮辱, 判決).
  reportingCues: z.array(z.string().trim().min(1)).min(1),
  // Words right after a term that ask about the word itself (是什麼意思, 怎麼唸).
  questionCues: z.array(z.string().trim().min(1)).min(1),
  // Words that address the reader or a commenter (你, 樓上): in the quotation's clause they use the words
  // on someone, whatever else it says; anywhere else outside the comment's quotations they hold it (quoted).
  addressCues: z.array(z.string().trim().min(1)).min(1),
  // Names for the people of this thread (樓上, 原po): anywhere in a comment, quotations included, they
  // hold a quotation it reports (新聞「樓上…」, 新聞說「…」「樓上」) for a moderator instead of passing it.
  commenterCues: z.array(z.string().trim().min(1)).default([]),
  // Words that, in the same sentence as a quoted scam or illegal offer, show it is quoted to warn about it
  // (檢舉, 詐騙, 封鎖): only then is such an offer a mention (a reporting cue is not enough: ads quote too).
  warningCues: z.array(z.string().trim().min(1)).default([]),
  // A warning cue right after one of these is denied, not a warning (這不是詐騙).
  warningDenials: z.array(z.string().trim().min(1)).default([]),
  // The rules whose words a warning may quote (hook phrases); others' words are never a mention.
  warnedRules: z.array(z.string().trim().min(1)).default([]),
  source,
});

const classifierPolicySchema = z.strictObject({
  // The classifier alone never rejects: at or above this score a comment is held for a moderator.
  reviewThreshold: z.number().gt(0).lt(1),
  // How the threshold was chosen, for the reviewer of a change.
  basis: z.string().trim().min(1),
  subjects: z.array(z.enum(["comment", "tag", "nickname"])).min(1),
  ruleId: z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/),
  forumRule: z.enum(["R1", "R2", "R3", "R4"]),
  severity: z.enum(["low", "medium", "high", "critical"]),
  reason: z.string().trim().min(1),
  // A long comment's most abusive passage of `length` characters (of what the classifier reads), scored
  // alone when the whole comment scores under reviewThreshold: at or above `threshold` it is held too.
  passage: z
    .strictObject({
      length: z.number().int().min(10),
      threshold: z.number().gt(0).lt(1),
      basis: z.string().trim().min(1),
      reason: z.string().trim().min(1),
    })
    .optional(),
});

const fileSchemas = {
  rules: z.strictObject({ rules: z.array(ruleSchema).min(1) }),
  substitutions: z.strictObject({ substitutions: substitutionsSchema }),
  classifier: z.strictObject({ classifier: classifierPolicySchema }),
  mentions: z.strictObject({ mentions: mentionsSchema }),
};

export type Rule = z.infer<typeof ruleSchema>;
export type Substitutions = z.infer<typeof substitutionsSchema>;
export type ClassifierPolicy = z.infer<typeof classifierPolicySchema>;
export type Mentions = z.infer<typeof mentionsSchema>;

/**
 * Every word of a rule's exceptions: the listed ones (GNN 新聞 excuses GNN across the space), and each
 * `precededBy` word before each of its terms, which excuses only written as one word (別碰我，白癡 is not
 * 我白癡: punctuation between them is where the commenter turns to someone else).
 */
export function exceptionWords(rule: Rule): { word: string; unbroken: boolean; leading: boolean }[] {
  return rule.exceptions.flatMap((group) => [
    ...(group.list ?? []).map((word) => ({ word, unbroken: (group.unbroken ?? false) || (group.leading ?? false), leading: group.leading ?? false })),
    ...(group.precededBy ?? []).flatMap((before) =>
      rule.terms.flatMap((terms) => terms.list.map((term) => ({ word: before + term, unbroken: true, leading: group.leading ?? false }))),
    ),
  ]);
}

export interface RuleSet {
  rules: Rule[];
  substitutions: Substitutions;
  /** How the classifier's score is used; null when no policy file is loaded (rules alone). */
  classifierPolicy: ClassifierPolicy | null;
  /** How a quoted or asked-about term is told from one used as abuse; null: every hit counts as use. */
  mentions: Mentions | null;
  /** Hash of everything loaded from rules/engine: recorded in every verdict. */
  version: string;
}

type FileShape = keyof typeof fileSchemas;
type ParsedFile =
  | z.infer<(typeof fileSchemas)["rules"]>
  | z.infer<(typeof fileSchemas)["substitutions"]>
  | z.infer<(typeof fileSchemas)["classifier"]>
  | z.infer<(typeof fileSchemas)["mentions"]>;

function parseRuleFile(file: RuleFile): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new RuleFileError(file.name, line, `not valid YAML: ${yamlError.message}`);
  }
  const value = doc.toJS();
  const keys = value && typeof value === "object" ? Object.keys(value) : [];
  const shape: FileShape = (["substitutions", "classifier", "mentions"] as const).find((key) => keys.includes(key)) ?? "rules";
  const parsed = fileSchemas[shape].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
    // Point at the deepest node that exists: a missing key is reported at its parent.
    let line: number | null = null;
    for (let depth = path.length; depth >= 0 && line === null; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) line = lineCounter.linePos(node.range[0]).line;
    }
    const ruleIndex = shape === "rules" && typeof path[1] === "number" ? path[1] : null;
    const ruleId = ruleIndex !== null ? value?.rules?.[ruleIndex]?.id : undefined;
    const where = typeof ruleId === "string" ? `rule ${ruleId}, ` : "";
    throw new RuleFileError(file.name, line, `${where}${path.join(".") || "(file)"}: ${issue.message}`);
  }
  return parsed.data;
}

export function loadRuleSet(files: readonly RuleFile[]): RuleSet {
  const rules: Rule[] = [];
  const fileOfRule = new Map<string, string>();
  let substitutions: { file: string; value: Substitutions } | undefined;
  let classifierPolicy: { file: string; value: ClassifierPolicy } | undefined;
  let mentions: { file: string; value: Mentions } | undefined;
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const parsed = parseRuleFile(file);
    if ("substitutions" in parsed) {
      if (substitutions) throw new RuleFileError(file.name, null, `substitutions are already defined in ${substitutions.file}`);
      substitutions = { file: file.name, value: parsed.substitutions };
      continue;
    }
    if ("classifier" in parsed) {
      if (classifierPolicy) throw new RuleFileError(file.name, null, `the classifier policy is already defined in ${classifierPolicy.file}`);
      classifierPolicy = { file: file.name, value: parsed.classifier };
      continue;
    }
    if ("mentions" in parsed) {
      if (mentions) throw new RuleFileError(file.name, null, `mentions are already defined in ${mentions.file}`);
      mentions = { file: file.name, value: parsed.mentions };
      continue;
    }
    for (const rule of parsed.rules) {
      const other = fileOfRule.get(rule.id);
      if (other) throw new RuleFileError(file.name, null, `rule ${rule.id} is already defined in ${other}`);
      fileOfRule.set(rule.id, file.name);
      rules.push(rule);
    }
  }
  const chosen = substitutions?.value ?? { leetCharacters: "", characters: [] };
  const policy = classifierPolicy?.value ?? null;
  const mentionRules = mentions?.value ?? null;
  for (const id of mentionRules?.warnedRules ?? []) {
    if (!rules.some((rule) => rule.id === id)) throw new RuleFileError(mentions!.file, null, `mentions.warnedRules names ${id}, which no rule file defines`);
  }
  const version = createHash("sha256")
    .update(JSON.stringify({ rules, substitutions: chosen, classifierPolicy: policy, mentions: mentionRules }))
    .digest("hex")
    .slice(0, 12);
  return { rules, substitutions: chosen, classifierPolicy: policy, mentions: mentionRules, version: `rules-${version}` };
}
