import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import type { Database, TagsTable } from "./schema.ts";

export type TagRow = Selectable<TagsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** The article's tag with this canonical label, if any (the same tag in either script or width is one). */
export async function findTag(db: Db, articleId: string, labelKey: string): Promise<TagRow | undefined> {
  return db.selectFrom("tags").selectAll().where("article_id", "=", articleId).where("label_key", "=", labelKey).executeTakeFirst();
}

/** Inserts a new tag; undefined when a concurrent request inserted the same label first. */
export async function insertTag(
  trx: Transaction<Database>,
  tag: { articleId: string; label: string; labelKey: string; status: "published" | "pending"; verdict: unknown; rulesVersion: string; createdBy: string; now: Date },
): Promise<TagRow | undefined> {
  return trx
    .insertInto("tags")
    .values({
      article_id: tag.articleId,
      label: tag.label,
      label_key: tag.labelKey,
      status: tag.status,
      verdict: JSON.stringify(tag.verdict),
      rules_version: tag.rulesVersion,
      created_by: tag.createdBy,
      created_at: tag.now,
      updated_at: tag.now,
    })
    .onConflict((oc) => oc.columns(["article_id", "label_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** What addTagInOneTrip writes: a new tag (existingId null) or support of one already there. */
export interface OneTripTag {
  articleId: string;
  memberId: string;
  /** The tag already on the article under this label, which the member supports; null to add it. */
  existingId: string | null;
  label: string;
  labelKey: string;
  status: "published" | "pending";
  verdict: unknown;
  rulesVersion: string;
  /** A new pending tag's review item (src/db/review.ts newItemValues), or null when it is published. */
  hold: { forumRules: string[]; severity: string; sortKey: number; detail: unknown } | null;
  now: Date;
}

/**
 * A member adds a tag (or supports one already there) in one statement: the member row, the tag, a held
 * tag's review item with its source, the support, and the supporter count. Undefined when a concurrent
 * request inserted the same label first (the statement's snapshot cannot see that row): the caller then
 * supports it in a transaction of its own. The review item and its source are written as
 * db/review.ts openItemWithSource writes them (a new tag has no open item yet): change both together.
 */
export async function addTagInOneTrip(
  db: Kysely<Database>,
  tag: OneTripTag,
): Promise<{ row: TagRow; created: boolean; supported: boolean; supporters: number } | undefined> {
  const { rows } = await sql<TagRow & { created: boolean; supported: boolean; supporters: string | number }>`
    with member as (
      insert into members (id, created_at, updated_at) values (${tag.memberId}, ${tag.now}, ${tag.now})
      on conflict (id) do nothing
    ),
    new_tag as (
      insert into tags (article_id, label, label_key, status, verdict, rules_version, created_by, created_at, updated_at)
      select ${tag.articleId}, ${tag.label}, ${tag.labelKey}, ${tag.status}, ${JSON.stringify(tag.verdict)}::jsonb, ${tag.rulesVersion},
             ${tag.memberId}, ${tag.now}, ${tag.now}
      where ${tag.existingId}::bigint is null
      on conflict (article_id, label_key) do nothing
      returning *
    ),
    tag as (
      select *, true as created from new_tag
      union all
      select *, false as created from tags where id = ${tag.existingId}::bigint
    ),
    item as (
      insert into review_items (kind, subject_kind, subject_id, state, forum_rules, severity, report_weight, sort_key, created_at, updated_at)
      select 'moderation', 'tag', id::text, 'open', ${tag.hold?.forumRules ?? []}::text[], ${tag.hold?.severity ?? null}, 0, ${tag.hold?.sortKey ?? 0},
             ${tag.now}, ${tag.now}
      from new_tag where ${tag.hold !== null}
      returning id
    ),
    source as (
      insert into review_sources (item_id, source, detail, created_at)
      select id, 'automated_detection', ${JSON.stringify(tag.hold?.detail ?? null)}::jsonb, ${tag.now} from item
    ),
    supporter as (
      insert into tag_supporters (tag_id, member_id, created_at)
      select id, ${tag.memberId}, ${tag.now} from tag
      on conflict (tag_id, member_id) do nothing
      returning tag_id
    )
    select tag.*, exists (select 1 from supporter) as supported,
           -- The member supports the tag either way (now, or before: a request of theirs that committed
           -- after this statement's snapshot was taken is waited for by the insert, not seen by a count).
           (select count(*) from tag_supporters s where s.tag_id = tag.id and s.member_id <> ${tag.memberId}) + 1 as supporters
    from tag`.execute(db);
  const found = rows[0];
  if (!found) return undefined;
  const { created, supported, supporters, ...row } = found;
  return { row: row as TagRow, created, supported, supporters: Number(supporters) };
}

/** Records the member's support of the tag; false when they supported it already. */
export async function addTagSupporter(trx: Transaction<Database>, tagId: string, memberId: string, now: Date): Promise<boolean> {
  const added = await trx
    .insertInto("tag_supporters")
    .values({ tag_id: tagId, member_id: memberId, created_at: now })
    .onConflict((oc) => oc.columns(["tag_id", "member_id"]).doNothing())
    .returning("member_id")
    .executeTakeFirst();
  return added !== undefined;
}

/** How many members support the tag. */
export async function countTagSupporters(db: Db, tagId: string): Promise<number> {
  const row = await db.selectFrom("tag_supporters").select((eb) => eb.fn.countAll<string>().as("count")).where("tag_id", "=", tagId).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The article's published tags with their supporter counts, most supported first. */
/** A published tag and how many members support it. */
export interface PublishedTag {
  id: string;
  label: string;
  supporters: number;
}

export async function listPublishedTags(db: Db, articleId: string): Promise<PublishedTag[]> {
  const rows = await db
    .selectFrom("tags")
    .innerJoin("tag_supporters", "tag_supporters.tag_id", "tags.id")
    .select(["tags.id", "tags.label", (eb) => eb.fn.countAll<string>().as("supporters")])
    .where("tags.article_id", "=", articleId)
    .where("tags.status", "=", "published")
    .groupBy(["tags.id", "tags.label"])
    .orderBy("supporters", "desc")
    .orderBy("tags.id")
    .execute();
  return rows.map((row) => ({ id: row.id, label: row.label, supporters: Number(row.supporters) }));
}

/** The tag with this id, if any. */
export async function findTagById(db: Db, id: string): Promise<TagRow | undefined> {
  return db.selectFrom("tags").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Publishes or removes a tag. */
export async function setTagStatus(db: Db, id: string, status: "published" | "removed", now: Date): Promise<void> {
  await db.updateTable("tags").set({ status, updated_at: now }).where("id", "=", id).execute();
}
