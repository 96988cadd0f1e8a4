import { createApp, type App } from "../../src/app.ts";
import type { AppConfig } from "../../src/app-env.ts";
import { DEFAULT_MAX_TOKEN_AGE_SECONDS, mintToken, type Role } from "../../src/auth/token.ts";
import type { Clock } from "../../src/clock.ts";
import { loadClassifier } from "../../src/classifier/model.ts";
import { createModerator, type Moderator } from "../../src/moderation/moderate.ts";
import { loadRuleSet } from "../../src/moderation/rules.ts";
import { readEngineRuleFiles, readForumRules, readModelFile, readNicknameRules, readPolicy } from "../../src/rules-on-disk.ts";
import { openMigratedDatabase, type TestDatabase } from "./database.ts";
import { buildSites, singleSite, type SiteEntry } from "../../src/sites.ts";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const sharedModerator = createModerator(loadRuleSet(readEngineRuleFiles()), loadClassifier(readModelFile()));

export interface TestContext extends TestDatabase {
  app: App;
  clock: TestClock;
  config: AppConfig;
  moderator: Moderator;
  token(memberId: string, role?: Role, ttlSeconds?: number): Promise<string>;
  request(method: string, path: string, options?: { token?: string; json?: unknown; headers?: Record<string, string>; body?: string | ReadableStream<Uint8Array> }): Promise<Response>;
  /** Creates an article through the API, as the site's CMS does. */
  putArticle(id: string, fields?: Partial<{ title: string; body: string; url: string; site: string }>): Promise<Response>;
  /** Calls the API as `memberId` with `role`: the status and the JSON body (null when empty). */
  as(memberId: string, role: Role, method: string, path: string, json?: unknown): Promise<{ status: number; body: any }>;
  /** Posts a comment the rules hold (202, or this throws) and answers its id and its open review item's. */
  hold(memberId: string, articleId: string, body: string): Promise<{ commentId: string; itemId: string }>;
}

// Tests post many times in one moment of their fixed clock; the limits are tested on their own (rate-limits.test.ts).
const UNLIMITED = { perMember: { limit: 1_000_000, windowSeconds: 60 }, perIp: { limit: 1_000_000, windowSeconds: 60 } };

/**
 * Tests of other features post as members whose history does not matter: no pre-moderation of newcomers
 * or of watched members, links not held. The trust rules are tested with the policy as written
 * (members-over-time.test.ts passes `trustAsWritten`).
 */
export const NO_PREMODERATION = { ...readPolicy().trust, newcomerComments: 0, recent: { comments: 10, minDecided: 1_000_000, rejectionRate: 1 }, linksFrom: "newcomer" as const };
export const trustAsWritten = () => ({ ...readPolicy(), rateLimits: { comment: UNLIMITED, tag: UNLIMITED, report: UNLIMITED } });

/**
 * `siteEntries`: the publisher's sites as rules/sites.yaml would list them, over the test's forum rules and
 * policy; without them the app has the default site only.
 */
export async function createTestContext(overrides: Partial<AppConfig> & { siteEntries?: SiteEntry[] } = {}): Promise<TestContext> {
  const { siteEntries, ...configOverrides } = overrides;
  const test = await openMigratedDatabase();
  const clock = new TestClock(new Date("2026-11-28T09:00:00.000Z"));
  const config: AppConfig = {
    jwtSecret: TEST_SECRET,
    maxCommentChars: 2000,
    maxTokenAgeSeconds: DEFAULT_MAX_TOKEN_AGE_SECONDS,
    publicReadMemoryMs: 1000,
    forumRules: readForumRules(),
    policy: { ...readPolicy(), rateLimits: { comment: UNLIMITED, tag: UNLIMITED, report: UNLIMITED }, trust: NO_PREMODERATION },
    nicknameRules: readNicknameRules(),
    ...configOverrides,
  } as AppConfig;
  if (!configOverrides.sites) {
    const service = { forumRules: config.forumRules, policy: config.policy, moderator: sharedModerator };
    config.sites = siteEntries ? buildSites(siteEntries, service) : singleSite(service);
  }
  const app = createApp({
    db: test.database.db,
    clock,
    moderator: sharedModerator,
    config,
    clientIp: (c) => c.req.header("x-forwarded-for") ?? null,
    draining: () => false,
  });
  const token = (memberId: string, role: Role = "member", ttlSeconds = 3600) =>
    mintToken({ memberId, role }, TEST_SECRET, { now: clock.now(), ttlSeconds });
  const request: TestContext["request"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.json);
    }
    return app.request(path, { method, headers, body });
  };
  const as: TestContext["as"] = async (memberId, role, method, path, json) => {
    const response = await request(method, path, { token: await token(memberId, role), ...(json === undefined ? {} : { json }) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    ...test,
    app,
    clock,
    config,
    moderator: sharedModerator,
    token,
    request,
    as,
    async hold(memberId, articleId, body) {
      const posted = await as(memberId, "member", "POST", `/articles/${articleId}/comments`, { body, acceptedRulesVersion: config.forumRules.version });
      if (posted.status !== 202) throw new Error(`expected 202 for a held comment, got ${posted.status}: ${JSON.stringify(posted.body)}`);
      const commentId = posted.body.comment.id as string;
      const item = await test.database.db.selectFrom("review_items").select("id").where("subject_id", "=", commentId).where("state", "=", "open").executeTakeFirstOrThrow();
      return { commentId, itemId: String(item.id) };
    },
    async putArticle(id, fields = {}) {
      return request("PUT", `/articles/${id}`, {
        token: await token("cms", "admin"),
        json: { title: "市府宣布加開夜間公車", body: "交通局今天宣布明年起加開夜間公車路線。", ...fields },
      });
    },
  };
}
