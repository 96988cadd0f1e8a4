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

function buildTable(): Map<string, string> {
  const convert = OpenCC.Converter({ from: "t", to: "cn" });
  const chars: string[] = [];
  for (const [first, last] of CJK_BLOCKS) {
    for (let code = first; code <= last; code++) chars.push(String.fromCodePoint(code));
  }
  // One call over all characters, newline-separated so no two of them are read as a phrase.
  const converted = convert(chars.join("\n")).split("\n");
  if (converted.length !== chars.length) throw new Error("script table: conversion changed the line count");
  const table = new Map<string, string>();
  chars.forEach((char, i) => {
    if (converted[i] !== char) table.set(char, converted[i]!);
  });
  return table;
}

let table: Map<string, string> | undefined;

export function toCanonicalScript(char: string): string {
  table ??= buildTable();
  return table.get(char) ?? char;
}
