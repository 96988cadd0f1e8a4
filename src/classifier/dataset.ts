import { readFileSync } from "node:fs";

export interface LabelledText {
  text: string;
  label: 0 | 1;
}

const ENTITIES: Record<string, string> = { "&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&nbsp;": " " };

/** Undoes the data's known faults: HTML entities, and the U+FFFD left where a row was cut at the source. */
export function cleanText(text: string): string {
  return text.replace(/&(?:gt|lt|amp|quot|nbsp|#39);/g, (entity) => ENTITIES[entity]!).replace(/\ufffd+$/u, "");
}

export function readLabelled(path: string | URL): LabelledText[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      const row = JSON.parse(line) as { text?: unknown; label?: unknown };
      if (typeof row.text !== "string" || (row.label !== 0 && row.label !== 1)) {
        throw new Error(`${String(path)}:${i + 1}: expected {"text": string, "label": 0|1}`);
      }
      return { text: cleanText(row.text), label: row.label };
    });
}

/** Drops exact duplicates, and every copy of a text that appears with both labels. */
export function deduplicate(rows: LabelledText[]): LabelledText[] {
  const labels = new Map<string, Set<number>>();
  for (const row of rows) labels.set(row.text, (labels.get(row.text) ?? new Set()).add(row.label));
  const kept = new Set<string>();
  return rows.filter((row) => {
    if (labels.get(row.text)!.size > 1 || kept.has(row.text)) return false;
    kept.add(row.text);
    return true;
  });
}
