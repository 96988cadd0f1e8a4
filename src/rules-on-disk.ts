import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseForumRules, type ForumRules } from "./forum-rules.ts";
import type { RuleFile } from "./moderation/rules.ts";

// The Node entry points read rules/ from disk; the Worker bundles the same files (src/worker.ts).
export const RULES_DIR = fileURLToPath(new URL("../rules/", import.meta.url));

export function readEngineRuleFiles(dir = join(RULES_DIR, "engine")): RuleFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name: `rules/engine/${name}`, text: readFileSync(join(dir, name), "utf8") }));
}

export function readForumRules(path = join(RULES_DIR, "forum-rules.yaml")): ForumRules {
  return parseForumRules("rules/forum-rules.yaml", readFileSync(path, "utf8"));
}
