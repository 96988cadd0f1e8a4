import type { Policy } from "../policy.ts";
import { verdictAction, type ForumRule, type Reason, type Verdict } from "../moderation/verdict.ts";

/**
 * A reply read in its context (rules/policy.yaml `replies`): harsh words the rules only mark on a comment
 * about public affairs are said to a person when the reply addresses the other commenter, so the reply
 * waits for a moderator with a reason of its own over the same words. Anything else is left as it was.
 */
export function judgeReply(verdict: Verdict, body: string, replies: Policy["replies"]): Verdict {
  if (!replies.addressing.some((word) => body.includes(word))) return verdict;
  const marked = verdict.reasons.filter((reason) => replies.escalates.includes(reason.ruleId) && reason.action === "flag");
  if (marked.length === 0) return verdict;
  const reason: Reason = {
    ruleId: replies.ruleId,
    forumRule: replies.ruleId.slice(0, 2) as ForumRule,
    severity: "medium",
    category: "insult",
    action: "review",
    message: replies.reason,
    spans: marked.flatMap((r) => r.spans),
  };
  const reasons = [...verdict.reasons, reason];
  return { ...verdict, reasons, action: verdictAction(reasons) };
}
