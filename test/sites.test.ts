import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.ts";
import { readMigrationFiles } from "../src/db/migration-files.ts";
import { readForumRules, readPolicy, readSiteEntries } from "../src/rules-on-disk.ts";
import { applyRuleHandling, buildSites, parseSitesFile, type SiteEntry } from "../src/sites.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { openEmptyDatabase } from "./support/database.ts";
import { TestPublisher } from "./support/publisher.ts";

// Several sites on one service (rules/sites.yaml): each article on one site; the site's forum rules,
// policy sections and handling of engine rules apply to its articles; moderators limited to some sites see
// and decide only those; suspensions from one site; stats and statements by site; each site's own embed
// origins and token audience.

const MONEY_RULES = {
  version: "money-2026-11",
  rules: {
    R1: "經濟日報討論區：不得違法或侵害他人權益。",
    R2: "經濟日報討論區：不得謾罵。",
    R3: "經濟日報討論區：標籤須與文章相關。",
    R4: "經濟日報討論區：暱稱不得謾罵或冒用他人。",
  },
};
const MONEY_ORIGIN = "https://money.example.test";
const NEWS_ORIGIN = "https://news.example.test";
const SERVICE_AUDIENCE = "comments.sites.test";
const MONEY_AUDIENCE = "comments.money.test";

const ENTRIES: SiteEntry[] = [
  { id: "default", name: "聯合新聞網" },
  {
    id: "money",
    name: "經濟日報",
    forumRules: MONEY_RULES,
    // Edits are closed at once on this site, and it counts comments with limits of its own; its rejections
    // of severe profanity wait for a moderator.
    policy: {
      edits: { windowMinutes: 0 },
      rateLimits: {
        comment: { perMember: { limit: 10, windowSeconds: 3600 }, perIp: { limit: 1_000_000, windowSeconds: 60 } },
        tag: { perMember: { limit: 1_000_000, windowSeconds: 60 }, perIp: { limit: 1_000_000, windowSeconds: 60 } },
        report: { perMember: { limit: 1_000_000, windowSeconds: 60 }, perIp: { limit: 1_000_000, windowSeconds: 60 } },
      },
    },
    engineRules: { flagOnly: [], holdInsteadOfReject: ["R2-profanity-severe"] },
    embedOrigins: [MONEY_ORIGIN],
    sso: { issuer: "https://login.publisher.test", audience: MONEY_AUDIENCE },
  },
];

let t: TestContext;
let publisher: TestPublisher;
const NEWS = "site-news-1";
const MONEY = "site-money-1";
const ADMIN = "site-admin";
const MONEY_MOD = "site-mod-money";
const ALL_MOD = "site-mod-all";

const post = (member: string, article: string, body: string, version: string, extra: Record<string, unknown> = {}) =>
  t.as(member, "member", "POST", `/articles/${article}/comments`, { body, acceptedRulesVersion: version, ...extra });
const newsVersion = () => t.config.forumRules.version;

/** A comment the rules hold on `article` (202, or this throws), with its open review item. */
async function hold(member: string, article: string, body: string, version: string): Promise<string> {
  const posted = await post(member, article, body, version);
  expect(posted.status).toBe(202);
  const item = await t.database.db.selectFrom("review_items").select("id").where("subject_id", "=", posted.body.comment.id).where("state", "=", "open").executeTakeFirstOrThrow();
  return String(item.id);
}

beforeAll(async () => {
  publisher = await new TestPublisher().start();
  await publisher.addKey("k1", "ES256");
  t = await createTestContext({
    siteEntries: ENTRIES,
    embedOrigins: [NEWS_ORIGIN],
    publisherSso: { jwksUrl: publisher.jwksUrl, issuer: publisher.issuer, audience: SERVICE_AUDIENCE, cacheSeconds: 600 },
  });
  expect((await t.putArticle(NEWS)).status).toBe(201);
  expect((await t.putArticle(MONEY, { site: "money", title: "台股收盤", body: "台股今天收盤上漲，成交量放大。" })).status).toBe(201);
});
afterAll(async () => {
  await t.dispose();
  await publisher.stop();
});

describe("the sites file", () => {
  it("is checked: the default site must be listed, ids once, policy sections a site may set", () => {
    expect(readSiteEntries().map((site) => site.id)).toContain("default");
    expect(() => parseSitesFile("sites.yaml", "sites:\n  - id: money\n    name: 經濟日報\n")).toThrow(/"default" must be listed/);
    expect(() => parseSitesFile("sites.yaml", "sites:\n  - id: default\n    name: a\n  - id: default\n    name: b\n")).toThrow(/listed twice/);
    expect(() => parseSitesFile("sites.yaml", "sites:\n  - id: default\n    name: a\n    policy:\n      strikes: {count: 1}\n")).toThrow(/policy/);
    expect(() => parseSitesFile("sites.yaml", "sites:\n  - id: Default!\n    name: a\n")).toThrow(/site id/);
    // A section a site sets is checked as the whole policy is.
    const service = { forumRules: readForumRules(), policy: readPolicy(), moderator: t.moderator };
    expect(() => buildSites([{ id: "default", name: "a", policy: { edits: { windowMinutes: -1 } } }], service)).toThrow(/edits\.windowMinutes/);
  });

  it("a site's handling of engine rules is a pure function of the verdict", () => {
    const verdict = t.moderator.moderate({ kind: "comment", text: "幹你娘" });
    expect(verdict.action).toBe("reject");
    const held = applyRuleHandling(verdict, { flagOnly: [], holdInsteadOfReject: verdict.reasons.map((r) => r.ruleId) }, "v+site");
    expect(held.action).toBe("review");
    expect(held.rulesVersion).toBe("v+site");
    const flagged = applyRuleHandling(verdict, { flagOnly: verdict.reasons.map((r) => r.ruleId), holdInsteadOfReject: [] }, "v+site");
    expect(flagged.reasons.every((r) => r.action === "flag")).toBe(true);
    expect(flagged.action).toBe("allow");
  });
});

describe("articles on sites", () => {
  it("an article answers its site and the forum rules version its comments accept", async () => {
    const news = await t.as("reader", "member", "GET", `/articles/${NEWS}`);
    expect(news.body.article).toMatchObject({ site: { id: "default", name: "聯合新聞網" }, forumRulesVersion: newsVersion() });
    const money = await t.as("reader", "member", "GET", `/articles/${MONEY}`);
    expect(money.body.article).toMatchObject({ site: { id: "money", name: "經濟日報" }, forumRulesVersion: MONEY_RULES.version });
  });

  it("refuses an unknown site and never moves an article to another site; an update without a site keeps it", async () => {
    const unknown = await t.as(ADMIN, "admin", "PUT", "/articles/site-x", { title: "t", body: "b", site: "nope" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("unknown_site");
    const moved = await t.as(ADMIN, "admin", "PUT", `/articles/${MONEY}`, { title: "台股收盤", body: "改寫", site: "default" });
    expect(moved.status).toBe(409);
    expect(moved.body.error).toMatchObject({ code: "article_on_another_site", details: { site: "money" } });
    const kept = await t.as(ADMIN, "admin", "PUT", `/articles/${MONEY}`, { title: "台股收盤", body: "台股今天收盤上漲，成交量放大。" });
    expect(kept.status).toBe(200);
    expect(kept.body.article.site.id).toBe("money");
    // The database refuses a move too, whoever writes.
    await expect(sql`update articles set site_id = 'default' where id = ${MONEY}`.execute(t.database.db)).rejects.toThrow(/does not move/);
  });
});

describe("a site's forum rules, policy and rule handling", () => {
  it("a comment accepts the forum rules of its article's site", async () => {
    const wrong = await post("site-m1", MONEY, "今天台股表現不錯", newsVersion());
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toMatchObject({ code: "rules_not_accepted", details: { currentVersion: MONEY_RULES.version } });
    expect((await post("site-m1", MONEY, "今天台股表現不錯", MONEY_RULES.version)).status).toBe(201);
    // The member accepted money's version last; the news site still asks for its own.
    expect((await post("site-m1", NEWS, "夜間公車很方便", MONEY_RULES.version)).status).toBe(409);
    expect((await post("site-m1", NEWS, "夜間公車很方便", newsVersion())).status).toBe(201);
  });

  it("a site's engine rule handling holds what the service rejects, and the rules version says so", async () => {
    const news = await post("site-m2", NEWS, "幹你娘", newsVersion());
    expect(news.status).toBe(422);
    const money = await post("site-m2", MONEY, "幹你娘", MONEY_RULES.version);
    expect(money.status).toBe(202);
    const stored = await t.database.db.selectFrom("comments").select("rules_version").where("id", "=", money.body.comment.id).executeTakeFirstOrThrow();
    expect(stored.rules_version).toBe(`${t.moderator.rulesVersion}+site-${stored.rules_version!.split("+site-")[1]}`);
    expect(stored.rules_version).not.toBe(t.moderator.rulesVersion);
  });

  it("a site's policy section applies to its articles only (edits closed at once on money)", async () => {
    const news = await post("site-m3", NEWS, "公車路線很清楚", newsVersion());
    const money = await post("site-m3", MONEY, "成交量真的很大", MONEY_RULES.version);
    t.clock.advance(1000);
    expect((await t.as("site-m3", "member", "PATCH", `/comments/${news.body.comment.id}`, { body: "公車路線很清楚，站牌也新" })).status).toBe(200);
    const refused = await t.as("site-m3", "member", "PATCH", `/comments/${money.body.comment.id}`, { body: "成交量真的很大，外資買超" });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "edit_window_closed", details: { windowMinutes: 0 } });
  });
});

describe("moderators per site", () => {
  let newsItem: string;
  let moneyItem: string;
  beforeAll(async () => {
    newsItem = await hold("site-h1", NEWS, "你這個白癡", newsVersion());
    moneyItem = await hold("site-h2", MONEY, "你這個白癡", MONEY_RULES.version);
    // Touch the moderators first so their rows exist, then the admin limits one to money.
    await t.as(MONEY_MOD, "moderator", "GET", "/review/counts");
    const limited = await t.as(ADMIN, "admin", "PUT", `/members/${MONEY_MOD}/sites`, { sites: ["money"], note: "經濟日報編輯台" });
    expect(limited.status).toBe(200);
    expect(limited.body).toEqual({ memberId: MONEY_MOD, sites: ["money"] });
  });

  it("only an admin sets them, and only to sites that exist", async () => {
    expect((await t.as(ALL_MOD, "moderator", "PUT", `/members/${MONEY_MOD}/sites`, { sites: null, note: "x" })).status).toBe(403);
    const unknown = await t.as(ADMIN, "admin", "PUT", `/members/${MONEY_MOD}/sites`, { sites: ["nope"], note: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("unknown_site");
    expect((await t.as(ADMIN, "admin", "PUT", `/members/${MONEY_MOD}/sites`, { sites: [], note: "x" })).status).toBe(400);
    const history = await t.as(ADMIN, "admin", "GET", `/members/${MONEY_MOD}/history`);
    expect(history.body.moderatorSites).toMatchObject({ sites: ["money"], by: ADMIN, note: "經濟日報編輯台" });
  });

  it("a limited moderator's queue, counts and live view hold only their sites' items", async () => {
    const list = await t.as(MONEY_MOD, "moderator", "GET", "/review/items?limit=100");
    const ids = list.body.items.map((item: any) => item.id);
    expect(ids).toContain(moneyItem);
    expect(ids).not.toContain(newsItem);
    expect(list.body.items.every((item: any) => item.site === "money")).toBe(true);
    const everyone = await t.as(ALL_MOD, "moderator", "GET", "/review/items?limit=100");
    expect(everyone.body.items.map((item: any) => item.id)).toEqual(expect.arrayContaining([moneyItem, newsItem]));
    const counts = await t.as(MONEY_MOD, "moderator", "GET", "/review/counts");
    expect(counts.body.open).toBe(list.body.items.length);
    expect(counts.body.sites).toEqual(["money"]);
    const live = await t.as(MONEY_MOD, "moderator", "GET", "/review/live?since=0");
    expect(live.body.items.map((item: any) => item.id)).not.toContain(newsItem);
    // A filter by site: another site's is refused to them, their own answered.
    expect((await t.as(MONEY_MOD, "moderator", "GET", "/review/items?site=default")).status).toBe(403);
    const onlyNews = await t.as(ALL_MOD, "moderator", "GET", "/review/items?site=default&limit=100");
    expect(onlyNews.body.items.every((item: any) => item.site === "default")).toBe(true);
  });

  it("refuses them another site's item: reading, deciding, escalating, in bulk", async () => {
    const read = await t.as(MONEY_MOD, "moderator", "GET", `/review/items/${newsItem}`);
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe("site_not_granted");
    const decide = await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${newsItem}/decision`, { action: "approve", note: "ok" });
    expect(decide.status).toBe(403);
    expect((await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${newsItem}/escalate`, { note: "?" })).status).toBe(403);
    const bulk = await t.as(MONEY_MOD, "moderator", "POST", "/review/bulk-decisions", { action: "approve", note: "ok", itemIds: [newsItem] });
    expect(bulk.body.results[0]).toMatchObject({ itemId: newsItem, ok: false, error: { code: "site_not_granted" } });
    const item = await t.database.db.selectFrom("review_items").select("state").where("id", "=", newsItem).executeTakeFirstOrThrow();
    expect(item.state).toBe("open");
  });

  it("claims hand them only their sites' items, and they decide those", async () => {
    const claims: string[] = [];
    for (;;) {
      const claim = await t.as(MONEY_MOD, "moderator", "POST", "/review/claim");
      if (!claim.body.item) break;
      claims.push(claim.body.item.id);
      expect(claim.body.item.site).toBe("money");
      const decided = await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${claim.body.item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "謾罵" });
      expect(decided.status).toBe(201);
    }
    expect(claims).toContain(moneyItem);
    expect(claims).not.toContain(newsItem);
    const decision = await t.database.db.selectFrom("decisions").select("site_id").where("review_item_id", "=", moneyItem).executeTakeFirstOrThrow();
    expect(decision.site_id).toBe("money");
  });

  it("their sanctions from the queue stay on their sites: remove_and_suspend suspends from the item's site, revoke is refused", async () => {
    const item = await hold("site-h3", MONEY, "你這個白癡", MONEY_RULES.version);
    const revoke = await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${item}/decision`, { action: "revoke", forumRules: ["R2"], note: "x" });
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.code).toBe("site_not_granted");
    const suspended = await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${item}/decision`, { action: "remove_and_suspend", suspendDays: 2, forumRules: ["R2"], note: "謾罵" });
    expect(suspended.status).toBe(201);
    expect(suspended.body.decision).toMatchObject({ site: "money", facts: { site: "money" } });
    const member = await t.database.db.selectFrom("members").select("status").where("id", "=", "site-h3").executeTakeFirstOrThrow();
    expect(member.status).toBe("active");
    expect((await post("site-h3", MONEY, "今天成交量很大", MONEY_RULES.version)).status).toBe(403);
    expect((await post("site-h3", NEWS, "公車今天很準時", newsVersion())).status).toBe(201);
    // Suspended from every site meanwhile; an appeal that reverses the money removal lifts money's
    // suspension and leaves that one in force.
    const everywhere = await t.as(ADMIN, "admin", "POST", `/members/site-h3/actions`, { action: "suspend", suspendDays: 5, forumRules: ["R2"], note: "全站停權" });
    expect(everywhere.status).toBe(201);
    expect((await t.as("site-h3", "member", "POST", `/decisions/${suspended.body.decision.id}/appeal`, { note: "我沒有謾罵" })).status).toBe(201);
    const appeals = await t.as(ADMIN, "admin", "GET", "/review/items?kind=appeal&limit=100");
    const appeal = appeals.body.items.find((i: any) => i.appealOfDecisionId === suspended.body.decision.id);
    expect((await t.as(ADMIN, "admin", "POST", `/review/items/${appeal.id}/decision`, { action: "reverse", note: "撤銷" })).status).toBe(201);
    const after = await t.database.db.selectFrom("members").select("status").where("id", "=", "site-h3").executeTakeFirstOrThrow();
    expect(after.status).toBe("suspended");
    const siteRows = await t.database.db.selectFrom("member_site_suspensions").select("site_id").where("member_id", "=", "site-h3").execute();
    expect(siteRows).toEqual([]);
  });

  it("a member's history shows them only their sites' texts and decisions", async () => {
    const author = "site-h4";
    const news = await post(author, NEWS, "市長的政見我不認同", newsVersion());
    const money = await post(author, MONEY, "央行升息影響房貸", MONEY_RULES.version);
    await t.as(ALL_MOD, "moderator", "POST", `/members/${author}/actions`, { action: "suspend", suspendDays: 1, site: "default", forumRules: ["R2"], note: "新聞網停權" });
    const limited = await t.as(MONEY_MOD, "moderator", "GET", `/members/${author}/history`);
    expect(limited.body.comments.latest.map((c: any) => c.id)).toEqual([money.body.comment.id]);
    expect(limited.body.decisions.every((d: any) => d.site !== "default")).toBe(true);
    expect(limited.body.siteSuspensions).toEqual([]);
    const everyone = await t.as(ALL_MOD, "moderator", "GET", `/members/${author}/history`);
    expect(everyone.body.comments.latest.map((c: any) => c.id).sort()).toEqual([news.body.comment.id, money.body.comment.id].sort());
    expect(everyone.body.decisions.some((d: any) => d.site === "default")).toBe(true);
    expect(everyone.body.siteSuspensions.map((x: any) => x.site)).toEqual(["default"]);
  });

  it("on appeal they may not lift a sanction on every site; a shorter suspension from their site never cuts a longer one short", async () => {
    const appealOf = async (member: string, decisionId: string) => {
      expect((await t.as(member, "member", "POST", `/decisions/${decisionId}/appeal`, { note: "請再看一次" })).status).toBe(201);
      const items = await t.as(ADMIN, "admin", "GET", "/review/items?kind=appeal&limit=100");
      return items.body.items.find((i: any) => i.appealOfDecisionId === decisionId).id as string;
    };
    // An admin's remove_and_suspend on a money comment suspends from every site; its appeal is money's item.
    const item = await hold("site-h7", MONEY, "你這個白癡", MONEY_RULES.version);
    const everywhere = await t.as(ADMIN, "admin", "POST", `/review/items/${item}/decision`, { action: "remove_and_suspend", suspendDays: 5, forumRules: ["R2"], note: "謾罵" });
    expect(everywhere.status).toBe(201);
    const appeal = await appealOf("site-h7", everywhere.body.decision.id);
    const refused = await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${appeal}/decision`, { action: "reverse", note: "撤銷" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("site_not_granted");
    expect((await t.as(MONEY_MOD, "moderator", "POST", `/review/items/${appeal}/decision`, { action: "uphold", note: "維持" })).status).toBe(201);
    expect((await t.database.db.selectFrom("members").select("status").where("id", "=", "site-h7").executeTakeFirstOrThrow()).status).toBe("suspended");

    // Thirty days from money by an admin; then a day from money by the limited moderator, reversed on appeal.
    const member = "site-h8";
    expect((await post(member, MONEY, "今天的財經新聞很清楚", MONEY_RULES.version)).status).toBe(201);
    expect((await t.as(ADMIN, "admin", "POST", `/members/${member}/actions`, { action: "suspend", suspendDays: 30, site: "money", forumRules: ["R2"], note: "三十天" })).status).toBe(201);
    const shorter = await t.as(MONEY_MOD, "moderator", "POST", `/members/${member}/actions`, { action: "suspend", suspendDays: 1, site: "money", forumRules: ["R2"], note: "一天" });
    expect(shorter.status).toBe(201);
    const shorterAppeal = await appealOf(member, shorter.body.decision.id);
    expect((await t.as(ADMIN, "admin", "POST", `/review/items/${shorterAppeal}/decision`, { action: "reverse", note: "撤銷一天的" })).status).toBe(201);
    t.clock.advance(2 * 86_400_000);
    const still = await post(member, MONEY, "還在停權嗎", MONEY_RULES.version);
    expect(still.status).toBe(403);
    expect(still.body.error.code).toBe("member_suspended_from_site");
  });

  it("lifting the limit gives them every site again from the next request", async () => {
    expect((await t.as(ADMIN, "admin", "PUT", `/members/${MONEY_MOD}/sites`, { sites: null, note: "支援各站" })).status).toBe(200);
    expect((await t.as(MONEY_MOD, "moderator", "GET", `/review/items/${newsItem}`)).status).toBe(200);
    expect((await t.as(ADMIN, "admin", "PUT", `/members/${MONEY_MOD}/sites`, { sites: ["money"], note: "回經濟日報" })).status).toBe(200);
    expect((await t.as(MONEY_MOD, "moderator", "GET", `/review/items/${newsItem}`)).status).toBe(403);
  });
});

describe("suspensions from one site", () => {
  const X = "site-suspended";
  let suspension: string;
  beforeAll(async () => {
    // Money's version accepted last, so a post on money is the one-trip path's to refuse.
    expect((await post(X, NEWS, "公車很準時", newsVersion())).status).toBe(201);
    expect((await post(X, MONEY, "外資今天買超", MONEY_RULES.version)).status).toBe(201);
  });

  it("a moderator limited to a site suspends from that site only, and must name it", async () => {
    const unnamed = await t.as(MONEY_MOD, "moderator", "POST", `/members/${X}/actions`, { action: "suspend", suspendDays: 3, forumRules: ["R2"], note: "謾罵" });
    expect(unnamed.status).toBe(403);
    expect(unnamed.body.error.code).toBe("site_not_granted");
    const other = await t.as(MONEY_MOD, "moderator", "POST", `/members/${X}/actions`, { action: "suspend", suspendDays: 3, site: "default", forumRules: ["R2"], note: "謾罵" });
    expect(other.status).toBe(403);
    const warn = await t.as(ALL_MOD, "moderator", "POST", `/members/${X}/actions`, { action: "warn", site: "money", forumRules: ["R2"], note: "謾罵" });
    expect(warn.status).toBe(400);
    expect(warn.body.error.code).toBe("site_only_for_suspend");
    const done = await t.as(MONEY_MOD, "moderator", "POST", `/members/${X}/actions`, {
      action: "suspend",
      suspendDays: 3,
      site: "money",
      forumRules: ["R2"],
      note: "在經濟日報一再謾罵",
      takeDownComments: true,
    });
    expect(done.status).toBe(201);
    suspension = done.body.decision.id;
    // Only the comment on money's article was taken down.
    expect(done.body.takedowns).toHaveLength(1);
    const decision = await t.database.db.selectFrom("decisions").select("site_id").where("id", "=", suspension).executeTakeFirstOrThrow();
    expect(decision.site_id).toBe("money");
  });

  it("the member may not post, tag or report on that site, by either write path, and may elsewhere", async () => {
    // Both write paths: the one-trip (the rules version the member accepted last, no retry key; the
    // database function refuses) and the general one (with a retry key).
    const accepted = await t.database.db.selectFrom("members").select("accepted_rules_version").where("id", "=", X).executeTakeFirstOrThrow();
    expect(accepted.accepted_rules_version).toBe(MONEY_RULES.version);
    for (const extra of [{}, { idempotencyKey: "site-susp-1" }]) {
      const refused = await post(X, MONEY, "我想再說一次", MONEY_RULES.version, extra);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: "member_suspended_from_site", details: { site: "money" } });
    }
    expect((await t.as(X, "member", "POST", `/articles/${MONEY}/tags`, { label: "台股" })).status).toBe(403);
    const someone = await post("site-other", MONEY, "成交量創新高", MONEY_RULES.version);
    expect((await t.as(X, "member", "POST", "/reports", { subject: "comment", id: someone.body.comment.id, reason: "spam" })).status).toBe(403);
    expect((await post(X, NEWS, "公車今天也很準時", newsVersion())).status).toBe(201);
    const me = await t.as(X, "member", "GET", "/members/me");
    expect(me.body.member).toMatchObject({ status: "active", siteSuspensions: [{ site: "money", decisionId: suspension }] });
  });

  it("runs out by itself, and an appeal that reverses it lifts it at once", async () => {
    t.clock.advance(3 * 86_400_000 + 1000);
    expect((await post(X, MONEY, "停權結束了", MONEY_RULES.version)).status).toBe(201);
    const again = await t.as(ALL_MOD, "moderator", "POST", `/members/${X}/actions`, { action: "suspend", suspendDays: 30, site: "money", forumRules: ["R2"], note: "再犯" });
    expect(again.status).toBe(201);
    expect((await post(X, MONEY, "又被停權了", MONEY_RULES.version)).status).toBe(403);
    expect((await t.as(X, "member", "POST", `/decisions/${again.body.decision.id}/appeal`, { note: "我沒有謾罵" })).status).toBe(201);
    const items = await t.as(ADMIN, "admin", "GET", "/review/items?kind=appeal&limit=100");
    const appeal = items.body.items.find((item: any) => item.appealOfDecisionId === again.body.decision.id);
    expect(appeal.site).toBe("money");
    const reversed = await t.as(ADMIN, "admin", "POST", `/review/items/${appeal.id}/decision`, { action: "reverse", note: "證據不足" });
    expect(reversed.status).toBe(201);
    expect((await post(X, MONEY, "謝謝解除停權", MONEY_RULES.version)).status).toBe(201);
    // A suspension from one site never touched the member's own status.
    const member = await t.database.db.selectFrom("members").select("status").where("id", "=", X).executeTakeFirstOrThrow();
    expect(member.status).toBe("active");
  });
});

describe("stats and statements by site", () => {
  it("/stats counts one site's decisions; a limited moderator gets their sites and no other", async () => {
    const all = await t.as(ADMIN, "admin", "GET", "/stats");
    const money = await t.as(ADMIN, "admin", "GET", "/stats?site=money");
    const news = await t.as(ADMIN, "admin", "GET", "/stats?site=default");
    expect(money.body.sites).toEqual(["money"]);
    expect(money.body.decisions).toBeGreaterThan(0);
    expect(news.body.decisions).toBeGreaterThan(0);
    const counted = await t.database.db.selectFrom("decisions").select(["site_id", (eb) => eb.fn.countAll<string>().as("n")]).groupBy("site_id").execute();
    const bySite = Object.fromEntries(counted.map((row) => [row.site_id ?? "", Number(row.n)]));
    expect(money.body.decisions).toBe(bySite.money);
    expect(news.body.decisions).toBe(bySite.default);
    expect(all.body.decisions).toBe(Object.values(bySite).reduce((a, b) => a + b, 0));
    const limited = await t.as(MONEY_MOD, "moderator", "GET", "/stats");
    expect(limited.body.sites).toEqual(["money"]);
    expect(limited.body.decisions).toBe(bySite.money);
    expect((await t.as(MONEY_MOD, "moderator", "GET", "/stats?site=default")).status).toBe(403);
    expect((await t.as(ADMIN, "admin", "GET", "/stats?site=nope")).status).toBe(400);
  });

  it("the statements export filters by site and quotes each site's own forum rules", async () => {
    const day = new Date(t.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const from = "2026-11-01";
    const read = async (member: string, role: "admin" | "moderator", query: string) => {
      const response = await t.request("GET", `/transparency/statements?from=${from}&to=${day}${query}`, { token: await t.token(member, role) });
      const text = await response.text();
      return { status: response.status, lines: response.status === 200 ? text.split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [] };
    };
    const money = await read(ADMIN, "admin", "&site=money");
    expect(money.lines.length).toBeGreaterThan(0);
    expect(money.lines.every((s: any) => s.site === "money")).toBe(true);
    expect(money.lines.some((s: any) => String(s.incompatible_content_ground).includes("經濟日報討論區"))).toBe(true);
    const news = await read(ADMIN, "admin", "&site=default");
    expect(news.lines.every((s: any) => s.site === "default")).toBe(true);
    expect(news.lines.some((s: any) => String(s.incompatible_content_ground).includes("經濟日報"))).toBe(false);
    const limited = await read(MONEY_MOD, "moderator", "");
    expect(limited.lines.map((s: any) => s.puid).sort()).toEqual(money.lines.map((s: any) => s.puid).sort());
    expect((await read(MONEY_MOD, "moderator", "&site=default")).status).toBe(403);
    const summary = await t.request("GET", "/transparency/summary?site=money");
    expect(((await summary.json()) as { site: string }).site).toBe("money");
    expect((await t.request("GET", "/transparency/summary?site=nope")).status).toBe(404);
  });
});

describe("a site's embed origins and sign-in audience", () => {
  it("embeds a site's articles only on its own origins", async () => {
    const embed = (article: string, origin: string) => t.request("GET", `/embed/articles/${article}?origin=${encodeURIComponent(origin)}`);
    expect((await embed(MONEY, MONEY_ORIGIN)).status).toBe(200);
    expect((await embed(MONEY, NEWS_ORIGIN)).status).toBe(403);
    expect((await embed(NEWS, NEWS_ORIGIN)).status).toBe(200);
    expect((await embed(NEWS, MONEY_ORIGIN)).status).toBe(403);
    const page = await (await embed(MONEY, MONEY_ORIGIN)).text();
    expect(page).toContain(MONEY_RULES.version);
    expect(page).toContain("經濟日報討論區：不得謾罵。");
  });

  it("a token made for one site's audience acts on that site only; the service's acts everywhere", async () => {
    const now = t.clock.now();
    const moneyToken = await publisher.token("k1", { sub: "site-sso-1", aud: MONEY_AUDIENCE }, { now });
    const serviceToken = await publisher.token("k1", { sub: "site-sso-2", aud: SERVICE_AUDIENCE }, { now });
    const stranger = await publisher.token("k1", { sub: "site-sso-3", aud: "comments.other.test" }, { now });
    const send = (token: string, article: string, version: string) =>
      t.request("POST", `/articles/${article}/comments`, { token, json: { body: "外資連續買超三天", acceptedRulesVersion: version } });
    expect((await send(moneyToken, MONEY, MONEY_RULES.version)).status).toBe(201);
    const elsewhere = await send(moneyToken, NEWS, newsVersion());
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { error: unknown }).error).toMatchObject({ code: "token_not_for_site", details: { tokenSites: ["money"] } });
    expect((await send(serviceToken, MONEY, MONEY_RULES.version)).status).toBe(201);
    expect((await send(serviceToken, NEWS, newsVersion())).status).toBe(201);
    expect((await send(stranger, MONEY, MONEY_RULES.version)).status).toBe(401);
  });

  it("a site's token with a staff role acts at most as a moderator of that site", async () => {
    const now = t.clock.now();
    const news = await hold("site-h5", NEWS, "你這個白癡", newsVersion());
    const money = await hold("site-h6", MONEY, "你這個白癡", MONEY_RULES.version);
    const siteAdmin = await publisher.token("k1", { sub: "site-sso-admin", role: "admin", aud: MONEY_AUDIENCE }, { now });
    const read = async (item: string) => (await t.request("GET", `/review/items/${item}`, { token: siteAdmin })).status;
    expect(await read(money)).toBe(200);
    expect(await read(news)).toBe(403);
    // Not an admin: the admins' routes refuse it.
    expect((await t.request("PUT", `/members/${MONEY_MOD}/sites`, { token: siteAdmin, json: { sites: null, note: "x" } })).status).toBe(403);
    // The service's audience with the admin role is an admin everywhere.
    const serviceAdmin = await publisher.token("k1", { sub: "site-sso-admin", role: "admin", aud: SERVICE_AUDIENCE }, { now });
    expect((await t.request("GET", `/review/items/${news}`, { token: serviceAdmin })).status).toBe(200);
  });
});

describe("a site's own rate limits", () => {
  it("count apart from the service's: posts elsewhere neither use them up nor reset them", async () => {
    const member = "site-rl";
    for (let i = 1; i <= 11; i++) {
      const money = await post(member, MONEY, `第 ${i} 則：今天外資買超`, MONEY_RULES.version);
      expect(money.status, `money post ${i}`).toBe(i <= 10 ? 201 : 429);
      // A post on the news site in a new one of its (one-minute) windows between each.
      t.clock.advance(61_000);
      expect((await post(member, NEWS, `第 ${i} 則：公車很準時`, newsVersion())).status).toBe(201);
    }
  });
});

describe("migration 0019", () => {
  it("keeps what was there before sites in the default site, counts included", async () => {
    const test = await openEmptyDatabase();
    try {
      const files = readMigrationFiles();
      const before = files.filter((file) => file.name < "0019");
      await migrate(test.database, before);
      const db = test.database.db;
      await sql`insert into members (id) values ('old-member')`.execute(db);
      await sql`insert into articles (id, title, body) values ('old-article', 't', 'b')`.execute(db);
      const { rows } = await sql<{ id: string }>`insert into comments (article_id, member_id, body, status, verdict, rules_version, accepted_rules_version, request_hash, created_at, updated_at)
        values ('old-article', 'old-member', '舊留言', 'removed', '{}', 'rules-old', '2026-11-01', 'h', now(), now()) returning id::text`.execute(db);
      const commentId = rows[0]!.id;
      await sql`insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation, affected_member_id, created_at)
        values ('comment', ${commentId}, '舊留言', 'remove', '{R2}', '{}', '{}', 'moderator_initiative', 'human', 'old-member', now())`.execute(db);
      await sql`insert into review_items (kind, subject_kind, subject_id, state, sort_key, created_at, updated_at)
        values ('moderation', 'comment', ${commentId}, 'open', 1, now(), now())`.execute(db);
      await migrate(test.database, files);
      const article = await sql<{ site_id: string }>`select site_id from articles where id = 'old-article'`.execute(db);
      expect(article.rows[0]!.site_id).toBe("default");
      const decision = await sql<{ site_id: string }>`select site_id from decisions`.execute(db);
      expect(decision.rows.map((row) => row.site_id)).toEqual(["default"]);
      const item = await sql<{ site_id: string }>`select site_id from review_items`.execute(db);
      expect(item.rows.map((row) => row.site_id)).toEqual(["default"]);
      const counts = await sql<{ site: string; n: string }>`select site, sum(count)::text as n from decision_day_counts where dimension = 'total' group by site`.execute(db);
      expect(counts.rows).toEqual([{ site: "default", n: "1" }]);
      // The log stays append-only: no update may move a decision to another site.
      await expect(sql`update decisions set site_id = 'money'`.execute(db)).rejects.toThrow(/append-only/);
    } finally {
      await test.dispose();
    }
  });
});
