/**
 * The canonical form the rules match against, with a map back to the original text so every match is
 * reported at its place in what the member wrote.
 */
export interface NormalizedText {
  text: string;
  /** For each UTF-16 unit of `text`: where the original character it came from starts and ends. */
  originStart: number[];
  originEnd: number[];
}

// Characters that render as nothing and are used to split a word so a filter misses it:
// zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks and controls.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/u;

export function normalize(original: string): NormalizedText {
  let text = "";
  const originStart: number[] = [];
  const originEnd: number[] = [];
  let index = 0;
  for (const char of original) {
    const start = index;
    index += char.length;
    if (INVISIBLE.test(char)) continue;
    // Per character, so each canonical unit keeps a single origin: full-width ｆｕｃｋ → fuck.
    const canonical = char.normalize("NFKC").toLowerCase();
    for (let i = 0; i < canonical.length; i++) {
      originStart.push(start);
      originEnd.push(index);
    }
    text += canonical;
  }
  return { text, originStart, originEnd };
}

/** Maps [start, end) in the canonical text back to [start, end) in the original. */
export function toOriginal(normalized: NormalizedText, start: number, end: number): [number, number] {
  return [normalized.originStart[start]!, normalized.originEnd[end - 1]!];
}
