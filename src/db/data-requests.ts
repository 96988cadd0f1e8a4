import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** What replaces an erased member's text in the decision log (migrations/0018 lets only this through). */
export const ERASED_TEXT = "[已依當事人請求刪除]";

/**
 * Rows about the member's own content, by their `subject_kind` and `subject_id` under `table` (a table or
 * its alias): their comments, and the member themselves (nickname, account). What an erasure withdraws and
 * redacts; migration 0018's decision_subject_erased asks the same of one decision.
 */
function aboutMemberContent(table: string, memberId: string) {
  const kind = sql.ref(`${table}.subject_kind`);
  const id = sql.ref(`${table}.subject_id`);
  return sql`((${kind} = 'comment' and ${id} in (select id::text from comments where member_id = ${memberId}))
    or (${kind} = 'member' and ${id} = ${memberId}))`;
}

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

/**
 * Blanks the texts of every comment of the member and of their earlier versions, the member's words in
 * their verdicts (redact_member_words, migrations/0018), and the hash of each request (a hash of a short
 * text can be guessed back).
 */
export async function eraseCommentTexts(trx: Transaction<Database>, memberId: string, now: Date): Promise<{ comments: number; versions: number }> {
  const comments = await sql<{ id: string }>`
    update comments set body = '', request_hash = '', verdict = redact_member_words(verdict), updated_at = ${now}
    where member_id = ${memberId}
    returning id
  `.execute(trx);
  const versions = await sql<{ comment_id: string }>`
    update comment_versions v set body = '', verdict = redact_member_words(v.verdict)
    from comments c
    where c.id = v.comment_id and c.member_id = ${memberId}
    returning v.comment_id
  `.execute(trx);
  return { comments: comments.rows.length, versions: versions.rows.length };
}

/**
 * After the member row is marked erased (eraseMemberRow; the decisions' trigger checks it): the decision
 * log's entries about the member's own content (their comments and their nickname) get ERASED_TEXT for
 * the subject's text and lose the member's words from their facts; decisions on what the member reported
 * lose the notes of their reports. The review sources on their content lose their words, and the sources
 * of their reports and appeals lose their notes. What was decided, on which grounds, by whom and when stays.
 */
export async function redactDecisionsAbout(trx: Transaction<Database>, memberId: string): Promise<{ decisions: number; sources: number }> {
  const decisions = await sql<{ id: string }>`
    update decisions d set subject_text = ${ERASED_TEXT}, facts = redact_member_words(redact_erased_report_notes(d.facts))
    where d.subject_text <> ${ERASED_TEXT} and ${aboutMemberContent("d", memberId)}
    returning d.id
  `.execute(trx);
  // Decisions on what they reported: found by subject (an index), changed only where a note of theirs is in the facts.
  const reported = await sql<{ id: string }>`
    update decisions d set facts = r.facts
    from (select d2.id, redact_erased_report_notes(d2.facts) as facts
          from decisions d2
          join (select distinct subject_kind, subject_id from reports where reporter_id = ${memberId}) p
            on d2.subject_kind = p.subject_kind and d2.subject_id = p.subject_id) r
    where d.id = r.id and d.facts <> r.facts
    returning d.id
  `.execute(trx);
  const words = await sql<{ id: string }>`
    update review_sources s set detail = r.detail
    from (select s2.id, redact_member_words(s2.detail) as detail
          from review_sources s2 join review_items i on i.id = s2.item_id
          where ${aboutMemberContent("i", memberId)}) r
    where s.id = r.id and s.detail <> r.detail
    returning s.id
  `.execute(trx);
  const notes = await sql<{ id: string }>`
    update review_sources s set detail = s.detail - 'note'
    where s.detail ? 'note'
      and ((s.source = 'member_report' and s.detail ->> 'reportId' in (select id::text from reports where reporter_id = ${memberId}))
        or (s.source = 'appeal' and s.item_id in (select review_item_id from appeals where member_id = ${memberId})))
    returning s.id
  `.execute(trx);
  return { decisions: new Set([...decisions.rows, ...reported.rows].map((row) => row.id)).size, sources: words.rows.length + notes.rows.length };
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
 * deleted them; the open items on their comments and on their nickname or account are withdrawn: held
 * ones, reported ones, and their own appeals (a reversal would put back a comment whose text is gone). The open
 * items are locked first, then the comments: the order a decision takes them in, so the two never deadlock.
 */
export async function withdrawMemberContent(trx: Transaction<Database>, memberId: string, now: Date): Promise<{ comments: number; items: number }> {
  const theirs = aboutMemberContent("review_items", memberId);
  await sql`select id from review_items where state = 'open' and ${theirs} for update`.execute(trx);
  const comments = await sql<{ id: string }>`
    update comments set status = 'deleted', updated_at = ${now}
    where member_id = ${memberId} and status in ('published', 'pending')
    returning id
  `.execute(trx);
  const items = await sql<{ id: string }>`
    update review_items set state = 'withdrawn', lease_until = null, claimed_by = null, updated_at = ${now}
    where state = 'open' and ${theirs}
    returning id
  `.execute(trx);
  return { comments: comments.rows.length, items: items.rows.length };
}
