// Unicode UTS #39 confusables.txt (version 13.0.0) as one object, source character → prototype, from the
// npm package unhomoglyph (MIT; the data itself is under the Unicode licence). 6,311 entries, about 28 kB
// gzipped in the Worker bundle. Only the data is used: the package's own function builds one regular
// expression of every key at load.
import confusablesData from "unhomoglyph/data.json";

/**
 * A nickname with look-alike characters replaced by what they look like, with a map back to the
 * original: for each UTF-16 unit of `text`, where the original character(s) it stands for start and end.
 */
export interface Skeleton {
  text: string;
  originStart: number[];
  originEnd: number[];
}

export interface SkeletonOptions {
  /** Drop separators (spaces, dots, underscores …) standing between two Latin letters: ad min reads admin. */
  joinLatin: boolean;
  /**
   * Leave the characters of the project's look-alike table (rules/nicknames.yaml) as they are, for the
   * nickname key, which folds them itself after the engine's normalization; otherwise fold only its Han
   * characters here (its Latin groups fold i into l, which would hide admin from the engine's terms).
   */
  keepTableCharacters: boolean;
}

const MARKS = /\p{M}/gu;
const UPPERCASE = /\p{Lu}/u;
const SEPARATOR = /^[\p{Z}\p{P}\p{S}\s]+$/u;

let prototypes: Map<string, string> | undefined;

/** The UTS #39 prototype of one character, with its combining marks dropped (ø → o̸ → o); undefined if none. */
function prototypeOf(char: string): string | undefined {
  prototypes ??= new Map(Object.entries(confusablesData as Record<string, string>));
  const prototype = prototypes.get(char);
  return prototype === undefined ? undefined : prototype.normalize("NFD").replace(MARKS, "");
}

function isHanIdeograph(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x20000 && code <= 0x3134f);
}

function isLatinLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= "a" && char <= "z") || (char >= "A" && char <= "Z"));
}

/**
 * What one character looks like. ASCII stays (the engine reads digits and leet symbols itself); a Han
 * ideograph goes through the project's table (貟 → 員), never through UTS #39, whose Han entries
 * (一 → ー, 丶 → \) are for domain names, not Chinese text; anything else loses its combining marks
 * (compatibility forms and full width folded first: ａ → a, admín → admin) and takes its UTS #39 prototype
 * (Cyrillic а → a, Greek Α → A, Н → H). A capital whose prototype is l is read as I (Cyrillic І, Greek
 * Ι), since only a capital I looks like an l.
 */
function lookOf(char: string, lookalikes: ReadonlyMap<string, string>, keepTableCharacters: boolean): string {
  const code = char.codePointAt(0)!;
  if (code < 0x80) return char;
  if (isHanIdeograph(code)) return lookalikes.get(char) ?? char;
  let out = "";
  for (const part of char.normalize("NFKD").replace(MARKS, "").normalize("NFC")) {
    const partCode = part.codePointAt(0)!;
    if (partCode < 0x80) out += part;
    else if (isHanIdeograph(partCode)) out += lookalikes.get(part) ?? part;
    else if (keepTableCharacters && lookalikes.has(part.toLowerCase())) out += part;
    else {
      const prototype = prototypeOf(part);
      if (prototype === undefined) out += part;
      else out += prototype === "l" && UPPERCASE.test(part) ? "I" : prototype;
    }
  }
  return out;
}

/**
 * The confusables skeleton of a nickname (UTS #39, for short texts only): every character replaced by
 * what it looks like (see lookOf) and, with `joinLatin`, separators between Latin letters dropped. Pure
 * and linear in the text; nicknames are at most a few dozen characters.
 */
export function confusableSkeleton(text: string, lookalikes: ReadonlyMap<string, string>, options: SkeletonOptions): Skeleton {
  const pieces: { look: string; start: number; end: number }[] = [];
  let index = 0;
  for (const char of text) {
    const start = index;
    index += char.length;
    pieces.push({ look: lookOf(char, lookalikes, options.keepTableCharacters), start, end: index });
  }
  const skeleton: Skeleton = { text: "", originStart: [], originEnd: [] };
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (options.joinLatin && piece.look.length > 0 && SEPARATOR.test(piece.look) && isLatinLetter(skeleton.text.at(-1))) {
      // A run of separators followed by a Latin letter, after a Latin letter: dropped.
      let next = i;
      while (next < pieces.length && (pieces[next]!.look.length === 0 || SEPARATOR.test(pieces[next]!.look))) next++;
      if (next < pieces.length && isLatinLetter(pieces[next]!.look[0])) {
        i = next - 1;
        continue;
      }
    }
    for (let unit = 0; unit < piece.look.length; unit++) {
      skeleton.originStart.push(piece.start);
      skeleton.originEnd.push(piece.end);
    }
    skeleton.text += piece.look;
  }
  return skeleton;
}

/** Maps [start, end) in the skeleton back to [start, end) in the original text. */
export function skeletonToOriginal(skeleton: Skeleton, start: number, end: number): [number, number] {
  return [skeleton.originStart[start]!, skeleton.originEnd[end - 1]!];
}
