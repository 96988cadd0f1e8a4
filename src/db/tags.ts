import type { Kysely, Selectable, Transaction } from "kysely";
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
