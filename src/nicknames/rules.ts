import { z } from "zod";
import { parseYamlFile } from "../yaml-file.ts";

const schema = z.strictObject({
  minChars: z.number().int().min(1),
  maxChars: z.number().int().min(1),
  nearMatchDistance: z.number().int().min(0),
  minCharsForNearMatch: z.number().int().min(1),
  lookalikes: z.strictObject({
    source: z.string().trim().min(1),
    groups: z.array(z.array(z.string().refine((c) => [...c].length === 1, "one character")).min(2)),
  }),
});

/** rules/nicknames.yaml: limits and what makes two nicknames confusable. */
export interface NicknameRules {
  minChars: number;
  maxChars: number;
  nearMatchDistance: number;
  minCharsForNearMatch: number;
  /** Each look-alike character → the first of its group. */
  lookalikes: Map<string, string>;
}

export function parseNicknameRules(fileName: string, text: string): NicknameRules {
  const parsed = parseYamlFile(fileName, text, schema);
  const lookalikes = new Map<string, string>();
  for (const group of parsed.lookalikes.groups) {
    for (const char of group) lookalikes.set(char, group[0]!);
  }
  return { ...parsed, lookalikes };
}
