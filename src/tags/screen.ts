import type { Moderator } from "../moderation/moderate.ts";
import { reasonsForAuthor, type Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import { meaninglessReason } from "./meaningless.ts";
import type { Relatedness } from "./relatedness.ts";

/** Why a tag is refused, as the API answers it. */
export interface TagRefusal {
  status: 400 | 422;
  code: "tag_length" | "tag_meaningless" | "tag_rejected" | "tag_unrelated";
  message: string;
  details: Record<string, unknown>;
}

export interface TagText {
  /** The canonical label: the same tag in either script or width is one tag. */
  labelKey: string;
  verdict: Verdict;
  refusal: TagRefusal | null;
}

type TagLimits = Policy["tags"];

/**
 * Everything about a tag's words that needs neither the database nor the article (forum rule R3 and the
 * engine's rules): its length, whether it means anything, and the verdict. The API and the batch command
 * (npm run moderate -- --kind tag) both screen tags with it.
 */
export function screenTagText(label: string, moderator: Moderator, limits: TagLimits): TagText {
  const normalized = moderator.normalized(label);
  const verdict = moderator.moderate({ kind: "tag", text: label }, normalized);
  const labelKey = normalized.text;
  const chars = [...label].length;
  if (chars < limits.minChars || chars > limits.maxChars) {
    const message = `標籤須為 ${limits.minChars} 到 ${limits.maxChars} 個字`;
    return { labelKey, verdict, refusal: { status: 400, code: "tag_length", message, details: { minChars: limits.minChars, maxChars: limits.maxChars, chars } } };
  }
  const meaningless = meaninglessReason(label);
  if (meaningless) {
    return { labelKey, verdict, refusal: { status: 422, code: "tag_meaningless", message: `${meaningless}，違反討論區規則第三條`, details: { forumRule: "R3" } } };
  }
  if (verdict.action === "reject") {
    const reasons = reasonsForAuthor(verdict.reasons);
    return { labelKey, verdict, refusal: { status: 422, code: "tag_rejected", message: reasons[0]!.message, details: { forumRule: reasons[0]!.forumRule, reasons } } };
  }
  return { labelKey, verdict, refusal: null };
}

/**
 * What the article adds (forum rule R3, unrelated tags): refused when its similarity is below `unsureAt`,
 * held for a moderator when unsure or when the rules hold it, published otherwise.
 */
export function tagOutcome(verdict: Verdict, relatedness: Relatedness, limits: TagLimits): { refusal: TagRefusal | null; pending: boolean } {
  if (relatedness.kind === "similar" && relatedness.similarity < limits.unsureAt) {
    const refusal: TagRefusal = {
      status: 422,
      code: "tag_unrelated",
      message: "標籤與文章內容無關，違反討論區規則第三條",
      details: { forumRule: "R3", relatedness: relatednessView(relatedness) },
    };
    return { refusal, pending: false };
  }
  const unsure = relatedness.kind === "unknown" || (relatedness.kind === "similar" && relatedness.similarity < limits.relatedAt);
  return { refusal: null, pending: verdict.action === "review" || unsure };
}

export function relatednessView(relatedness: Relatedness) {
  return relatedness.kind === "similar"
    ? { kind: relatedness.kind, similarity: Number(relatedness.similarity.toFixed(4)), supportingArticles: relatedness.supportingArticles }
    : { kind: relatedness.kind };
}
