import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import type { DecisionRow } from "./decisions.ts";
import type { Database, DecisionAutomation } from "./schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** No later decision reverses decision `d`. */
function notReversed(eb: ExpressionBuilder<Database & { d: Database["decisions"] }, "d">) {
  return eb.not(eb.exists(eb.selectFrom("decisions as r").select("r.id").whereRef("r.reverses_decision_id", "=", "d.id")));
}

/** The member's decisions with one of `actions` made after `since` and never reversed, oldest first. */
export async function listUnreversedViolations(
  db: Db,
  memberId: string,
  actions: string[],
  since: Date,
): Promise<{ id: string; forum_rules: string[] }[]> {
  return db
    .selectFrom("decisions as d")
    .select(["d.id", "d.forum_rules"])
    .where("d.affected_member_id", "=", memberId)
    .where("d.action", "in", actions)
    .where("d.created_at", ">", since)
    .where(notReversed)
    .orderBy("d.created_at")
    .execute();
}

/** The member's suspensions made with this automation and never reversed, newest first. */
export async function listUnreversedSuspensions(db: Db, memberId: string, automation: DecisionAutomation): Promise<DecisionRow[]> {
  return db
    .selectFrom("decisions as d")
    .selectAll("d")
    .where("d.affected_member_id", "=", memberId)
    .where("d.action", "=", "suspend")
    .where("d.automation", "=", automation)
    .where(notReversed)
    .orderBy("d.created_at", "desc")
    .execute();
}
