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
// How far before and after a quotation (or after an unquoted term) its sentence is read, in UTF-16 units:
// cues stand near the words they are about, and a comment of hundreds of quotations in one unpunctuated
// run would otherwise normalize its whole length once per quotation (260 ms for 2,000 characters).
const REACH = 160;
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
  const namingStarts = new Set(naming.map((cue) => cue[0]!));
  /** Whether `text` begins with words that name what stands before it as a word (兩個字, 這個詞, 這梗). */
  const namesWord = (text: string) => {
    if (text.length === 0 || !namingStarts.has(canonical(String.fromCodePoint(text.codePointAt(0)!)))) return false;
    const head = canonical(text.slice(0, 12));
    return naming.some((cue) => head.startsWith(cue));
  };
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
          // 北七是什麼意思, 台巴子這三個字我第一次看到: the unquoted word opens its sentence, and a question about it
          // or words naming it as a word follow it directly; never when the rest of its sentence addresses
          // someone (台巴子這個詞最適合你們, 幹你娘這句話 送給你). A scam's hook is never named away: ads say
          // 穩賺不賠這四個字是我們的承諾.
          const next = original[end];
          if (next === undefined || SEPARATOR.test(next)) return undefined;
          if (lastMark(original, lineStart, start, endsSentence) + 1 !== start) return undefined;
          const named = words === "abuse" && namesWord(original.slice(end, lineEnd));
          if (!named && !asksAbout(original.slice(end, lineEnd))) return undefined;
          const rest = canonical(original.slice(end, nextMark(original, end, Math.min(lineEnd, end + REACH), endsSentence)));
          return address.some((cue) => rest.includes(cue)) ? undefined : "reported";
        }
        const key = `${quote.open}:${quote.close}:${words}`;
        if (!byQuotation.has(key)) {
          const sentenceStart = lastMark(original, Math.max(lineStart, quote.open - REACH), quote.open, endsSentence) + 1;
          const sentenceEnd = nextMark(original, quote.close + 1, Math.min(lineEnd, quote.close + 1 + REACH), endsSentence);
          const around = canonical(`${original.slice(sentenceStart, quote.open)}|${original.slice(quote.close + 1, sentenceEnd)}`);
          // Whom the words are for: the clause around the quotation, other quotations left out. It begins
          // after a comma. It ends at a comma, or at a space when a reporting cue before the quotation
          // introduces it as someone's words (罵「你這個廢物」 就因為牛排太熟 我只想說…), as readers type
          // spaces for commas; without one, a space would cut off whom the words go to (「幹你娘」 一句 送給樓上).
          const clauseStart = lastMark(original, sentenceStart, quote.open, endsClause) + 1;
          const before = canonical(withoutQuotations(original.slice(clauseStart, quote.open), pairs));
          const introduced = reporting.some((cue) => before.includes(cue));
          const clauseEnd = nextMark(original, quote.close + 1, sentenceEnd, introduced ? endsClauseOrSpace : endsClause);
          const clause = `${before}|${canonical(withoutQuotations(original.slice(quote.close + 1, clauseEnd), pairs))}`;
          const addressed = address.some((cue) => clause.includes(cue));
          const after = original.slice(quote.close + 1, lineEnd);
          let mention: Span["mention"];
          // An offer quoted to warn about it speaks to the reader as often as not (你看到「保證獲利」就封鎖):
          // only the warning counts, and an offer quoted without one is an offer.
          if (words === "offer") mention = asksAbout(after) || warns(around) ? "reported" : undefined;
          else if (addressed) mention = undefined;
          // 打了「機掰」兩個字, 「北七」是什麼意思: the words named or asked about as words, unless the sentence
          // goes on to give them to someone (「白癡」兩個字 送給你).
          else if (namesWord(after) || asksAbout(after)) {
            const rest = canonical(withoutQuotations(original.slice(quote.close + 1, sentenceEnd), pairs));
            mention = address.some((cue) => rest.includes(cue)) ? undefined : "reported";
          } else if (reporting.some((cue) => around.includes(cue))) mention = "reported";
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

type Ends = (text: string, i: number) => boolean;
const endsSentence: Ends = (text, i) => SENTENCE_END.test(text[i]!);
const endsClause: Ends = (text, i) => CLAUSE_MARK.test(text[i]!);
/** A comma or a sentence's end, or a space that stands for a comma: not one between two Latin words. */
const endsClauseOrSpace: Ends = (text, i) =>
  endsClause(text, i) || (/\s/u.test(text[i]!) && !(LATIN_OR_DIGIT.test(text[i - 1] ?? "") && LATIN_OR_DIGIT.test(text[i + 1] ?? "")));

/** The text with every quotation (marks and words) taken out. */
function withoutQuotations(text: string, pairs: [string, string][]): string {
  // One pass, each quotation cut with its marks (a comment of hundreds of quotations is read once per
  // quotation: cutting them one slice at a time made that cubic).
  for (const [open, close] of pairs) {
    if (!text.includes(open)) continue;
    let result = "";
    let from = 0;
    for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, from)) {
      const end = text.indexOf(close, at + 1);
      if (end === -1) break;
      result += text.slice(from, at);
      from = end + 1;
    }
    text = result + text.slice(from);
  }
  return text;
}

/** Where the last character that `ends` stands in text[from, before), or from - 1. */
function lastMark(text: string, from: number, before: number, ends: Ends): number {
  for (let i = before - 1; i >= from; i--) if (ends(text, i)) return i;
  return from - 1;
}

/** Where the first character that `ends` stands in text[from, limit), or limit. */
function nextMark(text: string, from: number, limit: number, ends: Ends): number {
  for (let i = from; i < limit; i++) if (ends(text, i)) return i;
  return limit;
}
