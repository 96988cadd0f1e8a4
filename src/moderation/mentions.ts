import { codePointAt, codePointBefore } from "./normalize.ts";
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
// How far before and after a quotation its sentence is read, in UTF-16 units: a comment of hundreds of
// quotations in one unpunctuated run would otherwise normalize its whole length once per quotation
// (400 ms of engine time for 2,000 characters). A longer sentence is not read as a mention.
const REACH = 400;
const SEPARATOR = /[\s\p{P}\p{S}]/u;
// What counts toward NEAR: a letter or a digit (an astral Han character such as 𪜶 too), not the Hangul
// fillers that look like spaces; spaces, punctuation, emoji and their modifiers are padding.
const COUNTED = /^(?![\u115F\u1160\u3164\uFFA0])[\p{L}\p{N}]$/u;
// How close to a quotation, in letters and digits of its clause (padding of spaces, emoji or fillers does not
// count), an address makes the commenter the one saying the words (我跟你說「…」, 你們這些人根本就是
// 「…」, 「…」說的就是妳, 新聞說「…」 送給樓上): never a mention. Further off, an address holds the quotation
// ("quoted"), never refused and never passed as reported.
const NEAR = 10;

/** Where the NEAR counted characters (letters and digits, by code point) before `at` begin. */
function nearStart(text: string, at: number): number {
  let counted = 0;
  let i = at;
  while (i > 0 && counted < NEAR) {
    const char = codePointBefore(text, i);
    i -= char.length;
    if (COUNTED.test(char)) counted++;
  }
  return i;
}

/** Where the NEAR counted characters (letters and digits, by code point) from `from` on end. */
function nearEnd(text: string, from: number): number {
  let counted = 0;
  let i = from;
  while (i < text.length && counted < NEAR) {
    const char = codePointAt(text, i);
    if (COUNTED.test(char)) counted++;
    i += char.length;
  }
  return i;
}

export function createMentionReader(mentions: Mentions, canonical: (text: string) => string): MentionReader {
  const pairs = mentions.quotePairs.map((pair) => [...pair] as [string, string]);
  const cuesOf = (list: string[]) => list.map(canonical).filter((cue) => cue.length > 0);
  const reporting = cuesOf(mentions.reportingCues);
  const questions = cuesOf(mentions.questionCues);
  const address = cuesOf(mentions.addressCues);
  const commenters = cuesOf(mentions.commenterCues);
  const warnings = cuesOf(mentions.warningCues);
  const denials = cuesOf(mentions.warningDenials);
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
      // Whether the comment addresses someone outside its quotations, or names a commenter of the thread
      // anywhere, quotations included (a report does not name the people of this thread): read once.
      let addresses: boolean | undefined;
      const speaksToSomeone = () => {
        if (addresses === undefined) {
          const unquoted = canonical(withoutQuotations(original, pairs));
          if (address.some((cue) => unquoted.includes(cue))) addresses = true;
          else {
            // The whole comment is normalized only when needed, and once for every commenter cue.
            const whole = canonical(original);
            addresses = commenters.some((cue) => whole.includes(cue));
          }
        }
        return addresses;
      };
      // The comment's quotations (innermost pairs), each with whether its own words (quotations inside it
      // cut) address someone: a report beside or inside a quotation that does (新聞說「幹你娘」「送給你」,
      // 新聞標題『就是在說你「王八蛋」』) may be meant for that someone. Read once.
      let spans: { open: number; close: number; addresses: boolean }[] | undefined;
      /** Whether a quotation other than [open, close] and those inside it addresses someone. */
      const anotherQuotationAddresses = (open: number, close: number) => {
        spans ??= quotationSpans(original, pairs).map((span) => {
          const words = canonical(withoutQuotations(original.slice(span.open + 1, span.close), pairs));
          return { ...span, addresses: address.some((cue) => words.includes(cue)) };
        });
        return spans.some((span) => span.addresses && !(span.open >= open && span.close <= close));
      };
      return (start, end, words) => {
        const lineStart = original.lastIndexOf("\n", start - 1) + 1;
        const lineEndAt = original.indexOf("\n", end);
        const lineEnd = lineEndAt === -1 ? original.length : lineEndAt;
        const quote = enclosingQuote(original, start, end, lineStart, lineEnd, pairs);
        if (!quote) {
          // 北七是什麼意思: the unquoted word opens its sentence, the question follows it directly, and nothing
          // else on its line addresses someone (not 台巴子這個詞最適合你們, not 樓上！幹你娘這個詞).
          const next = original[end];
          if (next === undefined || SEPARATOR.test(next)) return undefined;
          if (lastMark(original, lineStart, start, SENTENCE_END) + 1 !== start || !asksAbout(original.slice(end, lineEnd))) return undefined;
          if (end - lineStart > REACH || lineEnd - end > REACH) return undefined;
          const line = canonical(`${original.slice(lineStart, start)}|${original.slice(end, lineEnd)}`);
          return address.some((cue) => line.includes(cue)) ? undefined : "reported";
        }
        const key = `${quote.open}:${quote.close}:${words}`;
        if (!byQuotation.has(key)) {
          // A sentence is read up to REACH characters on either side of its quotation; one that runs on
          // further is not read as a mention at all (padding could push whom the words are for out of reach).
          const sentenceStart = lastMark(original, Math.max(lineStart, quote.open - REACH), quote.open, SENTENCE_END) + 1;
          const sentenceEnd = nextMark(original, quote.close + 1, Math.min(lineEnd, quote.close + 1 + REACH), SENTENCE_END);
          const cut =
            (sentenceStart === quote.open - REACH && sentenceStart > lineStart) || (sentenceEnd === quote.close + 1 + REACH && sentenceEnd < lineEnd);
          const outside = `${original.slice(sentenceStart, quote.open)}|${original.slice(quote.close + 1, sentenceEnd)}`;
          const around = canonical(outside);
          // Whom the words are for: the clause around the quotation (between commas), other quotations left
          // out, as far as NEAR characters on either side. An address further off in the clause holds the
          // quotation like one elsewhere in the comment (below): spaces often stand for all punctuation, so
          // a clause can run a whole comment (被告罵法官「你不得好死」 被移送 … 你說值得嗎).
          const clauseStart = Math.max(lastMark(original, sentenceStart, quote.open, CLAUSE_END) + 1, nearStart(original, quote.open));
          const clauseEnd = Math.min(nextMark(original, quote.close + 1, sentenceEnd, CLAUSE_END), nearEnd(original, quote.close + 1));
          const clause = canonical(withoutQuotations(`${original.slice(clauseStart, quote.open)}|${original.slice(quote.close + 1, clauseEnd)}`, pairs));
          const asked = asksAbout(original.slice(quote.close + 1, lineEnd));
          let mention: Span["mention"];
          if (cut) mention = undefined;
          // An offer quoted to warn about it speaks to the reader as often as not (你看到「保證獲利」就封鎖):
          // only the warning counts, and an offer quoted without one is an offer.
          else if (words === "offer") mention = asked || warns(around) ? "reported" : undefined;
          else if (address.some((cue) => clause.includes(cue))) mention = undefined;
          // Someone addressed anywhere else in the comment may be whom the words are for (樓上，新聞說「…」;
          // 樓上。新聞說「…」; 新聞說「…」「樓上」; 新聞「樓上…」) or a reader asked about a report (議員嗆市長
          // 「…」，你能接受嗎): held for a moderator, never refused, and never passed as reported.
          else if (speaksToSomeone() || anotherQuotationAddresses(quote.open, quote.close)) mention = "quoted";
          else if (asked || reporting.some((cue) => around.includes(cue))) mention = "reported";
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

const CLAUSE_END = /[，,、。！？!?；;\n]/u;

/** Every quotation's marks, each closing mark paired with the nearest opening mark before it. */
function quotationSpans(text: string, pairs: [string, string][]): { open: number; close: number }[] {
  const spans: { open: number; close: number }[] = [];
  for (const [open, close] of pairs) {
    if (!text.includes(open)) continue;
    const opened: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (open === close ? char === open && opened.length === 0 : char === open) opened.push(i);
      else if (char === close && opened.length > 0) spans.push({ open: opened.pop()!, close: i });
    }
  }
  return spans;
}

/**
 * The text with every quotation (marks and words) taken out. Each closing mark closes the nearest opening
 * mark before it, so a stray opening mark stays in the text with what follows it: 「你們… 新聞說的「幹你娘」
 * loses only 「幹你娘」, not the 你 (pairing the first 「 with the last 」 hid the address).
 */
function withoutQuotations(text: string, pairs: [string, string][]): string {
  // One pass per kind of mark (a comment of hundreds of quotations is read once per quotation: cutting
  // them one slice at a time made that cubic).
  for (const pair of pairs) {
    const spans = quotationSpans(text, [pair]);
    if (spans.length === 0) continue;
    const cut = new Uint8Array(text.length);
    for (const span of spans) cut.fill(1, span.open, span.close + 1);
    let result = "";
    for (let i = 0; i < text.length; i++) if (!cut[i]) result += text[i];
    text = result;
  }
  return text;
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
