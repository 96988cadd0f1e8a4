import type { Classifier } from "../classifier/model.ts";
import { DETECTORS, type DetectorName } from "./detectors.ts";
import { Matcher } from "./matcher.ts";
import { createMentionReader, type MentionedWords } from "./mentions.ts";
import {
  canonicalSpelling,
  codePointBefore,
  isLowSurrogate,
  foldForDetectors,
  isAlphanumeric,
  normalize,
  toOriginal,
  type NormalizedText,
} from "./normalize.ts";
import { exceptionWords, type ClassifierPolicy, type Rule, type RuleSet, type Substitutions } from "./rules.ts";
import { FORUM_RULE_CATEGORIES, verdictAction, type Category, type NgramSignal, type Reason, type RuleAction, type Span, type Subject, type SubjectKind, type Verdict } from "./verdict.ts";
import { toCanonicalScript } from "./script.ts";

export interface Moderator {
  rulesVersion: string;
  modelVersion: string | null;
  /** How many spellings the rules' terms were expanded into (for the benchmark and the README). */
  patternCount: number;
  /** Pass `normalized` when the caller already has the subject's canonical form (see `normalized`). */
  moderate(subject: Subject, normalized?: NormalizedText): Verdict;
  /** The first half of `moderate`: the rules' terms, detectors and expressions on a normalized subject. */
  ruleHits(subject: Subject, normalized: NormalizedText): RuleHits;
  /** The second half: the classifier's reading (for the kinds it reads) added to the rules' hits. */
  verdictOf(subject: Subject, hits: RuleHits): Verdict;
  /** The engine's canonical form of a text, for comparing nicknames and tags the way the rules read them. */
  canonical(text: string): string;
  /**
   * What the classifier reads: the canonical form without the words a comment only reports or asks about
   * (see mentions.ts) and without web addresses. Training reads the same, so the model never learns from
   * a quoted insult or a URL's letters.
   */
  classifierText(text: string): string;
  /** The canonical form with its map back to the original text. */
  normalized(text: string): NormalizedText;
}

/** What the rules found in a subject, and what the classifier reads (null for kinds it does not read). */
export interface RuleHits {
  reasons: Reason[];
  classifierInput: ClassifierInput | null;
}

/** The text the classifier reads, with where each of its UTF-16 units came from in the original text. */
export interface ClassifierInput {
  text: string;
  originStart: number[];
  originEnd: number[];
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
  /** The spelling puts another Han character (a homophone: 拜 for 掰) for one of the term's characters. */
  standIn: boolean;
  /** An exception that excuses only written without a separator inside (see exceptionWords). */
  unbroken?: boolean;
  /** An exception that excuses only where it opens the comment or a sentence (see opensSentence). */
  leading?: boolean;
}

const HAN = /\p{Script=Han}/u;

/** One way of writing a term: its canonical text, where its characters meet, and whether it uses a homophone. */
interface Spelling {
  text: string;
  boundaries: number[];
  standIn: boolean;
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
): Spelling[] {
  let spellings: Spelling[] = [{ text: "", boundaries: [], standIn: false }];
  for (const char of normalizeText(term)) {
    const options = [char, ...(variantsOf.get(char) ?? [])];
    const next: Spelling[] = [];
    for (const spelling of spellings) {
      for (const option of options) {
        const boundaries = spelling.text.length > 0 ? [...spelling.boundaries, spelling.text.length] : [];
        next.push({ text: spelling.text + option, boundaries, standIn: spelling.standIn || (option !== char && HAN.test(option)) });
      }
    }
    spellings = next;
    if (spellings.length > MAX_SPELLINGS_PER_TERM) {
      throw new Error(`term ${term} expands into more than ${MAX_SPELLINGS_PER_TERM} spellings; trim its variants`);
    }
  }
  // The normalizer writes a Latin letter repeated in a row once (gan + ni + nia reads ganinia), unless a
  // separator stands between them (kan lin nia): both forms go into the automaton.
  return spellings.flatMap((spelling) => {
    const collapsed = collapseRepeatedLetters(spelling);
    return collapsed.text === spelling.text ? [spelling] : [spelling, collapsed];
  });
}

function collapseRepeatedLetters(spelling: Spelling): Spelling {
  let text = "";
  const shift: number[] = [];
  for (let i = 0; i < spelling.text.length; i++) {
    const char = spelling.text[i]!;
    shift.push(i - text.length);
    if (char >= "a" && char <= "z" && text.endsWith(char)) continue;
    text += char;
  }
  // A boundary falls where the next character of the term starts; a merged letter belongs to both.
  const boundaries = spelling.boundaries.map((offset) => offset - shift[offset]!).filter((offset) => offset > 0 && offset < text.length);
  return { text, boundaries, standIn: spelling.standIn };
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

/**
 * A regular expression written in Traditional characters that also matches the same words in Simplified
 * (這群426 and 这群426): expressions read the text as written, where terms read the canonical script. Each
 * character with a Simplified form becomes a choice of both, in a character class or out of one, so a
 * negative lookahead (not 9487號) stays negative for 9487号 too.
 */
function eitherScript(source: string): string {
  let result = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === "\\") {
      result += char + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    const simplified = toCanonicalScript(char);
    if (simplified === char) result += char;
    else result += inClass ? char + simplified : `(?:${char}|${simplified})`;
  }
  return result;
}

/** A separator inside a match must stand between every pair of the term's characters (幹 你 娘), or nowhere. */
function separatorsAreUniform(normalized: NormalizedText, start: number, end: number, use: TermUse): boolean {
  if (!hasGapInside(normalized, start, end)) return true;
  return use.boundaries.every((offset) => normalized.gapBefore[start + offset]);
}

/**
 * A two-character term written with a homophone, split by a separator, whose halves each end or begin a
 * longer word, is two words that happen to meet (挖土機 拜託 is not 機掰). The term's own characters,
 * Zhuyin, letters and digits count split anyway (機 掰, 機 8).
 */
function isSplitStandIn(normalized: NormalizedText, start: number, end: number, use: TermUse): boolean {
  if (!use.standIn || use.boundaries.length !== 1 || !normalized.gapBefore[start + use.boundaries[0]!]) return false;
  // Each half belongs to a word of its own (挖土|機 拜|託); a half standing alone is written to be read
  // with the other (雞 掰 記者, 記者煞 筆).
  const attachedBefore = start > 0 && !normalized.gapBefore[start];
  const attachedAfter = end < normalized.text.length && !normalized.gapBefore[end];
  return attachedBefore && attachedAfter;
}

// What ends a sentence before a `leading` exception word: a space or a comma does not (樓上 我家小母狗 過來,
// 你們 被罵五毛不冤 are said to someone), nor an emoji (樓上😀我北七).
const LEADING_SENTENCE_END = /[。｡．﹒.！？!?﹗‼；;…⋯‥～~\n\r\u2028\u2029]/u;
const SKIPPED_BEFORE = /^(?![0-9#*])[\s\p{Cf}\p{Extended_Pictographic}\p{Emoji_Component}\u{FE0E}\u{FE0F}]+$/u;

/** Whether the original text's character at `at` opens the comment or a sentence (only spaces between). */
function opensSentence(original: string, at: number): boolean {
  let i = at;
  while (i > 0) {
    // One code point back: an emoji is a surrogate pair.
    const char = codePointBefore(original, i);
    if (LEADING_SENTENCE_END.test(char)) return true;
    if (!SKIPPED_BEFORE.test(char)) return false;
    i -= char.length;
  }
  return true;
}

/** Whether a separator stands anywhere inside [start, end) of the canonical text. */
function hasGapInside(normalized: NormalizedText, start: number, end: number): boolean {
  for (let i = start + 1; i < end; i++) if (normalized.gapBefore[i]) return true;
  return false;
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
  // For each pattern, the regular expressions it is an anchor of (see `anchors` in rules.ts).
  const anchorsAt: number[][] = [];
  const indexOf = new Map<string, number>();
  const patternIndex = (text: string) => {
    let index = indexOf.get(text);
    if (index === undefined) {
      index = patterns.length;
      indexOf.set(text, index);
      patterns.push(text);
      uses.push([]);
      anchorsAt.push([]);
    }
    return index;
  };
  const addPattern = (text: string, use: TermUse) => uses[patternIndex(text)]!.push(use);
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
            standIn: spelling.standIn,
          });
        }
      }
    }
    for (const { word, unbroken, leading } of exceptionWords(rule)) {
      const text = normalizeText(word);
      if (text) addPattern(text, { rule: ruleIndex, isException: true, term: word, wholeWord: false, standalone: false, boundaries: [], standIn: false, unbroken, leading });
    }
  });
  // Per subject kind, the rules that read the detector view: named detectors and regular expressions. A
  // regular expression with anchors runs only when the automaton's pass found one of them in the text.
  const regexes: { regex: RegExp; anchored: boolean }[] = [];
  const regexesOfRule = ruleSet.rules.map((rule) =>
    rule.patterns.map((pattern) => {
      const id = regexes.length;
      regexes.push({ regex: new RegExp(eitherScript(pattern.regex), "giu"), anchored: pattern.anchors.length > 0 });
      for (const anchor of pattern.anchors) {
        const text = normalizeText(anchor);
        if (text) anchorsAt[patternIndex(text)]!.push(id);
      }
      return id;
    }),
  );
  const viewRules = new Map<SubjectKind, { rule: number; detector?: DetectorName; regexes: number[] }[]>();
  for (const kind of ["comment", "tag", "nickname"] as const) {
    viewRules.set(
      kind,
      ruleSet.rules.flatMap((rule, index) =>
        rule.subjects.includes(kind) && (rule.detector || rule.patterns.length > 0)
          ? [{ rule: index, detector: rule.detector as DetectorName | undefined, regexes: regexesOfRule[index]! }]
          : [],
      ),
    );
  }
  const matcher = new Matcher(patterns);
  const mentions = ruleSet.mentions ? createMentionReader(ruleSet.mentions, normalizeText) : null;
  const warnedRules = ruleSet.mentions?.warnedRules ?? [];
  /** The term hits of one pass of the automaton, and the anchored regular expressions it found anchors of. */
  function termCandidates(subject: Subject, normalized: NormalizedText): { candidates: Candidate[]; anchored: Set<number> | null } {
    const candidates: Candidate[] = [];
    let anchored: Set<number> | null = null;
    const excused = new Map<number, { start: number; end: number }[]>();
    for (const match of matcher.findAll(normalized.text)) {
      for (const id of anchorsAt[match.pattern]!) (anchored ??= new Set()).add(id);
      for (const use of uses[match.pattern]!) {
        if (!ruleSet.rules[use.rule]!.subjects.includes(subject.kind)) continue;
        if (use.isException) {
          if (use.unbroken && hasGapInside(normalized, match.start, match.end)) continue;
          if (use.leading && !opensSentence(subject.text, normalized.originStart[match.start]!)) continue;
          const list = excused.get(use.rule) ?? [];
          list.push(match);
          excused.set(use.rule, list);
          continue;
        }
        if (!separatorsAreUniform(normalized, match.start, match.end, use)) continue;
        if (isSplitStandIn(normalized, match.start, match.end, use)) continue;
        if (!latinBoundariesHold(normalized, match.start, match.end)) continue;
        if (use.standalone && !standsAlone(normalized, match.start, match.end)) continue;
        candidates.push({ rule: use.rule, start: match.start, end: match.end, term: use.term, wholeWord: use.wholeWord });
      }
    }
    return {
      candidates: candidates.filter((hit) => !(excused.get(hit.rule) ?? []).some((ex) => ex.start <= hit.start && hit.end <= ex.end)),
      anchored,
    };
  }

  const modelVersion = classifier?.version ?? null;
  return {
    rulesVersion: ruleSet.version,
    modelVersion,
    patternCount: patterns.length,
    canonical: normalizeText,
    normalized: (text) => normalize(text, options),
    classifierText(text) {
      const normalized = normalize(text, options);
      return maskUnread(normalized, ruleSpans({ kind: "comment", text }, normalized), ruleSet.rules).text;
    },
    moderate(subject, normalized = normalize(subject.text, options)) {
      return verdictOf(subject, ruleHits(subject, normalized));
    },
    ruleHits,
    verdictOf,
  };

  function ruleHits(subject: Subject, normalized: NormalizedText): RuleHits {
    const spansByRule = ruleSpans(subject, normalized);
    const reasons: Reason[] = [...spansByRule]
      .sort((a, b) => a[0] - b[0])
      .map(([ruleIndex, spans]) => toReason(ruleSet.rules[ruleIndex]!, spans));
    const read = classifier && policy && policy.subjects.includes(subject.kind);
    return { reasons, classifierInput: read ? maskUnread(normalized, spansByRule, ruleSet.rules) : null };
  }

  function verdictOf(subject: Subject, hits: RuleHits): Verdict {
    const reasons = [...hits.reasons];
    let score: number | null = null;
    let topNgrams: Verdict["topNgrams"] = [];
    const input = hits.classifierInput;
    if (classifier && policy && input !== null && policy.subjects.includes(subject.kind)) {
      const classification = classifier.classify(input.text);
      const categoryOf = (text: string) => classifier.categoryOf(text, FORUM_RULE_CATEGORIES[policy.forumRule]);
      score = Number(classification.probability.toFixed(4));
      topNgrams = classification.topNgrams;
      if (score >= policy.reviewThreshold) {
        reasons.push(classifierReason(policy, policy.reason, categoryOf(input.text), []));
      } else if (policy.passage) {
        // A long comment whose abuse is one clause: the rest of it outweighs that clause in the whole
        // text's score, so its most abusive passage is scored alone, against a threshold of its own.
        const passage = mostAbusivePassage(classifier, input, policy.passage.length);
        if (passage && passage.probability >= policy.passage.threshold) {
          topNgrams = passage.topNgrams;
          const span: Span = { start: passage.start, end: passage.end, text: subject.text.slice(passage.start, passage.end), passage: true };
          reasons.push(classifierReason(policy, policy.passage.reason, categoryOf(passage.text), [span]));
        }
      }
    }
    return { action: verdictAction(reasons), reasons, score, topNgrams, rulesVersion: ruleSet.version, modelVersion };
  }

  /** Every rule's hits in the subject, as spans of the original text, each marked when it is a mention. */
  function ruleSpans(subject: Subject, normalized: NormalizedText): Map<number, Span[]> {
    const spansByRule = new Map<number, Span[]>();
    const addSpan = (rule: number, span: Span) => {
      const list = spansByRule.get(rule) ?? [];
      if (!list.some((s) => s.start === span.start && s.end === span.end)) list.push(span);
      spansByRule.set(rule, list);
    };

    let boundaries: Set<number> | undefined;
    const mentionAt = mentions?.readerFor(subject.text);
    const { candidates, anchored } = termCandidates(subject, normalized);
    for (const hit of candidates) {
      const [start, end] = toOriginal(normalized, hit.start, hit.end);
      if (hit.wholeWord) {
        boundaries ??= wordBoundaries(subject.text);
        if (!boundaries.has(start) || !boundaries.has(end)) continue;
      }
      const words = mentionable(ruleSet.rules[hit.rule]!, warnedRules);
      const mention = words ? mentionAt?.(start, end, words) : undefined;
      addSpan(hit.rule, { start, end, text: subject.text.slice(start, end), term: hit.term, ...(mention ? { mention } : {}) });
    }

    const readers = viewRules.get(subject.kind)!;
    if (readers.length > 0) {
      const view = foldForDetectors(subject.text);
      for (const reader of readers) {
        const ranges = reader.detector ? DETECTORS[reader.detector](view.text) : [];
        for (const id of reader.regexes) {
          const { regex, anchored: needsAnchor } = regexes[id]!;
          if (needsAnchor && !anchored?.has(id)) continue;
          for (const match of view.text.matchAll(regex)) {
            if (match[0].length > 0) ranges.push([match.index, match.index + match[0].length]);
          }
        }
        // Only words of abuse: a link, a LINE id or a number in quotation marks is still one to follow.
        const words = mentionable(ruleSet.rules[reader.rule]!, warnedRules) === "abuse" ? "abuse" : null;
        for (const [s, e] of ranges) {
          const [start, end] = view.toOriginal(s, e);
          const mention = words ? mentionAt?.(start, end, words) : undefined;
          addSpan(reader.rule, { start, end, text: subject.text.slice(start, end), ...(mention ? { mention } : {}) });
        }
      }
    }
    return spansByRule;
  }
}

// The words of abuse (forum rule R2's categories) can be quoted or asked about; the hook phrases of the
// rules mentions.yaml names in warnedRules only when quoted to warn about them (mentions.ts); personal
// data, requests for contact and impersonation do harm wherever they stand. A flag changes no outcome,
// so its hits are not read for mentions.
const ABUSE: ReadonlySet<Category> = new Set(FORUM_RULE_CATEGORIES.R2);
function mentionable(rule: Rule, warnedRules: readonly string[]): MentionedWords | null {
  if (rule.action === "flag") return null;
  if (ABUSE.has(rule.category)) return "abuse";
  return warnedRules.includes(rule.id) ? "offer" : null;
}

/**
 * The canonical text without what the classifier should not read: reported mentions, and the spans of
 * rules that say `classifierReads: false` (web addresses).
 */
function maskUnread(normalized: NormalizedText, spansByRule: Map<number, Span[]>, rules: Rule[]): ClassifierInput {
  const masked: Span[] = [];
  for (const [rule, spans] of spansByRule) {
    const unread = !rules[rule]!.classifierReads;
    for (const span of spans) if (unread || span.mention === "reported") masked.push(span);
  }
  if (masked.length === 0) return { text: normalized.text, originStart: normalized.originStart, originEnd: normalized.originEnd };
  let text = "";
  const originStart: number[] = [];
  const originEnd: number[] = [];
  for (let i = 0; i < normalized.text.length; i++) {
    const origin = normalized.originStart[i]!;
    if (masked.some((span) => span.start <= origin && origin < span.end)) continue;
    text += normalized.text[i];
    originStart.push(origin);
    originEnd.push(normalized.originEnd[i]!);
  }
  return { text, originStart, originEnd };
}

/**
 * The passage of `length` units of what the classifier reads (windows overlapping by half) that it scores
 * highest, with its place in the original text; null for a text shorter than one and a half passages,
 * whose whole score already reads every part of it.
 */
export function mostAbusivePassage(classifier: Classifier, input: ClassifierInput, length: number) {
  const { text } = input;
  if (text.length <= length * 1.5) return null;
  const step = Math.max(1, Math.floor(length / 2));
  let best: { start: number; end: number; text: string; probability: number; topNgrams: NgramSignal[] } | null = null;
  for (let from = 0; from < text.length; from += step) {
    // Never half a surrogate pair at either edge (an astral character such as 𪜶 is two units).
    const start = isLowSurrogate(text.charCodeAt(from)) ? from + 1 : from;
    let end = Math.min(text.length, from + length);
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++;
    const passage = text.slice(start, end);
    const { probability, topNgrams } = classifier.classify(passage);
    if (!best || probability > best.probability) {
      best = { start: input.originStart[start]!, end: input.originEnd[end - 1]!, text: passage, probability, topNgrams };
    }
    if (end === text.length) break;
  }
  return best;
}

const ACTION_RANK: Record<RuleAction, number> = { flag: 0, review: 1, reject: 2 };

// Threats of violence (forum rule R1) and death wishes (不得好死, 全家死光: rules that reject) stay held for a
// moderator even when reported: whoever is quoted, a person is threatened on the page, and a reporting
// cue is easy to add to one's own curse (大家一起罵「記者全家不得好死」). A reported 去死 (R2, held when
// used) is words about words like other reported abuse (rules/labelling-guide.md).
const heldWhenReported = (rule: Rule) => rule.category === "threat" && (rule.forumRule === "R1" || rule.action === "reject");

/** What a span allows the rule to do: a reported mention only flags, a quoted one holds at most. */
function actionFor(rule: Rule, span: Span): RuleAction {
  if (span.mention === "reported" && !heldWhenReported(rule)) return "flag";
  if (span.mention && rule.action === "reject") return "review";
  return rule.action;
}

function toReason(rule: Rule, spans: Span[]): Reason {
  const action = spans.map((span) => actionFor(rule, span)).reduce((a, b) => (ACTION_RANK[b] > ACTION_RANK[a] ? b : a));
  return {
    ruleId: rule.id,
    forumRule: rule.forumRule,
    severity: rule.severity,
    category: rule.category,
    action,
    message: rule.reason,
    spans: spans.sort((a, b) => a.start - b.start || a.end - b.end),
  };
}

/** The classifier's reason: for the whole comment without a span, for its most abusive passage with it. */
function classifierReason(policy: ClassifierPolicy, message: string, category: Category, spans: Span[]): Reason {
  return {
    ruleId: policy.ruleId,
    forumRule: policy.forumRule,
    severity: policy.severity,
    category,
    action: "review",
    message,
    spans,
  };
}

