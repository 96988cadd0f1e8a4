import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { PublisherSso } from "./auth/publisher-keys.ts";
import type { Identity } from "./auth/token.ts";
import type { Clock } from "./clock.ts";
import type { Database } from "./db/schema.ts";
import type { RecentReads } from "./recent-reads.ts";
import type { ForumRules } from "./forum-rules.ts";
import type { Moderator } from "./moderation/moderate.ts";
import type { NicknameRules } from "./nicknames/rules.ts";
import type { Policy } from "./policy.ts";
import type { Sites } from "./sites.ts";

/** A signed-in browser (src/web/session.ts): who, until when, and the token its forms must carry. */
export interface WebSession extends Identity {
  /** The session's row (web_sessions.id), so a page can tell this browser's session from the others. */
  sessionId: string;
  /** Unix seconds. */
  expiresAt: number;
  csrf: string;
}

export interface AppConfig {
  /** HS256 secret: the service's own pages sign their API calls with it, and in development the site's login system. */
  jwtSecret: string;
  /** The publisher's keys for members' RS256/ES256 tokens (src/auth/publisher-keys.ts); absent or null: HS256 only. */
  publisherSso?: PublisherSso | null;
  /** The origins whose pages may embed the comment section (src/web/embed.tsx); absent or empty: none. */
  embedOrigins?: string[];
  /** Longest comment accepted, in characters (Unicode code points). */
  maxCommentChars: number;
  /** The longest a token may live, from its iat (MAX_TOKEN_AGE_SECONDS). */
  maxTokenAgeSeconds: number;
  /** How long this process answers a public read from memory (src/recent-reads.ts); 0 turns it off. */
  publicReadMemoryMs: number;
  /** How long the moderator pages' live queue keeps one event stream open before the browser reconnects (default 60 s; 0: one snapshot per connection, as on Workers). */
  liveQueueHoldMs?: number;
  /** The service's forum rules and policy: the default site's, and what every site did not set for itself. */
  forumRules: ForumRules;
  policy: Policy;
  nicknameRules: NicknameRules;
  /** The publisher's sites (rules/sites.yaml, src/sites.ts): each article's forum rules, policy and rule handling come from its site. */
  sites: Sites;
}

/** Everything the app needs from outside; the Node server, the Worker and the tests each supply their own. */
export interface AppDeps {
  db: Kysely<Database>;
  clock: Clock;
  moderator: Moderator;
  config: AppConfig;
  /** The client's address for per-address rate limits, as the runtime knows it (socket, proxy or edge header). */
  clientIp: (c: Context) => string | null;
  /** True once the process is shutting down: /readyz says so, so no new traffic is routed to it. */
  draining: () => boolean;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    identity: Identity;
    /** The browser session on the moderator pages (set by their middleware). */
    webSession: WebSession;
    /** This app's recent public-read answers (src/recent-reads.ts). */
    recentReads: RecentReads;
  };
};
