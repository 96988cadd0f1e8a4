import { Matcher } from "./matcher.ts";
import { normalize, toOriginal } from "./normalize.ts";
import type { Rule, RuleSet } from "./rules.ts";
import type { Reason, Span, Subject, Verdict, VerdictAction } from "./verdict.ts";

export interface Moderator {
  rulesVersion: string;
  modelVersion: string | null;
  moderate(subject: Subject): Verdict;
}

interface PatternUse {
  rule: number;
  isException: boolean;
}

/** Compiles the rule set once into one automaton over every term and exception of every rule. */
export function createModerator(ruleSet: RuleSet): Moderator {
  const patterns: string[] = [];
  const uses: PatternUse[][] = [];
  const indexOf = new Map<string, number>();
  const addPattern = (word: string, use: PatternUse) => {
    const canonical = normalize(word).text;
    let index = indexOf.get(canonical);
    if (index === undefined) {
      index = patterns.length;
      indexOf.set(canonical, index);
      patterns.push(canonical);
      uses.push([]);
    }
    uses[index]!.push(use);
  };
  ruleSet.rules.forEach((rule, ruleIndex) => {
    for (const group of rule.terms) for (const word of group.list) addPattern(word, { rule: ruleIndex, isException: false });
    for (const group of rule.exceptions) for (const word of group.list) addPattern(word, { rule: ruleIndex, isException: true });
  });
  const matcher = new Matcher(patterns);

  return {
    rulesVersion: ruleSet.version,
    modelVersion: null,
    moderate(subject) {
      const normalized = normalize(subject.text);
      const hits = new Map<number, { start: number; end: number }[]>();
      const excused = new Map<number, { start: number; end: number }[]>();
      for (const match of matcher.findAll(normalized.text)) {
        for (const use of uses[match.pattern]!) {
          if (!ruleSet.rules[use.rule]!.subjects.includes(subject.kind)) continue;
          const target = use.isException ? excused : hits;
          const list = target.get(use.rule) ?? [];
          list.push({ start: match.start, end: match.end });
          target.set(use.rule, list);
        }
      }
      const reasons: Reason[] = [];
      for (const [ruleIndex, ranges] of [...hits].sort((a, b) => a[0] - b[0])) {
        const exceptions = excused.get(ruleIndex) ?? [];
        const standing = ranges.filter(
          (range) => !exceptions.some((ex) => ex.start <= range.start && range.end <= ex.end),
        );
        if (standing.length === 0) continue;
        reasons.push(toReason(ruleSet.rules[ruleIndex]!, spansOf(subject.text, normalized, standing)));
      }
      return {
        action: decide(reasons),
        reasons,
        score: null,
        rulesVersion: ruleSet.version,
        modelVersion: null,
      };
    },
  };
}

function spansOf(
  original: string,
  normalized: ReturnType<typeof normalize>,
  ranges: { start: number; end: number }[],
): Span[] {
  const seen = new Set<string>();
  const spans: Span[] = [];
  for (const range of ranges) {
    const [start, end] = toOriginal(normalized, range.start, range.end);
    const key = `${start}:${end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    spans.push({ start, end, text: original.slice(start, end) });
  }
  return spans.sort((a, b) => a.start - b.start || a.end - b.end);
}

function toReason(rule: Rule, spans: Span[]): Reason {
  return {
    ruleId: rule.id,
    forumRule: rule.forumRule,
    severity: rule.severity,
    action: rule.action,
    message: rule.reason,
    spans,
  };
}

function decide(reasons: Reason[]): VerdictAction {
  if (reasons.some((r) => r.action === "reject")) return "reject";
  if (reasons.some((r) => r.action === "review")) return "review";
  return "allow";
}
