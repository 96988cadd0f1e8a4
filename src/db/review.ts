import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Policy } from "../policy.ts";
import { higherSeverity, sortKeyOf } from "../review/priority.ts";
import type { Database, ReviewItemsTable, ReviewSourcesTable, Severity, SubjectKind } from "./schema.ts";

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

/** Opens the subject's item with its first source in one statement; undefined when one is open already. */
async function openItemWithSource(trx: Transaction<Database>, policy: Policy, feed: ItemFeed): Promise<ReviewItemRow | undefined> {
  const forumRules = [...new Set(feed.forumRules)].sort();
  const sortKey = sortKeyOf(policy, feed.severity, feed.reportWeight, feed.now);
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

const EXCERPT_CHARS = 80;

export interface QueueFilters {
  kind?: "moderation" | "appeal";
  subjectKind?: SubjectKind;
  forumRule?: string;
  source?: ReviewSourceRow["source"];
  state?: "open" | "decided";
}

export interface QueueCursor {
  sortKey: number;
  id: string;
}

export async function listReviewItems(
  db: Kysely<Database>,
  filters: QueueFilters,
  limit: number,
  after: QueueCursor | null,
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
  if (filters.subjectKind) query = query.where("subject_kind", "=", filters.subjectKind);
  if (filters.forumRule) query = query.where(sql<boolean>`${filters.forumRule} = any(forum_rules)`);
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
  return query.orderBy("sort_key", "desc").orderBy("id", "asc").limit(limit).execute();
}

/** Hands out the highest open item nobody holds a live lease on; concurrent claimers skip each other's rows. */
export async function claimNextItem(
  db: Kysely<Database>,
  moderatorId: string,
  now: Date,
  leaseSeconds: number,
  kind?: "moderation" | "appeal",
): Promise<ReviewItemRow | undefined> {
  return db.transaction().execute(async (trx) => {
    let next = trx
      .selectFrom("review_items")
      .select("id")
      .where("state", "=", "open")
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]));
    if (kind) next = next.where("kind", "=", kind);
    // Never hand a moderator an item about their own content or sanction, or an appeal of their decision.
    next = next.where((eb) =>
      eb.and([
        eb.not(eb.and([eb("subject_kind", "=", "member"), eb("subject_id", "=", moderatorId)])),
        eb.not(
          eb.exists(
            eb
              .selectFrom("comments")
              .select("comments.id")
              .where("comments.member_id", "=", moderatorId)
              // Cast only a comment's id: a member item's subject is a member id, not a number.
              .whereRef("comments.id", "=", sql<string>`cast(case when review_items.subject_kind = 'comment' then review_items.subject_id end as bigint)`),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom("tags")
              .select("tags.id")
              .where("tags.created_by", "=", moderatorId)
              .whereRef("tags.id", "=", sql<string>`cast(case when review_items.subject_kind = 'tag' then review_items.subject_id end as bigint)`),
          ),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom("decisions")
              .select("decisions.id")
              .whereRef("decisions.id", "=", "review_items.appeal_of_decision_id")
              .where((d) => d.or([d("decisions.moderator_id", "=", moderatorId), d("decisions.affected_member_id", "=", moderatorId)])),
          ),
        ),
      ]),
    );
    const chosen = await next.orderBy("sort_key", "desc").orderBy("id", "asc").limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!chosen) return undefined;
    return trx
      .updateTable("review_items")
      .set({ claimed_by: moderatorId, lease_until: new Date(now.getTime() + leaseSeconds * 1000), updated_at: now })
      .where("id", "=", chosen.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function sourcesOf(db: Db, itemId: string): Promise<ReviewSourceRow[]> {
  return db.selectFrom("review_sources").selectAll().where("item_id", "=", itemId).orderBy("id").execute();
}

/**
 * Whose conduct or decision an item is about, for conflicts of interest: the subject's author (the
 * comment's, the tag's creator, the member) and, for an appeal, the moderator of the appealed decision.
 */
export async function itemParties(db: Db, item: ReviewItemRow): Promise<{ authorId: string | null; appealedModeratorId: string | null }> {
  if (item.kind === "appeal") {
    const appealed = await db
      .selectFrom("decisions")
      .select(["moderator_id", "affected_member_id"])
      .where("id", "=", item.appeal_of_decision_id!)
      .executeTakeFirst();
    return { authorId: appealed?.affected_member_id ?? null, appealedModeratorId: appealed?.moderator_id ?? null };
  }
  if (item.subject_kind === "member") return { authorId: item.subject_id, appealedModeratorId: null };
  const author =
    item.subject_kind === "comment"
      ? await db.selectFrom("comments").select("member_id as id").where("id", "=", item.subject_id).executeTakeFirst()
      : await db.selectFrom("tags").select("created_by as id").where("id", "=", item.subject_id).executeTakeFirst();
  return { authorId: author?.id ?? null, appealedModeratorId: null };
}
