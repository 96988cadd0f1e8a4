import { parse } from "yaml";
import { z } from "zod";

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
  const parsed = schema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${fileName}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  }
  const lookalikes = new Map<string, string>();
  for (const group of parsed.data.lookalikes.groups) {
    for (const char of group) lookalikes.set(char, group[0]!);
  }
  return { ...parsed.data, lookalikes };
}
