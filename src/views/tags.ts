import type { PublishedTag } from "../db/tags.ts";

/** An article's published tags with how many members support each, most supported first. */
export function tagListView(articleId: string, tags: PublishedTag[]) {
  return { articleId, tags };
}
export type TagListView = ReturnType<typeof tagListView>;
