import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../test/support/context.ts";
import { openStage, screenshot, type Stage } from "./browser.ts";

// A moderator of one site (經濟日報) in chromium: an admin limits them to it on their member page; their
// queue then holds only that site's items, another site's item is refused, they decide their own, and they
// suspend a member from their site only. An admin's queue filters by site.
const NEWS = "e2e-site-news";
const MONEY = "e2e-site-money";
const MONEY_VERSION = "money-2026-11";
let t: TestContext;
let stage: Stage;

async function held(memberId: string, article: string, body: string, version: string): Promise<string> {
  const response = await t.request("POST", `/articles/${article}/comments`, { token: await t.token(memberId), json: { body, acceptedRulesVersion: version } });
  expect(response.status).toBe(202);
  const commentId = ((await response.json()) as { comment: { id: string } }).comment.id;
  const item = await t.database.db.selectFrom("review_items").select("id").where("subject_id", "=", commentId).where("state", "=", "open").executeTakeFirstOrThrow();
  return String(item.id);
}

beforeAll(async () => {
  t = await createTestContext({
    siteEntries: [
      { id: "default", name: "聯合新聞網" },
      {
        id: "money",
        name: "經濟日報",
        forumRules: {
          version: MONEY_VERSION,
          rules: { R1: "不得違法。", R2: "不得謾罵。", R3: "標籤須與文章相關。", R4: "暱稱不得謾罵。" },
        },
      },
    ],
  });
  expect((await t.putArticle(NEWS, { title: "夜間公車上路", body: "市府宣布夜間公車明年上路。" })).status).toBe(201);
  expect((await t.putArticle(MONEY, { title: "台股收盤", body: "台股今天收盤上漲。", site: "money" })).status).toBe(201);
  stage = await openStage(t);
});

afterAll(async () => {
  await stage?.close();
  await t?.dispose();
});

describe("a moderator of one site in chromium", () => {
  let newsItem: string;
  let moneyItem: string;

  it("an admin limits the moderator to 經濟日報 on the member page", async () => {
    newsItem = await held("site-e2e-a", NEWS, "這個市長根本是白癡", t.config.forumRules.version);
    moneyItem = await held("site-e2e-b", MONEY, "這個分析師根本是白癡", MONEY_VERSION);
    // The moderator has signed in once, so the admin finds them.
    await stage.signIn("site-e2e-mod", "moderator", "/moderate");
    const admin = await stage.signIn("site-e2e-admin", "admin", "/moderate/members/site-e2e-mod");
    await admin.check("[data-testid=moderator-sites-form] input[name=sites][value=money]");
    await admin.fill("[data-testid=moderator-sites-form] input[name=note]", "經濟日報編輯台");
    await Promise.all([admin.waitForURL(/\/moderate\/members\/site-e2e-mod$/), admin.click("[data-testid=moderator-sites-form] button")]);
    await expect(admin.locator("[data-testid=moderator-sites]").textContent()).resolves.toContain("只負責：經濟日報");
    await screenshot(admin, "sites-limited");
  });

  it("their queue holds only 經濟日報's items, and another site's item is refused", async () => {
    const moderator = await stage.signIn("site-e2e-mod", "moderator", "/moderate");
    const cards = moderator.locator(".queue-item");
    await expect(cards.count()).resolves.toBe(1);
    await expect(cards.first().getAttribute("data-item-id")).resolves.toBe(moneyItem);
    await expect(cards.first().locator("[data-testid=card-site]").textContent()).resolves.toBe("經濟日報");
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("1");
    // Their site filter offers their site only.
    const options = await moderator.locator("form.filters select[name=site] option").evaluateAll((found) => found.map((o) => o.textContent));
    expect(options).toEqual(["全部", "經濟日報"]);
    await screenshot(moderator, "sites-queue");
    const refused = await moderator.goto(`${stage.baseUrl}/moderate/items/${newsItem}`);
    expect(refused?.status()).toBe(403);
    await expect(moderator.locator("body").textContent()).resolves.toContain("不屬於你負責的網站");
    // They decide their own site's item from the card.
    await moderator.goto(`${stage.baseUrl}/moderate`);
    await Promise.all([moderator.waitForURL(/notice=decided/), cards.first().locator("button:has-text('移除')").click()]);
    const decision = await t.database.db.selectFrom("decisions").select(["action", "site_id", "moderator_id"]).where("review_item_id", "=", moneyItem).executeTakeFirstOrThrow();
    expect(decision).toEqual({ action: "remove", site_id: "money", moderator_id: "site-e2e-mod" });
    const news = await t.database.db.selectFrom("review_items").select("state").where("id", "=", newsItem).executeTakeFirstOrThrow();
    expect(news.state).toBe("open");
  });

  it("they suspend a member from 經濟日報 only", async () => {
    const moderator = await stage.signIn("site-e2e-mod", "moderator", "/moderate/members/site-e2e-b");
    await moderator.check("[data-testid=member-action] input[name=action][value=suspend]");
    await moderator.check("[data-testid=member-action] input[name=forumRules][value=R2]");
    await moderator.fill("[data-testid=member-action] input[name=suspendDays]", "3");
    await moderator.selectOption("[data-testid=member-action] select[name=site]", "money");
    await moderator.fill("#member-action-note", "在經濟日報謾罵");
    await Promise.all([moderator.waitForURL(/\/moderate\/members\/site-e2e-b$/), moderator.click("[data-testid=member-action] button[type=submit]")]);
    await expect(moderator.locator("[data-testid=site-suspensions]").textContent()).resolves.toContain("在經濟日報停權至");
    await expect(moderator.locator("[data-testid=member-status]").textContent()).resolves.toBe("正常");
    await screenshot(moderator, "sites-suspended");
    const post = async (article: string, version: string) =>
      (await t.request("POST", `/articles/${article}/comments`, { token: await t.token("site-e2e-b"), json: { body: "今天天氣很好", acceptedRulesVersion: version } })).status;
    expect(await post(MONEY, MONEY_VERSION)).toBe(403);
    expect(await post(NEWS, t.config.forumRules.version)).toBe(201);
  });

  it("an admin's queue filters by site", async () => {
    const admin = await stage.signIn("site-e2e-admin", "admin", "/moderate");
    await admin.selectOption("form.filters select[name=site]", "default");
    await Promise.all([admin.waitForURL(/site=default/), admin.click("form.filters button:has-text('篩選')")]);
    const ids = await admin.locator(".queue-item").evaluateAll((found) => found.map((card) => card.getAttribute("data-item-id")));
    expect(ids).toEqual([newsItem]);
    await expect(admin.locator(".queue-item [data-testid=card-site]").first().textContent()).resolves.toBe("聯合新聞網");
  });

  it("the stats page counts one site's decisions", async () => {
    const admin = await stage.signIn("site-e2e-admin", "admin", "/moderate/stats");
    await admin.selectOption("form.filters select[name=site]", "money");
    await Promise.all([admin.waitForURL(/site=money/), admin.click("form.filters button:has-text('更新')")]);
    const money = await t.database.db.selectFrom("decisions").select((eb) => eb.fn.countAll<string>().as("n")).where("site_id", "=", "money").executeTakeFirstOrThrow();
    expect(Number(money.n)).toBeGreaterThan(0);
    await expect(admin.locator("[data-testid=decision-total]").textContent()).resolves.toBe(String(money.n));
    // A moderator of 經濟日報 sees their site's figures without choosing.
    const moderator = await stage.signIn("site-e2e-mod", "moderator", "/moderate/stats");
    await expect(moderator.locator("[data-testid=decision-total]").textContent()).resolves.toBe(String(money.n));
    const options = await moderator.locator("form.filters select[name=site] option").evaluateAll((found) => found.map((o) => o.textContent));
    expect(options).toEqual(["我負責的網站", "經濟日報"]);
  });
});
