import type { Mentions } from "./rules.ts";
import type { Span } from "./verdict.ts";

/**
 * Mention is not use (rules/engine/mentions.yaml): a term inside quotation marks in a sentence that reports
 * it (法官認定他罵對方「王八蛋」), or asked about (「北七」是什麼意思), is the commenter talking about the word.
 * Works on the original text (the canonical form has no punctuation); cues are compared in canonical form.
 */
export interface MentionReader {
  /**
   * A reader for one text: how the words at [start, end) of it are used (a mention kind, or undefined).
   * `abuse`: words of abuse (forum rule R2); `offer`: a scam or an illegal offer, a mention only when
   * quoted in a sentence that warns about it or asked about.
   */
  readerFor(original: string): (start: number, end: number, words: MentionedWords) => Span["mention"];
}

export type MentionedWords = "abuse" | "offer";

const SENTENCE_END = /[。！？!?；;\n]/u;
const SEPARATOR = /[\s\p{P}\p{S}]/u;

export function createMentionReader(mentions: Mentions, canonical: (text: string) => string): MentionReader {
  const pairs = mentions.quotePairs.map((pair) => [...pair] as [string, string]);
  const cuesOf = (list: string[]) => list.map(canonical).filter((cue) => cue.length > 0);
  const reporting = cuesOf(mentions.reportingCues);
  const questions = cuesOf(mentions.questionCues);
  const address = cuesOf(mentions.addressCues);
  const warnings = cuesOf(mentions.warningCues);
  const denials = cuesOf(mentions.warningDenials);
  const naming = cuesOf(mentions.namingCues);
  /** Whether `text` (canonical) holds a warning cue that no denial stands right before. */
  const warns = (text: string) =>
    warnings.some((cue) => {
      for (let at = text.indexOf(cue); at !== -1; at = text.indexOf(cue, at + 1)) {
        if (!denials.some((denial) => text.slice(Math.max(0, at - denial.length), at) === denial)) return true;
      }
      return false;
    });
  const questionStarts = new Set(questions.map((cue) => cue[0]!));
  /** Whether `text` begins (after closing marks and spaces, for a quotation) with a question about a word. */
  const asksAbout = (text: string) => {
    // Most hits are followed by anything but a question: look at one character first.
    const first = /[^\s\p{P}\p{S}]/u.exec(text.slice(0, 8));
    if (!first || !questionStarts.has(canonical(first[0]))) return false;
    const head = canonical(text.slice(0, 24));
    return questions.some((cue) => head.startsWith(cue));
  };

  return {
    readerFor(original) {
      // Each quotation's verdict, computed once however many hits it holds (a comment of 500 quoted words
      // would otherwise normalize its sentence 500 times).
      const byQuotation = new Map<string, Span["mention"]>();
      return (start, end, words) => {
        const lineStart = original.lastIndexOf("\n", start - 1) + 1;
        const lineEndAt = original.indexOf("\n", end);
        const lineEnd = lineEndAt === -1 ? original.length : lineEndAt;
        const quote = enclosingQuote(original, start, end, lineStart, lineEnd, pairs);
        if (!quote) {
          const next = original[end];
          if (next === undefined || SEPARATOR.test(next)) return undefined;
          // Never a mention when the rest of its clause addresses someone (台巴子這個詞最適合你們).
          const clauseAfter = canonical(original.slice(end, nextClauseEnd(original, end, lineEnd)));
          if (address.some((cue) => clauseAfter.includes(cue))) return undefined;
          // 台巴子這三個字我第一次看到: words naming the word follow it directly.
          if (naming.some((cue) => clauseAfter.startsWith(cue))) return "reported";
          // 北七是什麼意思: the unquoted word opens its sentence and the question follows it directly.
          const opensSentence = lastMark(original, lineStart, start, SENTENCE_END) + 1 === start;
          return opensSentence && asksAbout(original.slice(end, lineEnd)) ? "reported" : undefined;
        }
        const key = `${quote.open}:${quote.close}:${words}`;
        if (!byQuotation.has(key)) {
          const sentenceStart = lastMark(original, lineStart, quote.open, SENTENCE_END) + 1;
          const sentenceEnd = nextMark(original, quote.close + 1, lineEnd, SENTENCE_END);
          const around = canonical(`${original.slice(sentenceStart, quote.open)}|${original.slice(quote.close + 1, sentenceEnd)}`);
          // Whom the words are for: the clause around the quotation (between commas), other quotations left out.
          const clauseStart = lastClauseEnd(original, sentenceStart, quote.open) + 1;
          const clauseEnd = nextClauseEnd(original, quote.close + 1, sentenceEnd);
          const clause = canonical(withoutQuotations(`${original.slice(clauseStart, quote.open)}|${original.slice(quote.close + 1, clauseEnd)}`, pairs));
          const asked = asksAbout(original.slice(quote.close + 1, lineEnd));
          // 打了「機掰」兩個字, 樓上問「藍白豬」怎麼來的: the words are named or asked about as words, unless the
          // clause goes on to give them to someone (「白癡」兩個字送給你).
          const after = canonical(original.slice(quote.close + 1, clauseEnd));
          const named = naming.some((cue) => after.startsWith(cue));
          const givenAfter = address.some((cue) => after.includes(cue));
          let mention: Span["mention"];
          // An offer quoted to warn about it speaks to the reader as often as not (你看到「保證獲利」就封鎖):
          // only the warning counts, and an offer quoted without one is an offer.
          if (words === "offer") mention = asked || named || warns(around) ? "reported" : undefined;
          else if ((named || asked) && !givenAfter) mention = "reported";
          else if (address.some((cue) => clause.includes(cue))) mention = undefined;
          else if (reporting.some((cue) => around.includes(cue))) mention = "reported";
          else mention = "quoted";
          byQuotation.set(key, mention);
        }
        return byQuotation.get(key);
      };
    },
  };
}

/** The quotation marks around [start, end) on its line, if any: [open] before it, [close] after it. */
function enclosingQuote(
  text: string,
  start: number,
  end: number,
  lineStart: number,
  lineEnd: number,
  pairs: [string, string][],
): { open: number; close: number } | null {
  for (const [open, close] of pairs) {
    if (open === close) {
      // Straight quotes: inside when an odd number of them stand before the term on its line.
      let count = 0;
      let last = -1;
      for (let i = text.indexOf(open, lineStart); i !== -1 && i < start; i = text.indexOf(open, i + 1)) {
        count++;
        last = i;
      }
      const after = text.indexOf(close, end);
      if (count % 2 === 1 && after !== -1 && after < lineEnd) return { open: last, close: after };
      continue;
    }
    const opened = start > 0 ? text.lastIndexOf(open, start - 1) : -1;
    if (opened < lineStart) continue;
    const closedBefore = text.indexOf(close, opened);
    if (closedBefore !== -1 && closedBefore < start) continue;
    const closed = text.indexOf(close, end);
    if (closed !== -1 && closed < lineEnd) return { open: opened, close: closed };
  }
  return null;
}

const CLAUSE_MARK = /[，,、。！？!?；;\n]/u;
const LATIN_OR_DIGIT = /[A-Za-z0-9]/;

/**
 * Whether text[i] ends a clause: a comma or a sentence's end, or a space where one stands for a comma, as
 * Taiwanese readers type (罵「廢物」 就因為牛排太熟 我只想說…), but not a space between two Latin words.
 */
function isClauseEnd(text: string, i: number): boolean {
  const char = text[i]!;
  if (CLAUSE_MARK.test(char)) return true;
  if (!/\s/u.test(char)) return false;
  return !(LATIN_OR_DIGIT.test(text[i - 1] ?? "") && LATIN_OR_DIGIT.test(text[i + 1] ?? ""));
}

/** Where the last clause end stands in text[from, before), or from - 1. */
function lastClauseEnd(text: string, from: number, before: number): number {
  for (let i = before - 1; i >= from; i--) if (isClauseEnd(text, i)) return i;
  return from - 1;
}

/** Where the first clause end stands in text[from, limit), or limit. */
function nextClauseEnd(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) if (isClauseEnd(text, i)) return i;
  return limit;
}

/** The text with every quotation (marks and words) taken out. */
function withoutQuotations(text: string, pairs: [string, string][]): string {
  let result = text;
  for (const [open, close] of pairs) {
    for (let at = result.indexOf(open); at !== -1; at = result.indexOf(open, at)) {
      const end = result.indexOf(close, at + 1);
      if (end === -1) break;
      result = result.slice(0, at) + result.slice(end + 1);
    }
  }
  return result;
}

/** Where the last mark matching `end` stands in text[from, before), or from - 1. */
function lastMark(text: string, from: number, before: number, end: RegExp): number {
  for (let i = before - 1; i >= from; i--) if (end.test(text[i]!)) return i;
  return from - 1;
}

/** Where the first mark matching `end` stands in text[from, limit), or limit. */
function nextMark(text: string, from: number, limit: number, end: RegExp): number {
  for (let i = from; i < limit; i++) if (end.test(text[i]!)) return i;
  return limit;
}
