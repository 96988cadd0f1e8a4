import { TfIdf } from "natural/lib/natural/tfidf/index.js";
import type { Moderator } from "../moderation/moderate.ts";
import { toOriginal } from "../moderation/normalize.ts";

export interface CorpusArticle {
  id: string;
  text: string;
}

export type Relatedness =
  | { kind: "word" }
  | { kind: "similar"; similarity: number; supportingArticles: number }
  | { kind: "unknown" };

const segmenter = new Intl.Segmenter("zh-TW", { granularity: "word" });

interface IndexedArticle {
  canonical: string;
  /** Canonical word tokens (two characters or more) for TF-IDF. */
  words: Set<string>;
  isWord(key: string): boolean;
}

/**
 * The articles a tag is judged against. A tag is related when it is a real word of the article: some
 * occurrence starts and ends on word boundaries of the original text (Intl.Segmenter, zh-TW), so a string
 * that only spans two words does not count. Otherwise its relatedness is the cosine similarity of the
 * article's TF-IDF vector (natural's TfIdf over the corpus's words) with the centroid of the articles in
 * which the tag is a word.
 */
export class TagCorpus {
  private readonly index = new Map<string, { position: number; article: IndexedArticle }>();
  private readonly tfidf = new TfIdf();
  private readonly vectors: Map<string, number>[] = [];

  constructor(
    articles: CorpusArticle[],
    private readonly moderator: Moderator,
  ) {
    articles.forEach((article, position) => {
      const indexed = this.indexArticle(article.text);
      this.index.set(article.id, { position, article: indexed });
      this.tfidf.addDocument([...indexed.words]);
    });
    articles.forEach((_, position) => {
      this.vectors.push(new Map(this.tfidf.listTerms(position).map((t) => [t.term, t.tfidf])));
    });
  }

  private indexArticle(text: string): IndexedArticle {
    const normalized = this.moderator.normalized(text);
    const boundaries = new Set<number>([text.length]);
    const words = new Set<string>();
    for (const segment of segmenter.segment(text)) {
      boundaries.add(segment.index);
      if (!segment.isWordLike) continue;
      const word = this.moderator.canonical(segment.segment);
      if ([...word].length >= 2) words.add(word);
    }
    return {
      canonical: normalized.text,
      words,
      isWord(key) {
        for (let at = normalized.text.indexOf(key); at !== -1; at = normalized.text.indexOf(key, at + 1)) {
          const [start, end] = toOriginal(normalized, at, at + key.length);
          if (boundaries.has(start) && boundaries.has(end)) return true;
        }
        return false;
      },
    };
  }

  has(articleId: string): boolean {
    return this.index.has(articleId);
  }

  /** How the tag whose canonical form is `key` (Moderator.canonical) relates to the article. */
  relatedness(articleId: string, key: string): Relatedness {
    const target = this.index.get(articleId);
    if (!target || !key) return { kind: "unknown" };
    if (target.article.isWord(key)) return { kind: "word" };
    const supporting = [...this.index.entries()].filter(
      ([id, entry]) => id !== articleId && entry.article.canonical.includes(key) && entry.article.isWord(key),
    );
    if (supporting.length === 0) return { kind: "unknown" };
    const centroid = new Map<string, number>();
    for (const [, entry] of supporting) {
      for (const [term, weight] of this.vectors[entry.position]!) {
        centroid.set(term, (centroid.get(term) ?? 0) + weight / supporting.length);
      }
    }
    return { kind: "similar", similarity: cosine(this.vectors[target.position]!, centroid), supportingArticles: supporting.length };
  }
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [term, weight] of a) dot += weight * (b.get(term) ?? 0);
  const norm = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((sum, w) => sum + w * w, 0));
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot / denominator;
}
