import * as OpenCC from "opencc-js/t2cn";

/**
 * Traditional → Simplified, one character at a time, so every canonical character still comes from
 * exactly one original character. Simplified is the canonical script because the mapping is many-to-one
 * (幹 乾 干 → 干, 髮 發 → 发): both scripts, and characters swapped to dodge a filter, meet in one form.
 */
const CJK_BLOCKS: [number, number][] = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];

const FIRST = CJK_BLOCKS[0]![0];
const LAST = CJK_BLOCKS.at(-1)![1];

/** The Simplified form of each character from FIRST to LAST that has one (undefined where it is its own), by code point. */
function buildTable(): (string | undefined)[] {
  const convert = OpenCC.Converter({ from: "t", to: "cn" });
  const chars: string[] = [];
  for (const [first, last] of CJK_BLOCKS) {
    for (let code = first; code <= last; code++) chars.push(String.fromCodePoint(code));
  }
  // One call over all characters, newline-separated so no two of them are read as a phrase.
  const converted = convert(chars.join("\n")).split("\n");
  if (converted.length !== chars.length) throw new Error("script table: conversion changed the line count");
  // An array indexed by code point, not a Map keyed by string: this lookup runs for every Han character
  // of every comment, and the array read is several times cheaper than hashing the one-character key.
  const table = new Array<string | undefined>(LAST - FIRST + 1).fill(undefined);
  chars.forEach((char, i) => {
    if (converted[i] !== char) table[char.codePointAt(0)! - FIRST] = converted[i]!;
  });
  return table;
}

let table: (string | undefined)[] | undefined;

export function toCanonicalScript(char: string): string {
  table ??= buildTable();
  const code = char.codePointAt(0)!;
  if (code < FIRST || code > LAST || char.length !== 1) return char;
  return table[code - FIRST] ?? char;
}
