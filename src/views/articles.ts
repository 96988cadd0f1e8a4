import type { ArticleRow } from "../db/articles.ts";

/** An article as the API answers it, with its published comment count. */
export function articleView(article: ArticleRow, publishedCommentCount: number) {
  return {
    id: article.id,
    title: article.title,
    body: article.body,
    url: article.url,
    publishedAt: article.published_at?.toISOString() ?? null,
    updatedAt: article.updated_at.toISOString(),
    publishedCommentCount,
  };
}
export type ArticleView = ReturnType<typeof articleView>;
