import { CATEGORIES, type Category } from "../categories.ts";
import type { NgramSignal } from "../classifier/model.ts";

export { CATEGORIES, type Category, type NgramSignal };

export type SubjectKind = "comment" | "tag" | "nickname";
export type ForumRule = "R1" | "R2" | "R3" | "R4";
export type Severity = "low" | "medium" | "high" | "critical";
export type RuleAction = "reject" | "review" | "flag";
export type VerdictAction = "allow" | "review" | "reject";

/** The categories a reason of each forum rule can name (R2's are the words of abuse). */
export const FORUM_RULE_CATEGORIES: Record<ForumRule, readonly Category[]> = {
  R1: ["threat", "personal_data", "illegal", "spam"],
  R2: ["insult", "profanity", "hate", "sexual_harassment", "threat"],
  R3: ["spam", "insult"],
  R4: ["impersonation", "insult", "profanity"],
};

/** What reasons decide: reject if any rejects, else review if any holds, else allow (flags only record). */
export function verdictAction(reasons: readonly { action: RuleAction }[]): VerdictAction {
  if (reasons.some((r) => r.action === "reject")) return "reject";
  if (reasons.some((r) => r.action === "review")) return "review";
  return "allow";
}

export interface Subject {
  kind: SubjectKind;
  text: string;
}

/** [start, end) in UTF-16 code units of the ORIGINAL text, plus the original characters it covers. */
export interface Span {
  start: number;
  end: number;
  text: string;
  /** The listed term this span is a spelling of (幹你娘 for ㄍㄢˋ妳娘); absent for detector hits. */
  term?: string;
  /**
   * The words are mentioned, not used: "reported" inside quotation marks with a reporting verb or a
   * question about the word (only flagged), "quoted" inside quotation marks alone (held at most).
   */
  mention?: "reported" | "quoted";
  /**
   * The passage of a long comment the classifier held on its own (the reason is the classifier's): shown
   * to moderators, not to the author, like the score and n-grams it stands for.
   */
  passage?: true;
}

export interface Reason {
  ruleId: string;
  forumRule: ForumRule;
  severity: Severity;
  category: Category;
  /** The rule's action, lowered when every span of it is a mention (see Span.mention). */
  action: RuleAction;
  /** Shown to the member (zh-TW). */
  message: string;
  spans: Span[];
}

export interface Verdict {
  action: VerdictAction;
  reasons: Reason[];
  /** Classifier probability of abuse; null when the subject kind is not scored or no model is loaded. */
  score: number | null;
  /** The n-grams that pushed the score up most, so a moderator sees why. */
  topNgrams: NgramSignal[];
  rulesVersion: string;
  modelVersion: string | null;
}

/** A reason as its author reads it: the rule, its forum rule and category, its message and the marked words. */
export interface AuthorReason {
  ruleId: string;
  forumRule: ForumRule;
  category: Category;
  action: RuleAction;
  message: string;
  spans: Span[];
}

/**
 * What the author of a subject is shown of its verdict: never the classifier's score or the n-grams it
 * leaned on (they would let a member tune an evasion), nor the flags meant for moderators.
 */
export function verdictForAuthor(verdict: Verdict): Omit<Verdict, "reasons" | "score" | "topNgrams"> & { reasons: AuthorReason[] } {
  return {
    action: verdict.action,
    reasons: reasonsForAuthor(verdict.reasons),
    rulesVersion: verdict.rulesVersion,
    modelVersion: verdict.modelVersion,
  };
}

export function reasonsForAuthor(reasons: readonly Reason[]): AuthorReason[] {
  return reasons
    .filter((reason) => reason.action !== "flag")
    .map(({ ruleId, forumRule, category, action, message, spans }) => ({ ruleId, forumRule, category, action, message, spans: spans.filter((span) => !span.passage) }));
}
