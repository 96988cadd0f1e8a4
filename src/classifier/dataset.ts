import { readFileSync } from "node:fs";
import { CATEGORIES, type Category } from "../categories.ts";

export interface LabelledText {
  text: string;
  /** 1 = abusive: COLD's offensive class, or a Taiwanese line labelled review or reject. */
  label: 0 | 1;
  /** The kind of abuse (rules/labelling-guide.md) when the file says; COLD's offensive lines are group attacks. */
  category?: Category;
}

const ENTITIES: Record<string, string> = { "&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&nbsp;": " " };

/** Undoes the data's known faults: HTML entities, and the U+FFFD left where a row was cut at the source. */
export function cleanText(text: string): string {
  return text.replace(/&(?:gt|lt|amp|quot|nbsp|#39);/g, (entity) => ENTITIES[entity]!).replace(/\ufffd+$/u, "");
}

/**
 * Reads labelled lines: COLD's {"text", "label": 0|1, "category": race|region|gender} or this project's
 * Taiwanese lines {"text", "label": "allow"|"review"|"reject", "category"} (data/taiwan/).
 */
export function readLabelled(path: string | URL): LabelledText[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      const row = JSON.parse(line) as { text?: unknown; label?: unknown; category?: unknown };
      if (typeof row.text !== "string") throw new Error(`${String(path)}:${i + 1}: expected {"text": string, "label": …}`);
      const text = cleanText(row.text);
      if (row.label === 0 || row.label === 1) return { text, label: row.label, ...(row.label === 1 ? { category: "hate" as const } : {}) };
      if (row.label === "allow") return { text, label: 0 };
      if ((row.label === "review" || row.label === "reject") && CATEGORIES.includes(row.category as Category)) {
        return { text, label: 1, category: row.category as Category };
      }
      throw new Error(`${String(path)}:${i + 1}: expected "label" 0|1, or allow|review|reject with a category`);
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
