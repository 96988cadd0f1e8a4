import { z } from "zod";
import { toCanonicalScript } from "../moderation/script.ts";
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
  /**
   * Each look-alike character → the first of its group, in the engine's canonical script: a Han character
   * is listed both as written and as the engine writes it (貟 and 贠 → 员), so the table folds the original
   * text and the canonical form alike.
   */
  lookalikes: Map<string, string>;
}

export function parseNicknameRules(fileName: string, text: string): NicknameRules {
  const parsed = parseYamlFile(fileName, text, schema);
  const lookalikes = new Map<string, string>();
  const groupOf = new Map<string, number>();
  parsed.lookalikes.groups.forEach((group, index) => {
    const target = toCanonicalScript(group[0]!);
    for (const char of group) {
      for (const form of new Set([char, toCanonicalScript(char)])) {
        const other = groupOf.get(form);
        if (other !== undefined && other !== index) {
          throw new Error(`${fileName}: lookalikes: ${char} is in two groups (${index + 1} and ${other + 1}); merge them`);
        }
        groupOf.set(form, index);
        lookalikes.set(form, target);
      }
    }
  });
  return { ...parsed, lookalikes };
}
