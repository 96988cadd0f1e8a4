import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { RecentReads } from "../recent-reads.ts";

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
