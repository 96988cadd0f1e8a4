import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { lockAndSetCommentStatus, republishComment } from "../db/comments.ts";
import { findDecision, recordDecisionClosingItem, type DecisionRow, type NewDecision } from "../db/decisions.ts";
import { findMember, liftSiteSuspension, setMemberSanction, suspendFromSite } from "../db/members.ts";
import { setNickname } from "../db/nicknames.ts";
import { lockReviewItem, sourcesOf, type ReviewItemRow, type ReviewSourceRow } from "../db/review.ts";
import { removeCommentsOf } from "../db/comments.ts";
import { approveNickname } from "../db/nicknames.ts";
import { findTagById, setTagStatus } from "../db/tags.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import { conflictBetween } from "./conflict.ts";
import { applyStrikes, liftStrikeSuspension, VIOLATION_ACTIONS } from "./sanctions.ts";
import { reassessTrust, type Premoderation } from "./trust.ts";
import { assertMayDecide } from "./escalate.ts";
import { assertMaySanctionEverySite, type Staff } from "./scope.ts";
import { sampledForSecondLook } from "./second-look.ts";
import { openSecondLook } from "../db/second-looks.ts";
import type { Role } from "../auth/token.ts";
import { DAY_MS } from "../clock.ts";

export const decisionInputSchema = z.strictObject({
  action: z.enum(["approve", "remove", "remove_and_suspend", "revoke", "dismiss_reports", "uphold", "reverse"]),
  forumRules: z.array(z.enum(["R1", "R2", "R3", "R4"])).default([]),
  note: z.string().trim().min(1).max(2000),
  suspendDays: z.number().int().min(1).max(3650).optional(),
  /** The comment version the moderator read (the item page sends it): a decision on a comment edited since is refused. */
  subjectVersion: z.number().int().min(1).optional(),
});

export type DecisionInput = z.infer<typeof decisionInputSchema>;

const MODERATION_ACTIONS = ["approve", "remove", "remove_and_suspend", "revoke", "dismiss_reports"];
const APPEAL_ACTIONS = ["uphold", "reverse"];

/** A decision taken with others in one bulk action (src/review/bulk.ts): the record names the batch. */
export interface BulkContext {
  batchId: string;
  /** How many items the moderator chose. */
  items: number;
}

export interface DecisionOutcome {
  decision: DecisionRow;
  /** The automatic suspension the decision's strike triggered, if any. */
  strikeSuspension: DecisionRow | null;
  /** The automatic suspension a reversal lifted (fewer strikes than the policy's count are left), if any. */
  liftedSuspension: DecisionRow | null;
}

function checkInput(item: ReviewItemRow, input: DecisionInput): void {
  const allowed = item.kind === "appeal" ? APPEAL_ACTIONS : MODERATION_ACTIONS;
  if (!allowed.includes(input.action)) {
    throw new ApiError(400, "action_not_for_item", `${item.kind === "appeal" ? "an appeal" : "a moderation"} item takes one of: ${allowed.join(", ")}`);
  }
  if (VIOLATION_ACTIONS.includes(input.action) && input.forumRules.length === 0) {
    throw new ApiError(400, "forum_rule_required", "say which forum rule (R1-R4) the subject breaks");
  }
  if (input.action === "remove_and_suspend" && input.suspendDays === undefined) {
    throw new ApiError(400, "suspend_days_required", "remove_and_suspend needs suspendDays");
  }
}

/** What the automated sources of an item found: the rule ids and facts that go into the decision record. */
function automatedFacts(sources: ReviewSourceRow[]) {
  const verdicts = sources.filter((s) => s.source === "automated_detection").map((s) => s.detail as Verdict & { premoderation?: Premoderation });
  const reports = sources.filter((s) => s.source === "member_report").map((s) => s.detail);
  return {
    // A pre-moderated comment's decision names why it waited (R0-new-member …) with the rules' reasons.
    ruleIds: [...new Set(verdicts.flatMap((v) => [...(v.premoderation ? [v.premoderation.ruleId] : []), ...v.reasons.map((r) => r.ruleId)]))],
    facts: {
      verdicts: verdicts.map((v) => ({ reasons: v.reasons, score: v.score, topNgrams: v.topNgrams, ...(v.premoderation ? { premoderation: v.premoderation } : {}) })),
      reports,
    },
    automated: verdicts.length > 0,
    reported: reports.length > 0,
  };
}

/**
 * A moderator's decision on a review item, applied in one transaction: the subject's status, the member's
 * sanction, the reports' outcomes, the decision row, and any suspension the new strike triggers.
 */
export async function decideReviewItem(
  db: Kysely<Database>,
  policy: Policy,
  moderatorId: string,
  itemId: string,
  input: DecisionInput,
  now: Date,
  staff: Staff = { role: "moderator" },
  bulk: BulkContext | null = null,
): Promise<DecisionOutcome> {
  return db.transaction().execute(async (trx) => {
    const item = await lockReviewItem(trx, itemId);
    if (!item) throw new ApiError(404, "review_item_not_found", `no review item ${itemId}`);
    if (item.state === "decided") {
      throw new ApiError(409, "already_decided", `review item ${itemId} was already decided`, { decisionId: item.decision_id });
    }
    if (item.state === "withdrawn") {
      throw new ApiError(409, "item_withdrawn", `review item ${itemId} was withdrawn: its author deleted the comment`);
    }
    assertMayDecide(item, staff);
    if (item.claimed_by && item.claimed_by !== moderatorId && item.lease_until && item.lease_until > now) {
      throw new ApiError(409, "claimed_by_another_moderator", "another moderator holds this item", {
        leaseUntil: item.lease_until.toISOString(),
      });
    }
    checkInput(item, input);
    if (input.action === "revoke") assertMaySanctionEverySite(staff);
    const conflict = conflictBetween(item.parties, moderatorId);
    if (conflict) throw new ApiError(403, conflict.code, conflict.message, conflict.details);
    // The decision closes the item in the statement that records it.
    return item.kind === "appeal"
      ? decideAppeal(trx, policy, item, input, { ...staff, id: moderatorId }, now)
      : decideModeration(trx, policy, item, await sourcesOf(trx, item.id), input, { ...staff, id: moderatorId }, now, bulk);
  });
}

async function decideModeration(
  trx: Transaction<Database>,
  policy: Policy,
  item: ReviewItemRow,
  sources: ReviewSourceRow[],
  input: DecisionInput,
  staff: Staff & { id: string },
  now: Date,
  bulk: BulkContext | null,
): Promise<DecisionOutcome> {
  const moderatorId = staff.id;
  const { ruleIds, facts, automated, reported } = automatedFacts(sources);
  const violation = VIOLATION_ACTIONS.includes(input.action);
  let subjectText: string;
  let affectedMemberId: string;
  let versions: { rules: string | null; model: string | null } = { rules: null, model: null };
  const extraFacts: Record<string, unknown> = item.escalated_at
    ? { escalation: { by: item.escalated_by, at: item.escalated_at.toISOString(), note: item.escalation_note } }
    : {};
  if (bulk) extraFacts.bulk = bulk;

  if (item.subject_kind === "comment") {
    // Set with the lock; a check below that fails throws, and the transaction takes the change back.
    const comment = await lockAndSetCommentStatus(trx, item.subject_id, violation ? "removed" : "published", now);
    if (!comment) throw new ApiError(404, "subject_not_found", `comment ${item.subject_id} no longer exists`);
    if (comment.statusBefore === "deleted") throw new ApiError(409, "subject_deleted", "作者已刪除這則留言 (the author deleted the comment)");
    if (input.subjectVersion !== undefined && input.subjectVersion !== comment.version) {
      throw new ApiError(409, "subject_changed", "作者在你審閱後修改了留言，請重新檢視 (the comment was edited since you read it)", {
        currentVersion: comment.version,
      });
    }
    subjectText = comment.body;
    affectedMemberId = comment.member_id;
    versions = { rules: comment.rules_version, model: comment.model_version };
    // The decision judged this version of the text (earlier ones are in comment_versions).
    extraFacts.commentVersion = comment.version;
  } else if (item.subject_kind === "tag") {
    const tag = await findTagById(trx, item.subject_id);
    if (!tag) throw new ApiError(404, "subject_not_found", `tag ${item.subject_id} no longer exists`);
    subjectText = tag.label;
    affectedMemberId = tag.created_by;
    versions = { rules: tag.rules_version, model: null };
    await setTagStatus(trx, tag.id, violation ? "removed" : "published", now);
  } else {
    const member = await findMember(trx, item.subject_id);
    if (!member) throw new ApiError(404, "subject_not_found", `member ${item.subject_id} does not exist`);
    subjectText = member.nickname ?? "";
    affectedMemberId = member.id;
    if (violation) {
      // A nickname that breaks the rules is taken down; the member chooses a new one.
      await setNickname(trx, member.id, null, now);
    } else if (member.nickname_status === "pending") {
      await approveNickname(trx, member.id, now);
    }
  }

  // A moderator limited to some sites suspends from the item's site only (src/review/scope.ts).
  const suspendFrom = input.action === "remove_and_suspend" && staff.sites ? item.site_id : null;
  const until = input.action === "remove_and_suspend" ? new Date(now.getTime() + input.suspendDays! * DAY_MS) : null;
  if (until) {
    if (suspendFrom === null) await setMemberSanction(trx, affectedMemberId, { status: "suspended", until }, now);
    else extraFacts.site = suspendFrom;
    extraFacts.suspendedUntil = until.toISOString();
  }
  if (input.action === "revoke") {
    await setMemberSanction(trx, affectedMemberId, { status: "revoked" }, now);
    if (input.forumRules.includes("R4")) {
      // R4: the site deletes the posts of a member removed for their nickname.
      extraFacts.hiddenCommentIds = await removeCommentsOf(trx, affectedMemberId, now);
    }
  }

  const { decision, reporters } = await recordDecisionClosingItem(trx, {
    subjectKind: item.subject_kind,
    subjectId: item.subject_id,
    subjectText,
    action: input.action,
    forumRules: violation ? input.forumRules : item.forum_rules,
    ruleIds,
    facts: { ...facts, ...extraFacts },
    source: reported ? "member_report" : "automated_detection",
    automation: automated ? "human_with_automated_help" : "human",
    moderatorId,
    affectedMemberId,
    rulesVersion: versions.rules,
    modelVersion: versions.model,
    reversesDecisionId: null,
    note: input.note,
    reviewItemId: item.id,
    now,
  } satisfies NewDecision, violation ? "upheld" : "dismissed");
  if (until && suspendFrom !== null) await suspendFromSite(trx, affectedMemberId, suspendFrom, until, decision.id, now);
  // A share of moderators' decisions on comments and tags goes to another moderator for a blind second look.
  if (item.subject_kind !== "member" && sampledForSecondLook(decision.id, policy.review.secondLookShare)) {
    await openSecondLook(trx, { decisionId: decision.id, subjectKind: item.subject_kind, subjectId: item.subject_id, violation, forumRules: decision.forum_rules, moderatorId, now });
  }
  const strikeSuspension = violation ? await applyStrikes(trx, policy, affectedMemberId, now) : null;
  // Trust moves with the history: the author's comment approved or removed, the reporters' reports upheld.
  if (item.subject_kind === "comment") await reassessTrust(trx, policy.trust, affectedMemberId, now, { decisionId: decision.id });
  if (violation) for (const reporter of reporters) await reassessTrust(trx, policy.trust, reporter, now, { upheldReportDecisionId: decision.id });
  return { decision, strikeSuspension, liftedSuspension: null };
}

async function decideAppeal(
  trx: Transaction<Database>,
  policy: Policy,
  item: ReviewItemRow,
  input: DecisionInput,
  staff: Staff & { id: string },
  now: Date,
): Promise<DecisionOutcome> {
  const moderatorId = staff.id;
  const original = await findDecision(trx, item.appeal_of_decision_id!);
  // The decisions table refuses deletes, so an appeal's decision is always there.
  if (!original) throw new Error(`appealed decision ${item.appeal_of_decision_id} not found`);
  const reverse = input.action === "reverse";
  const site = (original.facts as { site?: string } | null)?.site;
  // Undoing a sanction on every site is for moderators of every site, as imposing one is.
  if (reverse && ["suspend", "remove_and_suspend", "revoke"].includes(original.action) && site === undefined) assertMaySanctionEverySite(staff);
  const restored: Record<string, unknown> = {};
  if (reverse) {
    if (original.subject_kind === "comment" && VIOLATION_ACTIONS.includes(original.action)) {
      if (await republishComment(trx, original.subject_id, now)) restored.commentId = original.subject_id;
    }
    if (original.subject_kind === "tag" && VIOLATION_ACTIONS.includes(original.action)) {
      await setTagStatus(trx, original.subject_id, "published", now);
      restored.tagId = original.subject_id;
    }
    const facts = (original.facts ?? {}) as { hiddenCommentIds?: string[] };
    for (const id of facts.hiddenCommentIds ?? []) await republishComment(trx, id, now);
    if ((original.action === "suspend" || original.action === "remove_and_suspend") && site !== undefined && original.affected_member_id) {
      // A suspension from one site (a moderator's, or a limited moderator's remove_and_suspend): lifted
      // there, if it is still the one in force; a suspension from every site stays.
      if (await liftSiteSuspension(trx, original.affected_member_id, original.id)) restored.sanctionLifted = original.action;
    } else if (["suspend", "remove_and_suspend", "revoke"].includes(original.action) && original.affected_member_id) {
      await setMemberSanction(trx, original.affected_member_id, { status: "active" }, now);
      restored.sanctionLifted = original.action;
    }
  }
  const { decision } = await recordDecisionClosingItem(trx, {
    subjectKind: original.subject_kind,
    subjectId: original.subject_id,
    subjectText: original.subject_text,
    action: reverse ? "reverse" : "uphold",
    forumRules: original.forum_rules,
    ruleIds: original.rule_ids,
    facts: { appealOf: original.id, restored },
    source: "member_appeal",
    automation: "human",
    moderatorId,
    affectedMemberId: original.affected_member_id,
    rulesVersion: original.rules_version,
    modelVersion: original.model_version,
    reversesDecisionId: reverse ? original.id : null,
    note: input.note,
    reviewItemId: item.id,
    now,
  }, null);
  const liftedSuspension =
    reverse && VIOLATION_ACTIONS.includes(original.action) && original.affected_member_id
      ? await liftStrikeSuspension(trx, policy, original.affected_member_id, original.id, now)
      : null;
  if (reverse && original.affected_member_id && (original.subject_kind === "comment" || restored.sanctionLifted)) {
    await reassessTrust(trx, policy.trust, original.affected_member_id, now, { decisionId: decision.id });
  }
  return { decision, strikeSuspension: null, liftedSuspension };
}
