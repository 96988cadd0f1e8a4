import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { articleStateOf, articleStateQuery, type ArticleState } from "./articles.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { CommentStatus, CommentsTable, Database, Severity, TrustLevel } from "./schema.ts";
import { trustFactsOf, type TrustFacts } from "./trust.ts";

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
  /** The comment this one replies to (null: a comment on the article). */
  parentId?: string | null;
}

/** The stored row of a new comment, its id apart: what every insert writes, and what the one-trip path answers. */
function commentColumns(comment: NewComment): Omit<CommentRow, "id"> {
  return {
    article_id: comment.articleId,
    member_id: comment.memberId,
    body: comment.body,
    status: comment.status,
    verdict: comment.verdict,
    rules_version: comment.verdict.rulesVersion,
    model_version: comment.verdict.modelVersion,
    accepted_rules_version: comment.acceptedRulesVersion,
    idempotency_key: comment.idempotencyKey,
    request_hash: comment.requestHash,
    parent_id: comment.parentId ?? null,
    version: 1,
    edited_at: null,
    created_at: comment.now,
    updated_at: comment.now,
  };
}

/** commentColumns as an insert writes them (the verdict as JSON). */
const insertedColumns = (comment: NewComment) => ({ ...commentColumns(comment), verdict: JSON.stringify(comment.verdict) });

/** Inserts a comment; undefined when the member already used this idempotency key. */
export async function insertComment(
  db: Kysely<Database> | Transaction<Database>,
  comment: NewComment,
): Promise<CommentRow | undefined> {
  return db
    .insertInto("comments")
    .values(insertedColumns(comment))
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
  /** The comment this one answers, and whether it is gone from the page (removed or deleted). */
  parentId: string | null;
  parentGone: boolean | null;
  editedAt: Date | null;
}

/** The newest-first page of an article's published comments after `after`, as a query to run alone or inside another. */
function publishedCommentsQuery(db: Kysely<Database>, articleId: string, limit: number, after: CommentCursor | null) {
  let query = db
    .selectFrom("comments")
    .innerJoin("members", "members.id", "comments.member_id")
    .leftJoin("comments as parent", "parent.id", "comments.parent_id")
    .select([
      // As text: inside a JSON array a bigint would come back as a number.
      sql<string>`comments.id::text`.as("id"),
      sql<string | null>`comments.parent_id::text`.as("parentId"),
      sql<boolean | null>`parent.status <> 'published'`.as("parentGone"),
      "comments.edited_at as editedAt",
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
  return query.orderBy("comments.created_at", "desc").orderBy("comments.id", "desc").limit(limit);
}

/**
 * The article's state (migration 0006 counters) and a page of its published comments in one round trip;
 * undefined when there is no such article.
 */
export async function findArticlePage(
  db: Kysely<Database>,
  articleId: string,
  limit: number,
  after: CommentCursor | null,
): Promise<{ state: ArticleState; page: PublishedComment[] } | undefined> {
  const row = await articleStateQuery(db, articleId)
    .select(() => jsonArrayFrom(publishedCommentsQuery(db, articleId, limit, after)).as("page"))
    .executeTakeFirst();
  if (!row) return undefined;
  const { page, ...stateRow } = row;
  return {
    state: articleStateOf(stateRow),
    page: page.map((comment) => ({
      ...comment,
      createdAt: new Date(comment.createdAt as unknown as string),
      editedAt: comment.editedAt === null ? null : new Date(comment.editedAt as unknown as string),
    })),
  };
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
 * Records this member's post of the text and counts the other members who posted it since `since`,
 * in one statement (the count's snapshot does not include the row being added).
 */
export async function recordAndCountPosters(db: Kysely<Database>, fingerprint: string, memberId: string, now: Date, since: Date): Promise<number> {
  const row = await db
    .with("recorded", (qb) =>
      qb.insertInto("comment_fingerprints").values({ fingerprint, member_id: memberId, created_at: now }).returning("fingerprint"),
    )
    .selectFrom("comment_fingerprints")
    .select((eb) => eb.fn.count<string>("member_id").distinct().as("members"))
    .where("fingerprint", "=", fingerprint)
    .where("member_id", "<>", memberId)
    .where("created_at", ">", since)
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

/** What a comment needs to be stored in one round trip (see postCommentInOneTrip). */
export interface OneTripComment extends Omit<NewComment, "status" | "idempotencyKey"> {
  status: "published" | "pending" | "removed";
  /** A held comment's review item: its forum rules, severity and queue position (db/review.ts newItemValues), and its automated source. */
  review: { forumRules: string[]; severity: Severity | null; sortKey: number; detail: unknown } | null;
  /** The rate-limit windows this attempt counts in (http/rate-limit.ts), each with its limit. */
  windows: { bucket: string; windowStart: Date; limit: number }[];
  /** The flood check (rules/policy.yaml `floods`) when the text is long enough for one; null otherwise. */
  flood: { fingerprint: string; since: Date; distinctMembers: number } | null;
  /** Pre-moderation: an allowed comment from a member at one of these levels is held with that level's review item instead. */
  hold: Partial<Record<TrustLevel, NonNullable<OneTripComment["review"]>>>;
  /** member_trust_facts' bounds. */
  trustBounds: { cap: number; recent: number };
  /**
   * A removed comment's decision (review/intake.ts automaticRemovalGrounds) and the strike rule: the actions
   * that count, since when, and how many suspend (review/sanctions.ts).
   */
  removal: {
    forumRules: string[];
    ruleIds: string[];
    facts: unknown;
    strikes: { violations: string[]; since: Date; count: number };
  } | null;
}

export interface OneTripOutcome {
  /** The windows whose limit this attempt passed (the comment is not stored). */
  overLimit: { bucket: string; hits: number }[];
  /** The article exists and the member may post under the current rules version; the fingerprint was recorded. */
  open: boolean;
  /** Other members who posted the same text within the flood window. */
  floodOthers: number;
  /** The comment, when it was stored (with its review item when held). */
  comment: CommentRow | null;
  /** The member's trust level, when the member may post. */
  trustLevel: TrustLevel | null;
  /** Their trust facts, when the comment was removed, or published while they are below trusted (src/review/trust.ts). */
  trustFacts: TrustFacts | null;
  /** The removal would complete the strike count: nothing was stored, the general path suspends with it. */
  strikeDue: boolean;
}

/**
 * A comment the rules allow or hold, from a member who already accepted the current rules, in one round
 * trip: the database function post_comment (migrations/0017) counts the rate-limit windows, checks the
 * article and the member's standing, records the text's fingerprint and counts its other posters, and
 * inserts the comment (with a held one's review item, or a removed one's automated decision) when nothing
 * stands in the way. When something does (a limit passed, a missing article or acceptance, a suspension, a
 * flood, a removal that completes the strike count), nothing but the counts is written and the caller takes
 * the slow path with what this found: the counts are not taken twice.
 */
export async function postCommentInOneTrip(db: Kysely<Database>, comment: OneTripComment): Promise<OneTripOutcome> {
  const windows = JSON.stringify(comment.windows.map((w) => ({ bucket: w.bucket, window_start: w.windowStart.toISOString(), max_hits: w.limit })));
  const { flood, verdict, now } = comment;
  const reviewValues = (review: NonNullable<OneTripComment["review"]>) =>
    ({ forum_rules: review.forumRules, severity: review.severity, sort_key: review.sortKey, detail: review.detail });
  const review = comment.review && JSON.stringify(reviewValues(comment.review));
  const premod = JSON.stringify(Object.fromEntries(Object.entries(comment.hold).map(([level, held]) => [level, reviewValues(held)])));
  const removal = comment.removal && JSON.stringify({
    forum_rules: comment.removal.forumRules,
    rule_ids: comment.removal.ruleIds,
    facts: comment.removal.facts,
    strikes: { ...comment.removal.strikes, since: comment.removal.strikes.since.toISOString() },
  });
  const result = await sql<{
    over_limit: { bucket: string; hits: number }[];
    may_post: boolean;
    flood_others: number;
    comment_id: string | null;
    status: "published" | "pending" | "removed";
    trust_level: TrustLevel | null;
    trust_facts: { standing: number; recent: string[]; upheld_reports: number } | null;
    strike_due: boolean;
  }>`
    select * from post_comment(
      ${comment.articleId}::text, ${comment.memberId}::text, ${comment.body}::text, ${JSON.stringify(verdict)}::jsonb,
      ${verdict.rulesVersion}::text, ${verdict.modelVersion}::text, ${comment.acceptedRulesVersion}::text, ${comment.requestHash}::text,
      ${now}::timestamptz, ${comment.status}::text, ${review}::jsonb, ${windows}::jsonb, ${flood?.fingerprint ?? null}::text, ${flood?.since ?? null}::timestamptz,
      ${flood?.distinctMembers ?? null}::int, ${premod}::jsonb, ${comment.trustBounds.cap}::int, ${comment.trustBounds.recent}::int,
      ${removal}::jsonb
    )
  `.execute(db);
  const row = result.rows[0]!;
  const stored: CommentRow | null =
    row.comment_id === null ? null : { id: String(row.comment_id), ...commentColumns({ ...comment, status: row.status, idempotencyKey: null }) };
  return { overLimit: row.over_limit, open: row.may_post, floodOthers: Number(row.flood_others), comment: stored,
    trustLevel: row.trust_level,
    trustFacts: row.trust_facts && trustFactsOf(row.trust_facts),
    strikeDue: row.strike_due === true,
  };
}

/**
 * The benchmark's baseline (routes/bench-baseline.ts, never in production): the same row stored the
 * barest way, one statement that makes sure the member exists and inserts the comment if the article does.
 */
export async function insertBaselineComment(db: Kysely<Database>, comment: Omit<NewComment, "idempotencyKey">): Promise<string | null> {
  const result = await sql<{ id: string }>`
    with member as (
      insert into members (id, created_at, updated_at) values (${comment.memberId}, ${comment.now}, ${comment.now})
      on conflict (id) do nothing
    )
    insert into comments (article_id, member_id, body, status, verdict, rules_version, model_version,
                          accepted_rules_version, idempotency_key, request_hash, created_at, updated_at)
    select ${comment.articleId}, ${comment.memberId}, ${comment.body}, ${comment.status}, ${JSON.stringify(comment.verdict)}::jsonb,
           ${comment.verdict.rulesVersion}, ${comment.verdict.modelVersion}, ${comment.acceptedRulesVersion}, null,
           ${comment.requestHash}, ${comment.now}, ${comment.now}
    where exists (select 1 from articles where id = ${comment.articleId})
    returning id
  `.execute(db);
  return result.rows[0]?.id ?? null;
}

/**
 * An appeal's reversal puts a comment back on the page, unless its author's data was erased since: its text
 * is gone, and it stays as it is.
 */
export async function republishComment(db: Kysely<Database> | Transaction<Database>, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("comments")
    .set({ status: "published", updated_at: now })
    .where("id", "=", id)
    .where(({ exists, not, selectFrom }) =>
      not(exists(selectFrom("members").select("members.id").whereRef("members.id", "=", "comments.member_id").where("members.erased_at", "is not", null))),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The member's comments a takedown removes (published or waiting), oldest first. */
export async function listStandingCommentsOf(trx: Transaction<Database>, memberId: string, siteId?: string): Promise<CommentRow[]> {
  let query = trx
    .selectFrom("comments")
    .selectAll("comments")
    .where("comments.member_id", "=", memberId)
    .where("comments.status", "in", ["published", "pending"]);
  // Only those on one site's articles.
  if (siteId !== undefined) {
    query = query.where((eb) => eb.exists(eb.selectFrom("articles").select("articles.id").whereRef("articles.id", "=", "comments.article_id").where("articles.site_id", "=", siteId)));
  }
  return query.orderBy("comments.created_at").orderBy("comments.id").forUpdate().execute();
}

/** The comment, locked until the transaction ends. */
export async function lockComment(trx: Transaction<Database>, id: string): Promise<CommentRow | undefined> {
  return trx.selectFrom("comments").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/**
 * Locks the comment and sets its status in one statement; returns the row as it is now with the status it
 * had before (undefined when there is no such comment). The caller checks the row and throws to roll the
 * change back when it must not stand (a deleted comment, a version the moderator did not read).
 */
export async function lockAndSetCommentStatus(
  trx: Transaction<Database>,
  id: string,
  status: CommentStatus,
  now: Date,
): Promise<(CommentRow & { statusBefore: CommentStatus }) | undefined> {
  return trx
    .with("before", (db) => db.selectFrom("comments").select(["id", "status"]).where("id", "=", id).forUpdate())
    .updateTable("comments")
    .set({ status, updated_at: now })
    .from("before")
    .whereRef("comments.id", "=", "before.id")
    .returningAll("comments")
    .returning("before.status as statusBefore")
    .executeTakeFirst();
}

/** An edit: the current version goes to comment_versions, and the row carries the new text, verdict and status. */
export async function keepVersionAndRewrite(
  trx: Transaction<Database>,
  current: CommentRow,
  next: { body: string; verdict: Verdict; status: "published" | "pending"; now: Date },
): Promise<CommentRow> {
  await trx
    .insertInto("comment_versions")
    .values({
      comment_id: current.id,
      version: current.version,
      body: current.body,
      verdict: JSON.stringify(current.verdict),
      rules_version: current.rules_version,
      model_version: current.model_version,
      created_at: current.edited_at ?? current.created_at,
    })
    .execute();
  return trx
    .updateTable("comments")
    .set({
      body: next.body,
      verdict: JSON.stringify(next.verdict),
      rules_version: next.verdict.rulesVersion,
      model_version: next.verdict.modelVersion,
      status: next.status,
      version: current.version + 1,
      edited_at: next.now,
      updated_at: next.now,
    })
    .where("id", "=", current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type CommentVersionRow = Selectable<Database["comment_versions"]>;

/** The comment's earlier versions, oldest first. */
export async function listCommentVersions(db: Kysely<Database>, id: string): Promise<CommentVersionRow[]> {
  return db.selectFrom("comment_versions").selectAll().where("comment_id", "=", id).orderBy("version").execute();
}
