import type { ArticleRow } from "../db/articles.ts";
import type { Site } from "../sites.ts";

/**
 * An article as the API answers it, with its published comment count, its site and the version of the
 * forum rules a comment on it must accept (the site's).
 */
export function articleView(article: ArticleRow, publishedCommentCount: number, site: Site) {
  return {
    id: article.id,
    title: article.title,
    body: article.body,
    url: article.url,
    publishedAt: article.published_at?.toISOString() ?? null,
    updatedAt: article.updated_at.toISOString(),
    publishedCommentCount,
    site: { id: article.site_id, name: site.name },
    forumRulesVersion: site.forumRules.version,
  };
}
export type ArticleView = ReturnType<typeof articleView>;
