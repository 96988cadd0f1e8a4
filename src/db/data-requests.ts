import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** What replaces an erased member's text in the decision log (migrations/0018 lets only this through). */
export const ERASED_TEXT = "[已依當事人請求刪除]";

/** Everything this service holds about a member that is theirs to see (src/members/data-requests.ts shapes it). */
export async function readMemberData(db: Db, memberId: string) {
  const [comments, versions, tags, supported, reports, appeals, trustChanges, warnings, sessions, requests] = await Promise.all([
    db.selectFrom("comments").selectAll().where("member_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db
      .selectFrom("comment_versions")
      .innerJoin("comments", "comments.id", "comment_versions.comment_id")
      .select(["comment_versions.comment_id", "comment_versions.version", "comment_versions.body", "comment_versions.created_at"])
      .where("comments.member_id", "=", memberId)
      .orderBy("comment_versions.comment_id")
      .orderBy("comment_versions.version")
      .execute(),
    db.selectFrom("tags").select(["id", "article_id", "label", "status", "created_at"]).where("created_by", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db.selectFrom("tag_supporters").select(["tag_id", "created_at"]).where("member_id", "=", memberId).orderBy("created_at").execute(),
    db.selectFrom("reports").select(["id", "subject_kind", "subject_id", "reason", "note", "outcome", "created_at"]).where("reporter_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db.selectFrom("appeals").select(["id", "decision_id", "note", "created_at"]).where("member_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db.selectFrom("member_trust_changes").select(["from_level", "to_level", "why", "created_at"]).where("member_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db.selectFrom("member_warnings").select(["decision_id", "acknowledged_at", "created_at"]).where("member_id", "=", memberId).orderBy("created_at").execute(),
    db.selectFrom("web_sessions").select(["role", "user_agent", "created_at", "last_seen_at", "ended_at", "ended_reason"]).where("member_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
    db.selectFrom("member_data_requests").select(["kind", "summary", "created_at"]).where("member_id", "=", memberId).orderBy("created_at").orderBy("id").execute(),
  ]);
  return { comments, versions, tags, supported, reports, appeals, trustChanges, warnings, sessions, requests };
}

export async function recordDataRequest(db: Db, memberId: string, kind: "export" | "erasure", summary: Record<string, number>, now: Date): Promise<void> {
  await db.insertInto("member_data_requests").values({ member_id: memberId, kind, summary: JSON.stringify(summary), created_at: now }).execute();
}

/** The member's comments that still show or wait (published or pending), locked; the ones an erasure takes down. */
export async function lockStandingCommentIds(trx: Transaction<Database>, memberId: string): Promise<string[]> {
  const rows = await trx.selectFrom("comments").select("id").where("member_id", "=", memberId).where("status", "in", ["published", "pending"]).forUpdate().execute();
  return rows.map((row) => row.id);
}

/** Blanks the texts of every comment of the member and of their earlier versions, and the matched words of their verdicts. */
export async function eraseCommentTexts(trx: Transaction<Database>, memberId: string, now: Date): Promise<{ comments: number; versions: number }> {
  const comments = await sql<{ id: string }>`
    update comments set body = '', verdict = ${redactSpansSql(sql.ref("verdict"))}, updated_at = ${now}
    where member_id = ${memberId}
    returning id
  `.execute(trx);
  const versions = await sql<{ comment_id: string }>`
    update comment_versions v set body = '', verdict = ${redactSpansSql(sql.ref("v.verdict"))}
    from comments c
    where c.id = v.comment_id and c.member_id = ${memberId}
    returning v.comment_id
  `.execute(trx);
  return { comments: comments.rows.length, versions: versions.rows.length };
}

/**
 * The decision log's entries about the member's own content (their comments and their nickname), and the
 * review items' sources on them: the subject's text replaced by ERASED_TEXT and the matched words taken
 * out of the facts. What was decided, on which grounds, by whom and when stays.
 */
export async function redactDecisionsAbout(trx: Transaction<Database>, memberId: string): Promise<{ decisions: number; sources: number }> {
  const decisions = await sql<{ id: string }>`
    update decisions d set subject_text = ${ERASED_TEXT}, facts = ${redactSpansSql(sql.ref("d.facts"))}
    where d.subject_text <> ${ERASED_TEXT}
      and ((d.subject_kind = 'comment' and d.subject_id in (select id::text from comments where member_id = ${memberId}))
        or (d.subject_kind = 'member' and d.subject_id = ${memberId}))
    returning d.id
  `.execute(trx);
  const sources = await sql<{ id: string }>`
    update review_sources s set detail = ${redactSpansSql(sql.ref("s.detail"))}
    from review_items i
    where i.id = s.item_id
      and ((i.subject_kind = 'comment' and i.subject_id in (select id::text from comments where member_id = ${memberId}))
        or (i.subject_kind = 'member' and i.subject_id = ${memberId}))
    returning s.id
  `.execute(trx);
  return { decisions: decisions.rows.length, sources: sources.rows.length };
}

/**
 * A verdict or facts document with the member's words taken out: in each of its `reasons`, every span keeps
 * where the match was and the rule's listed term (the grounds), not the member's text (`text`); the
 * classifier's `topNgrams` (pieces of the text) go. In SQL, so that a member's thousands of rows are one
 * statement each.
 */
function redactSpansSql(column: ReturnType<typeof sql.ref>) {
  const withoutNgrams = sql`(${column} - 'topNgrams')`;
  return sql`(case when jsonb_typeof(${column} -> 'reasons') = 'array' then jsonb_set(${withoutNgrams}, '{reasons}', (
      select coalesce(jsonb_agg(case when jsonb_typeof(r -> 'spans') = 'array' then jsonb_set(r, '{spans}', (
          select coalesce(jsonb_agg(s - 'text'), '[]'::jsonb) from jsonb_array_elements(r -> 'spans') s)) else r end), '[]'::jsonb)
      from jsonb_array_elements(${column} -> 'reasons') r)) else ${withoutNgrams} end)`;
}

/** Reports and appeals keep their place (others' moderation rests on them); the member's own notes on them go. */
export async function eraseNotes(trx: Transaction<Database>, memberId: string): Promise<{ reports: number; appeals: number }> {
  const reports = await trx.updateTable("reports").set({ note: null }).where("reporter_id", "=", memberId).where("note", "is not", null).executeTakeFirst();
  const appeals = await trx.updateTable("appeals").set({ note: null }).where("member_id", "=", memberId).where("note", "is not", null).executeTakeFirst();
  return { reports: Number(reports.numUpdatedRows), appeals: Number(appeals.numUpdatedRows) };
}

/** The member's nickname and its confusable variants, their tag supports and text fingerprints go; the row is marked erased. */
export async function eraseMemberRow(trx: Transaction<Database>, memberId: string, now: Date): Promise<{ tagSupports: number }> {
  await trx.deleteFrom("nickname_neighbors").where("member_id", "=", memberId).execute();
  await trx.deleteFrom("comment_fingerprints").where("member_id", "=", memberId).execute();
  const supports = await trx.deleteFrom("tag_supporters").where("member_id", "=", memberId).executeTakeFirst();
  await trx
    .updateTable("members")
    .set({ nickname: null, nickname_key: null, nickname_status: null, nickname_rules_version: null, erased_at: now, updated_at: now })
    .where("id", "=", memberId)
    .execute();
  return { tagSupports: Number(supports.numDeletedRows) };
}

/**
 * The member's comments that show or wait (published, pending) leave the page and the count as if they
 * deleted them; the open moderation items on their comments and on their nickname are withdrawn. The open
 * items are locked first, then the comments: the order a decision takes them in, so the two never deadlock.
 */
export async function withdrawMemberContent(trx: Transaction<Database>, memberId: string, now: Date): Promise<{ comments: number; items: number }> {
  const theirs = sql`((subject_kind = 'comment' and subject_id in (select id::text from comments where member_id = ${memberId}))
    or (subject_kind = 'member' and subject_id = ${memberId}))`;
  await sql`select id from review_items where state = 'open' and ${theirs} for update`.execute(trx);
  const comments = await sql<{ id: string }>`
    update comments set status = 'deleted', updated_at = ${now}
    where member_id = ${memberId} and status in ('published', 'pending')
    returning id
  `.execute(trx);
  const items = await sql<{ id: string }>`
    update review_items set state = 'withdrawn', lease_until = null, claimed_by = null, updated_at = ${now}
    where state = 'open' and kind = 'moderation' and ${theirs}
    returning id
  `.execute(trx);
  return { comments: comments.rows.length, items: items.rows.length };
}
