import { ApiError } from "../errors.ts";
import type { NormalizedText } from "../moderation/normalize.ts";
import type { RuleHits } from "../moderation/moderate.ts";
import type { Subject, Verdict } from "../moderation/verdict.ts";

/** A subject that is not stored: the status the API answers, a stable code and a zh-TW message. */
export interface Refusal {
  status: 400 | 409 | 413 | 422;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The refusal as the API answers it. */
export function refusalError(refusal: Refusal): ApiError {
  return new ApiError(refusal.status, refusal.code, refusal.message, refusal.details);
}

/**
 * A subject on its way through its screening phases. Each phase reads what the phases before it wrote
 * and returns the state with its own part added; a phase that refuses the subject sets `refusal`, and no
 * later phase runs.
 */
export interface Screening {
  subject: Subject;
  /** The engine's canonical form (the normalize phase). */
  normalized: NormalizedText | null;
  /** The rules' terms, detectors and expressions (the rules phase). */
  hits: RuleHits | null;
  /** The engine's verdict (the classifier phase), changed by later phases that hold the subject. */
  verdict: Verdict | null;
  refusal: Refusal | null;
}

/** A phase that reads only the text and files (rules, model, policy): the same in the API and the batch command. */
export interface TextPhase<S extends Screening, Env> {
  name: string;
  run(state: S, env: Env): S;
}

/** A phase that needs the database (what other members posted, the articles, nicknames taken). */
export interface DatabasePhase<S extends Screening, Env> {
  name: string;
  run(state: S, env: Env): Promise<S>;
}

/** The screening of one subject kind, in order: the text phases, then the database phases. */
export interface ScreeningList<S extends Screening, TextEnv, DatabaseEnv> {
  text: readonly TextPhase<S, TextEnv>[];
  database: readonly DatabasePhase<S, DatabaseEnv>[];
}

export function startScreening(subject: Subject): Screening {
  return { subject, normalized: null, hits: null, verdict: null, refusal: null };
}

export function runTextPhases<S extends Screening, Env>(phases: readonly TextPhase<S, Env>[], state: S, env: Env): S {
  for (const phase of phases) {
    if (state.refusal) break;
    state = phase.run(state, env);
  }
  return state;
}

export async function runDatabasePhases<S extends Screening, Env>(phases: readonly DatabasePhase<S, Env>[], state: S, env: Env): Promise<S> {
  for (const phase of phases) {
    if (state.refusal) break;
    state = await phase.run(state, env);
  }
  return state;
}

/** The verdict of a state past the classifier phase (a phase list that reads it before then is wrong). */
export function verdictOf(state: Screening): Verdict {
  if (!state.verdict) throw new Error("screening: a phase read the verdict before the classifier phase gave it");
  return state.verdict;
}
