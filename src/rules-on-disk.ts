import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelFile } from "./classifier/model.ts";
import { parseForumRules, type ForumRules } from "./forum-rules.ts";
import { parseNicknameRules, type NicknameRules } from "./nicknames/rules.ts";
import { parsePolicy, type Policy } from "./policy.ts";
import { PROJECT_ROOT } from "./project-root.ts";
import type { RuleFile } from "./moderation/rules.ts";
import { parseSitesFile, type SiteEntry } from "./sites.ts";

// The Node entry points read rules/ from disk; the Worker bundles the same files (src/worker.ts).
export const RULES_DIR = join(PROJECT_ROOT, "rules");

const ENGINE_DIR = join(RULES_DIR, "engine");

/** The rule files of rules/engine/, or of another folder laid out the same way (to try rules before they go live). */
export function readEngineRuleFiles(dir = ENGINE_DIR): RuleFile[] {
  const label = dir === ENGINE_DIR ? "rules/engine" : dir;
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name: `${label}/${name}`, text: readFileSync(join(dir, name), "utf8") }));
}

export function readForumRules(path = join(RULES_DIR, "forum-rules.yaml")): ForumRules {
  return parseForumRules("rules/forum-rules.yaml", readFileSync(path, "utf8"));
}

export const MODEL_PATH = join(PROJECT_ROOT, "models", "abuse-classifier.json");

/** The committed classifier model (written by npm run train). */
export function readModelFile(path = MODEL_PATH): ModelFile {
  return JSON.parse(readFileSync(path, "utf8")) as ModelFile;
}

export function readPolicy(path = join(RULES_DIR, "policy.yaml")): Policy {
  return parsePolicy("rules/policy.yaml", readFileSync(path, "utf8"));
}

export function readNicknameRules(path = join(RULES_DIR, "nicknames.yaml")): NicknameRules {
  return parseNicknameRules("rules/nicknames.yaml", readFileSync(path, "utf8"));
}

export function readSiteEntries(path = join(RULES_DIR, "sites.yaml")): SiteEntry[] {
  return parseSitesFile("rules/sites.yaml", readFileSync(path, "utf8"));
}
