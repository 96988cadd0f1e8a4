import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { recordAndCountPosters } from "../db/comments.ts";
import type { Database } from "../db/schema.ts";
import type { Moderator } from "../moderation/moderate.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import * as engine from "./engine.ts";
import { runDatabasePhases, runTextPhases, startScreening, verdictOf, type DatabasePhase, type ScreeningList, type Screening, type TextPhase } from "./phase.ts";

export interface CommentTextEnv {
  moderator: Moderator;
  maxCommentChars: number;
}
export interface CommentDatabaseEnv {
  db: Kysely<Database>;
  memberId: string;
  now: Date;
  floods: Policy["floods"];
}

/** Empty after trimming (400) or longer than the site allows (413). */
const length: TextPhase<Screening, CommentTextEnv> = {
  name: "length",
  run(state, { maxCommentChars }) {
    const text = state.subject.text;
    if (text.trim() === "") {
      return { ...state, refusal: { status: 400, code: "comment_empty", message: "留言內容不可為空白 (the comment body is empty)" } };
    }
    const chars = [...text].length;
    if (chars <= maxCommentChars) return state;
    const message = `留言最多 ${maxCommentChars} 字，目前 ${chars} 字`;
    return { ...state, refusal: { status: 413, code: "comment_too_long", message, details: { maxChars: maxCommentChars, chars } } };
  },
};

/**
 * The same text from many accounts within the window (rules/policy.yaml `floods`): held for a moderator
 * with the flood named as the reason. Records this post's fingerprint; a rejected comment is not counted.
 */
const flood: DatabasePhase<Screening, CommentDatabaseEnv> = {
  name: "flood",
  async run(state, { db, memberId, now, floods }) {
    const check = floodCheck(state, floods, now);
    if (check === null) return state;
    const others = await recordAndCountPosters(db, check.fingerprint, memberId, now, check.since);
    return judgeFlood(state, floods, others);
  },
};

/** What the flood check looks for: the text's fingerprint, since when, and how many members make a flood. */
export interface FloodCheck {
  fingerprint: string;
  since: Date;
  distinctMembers: number;
}

/** The flood check of this comment, or null when it does not apply (rejected, or too short to be a flood). */
export function floodCheck(state: Screening, floods: Policy["floods"], now: Date): FloodCheck | null {
  const canonical = state.normalized!.text;
  if (verdictOf(state).action === "reject" || [...canonical].length < floods.minChars) return null;
  return {
    fingerprint: createHash("sha256").update(canonical).digest("hex").slice(0, 32),
    since: new Date(now.getTime() - floods.windowSeconds * 1000),
    distinctMembers: floods.distinctMembers,
  };
}

/** The flood phase's judgement once the other members who posted the text are counted (db/comments.ts counts them). */
export function judgeFlood(state: Screening, floods: Policy["floods"], others: number): Screening {
  const members = others + 1;
  if (members < floods.distinctMembers) return state;
  return { ...state, verdict: withFloodReason(verdictOf(state), floods, members) };
}

function withFloodReason(verdict: Verdict, floods: Policy["floods"], members: number): Verdict {
  const reason = {
    ruleId: floods.ruleId,
    forumRule: floods.forumRule,
    severity: "medium" as const,
    category: floods.category,
    action: "review" as const,
    message: `${floods.reason}（${members} 個帳號）`,
    spans: [],
  };
  return { ...verdict, action: "review", reasons: [...verdict.reasons, reason] };
}

/** How a comment is screened, in order. The batch command (npm run moderate -- --kind comment) runs the text phases. */
export const COMMENT_SCREENING: ScreeningList<Screening, CommentTextEnv, CommentDatabaseEnv> = {
  text: [length, engine.normalize, engine.rules, engine.classifier],
  database: [flood],
};

/** The text phases: what the batch command gives for a comment, and what the API checks before the database. */
export function screenCommentText(text: string, env: CommentTextEnv): Screening {
  return runTextPhases(COMMENT_SCREENING.text, startScreening({ kind: "comment", text }), env);
}

/** The database phases, after the text phases let the comment through. */
export function screenCommentStored(state: Screening, env: CommentDatabaseEnv): Promise<Screening> {
  return runDatabasePhases(COMMENT_SCREENING.database, state, env);
}
