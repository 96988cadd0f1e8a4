import type { Moderator } from "../moderation/moderate.ts";
import type { Screening } from "./phase.ts";

// The engine's three phases, shared by every subject kind (moderation/moderate.ts does the work). Each is a
// TextPhase for any screening state.
type EngineEnv = { moderator: Moderator };

/** Width, case, script, separators, look-alike spellings: the canonical form the rules and the classifier read. */
export const normalize = {
  name: "normalize",
  run: <S extends Screening>(state: S, { moderator }: EngineEnv): S => ({ ...state, normalized: moderator.normalized(state.subject.text) }),
};

/** The rules' listed terms, detectors (personal data, links) and expressions, with mentions told from use. */
export const rules = {
  name: "rules",
  run: <S extends Screening>(state: S, { moderator }: EngineEnv): S => ({ ...state, hits: moderator.ruleHits(state.subject, state.normalized!) }),
};

/** The classifier's score for the kinds it reads (rules/classifier-policy.yaml), and the verdict of it all. */
export const classifier = {
  name: "classifier",
  run: <S extends Screening>(state: S, { moderator }: EngineEnv): S => ({ ...state, verdict: moderator.verdictOf(state.subject, state.hits!) }),
};
