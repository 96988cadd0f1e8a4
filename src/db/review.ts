import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Policy } from "../policy.ts";
import { higherSeverity, sortKeyOf } from "./review-priority.ts";
import type { Database, ReviewItemsTable, ReviewSourcesTable, Severity, SubjectKind } from "./schema.ts";
import type { Verdict } from "../moderation/verdict.ts";

export type ReviewItemRow = Selectable<ReviewItemsTable>;
export type ReviewSourceRow = Selectable<ReviewSourcesTable>;
type Db = Kysely<Database> | Transaction<Database>;

export interface ItemFeed {
  kind: "moderation" | "appeal";
  subjectKind: SubjectKind;
  subjectId: string;
  appealOfDecisionId?: string;
  source: ReviewSourceRow["source"];
  detail: unknown;
  forumRules: string[];
  severity: Severity | null;
  reportWeight: number;
  now: Date;
}

/**
 * Adds a source to the subject's open review item, opening one if there is none: one open item per
 * subject gathers every rule hit, score, report and appeal. Call inside a transaction.
 */
export async function feedReviewItem(trx: Transaction<Database>, policy: Policy, feed: ItemFeed): Promise<ReviewItemRow> {
  // An open item for the subject is either opened here with this first source, or found and added to;
  // it may be decided between the two statements, and then a new one is opened.
  for (let attempt = 0; attempt < 3; attempt++) {
    const opened = await openItemWithSource(trx, policy, feed);
    if (opened) return opened;
    const item = await trx
      .selectFrom("review_items")
      .selectAll()
      .where("kind", "=", feed.kind)
      .where("subject_kind", "=", feed.subjectKind)
      .where("subject_id", "=", feed.subjectId)
      .where("state", "=", "open")
      .forUpdate()
      .executeTakeFirst();
    if (item) return addSource(trx, policy, item, feed);
  }
  throw new Error(`could not open or find the review item of ${feed.subjectKind} ${feed.subjectId}`);
}

/** A new item's forum rules (each once, in order) and queue position, from what feeds it first. */
export function newItemValues(policy: Policy, feed: Pick<ItemFeed, "forumRules" | "severity" | "reportWeight" | "now">) {
  return { forumRules: [...new Set(feed.forumRules)].sort(), sortKey: sortKeyOf(policy, feed.severity, feed.reportWeight, feed.now) };
}

/**
 * Opens the subject's item with its first source in one statement; undefined when one is open already.
 * db/tags.ts addTagInOneTrip writes a new tag's item the same way inside its own statement.
 */
async function openItemWithSource(trx: Transaction<Database>, policy: Policy, feed: ItemFeed): Promise<ReviewItemRow | undefined> {
  const { forumRules, sortKey } = newItemValues(policy, feed);
  // ON CONFLICT waits for a concurrent transaction opening the same item, then does nothing.
  const opened = await sql<ReviewItemRow>`
    with item as (
      insert into review_items
        (kind, subject_kind, subject_id, appeal_of_decision_id, state, forum_rules, severity, report_weight, sort_key, created_at, updated_at)
      values
        (${feed.kind}, ${feed.subjectKind}, ${feed.subjectId}, ${feed.appealOfDecisionId ?? null}, 'open', ${forumRules}::text[],
         ${feed.severity}, ${feed.reportWeight}, ${sortKey}, ${feed.now}, ${feed.now})
      on conflict (kind, subject_kind, subject_id) where state = 'open' do nothing
      returning *
    ),
    source as (
      insert into review_sources (item_id, source, detail, created_at)
      select id, ${feed.source}, ${JSON.stringify(feed.detail)}::jsonb, ${feed.now} from item
    )
    select * from item`.execute(trx);
  return opened.rows[0];
}

/** Adds a source to a locked open item: forum rules joined, the higher severity, report weight summed. */
async function addSource(trx: Transaction<Database>, policy: Policy, item: ReviewItemRow, feed: ItemFeed): Promise<ReviewItemRow> {
  const severity = higherSeverity(item.severity, feed.severity);
  const reportWeight = item.report_weight + feed.reportWeight;
  const updated = await trx
    .updateTable("review_items")
    .set({
      forum_rules: [...new Set([...item.forum_rules, ...feed.forumRules])].sort(),
      severity,
      report_weight: reportWeight,
      sort_key: sortKeyOf(policy, severity, reportWeight, item.created_at),
      updated_at: feed.now,
    })
    .where("id", "=", item.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("review_sources")
    .values({ item_id: item.id, source: feed.source, detail: JSON.stringify(feed.detail), created_at: feed.now })
    .execute();
  return updated;
}

/** The id of the newest review item, "0" when there is none: where a live queue starts watching. */
export async function latestItemId(db: Db): Promise<string> {
  const row = await db.selectFrom("review_items").select((eb) => eb.fn.max("id").as("id")).executeTakeFirst();
  return row?.id ? String(row.id) : "0";
}

/** The review item with this id, if any. */
export async function findReviewItem(db: Db, id: string): Promise<ReviewItemRow | undefined> {
  return db.selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Whose conduct or decision an item is about (itemParties). */
export interface ItemParties {
  authorId: string | null;
  appealedModeratorId: string | null;
}

/**
 * The review item with this id, locked until the transaction ends, with its parties read in the same
 * statement (a decision checks them before anything else); undefined when there is none. Its sources are
 * read after it (sourcesOf), not in this statement: on PostgreSQL a statement that waited for the lock
 * sees the locked row as it is now but other tables as they were when it began, so a report added by the
 * transaction it waited for would be missing.
 */
export async function lockReviewItem(trx: Transaction<Database>, id: string): Promise<(ReviewItemRow & { parties: ItemParties }) | undefined> {
  const row = await trx
    .selectFrom("review_items")
    .selectAll()
    .select([itemAuthorId.as("party_author_id"), appealedModeratorId.as("party_appealed_moderator_id")])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const { party_author_id, party_appealed_moderator_id, ...item } = row;
  return { ...item, parties: { authorId: party_author_id ?? null, appealedModeratorId: party_appealed_moderator_id ?? null } };
}

/** What closing an item sets besides the deciding decision's id: decided now, its lease released. */
export function closedItemValues(now: Date) {
  return { state: "decided" as const, decided_at: now, lease_until: null, updated_at: now };
}

/** Marks the item decided by the decision and releases its lease. */
export async function closeReviewItem(trx: Transaction<Database>, id: string, decisionId: string, now: Date): Promise<void> {
  await trx
    .updateTable("review_items")
    .set({ ...closedItemValues(now), decision_id: decisionId })
    .where("id", "=", id)
    .execute();
}

/** Open items by one of their facets: how many have each value. */
export type Tally = Record<string, number>;

export interface OpenItemCounts {
  byKind: Tally;
  bySubject: Tally;
  byForumRule: Tally;
  bySource: Tally;
  /** Open items under a lease that has not run out at `now`. */
  claimed: number;
}

/** Open items by kind, subject, forum rule and source, and how many are claimed, for the queue's filters. */
export async function countOpenReviewItems(db: Kysely<Database>, now: Date, sites?: string[]): Promise<OpenItemCounts> {
  const open = onSites(db.selectFrom("review_items").where("state", "=", "open"), sites);
  const [byKind, bySubject, byForumRule, bySource, claimed] = await Promise.all([
    open.select(["kind as key", (eb) => eb.fn.countAll<string>().as("count")]).groupBy("kind").execute(),
    open.select(["subject_kind as key", (eb) => eb.fn.countAll<string>().as("count")]).groupBy("subject_kind").execute(),
    open.select([sql<string>`unnest(forum_rules)`.as("key"), (eb) => eb.fn.countAll<string>().as("count")]).groupBy(sql`1`).execute(),
    open
      .innerJoin("review_sources", "review_sources.item_id", "review_items.id")
      .select(["review_sources.source as key", (eb) => eb.fn.count<string>("review_items.id").distinct().as("count")])
      .groupBy("review_sources.source")
      .execute(),
    open.select((eb) => eb.fn.countAll<string>().as("count")).where("lease_until", ">", now).executeTakeFirstOrThrow(),
  ]);
  const tally = (rows: { key: string; count: string }[]): Tally => Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));
  return { byKind: tally(byKind), bySubject: tally(bySubject), byForumRule: tally(byForumRule), bySource: tally(bySource), claimed: Number(claimed.count) };
}

const EXCERPT_CHARS = 80;

export interface QueueFilters {
  kind?: "moderation" | "appeal";
  subjectKind?: SubjectKind;
  forumRule?: string;
  source?: ReviewSourceRow["source"];
  state?: "open" | "decided";
  /** Only escalated items (true), or only the others (false). */
  escalated?: boolean;
  /** Only items about this member's conduct: their comments, tags and nickname (appeals: the member the decision affected). */
  memberId?: string;
  /** Only items about comments and tags on this article. */
  articleId?: string;
  /** Only items opened after the item with this id (ids grow with time): what a live queue has not shown yet. */
  sinceId?: string;
  /** Only items of these sites (a moderator limited to them); undefined: every item. */
  sites?: string[] | undefined;
}

/** Items of the given sites only; undefined: all. An item about every site (a nickname) is no site's. */
function onSites<Q extends { where: (...args: any[]) => Q }>(query: Q, sites: string[] | undefined): Q {
  if (!sites) return query;
  return sites.length === 0 ? query.where(sql<boolean>`false`) : query.where("review_items.site_id", "in", sites);
}

export interface QueueCursor {
  sortKey: number;
  id: string;
}

/** A page of the queue, highest priority first, each item with the start of its subject's text. */
export async function listReviewItems(
  db: Kysely<Database>,
  filters: QueueFilters,
  limit: number,
  after: QueueCursor | null,
  order: "priority" | "oldest" = "priority",
): Promise<(ReviewItemRow & { subject_excerpt: string | null })[]> {
  // The start of the subject's text, so a moderator can scan the queue; each branch reads only its own table.
  const excerpt = sql<string | null>`case review_items.subject_kind
    when 'comment' then (select left(body, ${EXCERPT_CHARS}) from comments where comments.id = review_items.subject_id::bigint)
    when 'tag' then (select label from tags where tags.id = review_items.subject_id::bigint)
    when 'member' then (select nickname from members where members.id = review_items.subject_id)
  end`;
  let query = db
    .selectFrom("review_items")
    .selectAll()
    .select(excerpt.as("subject_excerpt"))
    .where("state", "=", filters.state ?? "open");
  if (filters.kind) query = query.where("kind", "=", filters.kind);
  if (filters.escalated !== undefined) query = query.where("escalated_at", filters.escalated ? "is not" : "is", null);
  if (filters.subjectKind) query = query.where("subject_kind", "=", filters.subjectKind);
  if (filters.forumRule) query = query.where(sql<boolean>`${filters.forumRule} = any(forum_rules)`);
  if (filters.memberId !== undefined) query = query.where(sql<boolean>`${itemAuthorId} = ${filters.memberId}`);
  if (filters.articleId !== undefined) query = query.where(sql<boolean>`${itemArticleId} = ${filters.articleId}`);
  if (filters.sinceId !== undefined) query = query.where("id", ">", filters.sinceId);
  query = onSites(query, filters.sites);
  if (filters.source) {
    const source = filters.source;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("review_sources")
          .select("review_sources.id")
          .whereRef("review_sources.item_id", "=", "review_items.id")
          .where("review_sources.source", "=", source),
      ),
    );
  }
  if (after) {
    query = query.where((eb) =>
      eb.or([eb("sort_key", "<", after.sortKey), eb.and([eb("sort_key", "=", after.sortKey), eb("id", ">", after.id)])]),
    );
  }
  if (order === "oldest") return query.orderBy("id", "asc").limit(limit).execute();
  return query.orderBy("sort_key", "desc").orderBy("id", "asc").limit(limit).execute();
}

// The parties to a review item, for conflicts of interest, as expressions over its row: the claim query
// filters on them and itemParties reads them, so both use this one definition.

/**
 * Whose conduct the item is about: the comment's author, the tag's creator, the member; for an appeal, the
 * member the appealed decision affected. Cast only a comment's or tag's id: a member item's subject is a member id, not a number.
 */
const itemAuthorId = sql<string | null>`case
    when review_items.kind = 'appeal' then (select affected_member_id from decisions where decisions.id = review_items.appeal_of_decision_id)
    when review_items.subject_kind = 'member' then review_items.subject_id
    when review_items.subject_kind = 'comment' then (select member_id from comments where comments.id = cast(case when review_items.subject_kind = 'comment' then review_items.subject_id end as bigint))
    when review_items.subject_kind = 'tag' then (select created_by from tags where tags.id = cast(case when review_items.subject_kind = 'tag' then review_items.subject_id end as bigint))
  end`;

/** The article a comment's or tag's item is on (null for a member's nickname). */
const itemArticleId = sql<string | null>`case review_items.subject_kind
    when 'comment' then (select article_id from comments where comments.id = cast(case when review_items.subject_kind = 'comment' then review_items.subject_id end as bigint))
    when 'tag' then (select article_id from tags where tags.id = cast(case when review_items.subject_kind = 'tag' then review_items.subject_id end as bigint))
  end`;

/** For an appeal, the moderator who made the appealed decision (null for a moderation item or an automated decision). */
const appealedModeratorId = sql<string | null>`(select moderator_id from decisions where decisions.id = review_items.appeal_of_decision_id)`;

/**
 * Hands out the highest open item nobody holds a live lease on, in one statement: the subquery locks the
 * item it picks (concurrent claimers skip each other's rows) and the update leases it.
 */
export async function claimNextItem(
  db: Kysely<Database>,
  moderatorId: string,
  now: Date,
  leaseSeconds: number,
  kind?: "moderation" | "appeal",
  escalated: "skip" | "only" | "any" = "skip",
  sites?: string[],
): Promise<ReviewItemRow | undefined> {
  let next = db
    .selectFrom("review_items")
    .select("id")
    .where("state", "=", "open")
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]));
  // A moderator limited to some sites is handed only their items.
  next = onSites(next, sites);
  if (kind) next = next.where("kind", "=", kind);
  // Escalated items are the admins' (src/review/escalate.ts).
  if (escalated !== "any") next = next.where("escalated_at", escalated === "only" ? "is not" : "is", null);
  // Never hand a moderator an item about their own content or sanction, or an appeal of their decision.
  next = next
    .where(sql<boolean>`${itemAuthorId} is distinct from ${moderatorId}`)
    .where(sql<boolean>`${appealedModeratorId} is distinct from ${moderatorId}`)
    .orderBy("sort_key", "desc")
    .orderBy("id", "asc")
    .limit(1)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable("review_items")
    .set({ claimed_by: moderatorId, lease_until: new Date(now.getTime() + leaseSeconds * 1000), updated_at: now })
    .where("id", "=", next)
    .returningAll()
    .executeTakeFirst();
}

/** The item's sources (rule hits, reports, appeals), in the order they arrived. */
export async function sourcesOf(db: Db, itemId: string): Promise<ReviewSourceRow[]> {
  return db.selectFrom("review_sources").selectAll().where("item_id", "=", itemId).orderBy("id").execute();
}

/** Whose conduct or decision an item is about; claimNextItem skips, and review/conflict.ts refuses, the items of these parties. */
export async function itemParties(db: Db, item: ReviewItemRow): Promise<ItemParties> {
  const parties = await db
    .selectFrom("review_items")
    .select([itemAuthorId.as("author_id"), appealedModeratorId.as("appealed_moderator_id")])
    .where("id", "=", item.id)
    .executeTakeFirst();
  return { authorId: parties?.author_id ?? null, appealedModeratorId: parties?.appealed_moderator_id ?? null };
}

/** The open items on a subject (a moderation item and perhaps an appeal), locked until the transaction ends. */
export async function lockOpenItemsOn(trx: Transaction<Database>, subjectKind: SubjectKind, subjectId: string): Promise<ReviewItemRow[]> {
  return trx.selectFrom("review_items").selectAll().where("subject_kind", "=", subjectKind).where("subject_id", "=", subjectId).where("state", "=", "open").forUpdate().execute();
}

/** A subject gone before anyone decided on it (its author deleted it): its open moderation items leave the queue. */
export async function withdrawOpenItemsOn(trx: Transaction<Database>, subjectKind: SubjectKind, subjectId: string, now: Date): Promise<void> {
  await trx
    .updateTable("review_items")
    .set({ state: "withdrawn", lease_until: null, claimed_by: null, updated_at: now })
    .where("subject_kind", "=", subjectKind)
    .where("subject_id", "=", subjectId)
    .where("kind", "=", "moderation")
    .where("state", "=", "open")
    .execute();
}

/** Hands an open, unescalated item to the admins: its lease ends. Undefined when it is not open or already escalated. */
export async function escalateItem(db: Kysely<Database>, id: string, moderatorId: string, note: string, now: Date): Promise<ReviewItemRow | undefined> {
  return db
    .updateTable("review_items")
    .set({ escalated_at: now, escalated_by: moderatorId, escalation_note: note, claimed_by: null, lease_until: null, updated_at: now })
    .where("id", "=", id)
    .where("state", "=", "open")
    .where("escalated_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** What a queue card shows besides the item: its sources, and the text, version and verdict of the comment or tag it is about. */
export interface QueueCardFacts {
  sources: Map<string, ReviewSourceRow[]>;
  subjects: Map<string, { text: string; version: number | null; verdict: Verdict | null }>;
}

/** The card facts of a page of items in three statements, whatever the page's size. */
export async function queueCardFacts(db: Db, items: { id: string | null; subject_kind: SubjectKind; subject_id: string }[]): Promise<QueueCardFacts> {
  const idsOf = (kind: SubjectKind) => items.filter((item) => item.subject_kind === kind).map((item) => item.subject_id);
  const itemIds = items.flatMap((item) => (item.id === null ? [] : [item.id]));
  const commentIds = idsOf("comment");
  const tagIds = idsOf("tag");
  const [sources, comments, tags] = await Promise.all([
    itemIds.length ? db.selectFrom("review_sources").selectAll().where("item_id", "in", itemIds).orderBy("id").execute() : [],
    commentIds.length ? db.selectFrom("comments").select(["id", "body", "version", "verdict"]).where("id", "in", commentIds).execute() : [],
    tagIds.length ? db.selectFrom("tags").select(["id", "label", "verdict"]).where("id", "in", tagIds).execute() : [],
  ]);
  const byItem = new Map<string, ReviewSourceRow[]>();
  for (const source of sources) byItem.set(source.item_id, [...(byItem.get(source.item_id) ?? []), source]);
  const subjects: QueueCardFacts["subjects"] = new Map();
  for (const comment of comments) subjects.set(`comment:${comment.id}`, { text: comment.body, version: comment.version, verdict: comment.verdict });
  for (const tag of tags) subjects.set(`tag:${tag.id}`, { text: tag.label, version: null, verdict: tag.verdict as Verdict | null });
  return { sources: byItem, subjects };
}
