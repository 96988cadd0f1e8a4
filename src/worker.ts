import { createApp } from "./app.ts";
import { loadClassifier, type ModelFile } from "./classifier/model.ts";
import { systemClock } from "./clock.ts";
import { connectPostgres } from "./db/postgres.ts";
import { parseForumRules } from "./forum-rules.ts";
import { parseNicknameRules } from "./nicknames/rules.ts";
import { parsePolicy } from "./policy.ts";
import { createModerator } from "./moderation/moderate.ts";
import { loadRuleSet, type RuleFile } from "./moderation/rules.ts";
import modelFile from "../models/abuse-classifier.json";
import forumRulesText from "../rules/forum-rules.yaml";
import nicknameRulesText from "../rules/nicknames.yaml";
import policyText from "../rules/policy.yaml";
import classifierPolicy from "../rules/engine/classifier-policy.yaml";
import mentions from "../rules/engine/mentions.yaml";
import r1Illegal from "../rules/engine/r1-illegal.yaml";
import r1Links from "../rules/engine/r1-links.yaml";
import r1PersonalData from "../rules/engine/r1-personal-data.yaml";
import r2Abuse from "../rules/engine/r2-abuse.yaml";
import r2Hokkien from "../rules/engine/r2-hokkien.yaml";
import r4NicknameHooks from "../rules/engine/r4-nickname-hooks.yaml";
import r4PublicFigures from "../rules/engine/r4-public-figures.yaml";
import substitutions from "../rules/engine/substitutions.yaml";
import type { z } from "zod";
import { limitSettingsSchema } from "./config.ts";

// Workers have no file system at run time: the rule files are bundled as text. Every file in
// rules/engine/ must be listed here; test/worker.test.ts fails when one is missing.
export const ENGINE_RULE_FILES: RuleFile[] = [
  { name: "rules/engine/classifier-policy.yaml", text: classifierPolicy },
  { name: "rules/engine/mentions.yaml", text: mentions },
  { name: "rules/engine/r1-illegal.yaml", text: r1Illegal },
  { name: "rules/engine/r1-links.yaml", text: r1Links },
  { name: "rules/engine/r1-personal-data.yaml", text: r1PersonalData },
  { name: "rules/engine/r2-abuse.yaml", text: r2Abuse },
  { name: "rules/engine/r2-hokkien.yaml", text: r2Hokkien },
  { name: "rules/engine/r4-nickname-hooks.yaml", text: r4NicknameHooks },
  { name: "rules/engine/r4-public-figures.yaml", text: r4PublicFigures },
  { name: "rules/engine/substitutions.yaml", text: substitutions },
];

// Compiled once per isolate, at module load; the model is bundled with the code.
const forumRules = parseForumRules("rules/forum-rules.yaml", forumRulesText);
const policy = parsePolicy("rules/policy.yaml", policyText);
const nicknameRules = parseNicknameRules("rules/nicknames.yaml", nicknameRulesText);
const moderator = createModerator(loadRuleSet(ENGINE_RULE_FILES), loadClassifier(modelFile as ModelFile));

export interface WorkerEnv {
  /** Hyperdrive binding in front of the Postgres server (wrangler.toml). */
  HYPERDRIVE: { connectionString: string };
  /** Secret: `wrangler secret put JWT_SECRET`. */
  JWT_SECRET: string;
  MAX_COMMENT_CHARS?: string;
  /** The longest a token may live, in seconds (default 86400). */
  MAX_TOKEN_AGE_SECONDS?: string;
}

interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

let limits: z.infer<typeof limitSettingsSchema> | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
    // A Worker may not reuse I/O objects across requests, so each request gets its own connection;
    // Hyperdrive pools the real connections to Postgres.
    // An isolate's environment does not change: its limits are read once, on the first request.
    limits ??= limitSettingsSchema.parse({
      MAX_TOKEN_AGE_SECONDS: env.MAX_TOKEN_AGE_SECONDS || undefined,
      MAX_COMMENT_CHARS: env.MAX_COMMENT_CHARS || undefined,
    });
    const database = connectPostgres({ connectionString: env.HYPERDRIVE.connectionString, poolMax: 1 });
    const app = createApp({
      db: database.db,
      clock: systemClock,
      moderator,
      clientIp: (c) => c.req.header("cf-connecting-ip") ?? null,
      draining: () => false,
      config: {
        jwtSecret: env.JWT_SECRET,
        maxCommentChars: limits.MAX_COMMENT_CHARS,
        maxTokenAgeSeconds: limits.MAX_TOKEN_AGE_SECONDS,
        forumRules,
        policy,
        nicknameRules,
      },
    });
    try {
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(database.close());
    }
  },
};
