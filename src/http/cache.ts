import { createHash } from "node:crypto";
import type { Context } from "hono";

// The public reads (an article, its comment pages, its tags) may be kept briefly by browsers and CDNs,
// which serve a stale copy for a while longer as they revalidate it: a comment shows on other readers'
// pages within seconds, and a busy article is read from caches instead of the database.
export const PUBLIC_CACHE_CONTROL = "public, max-age=5, stale-while-revalidate=30";

/**
 * A strong ETag for a representation named by `parts` (what it is, and the version numbers it was built
 * from): equal parts give byte-equal bodies, so equal tags mean the same response.
 */
export function entityTag(parts: readonly (string | number)[]): string {
  return `"${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 27)}"`;
}

/** Whether an If-None-Match header names this tag (or is `*`); weak tags compare by their opaque part, as RFC 9110 asks. */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === tag);
}

/**
 * Marks the answer as a cacheable public read with this tag, and gives the 304 to send instead when the
 * client already holds it; null when the body must be built.
 */
export function revalidate(c: Context, tag: string): Response | null {
  c.header("ETag", tag);
  c.header("Cache-Control", PUBLIC_CACHE_CONTROL);
  // The same paths answer HTML pages to browsers (src/web/): a cache must keep the two apart.
  c.header("Vary", "Accept");
  return matchesIfNoneMatch(c.req.header("if-none-match"), tag) ? c.body(null, 304) : null;
}

interface RecentAnswer {
  tag: string;
  /** Null when only the tag is known (the read answered 304 without building the body). */
  body: string | null;
  /** performance.now() after which the answer is asked of the database again. */
  until: number;
}

/**
 * The public reads' answers this process gave in the last moment (PUBLIC_READ_MEMORY_MS, 1 s unless set),
 * so a busy article's first page is read from memory, not the database, for every reader in that second.
 * Every request that may write (anything but GET and HEAD) forgets them all once it is done, so this
 * process never answers from before its own writes: what a member just posted shows on the next read.
 * Writes made elsewhere (another server, the Worker, the command line) show within the memory's time —
 * less than the max-age=5 browsers and CDNs are already allowed. A read that started before a write ended
 * does not keep its answer (the generation moved on), since it may have been read before the commit.
 */
export class RecentReads {
  private readonly answers = new Map<string, RecentAnswer>();
  private generation = 0;

  constructor(
    readonly memoryMs: number,
    private readonly maxAnswers = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  forget(): void {
    this.answers.clear();
    this.generation += 1;
  }

  /** The generation a read starts in; hand it back to `keep`. */
  get current(): number {
    return this.generation;
  }

  recall(key: string): RecentAnswer | undefined {
    const answer = this.answers.get(key);
    if (!answer) return undefined;
    if (answer.until > this.now()) return answer;
    this.answers.delete(key);
    return undefined;
  }

  keep(key: string, startedIn: number, tag: string, body: string | null): void {
    if (this.memoryMs <= 0 || startedIn !== this.generation) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.answers.size >= this.maxAnswers) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, { tag, body, until: this.now() + this.memoryMs });
  }
}

function answerJson(c: Context, body: string): Response {
  return c.body(body, 200, { "Content-Type": "application/json" });
}

/**
 * A public read through this process's recent answers: `answer` is the reply from memory (200, or 304
 * when the client holds its tag), or null; then build the answer (JSON text) and hand it to `reply`,
 * which marks it cacheable, keeps it and answers it — or, when the tag alone was read, to `notModified`,
 * which keeps the tag and answers 304 if the client holds it.
 */
export function publicRead(
  c: Context,
  recent: RecentReads,
  key: string,
): { answer: Response | null; reply: (tag: string, body: string) => Response; notModified: (tag: string) => Response | null } {
  const startedIn = recent.current;
  const known = recent.recall(key);
  const notModified = known && revalidate(c, known.tag);
  return {
    answer: notModified || (known?.body != null ? answerJson(c, known.body) : null),
    reply: (tag, body) => {
      recent.keep(key, startedIn, tag, body);
      return revalidate(c, tag) ?? answerJson(c, body);
    },
    notModified: (tag) => {
      const answer = revalidate(c, tag);
      if (answer && known?.tag !== tag) recent.keep(key, startedIn, tag, null);
      return answer;
    },
  };
}
