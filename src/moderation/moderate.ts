import type { Classifier } from "../classifier/model.ts";
import { DETECTORS, type DetectorName } from "./detectors.ts";
import { Matcher } from "./matcher.ts";
import {
  canonicalSpelling,
  foldForDetectors,
  isAlphanumeric,
  normalize,
  toOriginal,
  type NormalizedText,
} from "./normalize.ts";
import type { ClassifierPolicy, Rule, RuleSet, Substitutions } from "./rules.ts";
import type { Reason, Span, Subject, SubjectKind, Verdict, VerdictAction } from "./verdict.ts";

export interface Moderator {
  rulesVersion: string;
  modelVersion: string | null;
  /** How many spellings the rules' terms were expanded into (for the benchmark and the README). */
  patternCount: number;
  /** Pass `normalized` when the caller already has the subject's canonical form (see `normalized`). */
  moderate(subject: Subject, normalized?: NormalizedText): Verdict;
  /** The engine's canonical form of a text, for comparing nicknames and tags the way the rules read them. */
  canonical(text: string): string;
  /** The canonical form with its map back to the original text. */
  normalized(text: string): NormalizedText;
}

// A term expanded into more spellings than this is a mistake in the substitutions, not a rule.
const MAX_SPELLINGS_PER_TERM = 5000;

interface TermUse {
  rule: number;
  isException: boolean;
  /** The term as listed in the rule, reported as the explanation of a hit. */
  term: string;
  wholeWord: boolean;
  standalone: boolean;
  /** Offsets inside the pattern where one character of the term ends and the next begins. */
  boundaries: number[];
}

interface Candidate {
  rule: number;
  start: number;
  end: number;
  term?: string;
  wholeWord: boolean;
}

/** Every spelling of a term: each character may be written as itself or any of its variants. */
export function spellingsOf(
  term: string,
  variantsOf: Map<string, string[]>,
  normalizeText: (text: string) => string,
): { text: string; boundaries: number[] }[] {
  let spellings: { text: string; boundaries: number[] }[] = [{ text: "", boundaries: [] }];
  for (const char of normalizeText(term)) {
    const options = [char, ...(variantsOf.get(char) ?? [])];
    const next: { text: string; boundaries: number[] }[] = [];
    for (const spelling of spellings) {
      for (const option of options) {
        const boundaries = spelling.text.length > 0 ? [...spelling.boundaries, spelling.text.length] : [];
        next.push({ text: spelling.text + option, boundaries });
      }
    }
    spellings = next;
    if (spellings.length > MAX_SPELLINGS_PER_TERM) {
      throw new Error(`term ${term} expands into more than ${MAX_SPELLINGS_PER_TERM} spellings; trim its variants`);
    }
  }
  return spellings;
}

function variantTable(substitutions: Substitutions, normalizeText: (text: string) => string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const entry of substitutions.characters) {
    const key = normalizeText(entry.char);
    const variants = entry.variants.map(canonicalSpelling).filter((v) => v.length > 0 && v !== key);
    table.set(key, [...new Set([...(table.get(key) ?? []), ...variants])]);
  }
  return table;
}

/** A separator inside a match must stand between every pair of the term's characters (幹 你 娘), or nowhere. */
function separatorsAreUniform(normalized: NormalizedText, start: number, end: number, use: TermUse): boolean {
  let anyGap = false;
  for (let i = start + 1; i < end; i++) anyGap ||= normalized.gapBefore[i]!;
  if (!anyGap) return true;
  return use.boundaries.every((offset) => normalized.gapBefore[start + offset]);
}

/** A Latin or digit term must not be part of a longer Latin word or number (sb in usb, 4 in 40). */
function latinBoundariesHold(normalized: NormalizedText, start: number, end: number): boolean {
  const { text, gapBefore } = normalized;
  if (isAlphanumeric(text[start]) && start > 0 && !gapBefore[start] && isAlphanumeric(text[start - 1])) return false;
  if (isAlphanumeric(text[end - 1]) && end < text.length && !gapBefore[end] && isAlphanumeric(text[end])) return false;
  return true;
}

function standsAlone(normalized: NormalizedText, start: number, end: number): boolean {
  return (start === 0 || normalized.gapBefore[start]!) && (end === normalized.text.length || normalized.gapBefore[end]!);
}

const segmenter = new Intl.Segmenter("zh-TW", { granularity: "word" });

function wordBoundaries(original: string): Set<number> {
  const boundaries = new Set<number>([original.length]);
  for (const segment of segmenter.segment(original)) boundaries.add(segment.index);
  return boundaries;
}

/**
 * Compiles the rule set once (every spelling of every term and exception of every rule in one automaton)
 * and adds the classifier, whose score can hold a comment for review but never rejects it.
 */
export function createModerator(ruleSet: RuleSet, classifier: Classifier | null = null): Moderator {
  const policy = classifier ? ruleSet.classifierPolicy : null;
  if (classifier && !policy) throw new Error("a classifier needs a classifier policy file in the rules");
  const options = { leetCharacters: ruleSet.substitutions.leetCharacters };
  const normalizeText = (text: string) => normalize(text, options).text;
  const variantsOf = variantTable(ruleSet.substitutions, normalizeText);

  const patterns: string[] = [];
  const uses: TermUse[][] = [];
  const indexOf = new Map<string, number>();
  const addPattern = (text: string, use: TermUse) => {
    let index = indexOf.get(text);
    if (index === undefined) {
      index = patterns.length;
      indexOf.set(text, index);
      patterns.push(text);
      uses.push([]);
    }
    uses[index]!.push(use);
  };
  ruleSet.rules.forEach((rule, ruleIndex) => {
    for (const group of rule.terms) {
      for (const term of group.list) {
        for (const spelling of spellingsOf(term, variantsOf, normalizeText)) {
          addPattern(spelling.text, {
            rule: ruleIndex,
            isException: false,
            term,
            wholeWord: group.wholeWord,
            standalone: group.standalone,
            boundaries: spelling.boundaries,
          });
        }
      }
    }
    for (const group of rule.exceptions) {
      for (const word of group.list) {
        const text = normalizeText(word);
        if (text) addPattern(text, { rule: ruleIndex, isException: true, term: word, wholeWord: false, standalone: false, boundaries: [] });
      }
    }
  });
  const matcher = new Matcher(patterns);
  // Per subject kind, the rules that read the detector view: named detectors and regular expressions.
  const viewRules = new Map<SubjectKind, { rule: number; detector?: DetectorName; regexes: RegExp[] }[]>();
  for (const kind of ["comment", "tag", "nickname"] as const) {
    viewRules.set(
      kind,
      ruleSet.rules.flatMap((rule, index) =>
        rule.subjects.includes(kind) && (rule.detector || rule.patterns.length > 0)
          ? [{ rule: index, detector: rule.detector as DetectorName | undefined, regexes: rule.patterns.map((p) => new RegExp(p.regex, "giu")) }]
          : [],
      ),
    );
  }

  function termCandidates(subject: Subject, normalized: NormalizedText): Candidate[] {
    const candidates: Candidate[] = [];
    const excused = new Map<number, { start: number; end: number }[]>();
    for (const match of matcher.findAll(normalized.text)) {
      for (const use of uses[match.pattern]!) {
        if (!ruleSet.rules[use.rule]!.subjects.includes(subject.kind)) continue;
        if (use.isException) {
          const list = excused.get(use.rule) ?? [];
          list.push(match);
          excused.set(use.rule, list);
          continue;
        }
        if (!separatorsAreUniform(normalized, match.start, match.end, use)) continue;
        if (!latinBoundariesHold(normalized, match.start, match.end)) continue;
        if (use.standalone && !standsAlone(normalized, match.start, match.end)) continue;
        candidates.push({ rule: use.rule, start: match.start, end: match.end, term: use.term, wholeWord: use.wholeWord });
      }
    }
    return candidates.filter(
      (hit) => !(excused.get(hit.rule) ?? []).some((ex) => ex.start <= hit.start && hit.end <= ex.end),
    );
  }

  const modelVersion = classifier?.version ?? null;
  return {
    rulesVersion: ruleSet.version,
    modelVersion,
    patternCount: patterns.length,
    canonical: normalizeText,
    normalized: (text) => normalize(text, options),
    moderate(subject, normalized = normalize(subject.text, options)) {
      const spansByRule = new Map<number, Span[]>();
      const addSpan = (rule: number, span: Span) => {
        const list = spansByRule.get(rule) ?? [];
        if (!list.some((s) => s.start === span.start && s.end === span.end)) list.push(span);
        spansByRule.set(rule, list);
      };

      let boundaries: Set<number> | undefined;
      for (const hit of termCandidates(subject, normalized)) {
        const [start, end] = toOriginal(normalized, hit.start, hit.end);
        if (hit.wholeWord) {
          boundaries ??= wordBoundaries(subject.text);
          if (!boundaries.has(start) || !boundaries.has(end)) continue;
        }
        addSpan(hit.rule, { start, end, text: subject.text.slice(start, end), term: hit.term });
      }

      const readers = viewRules.get(subject.kind)!;
      if (readers.length > 0) {
        const view = foldForDetectors(subject.text);
        for (const reader of readers) {
          const ranges = reader.detector ? DETECTORS[reader.detector](view.text) : [];
          for (const regex of reader.regexes) {
            for (const match of view.text.matchAll(regex)) {
              if (match[0].length > 0) ranges.push([match.index, match.index + match[0].length]);
            }
          }
          for (const [s, e] of ranges) {
            const [start, end] = view.toOriginal(s, e);
            addSpan(reader.rule, { start, end, text: subject.text.slice(start, end) });
          }
        }
      }

      const reasons: Reason[] = [...spansByRule]
        .sort((a, b) => a[0] - b[0])
        .map(([ruleIndex, spans]) => toReason(ruleSet.rules[ruleIndex]!, spans));
      let score: number | null = null;
      let topNgrams: Verdict["topNgrams"] = [];
      if (classifier && policy && policy.subjects.includes(subject.kind)) {
        const classification = classifier.classify(normalized.text);
        score = Number(classification.probability.toFixed(4));
        topNgrams = classification.topNgrams;
        if (score >= policy.reviewThreshold) reasons.push(classifierReason(policy));
      }
      return { action: decide(reasons), reasons, score, topNgrams, rulesVersion: ruleSet.version, modelVersion };
    },
  };
}

function toReason(rule: Rule, spans: Span[]): Reason {
  return {
    ruleId: rule.id,
    forumRule: rule.forumRule,
    severity: rule.severity,
    action: rule.action,
    message: rule.reason,
    spans: spans.sort((a, b) => a.start - b.start || a.end - b.end),
  };
}

function classifierReason(policy: ClassifierPolicy): Reason {
  return {
    ruleId: policy.ruleId,
    forumRule: policy.forumRule,
    severity: policy.severity,
    action: "review",
    message: policy.reason,
    spans: [],
  };
}

function decide(reasons: Reason[]): VerdictAction {
  if (reasons.some((r) => r.action === "reject")) return "reject";
  if (reasons.some((r) => r.action === "review")) return "review";
  return "allow";
}
