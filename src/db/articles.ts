import { sql, type Kysely, type Selectable } from "kysely";
import type { ArticlesTable, Database } from "./schema.ts";
import { DEFAULT_SITE_ID, type Sites } from "../sites.ts";

export type ArticleRow = Selectable<ArticlesTable>;

export interface ArticleInput {
  id: string;
  title: string;
  body: string;
  url: string | null;
  publishedAt: Date | null;
  /** The site it is on; on an update, absent keeps the article's site. */
  siteId?: string;
}

/**
 * Inserts or replaces the site's article; tells whether it was new. An article never moves to another
 * site (migration 0019): an update naming a different site changes nothing and answers `movedFrom`.
 */
export async function upsertArticle(
  db: Kysely<Database>,
  article: ArticleInput,
  now: Date,
): Promise<{ article: ArticleRow; created: boolean; movedFrom?: undefined } | { movedFrom: string }> {
  const row = await db
    .insertInto("articles")
    .values({
      id: article.id,
      title: article.title,
      body: article.body,
      url: article.url,
      published_at: article.publishedAt,
      site_id: article.siteId ?? DEFAULT_SITE_ID,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => {
      const update = oc.column("id").doUpdateSet((eb) => ({
        title: eb.ref("excluded.title"),
        body: eb.ref("excluded.body"),
        url: eb.ref("excluded.url"),
        published_at: eb.ref("excluded.published_at"),
        updated_at: eb.ref("excluded.updated_at"),
      }));
      return article.siteId === undefined ? update : update.where("articles.site_id", "=", article.siteId);
    })
    .returningAll()
    // xmax is 0 only on a freshly inserted row version.
    .returning(sql<boolean>`xmax = 0`.as("created"))
    .executeTakeFirst();
  if (!row) return { movedFrom: (await findArticle(db, article.id))!.site_id };
  const { created, ...stored } = row;
  return { article: stored, created };
}

export async function findArticle(db: Kysely<Database>, id: string): Promise<ArticleRow | undefined> {
  return db.selectFrom("articles").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * The site an article is on, or undefined for no such article. Articles never move (migration 0019), so
 * `sites` remembers each answer (up to a bound) and a comment usually costs no read for it.
 */
export async function siteIdOfArticle(db: Kysely<Database>, sites: Sites, id: string): Promise<string | undefined> {
  const known = sites.articleSites.get(id);
  if (known !== undefined) return known;
  const row = await db.selectFrom("articles").select("site_id").where("id", "=", id).executeTakeFirst();
  if (row) sites.articleSites.set(id, row.site_id);
  return row?.site_id;
}

/** An article with what its readers see counted (migration 0006): its published comments, and a number that moves whenever its public pages change. */
export interface ArticleState {
  article: ArticleRow;
  publishedComments: number;
  changes: number;
}

/** The article with its counters summed over their shards, as a query other queries can extend. */
export function articleStateQuery(db: Kysely<Database>, id: string) {
  return db
    .selectFrom("articles")
    .selectAll("articles")
    .select([
      sql<string>`coalesce((select sum(published) from article_counters where article_id = articles.id), 0)::text`.as("published_comments"),
      sql<string>`coalesce((select sum(changes) from article_counters where article_id = articles.id), 0)::text`.as("changes"),
    ])
    .where("id", "=", id);
}

export function articleStateOf({ published_comments, changes, ...article }: ArticleRow & { published_comments: string; changes: string }): ArticleState {
  return { article, publishedComments: Number(published_comments), changes: Number(changes) };
}

/** The article and its counters in one statement (the counters are a few shard rows, summed). */
export async function findArticleState(db: Kysely<Database>, id: string): Promise<ArticleState | undefined> {
  const row = await articleStateQuery(db, id).executeTakeFirst();
  return row && articleStateOf(row);
}

/** A number that moves with every article added or changed (migration 0008): the relatedness corpus is rebuilt when it does. */
export async function articlesStamp(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom("article_catalog").select("version").executeTakeFirstOrThrow();
  return String(row.version);
}

/** The newest articles' ids and texts (title and body), for the tag relatedness corpus. */
export async function newestArticleTexts(db: Kysely<Database>, limit: number): Promise<{ id: string; text: string }[]> {
  const rows = await db.selectFrom("articles").select(["id", "title", "body"]).orderBy("updated_at", "desc").limit(limit).execute();
  return rows.map((row) => ({ id: row.id, text: `${row.title}\n${row.body}` }));
}
