import { toCanonicalScript } from "./script.ts";

/**
 * The canonical form the term rules match against, with a map back to the original text so every
 * match is reported at its place in what the member wrote.
 *
 * Per character: invisible characters are dropped; combining marks and Zhuyin tone marks join the
 * character before them; NFKC (full-width ｆｕｃｋ → fuck) and lower case; accents and Tâi-lô tone marks
 * dropped from Latin letters (kàn → kan); Traditional → Simplified;
 * separators (spaces, line breaks and tabs, punctuation, symbols: 幹 你 娘, 幹.你.娘, 幹！你！娘) are dropped but remembered
 * as a gap before the next character; a letter repeated in a row counts once (fuuuuck → fuck). A leet
 * character (sh1t, f*ck) is kept as a letter when it follows a letter with no gap.
 */
export interface NormalizedText {
  text: string;
  /** For each UTF-16 unit of `text`: where the original character(s) it stands for start and end. */
  originStart: number[];
  originEnd: number[];
  /** For each unit of `text`: whether a separator stood between it and the unit before. */
  gapBefore: boolean[];
}

export interface NormalizeOptions {
  /** Symbols that stand for letters inside a Latin word (sh!t, f*ck, $hit), from rules/engine. */
  leetCharacters: string;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
const FORMAT = /^\p{Cf}$/u;
const ATTACHING = /[\p{M}\u02ca\u02c7\u02cb\u02d9]/u;
const SEPARATOR = /[\p{Z}\p{P}\p{S}\s]/u;

function isCjkIdeograph(code: number): boolean {
  return code >= 0x4e00 && code <= 0x9fff;
}

function isLatinLetter(char: string): boolean {
  return char >= "a" && char <= "z";
}

export const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** The code point that ends at `at` in `text` (two UTF-16 units for an emoji or 𪜶, one otherwise). */
export function codePointBefore(text: string, at: number): string {
  return at > 1 && isLowSurrogate(text.charCodeAt(at - 1)) ? text.slice(at - 2, at) : text.slice(at - 1, at);
}

/** The code point that starts at `at` in `text`. */
export function codePointAt(text: string, at: number): string {
  return String.fromCodePoint(text.codePointAt(at)!);
}

export function isAlphanumeric(char: string | undefined): boolean {
  return char !== undefined && ((char >= "a" && char <= "z") || (char >= "0" && char <= "9"));
}

const MARKS = /\p{M}/gu;

/** Latin letters with diacritics: Latin-1 Supplement, Extended-A and B, Extended Additional. */
function isAccentedLatin(code: number): boolean {
  return (code >= 0xc0 && code <= 0x24f) || (code >= 0x1e00 && code <= 0x1eff);
}

function fold(char: string, code: number): string {
  if (code < 0x80) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : char;
  if (isCjkIdeograph(code)) return char;
  // Tâi-lô tone marks and accents are dropped (kàn lín niâ reads kan lin nia, admín reads admin).
  if (isAccentedLatin(code)) return char.normalize("NFKD").replace(MARKS, "").toLowerCase();
  return char.normalize("NFKC").toLowerCase();
}

export function normalize(original: string, options: NormalizeOptions): NormalizedText {
  let text = "";
  const originStart: number[] = [];
  const originEnd: number[] = [];
  const gapBefore: boolean[] = [];
  let pendingGap = false;
  let previous = "";
  let index = 0;
  const emit = (canonical: string, start: number) => {
    for (let i = 0; i < canonical.length; i++) {
      originStart.push(start);
      originEnd.push(index);
      gapBefore.push(pendingGap && i === 0);
    }
    text += canonical;
    previous = canonical;
    pendingGap = false;
  };
  for (const char of original) {
    const start = index;
    index += char.length;
    const code = char.codePointAt(0)!;
    // Most characters are Han ideographs: no folding, never separators, only the script table applies.
    if (isCjkIdeograph(code)) {
      emit(toCanonicalScript(char), start);
      continue;
    }
    // Other controls are dropped; line breaks and tabs (0x09-0x0d) go on to read as separators like a space
    // (又塞車了\n幹 is 幹 said alone).
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0x7f) continue;
    if (code >= 0x80) {
      if (INVISIBLE.test(char)) continue;
      if (ATTACHING.test(char)) {
        if (text.length > 0) originEnd[text.length - 1] = index;
        continue;
      }
    }
    for (const folded of fold(char, code)) {
      const canonical = toCanonicalScript(folded);
      const isLeet = options.leetCharacters.includes(canonical);
      const leetInWord = isLeet && !pendingGap && isLatinLetter(previous);
      if (!leetInWord && !isCjkIdeograph(canonical.codePointAt(0)!) && SEPARATOR.test(canonical)) {
        if (text.length > 0) pendingGap = true;
        continue;
      }
      if (canonical === previous && !pendingGap && (isLatinLetter(canonical) || isLeet)) {
        originEnd[text.length - 1] = index;
        continue;
      }
      emit(canonical, start);
    }
  }
  return { text, originStart, originEnd, gapBefore };
}

/**
 * A variant spelling as the normalizer would write it inside a word: folded and converted, with its
 * symbols kept (the * of f*ck is a letter there, though alone it would read as a separator).
 */
export function canonicalSpelling(variant: string): string {
  let text = "";
  for (const char of variant) {
    const code = char.codePointAt(0)!;
    if (INVISIBLE.test(char) || ATTACHING.test(char)) continue;
    for (const folded of fold(char, code)) text += toCanonicalScript(folded);
  }
  return text;
}

/** Maps [start, end) in the canonical text back to [start, end) in the original. */
export function toOriginal(normalized: NormalizedText, start: number, end: number): [number, number] {
  return [normalized.originStart[start]!, normalized.originEnd[end - 1]!];
}

/**
 * The view the detectors read (phone numbers, ID and card numbers, e-mail): NFKC only, so full-width
 * digits count, with separators kept because the formats use them. Invisible format characters (zero-width
 * spaces and joiners, soft hyphens: \p{Cf}) are left out, as the canonical text leaves them out: written
 * inside a number (0912\u200b345\u200b678, 426\u200b) they hid it from the detectors and the patterns.
 */
export interface FoldedText {
  text: string;
  toOriginal(start: number, end: number): [number, number];
}

/** ASCII and Han ideographs, which NFKC leaves as they are: most of a comment, so they skip the call. */
function isNfkcStable(code: number): boolean {
  return code < 0x80 || isCjkIdeograph(code);
}

export function foldForDetectors(original: string): FoldedText {
  // Most comments change under NFKC only in a few characters (full-width punctuation ，！？): look for one
  // first, and when there is none the view is the original and offsets map to themselves.
  let changes = false;
  for (let i = 0; i < original.length && !changes; i++) {
    const code = original.charCodeAt(i);
    if (!isNfkcStable(code)) {
      const char = codePointAt(original, i);
      if (FORMAT.test(char) || char.normalize("NFKC") !== char) changes = true;
      i += char.length - 1;
    }
  }
  if (!changes) return { text: original, toOriginal: (start, end) => [start, end] };
  let text = "";
  const originStart: number[] = [];
  const originEnd: number[] = [];
  let index = 0;
  for (const char of original) {
    const start = index;
    index += char.length;
    const code = char.codePointAt(0)!;
    if (!isNfkcStable(code) && FORMAT.test(char)) continue;
    const folded = isNfkcStable(code) ? char : char.normalize("NFKC");
    for (let i = 0; i < folded.length; i++) {
      originStart.push(start);
      originEnd.push(index);
    }
    text += folded;
  }
  return { text, toOriginal: (start, end) => [originStart[start]!, originEnd[end - 1]!] };
}
