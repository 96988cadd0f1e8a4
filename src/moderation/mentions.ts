import type { Mentions } from "./rules.ts";
import type { Span } from "./verdict.ts";

/**
 * Mention is not use: a term inside quotation marks in a sentence that reports it (法官認定他罵對方「王八蛋」),
 * or one followed by a question about the word (「北七」是什麼意思), is the commenter talking about the word.
 * Works on the original text (the canonical form has no punctuation); cues are compared in canonical form.
 */
export interface MentionReader {
  /** How the words at [start, end) of the original text are used: a mention kind, or undefined for use. */
  mentionAt(original: string, start: number, end: number): Span["mention"];
}

const SENTENCE_END = /[。！？!?；;\n]/u;

export function createMentionReader(mentions: Mentions, canonical: (text: string) => string): MentionReader {
  const pairs = mentions.quotePairs.map((pair) => [...pair] as [string, string]);
  const reporting = mentions.reportingCues.map(canonical).filter((cue) => cue.length > 0);
  const questions = mentions.questionCues.map(canonical).filter((cue) => cue.length > 0);
  const questionStarts = new Set(questions.map((cue) => cue[0]!));
  const startsWithQuestion = (text: string) => {
    // Most hits are followed by anything but a question about the word: look at one character first.
    const first = /[^\s\p{P}\p{S}]/u.exec(text.slice(0, 8));
    if (!first || !questionStarts.has(canonical(first[0]))) return false;
    const head = canonical(text.slice(0, 24));
    return questions.some((cue) => head.startsWith(cue));
  };

  return {
    mentionAt(original, start, end) {
      const lineStart = original.lastIndexOf("\n", start - 1) + 1;
      const lineEndAt = original.indexOf("\n", end);
      const lineEnd = lineEndAt === -1 ? original.length : lineEndAt;
      const quote = enclosingQuote(original, start, end, lineStart, lineEnd, pairs);
      if (!quote) {
        // 北七是什麼意思: the unquoted word directly asked about.
        return startsWithQuestion(original.slice(end, lineEnd)) ? "reported" : undefined;
      }
      if (startsWithQuestion(original.slice(quote.close + 1, lineEnd))) return "reported";
      const sentenceStart = lastSentenceEnd(original, lineStart, quote.open) + 1;
      const sentenceEnd = nextSentenceEnd(original, quote.close + 1, lineEnd);
      const around = canonical(original.slice(sentenceStart, quote.open) + "|" + original.slice(quote.close + 1, sentenceEnd));
      return reporting.some((cue) => around.includes(cue)) ? "reported" : "quoted";
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

function lastSentenceEnd(text: string, from: number, before: number): number {
  for (let i = before - 1; i >= from; i--) if (SENTENCE_END.test(text[i]!)) return i;
  return from - 1;
}

function nextSentenceEnd(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) if (SENTENCE_END.test(text[i]!)) return i;
  return limit;
}
