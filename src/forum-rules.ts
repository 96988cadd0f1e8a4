import { z } from "zod";
import { parseYamlFile } from "./yaml-file.ts";

const forumRulesSchema = z.strictObject({
  version: z.string().trim().min(1),
  rules: z.strictObject({
    R1: z.string().min(1),
    R2: z.string().min(1),
    R3: z.string().min(1),
    R4: z.string().min(1),
  }),
});

/** The published forum rules (rules/forum-rules.yaml): the text members accept, and its version. */
export type ForumRules = z.infer<typeof forumRulesSchema>;

export function parseForumRules(fileName: string, text: string): ForumRules {
  return parseYamlFile(fileName, text, forumRulesSchema);
}
