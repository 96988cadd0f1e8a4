import type { Kysely, Selectable, Transaction } from "kysely";
import type { Verdict } from "../moderation/verdict.ts";
import type { CommentStatus, CommentsTable, Database } from "./schema.ts";

export type CommentRow = Selectable<CommentsTable>;

export interface NewComment {
  articleId: string;
  memberId: string;
  body: string;
  status: CommentStatus;
  verdict: Verdict;
  acceptedRulesVersion: string;
  idempotencyKey: string | null;
  requestHash: string;
  now: Date;
}

/** Inserts a comment; undefined when the member already used this idempotency key. */
export async function insertComment(
  db: Kysely<Database> | Transaction<Database>,
  comment: NewComment,
): Promise<CommentRow | undefined> {
  return db
    .insertInto("comments")
    .values({
      article_id: comment.articleId,
      member_id: comment.memberId,
      body: comment.body,
      status: comment.status,
      verdict: JSON.stringify(comment.verdict),
      rules_version: comment.verdict.rulesVersion,
      model_version: comment.verdict.modelVersion,
      accepted_rules_version: comment.acceptedRulesVersion,
      idempotency_key: comment.idempotencyKey,
      request_hash: comment.requestHash,
      created_at: comment.now,
      updated_at: comment.now,
    })
    .onConflict((oc) => oc.columns(["member_id", "idempotency_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findCommentByIdempotencyKey(
  db: Kysely<Database> | Transaction<Database>,
  memberId: string,
  idempotencyKey: string,
): Promise<CommentRow | undefined> {
  return db
    .selectFrom("comments")
    .selectAll()
    .where("member_id", "=", memberId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

/** Position in the newest-first listing: the last comment a page showed. */
export interface CommentCursor {
  createdAt: Date;
  id: string;
}

export interface PublishedComment {
  id: string;
  memberId: string;
  nickname: string | null;
  body: string;
  createdAt: Date;
}

export async function listPublishedComments(
  db: Kysely<Database>,
  articleId: string,
  limit: number,
  after: CommentCursor | null,
): Promise<PublishedComment[]> {
  let query = db
    .selectFrom("comments")
    .innerJoin("members", "members.id", "comments.member_id")
    .select([
      "comments.id as id",
      "comments.member_id as memberId",
      // A nickname waiting for a moderator is not shown.
      (eb) => eb.case().when("members.nickname_status", "=", "approved").then(eb.ref("members.nickname")).else(null).end().as("nickname"),
      "comments.body as body",
      "comments.created_at as createdAt",
    ])
    .where("comments.article_id", "=", articleId)
    .where("comments.status", "=", "published");
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple("comments.created_at", "comments.id"), "<", eb.tuple(after.createdAt, after.id)),
    );
  }
  return query.orderBy("comments.created_at", "desc").orderBy("comments.id", "desc").limit(limit).execute();
}

export async function countPublishedComments(db: Kysely<Database>, articleId: string): Promise<number> {
  const row = await db
    .selectFrom("comments")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("article_id", "=", articleId)
    .where("status", "=", "published")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findComment(db: Kysely<Database> | Transaction<Database>, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function setCommentStatus(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  status: CommentStatus,
  now: Date,
): Promise<void> {
  await db.updateTable("comments").set({ status, updated_at: now }).where("id", "=", id).execute();
}

/**
 * Records this member's post of the text and counts the other members who posted it within the window,
 * in one statement (the count's snapshot does not include the row being added).
 */
export async function recordAndCountPosters(db: Kysely<Database>, fingerprint: string, memberId: string, now: Date, windowSeconds: number): Promise<number> {
  const row = await db
    .with("recorded", (qb) =>
      qb.insertInto("comment_fingerprints").values({ fingerprint, member_id: memberId, created_at: now }).returning("fingerprint"),
    )
    .selectFrom("comment_fingerprints")
    .select((eb) => eb.fn.count<string>("member_id").distinct().as("members"))
    .where("fingerprint", "=", fingerprint)
    .where("member_id", "<>", memberId)
    .where("created_at", ">", new Date(now.getTime() - windowSeconds * 1000))
    .executeTakeFirstOrThrow();
  return Number(row.members);
}

/** Removes the member's published and pending comments; returns their ids. */
export async function removeCommentsOf(db: Kysely<Database> | Transaction<Database>, memberId: string, now: Date): Promise<string[]> {
  const removed = await db
    .updateTable("comments")
    .set({ status: "removed", updated_at: now })
    .where("member_id", "=", memberId)
    .where("status", "in", ["published", "pending"])
    .returning("id")
    .execute();
  return removed.map((row) => row.id);
}
