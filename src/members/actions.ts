import type { Kysely } from "kysely";
import { z } from "zod";
import { listStandingCommentsOf, setCommentStatus } from "../db/comments.ts";
import { recordDecision, type DecisionRow } from "../db/decisions.ts";
import { acknowledgeWarning, addMemberNote, addWarning, ensureMember, findMember, setMemberSanction, suspendFromSite, type MemberNoteRow } from "../db/members.ts";
import { assertMaySanctionEverySite, assertOnSites, type Staff } from "../review/scope.ts";
import { assertKnownSites, type Sites } from "../sites.ts";
import { settleReportsOn } from "../db/reports.ts";
import { closeReviewItem, lockOpenItemsOn } from "../db/review.ts";
import type { Database } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Policy } from "../policy.ts";
import { applyStrikes } from "../review/sanctions.ts";
import { DAY_MS } from "../clock.ts";
import { reassessTrust } from "../review/trust.ts";

// A moderator acting on a member directly, without a queue item (source moderator_initiative): a warning
// (a strike of weight 0 the member must acknowledge), a suspension for some days, or revocation — each
// optionally taking down the member's standing comments, each takedown a decision of its own.

export const memberActionSchema = z.strictObject({
  action: z.enum(["warn", "suspend", "revoke"]),
  forumRules: z.array(z.enum(["R1", "R2", "R3", "R4"])).min(1),
  note: z.string().trim().min(1).max(2000),
  suspendDays: z.number().int().min(1).max(3650).optional(),
  /** A suspension from this site only (rules/sites.yaml); without it, from every site. */
  site: z.string().optional(),
  takeDownComments: z.boolean().default(false),
});
export type MemberActionInput = z.infer<typeof memberActionSchema>;

export const memberNoteSchema = z.strictObject({ note: z.string().trim().min(1).max(2000) });

export interface MemberActionOutcome {
  decision: DecisionRow;
  /** One removal decision per comment taken down. */
  takedowns: DecisionRow[];
  /** The automatic suspension the takedowns' strikes triggered (a warning with takedowns), if any. */
  strikeSuspension: DecisionRow | null;
}

function refuseOwn(memberId: string, moderatorId: string): void {
  if (memberId === moderatorId) {
    throw new ApiError(403, "conflict_of_interest", "不能處理與自己有關的內容或處分 (you cannot act on yourself)", { reason: "own_content" });
  }
}

/**
 * `staff.sites`: a moderator limited to some sites may only suspend from one of them (and take down the
 * member's comments there); a warning, a revocation or a suspension from every site is for a moderator of
 * every site or an admin.
 */
export async function actOnMember(
  db: Kysely<Database>,
  policy: Policy,
  sites: Sites,
  staff: Staff & { id: string },
  memberId: string,
  input: MemberActionInput,
  now: Date,
): Promise<MemberActionOutcome> {
  const moderatorId = staff.id;
  refuseOwn(memberId, moderatorId);
  if (input.site !== undefined) {
    if (input.action !== "suspend") throw new ApiError(400, "site_only_for_suspend", "site goes with suspend only (a warning or revocation is for every site)");
    assertKnownSites(sites, [input.site]);
    assertOnSites(`site ${input.site}`, input.site, staff.sites);
  } else {
    assertMaySanctionEverySite(staff);
  }
  if (input.action === "suspend" && input.suspendDays === undefined) {
    throw new ApiError(400, "suspend_days_required", "suspend needs suspendDays");
  }
  if (input.action !== "suspend" && input.suspendDays !== undefined) {
    throw new ApiError(400, "suspend_days_not_for_action", "suspendDays goes with suspend only");
  }
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom("members").selectAll().where("id", "=", memberId).forUpdate().executeTakeFirst();
    if (!member) throw new ApiError(404, "member_not_found", `no member ${memberId}`);
    if (member.status === "revoked") throw new ApiError(409, "member_revoked", "此帳號已被解除會員資格 (the membership is already revoked)");
    await ensureMember(trx, moderatorId, now);
    const facts: Record<string, unknown> = {};
    const until = input.action === "suspend" ? new Date(now.getTime() + input.suspendDays! * DAY_MS) : null;
    if (until) facts.suspendedUntil = until.toISOString();
    // A suspension from one site is kept apart (migration 0019); the decision's site comes from facts.site.
    if (input.site !== undefined) facts.site = input.site;
    else if (until) await setMemberSanction(trx, memberId, { status: "suspended", until }, now);
    if (input.action === "revoke") await setMemberSanction(trx, memberId, { status: "revoked" }, now);
    const common = {
      forumRules: [...new Set(input.forumRules)].sort(),
      ruleIds: [],
      source: "moderator_initiative" as const,
      automation: "human" as const,
      moderatorId,
      affectedMemberId: memberId,
      reversesDecisionId: null,
      note: input.note,
      now,
    };
    const decision = await recordDecision(trx, {
      ...common,
      subjectKind: "member",
      subjectId: memberId,
      subjectText: member.nickname ?? "",
      action: input.action,
      facts: { ...facts, takeDownComments: input.takeDownComments },
      rulesVersion: null,
      modelVersion: null,
    });
    if (input.action === "warn") await addWarning(trx, memberId, decision.id, now);
    if (until && input.site !== undefined) await suspendFromSite(trx, memberId, input.site, until, decision.id, now);

    const takedowns: DecisionRow[] = [];
    const reporters = new Set<string>();
    if (input.takeDownComments) {
      for (const comment of await listStandingCommentsOf(trx, memberId, input.site)) {
        await setCommentStatus(trx, comment.id, "removed", now);
        for (const reporter of await settleReportsOn(trx, "comment", comment.id, "upheld")) reporters.add(reporter);
        const takedown = await recordDecision(trx, {
          ...common,
          subjectKind: "comment",
          subjectId: comment.id,
          subjectText: comment.body,
          action: "remove",
          facts: { memberActionDecisionId: decision.id, statusBefore: comment.status },
          rulesVersion: comment.rules_version,
          modelVersion: comment.model_version,
        });
        // A held or reported comment leaves the queue with this decision.
        for (const item of await lockOpenItemsOn(trx, "comment", comment.id)) await closeReviewItem(trx, item.id, takedown.id, now);
        takedowns.push(takedown);
      }
    }
    const strikeSuspension = takedowns.length > 0 ? await applyStrikes(trx, policy, memberId, now) : null;
    if (takedowns.length > 0) await reassessTrust(trx, policy.trust, memberId, now, { decisionId: decision.id });
    // The reports the takedowns upheld count for their reporters.
    for (const reporter of reporters) await reassessTrust(trx, policy.trust, reporter, now, { upheldReportDecisionId: decision.id });
    return { decision, takedowns, strikeSuspension };
  });
}

/** A moderator's private note on a member. */
export async function noteOnMember(db: Kysely<Database>, moderatorId: string, memberId: string, note: string, now: Date): Promise<MemberNoteRow> {
  if (!(await findMember(db, memberId))) throw new ApiError(404, "member_not_found", `no member ${memberId}`);
  return addMemberNote(db, { memberId, moderatorId, note, now });
}

/** The member acknowledges a warning: once every warning is, they may post again. */
export async function acknowledgeOwnWarning(db: Kysely<Database>, memberId: string, decisionId: string, now: Date): Promise<void> {
  const done = await db.transaction().execute((trx) => acknowledgeWarning(trx, memberId, decisionId, now));
  if (!done) throw new ApiError(404, "warning_not_found", `no unacknowledged warning ${decisionId} for you`);
}
