import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createTestContext, trustAsWritten, type TestContext } from "../test/support/context.ts";
import { openStage, screenshot, type Stage } from "./browser.ts";

// Members over time in a real browser, with rules/policy.yaml's trust section as written: a newcomer held
// then approved, a reply in context, an edit into abuse refused, a warning acknowledged, trust falling and
// rising, a moderator suspending a member with their comments taken down, and the member appealing.
const ARTICLE = "e2e-members";
let t: TestContext;
let stage: Stage;

beforeAll(async () => {
  t = await createTestContext({ policy: trustAsWritten() });
  expect((await t.putArticle(ARTICLE, { title: "捷運延伸線動工", body: "捷運延伸線今天動工。\n預計四年後通車。" })).status).toBe(201);
  stage = await openStage(t);
});

afterAll(async () => {
  await stage?.close();
  await t?.dispose();
});

const signIn = (memberId: string, role: "member" | "moderator" | "admin", next: string) => stage.signIn(memberId, role, next);

async function postComment(page: Page, text: string): Promise<void> {
  await page.fill("#comment-body", text);
  await page.check("#comment-body ~ p input[name=acceptedRulesVersion]");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('送出留言')")]);
}

/** A member who has been here a while: their comments publish without waiting. */
async function established(memberId: string): Promise<void> {
  await sql`insert into members (id, trust_level, accepted_rules_version, created_at, updated_at)
            values (${memberId}, 'trusted', ${t.config.forumRules.version}, now(), now())
            on conflict (id) do update set trust_level = 'trusted'`.execute(t.database.db);
}

async function openItemOf(body: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`select r.id::text as id from review_items r join comments c on r.subject_kind = 'comment' and r.subject_id = c.id::text
                                              where c.body = ${body} and r.state = 'open'`.execute(t.database.db);
  return rows[0]!.id;
}

async function decideOnPage(moderator: Page, itemId: string, action: string, note: string): Promise<void> {
  await moderator.goto(`${stage.baseUrl}/moderate/items/${itemId}`);
  await moderator.check(`input[name=action][value=${action}]`);
  await moderator.fill("#note", note);
  await Promise.all([moderator.waitForURL(/notice=decided/), moderator.click("button:has-text('送出決定')")]);
}

describe("members over time, in chromium", () => {
  let moderator: Page;

  it("a newcomer's comment is held as routine, and shows once a moderator approves it", async () => {
    const newcomer = await signIn("e2e-newcomer", "member", `/articles/${ARTICLE}`);
    await postComment(newcomer, "終於動工了，希望能準時通車");
    await expect(newcomer.locator("[role=status]").textContent()).resolves.toContain("例行程序");
    await expect(newcomer.locator("[data-testid=comment-count]").textContent()).resolves.toBe("0 則留言");
    await screenshot(newcomer, "newcomer-held");

    moderator = await signIn("e2e-mod", "moderator", "/moderate");
    const itemId = await openItemOf("終於動工了，希望能準時通車");
    await moderator.goto(`${stage.baseUrl}/moderate/items/${itemId}`);
    await expect(moderator.locator("[data-testid=trust]").textContent()).resolves.toContain("新會員");
    await decideOnPage(moderator, itemId, "approve", "新會員的一般留言");
    await newcomer.reload();
    await expect(newcomer.locator(".comment .body").allTextContents()).resolves.toContain("終於動工了，希望能準時通車");
  });

  it("a reply says who it answers, and harsh words aimed at the other commenter wait, with the parent beside them", async () => {
    await established("e2e-first");
    await established("e2e-second");
    const first = await signIn("e2e-first", "member", `/articles/${ARTICLE}`);
    await postComment(first, "延伸線應該再多設一站");
    const second = await signIn("e2e-second", "member", `/articles/${ARTICLE}`);
    const parent = second.locator(".comment", { hasText: "延伸線應該再多設一站" });
    await parent.locator("summary", { hasText: "回覆" }).click();
    await parent.locator("textarea[name=body]").fill("同意，多一站方便很多");
    await parent.locator("input[name=acceptedRulesVersion]").check();
    await Promise.all([second.waitForLoadState("load"), parent.locator("button:has-text('送出回覆')").click()]);
    await expect(second.locator("[role=status]").textContent()).resolves.toContain("留言已刊登");
    await expect(second.locator(".reply .body").allTextContents()).resolves.toContain("同意，多一站方便很多");

    const again = second.locator(".comment", { hasText: "延伸線應該再多設一站" }).first();
    await again.locator("summary", { hasText: "回覆" }).click();
    await again.locator("textarea[name=body]").fill("你這種想法真可悲");
    await again.locator("input[name=acceptedRulesVersion]").check();
    await Promise.all([second.waitForLoadState("load"), again.locator("button:has-text('送出回覆')").click()]);
    await expect(second.locator("[role=status]").textContent()).resolves.toContain("將由管理員審核");
    await screenshot(second, "reply-held");

    await moderator.goto(`${stage.baseUrl}/moderate/items/${await openItemOf("你這種想法真可悲")}`);
    await expect(moderator.locator("[data-testid=parent]").textContent()).resolves.toContain("延伸線應該再多設一站");
    await screenshot(moderator, "reply-in-context");
  });

  it("an edit into abuse is refused with the words marked, and the published text stays", async () => {
    const first = await signIn("e2e-first", "member", `/articles/${ARTICLE}`);
    const own = first.locator(".comment", { hasText: "延伸線應該再多設一站" }).first();
    await own.locator("summary", { hasText: "修改或刪除" }).click();
    await own.locator("textarea[name=body]").fill("幹你娘，延伸線");
    await Promise.all([first.waitForLoadState("load"), own.locator("button:has-text('儲存修改')").click()]);
    await expect(first.locator("[role=alert]").first().textContent()).resolves.toContain("第二條");
    await expect(first.locator("[data-testid=refused-text] mark.hit").first().textContent()).resolves.toBe("幹你娘");
    await expect(first.locator(".comment .body").allTextContents()).resolves.toContain("延伸線應該再多設一站");
    await screenshot(first, "edit-refused");
  });

  it("a warned member may not post until they acknowledge the warning on their page", async () => {
    await moderator.goto(`${stage.baseUrl}/moderate/members/e2e-first`);
    await moderator.check("input[name=action][value=warn]");
    await moderator.check("input[name=forumRules][value=R2]");
    await moderator.fill("#member-action-note", "請就事論事，不要攻擊其他讀者");
    await Promise.all([moderator.waitForLoadState("load"), moderator.click("button:has-text('送出處置')")]);
    await expect(moderator.textContent("main")).resolves.toContain("待確認警告 1 則");

    const member = await signIn("e2e-first", "member", `/articles/${ARTICLE}`);
    await postComment(member, "我想再補充一點");
    await expect(member.locator("[role=alert]").textContent()).resolves.toContain("請先閱讀並確認");
    await member.goto(`${stage.baseUrl}/me`);
    await expect(member.locator("[data-testid=warning]").textContent()).resolves.toContain("請就事論事");
    await screenshot(member, "warning");
    await Promise.all([member.waitForURL(/notice=acknowledged/), member.click("button:has-text('我已閱讀並了解')")]);
    await expect(member.locator("[data-testid=warning]").count()).resolves.toBe(0);
    await member.goto(`${stage.baseUrl}/articles/${ARTICLE}`);
    await postComment(member, "我想再補充一點");
    await expect(member.locator("[role=status]").textContent()).resolves.toContain("留言已刊登");
  });

  it("the member page checks a nickname as it is typed, then saves it", async () => {
    const member = await signIn("e2e-first", "member", "/me");
    const live = member.locator("[data-testid=nickname-live]");
    await member.locator("input[name=nickname]").pressSequentially("幹你娘");
    await expect.poll(() => live.getAttribute("class"), { timeout: 30_000 }).toBe("notice warn");
    await expect(live.textContent()).resolves.toContain("暱稱不得含有謾罵");
    await member.fill("input[name=nickname]", "");
    await member.locator("input[name=nickname]").pressSequentially("捷運通勤族");
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe("這個暱稱可以使用。");
    await expect(live.getAttribute("class")).resolves.toBe("notice");
    await screenshot(member, "nickname-live");
    await member.check("input[name=acceptedRulesVersion]");
    await Promise.all([member.waitForURL(/notice=nickname_/), member.click("button:has-text('儲存暱稱')")]);
    await expect(member.locator(".card").first().textContent()).resolves.toContain("捷運通勤族");
  });

  it("trust falls after rejections and rises after approvals, as the moderator's member page shows", async () => {
    const heated = await signIn("e2e-heated", "member", `/articles/${ARTICLE}`);
    for (const text of ["捷運工程要注意噪音", "工地附近的交通要改善"]) {
      await postComment(heated, text);
      await decideOnPage(moderator, await openItemOf(text), "approve", "一般留言");
    }
    for (const text of ["幹你娘工程", "幹你娘施工"]) await postComment(heated, text);
    await moderator.goto(`${stage.baseUrl}/moderate/members/e2e-heated`);
    await expect(moderator.locator("[data-testid=trust]").textContent()).resolves.toContain("觀察中");
    await postComment(heated, "抱歉，我會注意用詞");
    await expect(heated.locator("[role=status]").textContent()).resolves.toContain("最近有多則留言被移除");
    await decideOnPage(moderator, await openItemOf("抱歉，我會注意用詞"), "approve", "道歉，可以刊登");
    await moderator.goto(`${stage.baseUrl}/moderate/members/e2e-heated`);
    await expect(moderator.locator("[data-testid=trust]").textContent()).resolves.toContain("一般會員");
    await expect(moderator.locator("[data-testid=trust-changes]").textContent()).resolves.toContain("觀察中");
    await screenshot(moderator, "member-trust");
  });

  it("a moderator suspends a member and takes down their comments; the member appeals from their page", async () => {
    await established("e2e-spam");
    const spammer = await signIn("e2e-spam", "member", `/articles/${ARTICLE}`);
    await postComment(spammer, "捷運站旁的建案超便宜快來看");
    await postComment(spammer, "捷運宅投資首選");
    const before = Number((await spammer.locator("[data-testid=comment-count]").textContent())!.split(" ")[0]);

    await moderator.goto(`${stage.baseUrl}/moderate/members/e2e-spam`);
    await moderator.check("input[name=action][value=suspend]");
    await moderator.check("input[name=forumRules][value=R1]");
    await moderator.fill("input[name=suspendDays]", "7");
    await moderator.check("input[name=takeDownComments]");
    await moderator.fill("#member-action-note", "廣告洗版");
    await Promise.all([moderator.waitForLoadState("load"), moderator.click("button:has-text('送出處置')")]);
    await expect(moderator.locator("[data-testid=member-status]").textContent()).resolves.toBe("停權中");
    await expect(moderator.locator("[data-testid=comment-counts]").textContent()).resolves.toContain("已移除 2");
    await screenshot(moderator, "member-suspended");

    await spammer.reload();
    await expect(spammer.locator("[data-testid=comment-count]").textContent()).resolves.toBe(`${before - 2} 則留言`);
    await spammer.goto(`${stage.baseUrl}/me`);
    const suspension = spammer.locator("[data-testid=decision]", { hasText: "停權" });
    await suspension.locator("textarea[name=note]").fill("那是我自己的房子，不是廣告");
    await Promise.all([spammer.waitForURL(/notice=appealed/), suspension.locator("button:has-text('提出申訴')").click()]);
    await expect(spammer.locator("[role=status]").textContent()).resolves.toContain("申訴已送出");
    await expect(spammer.locator("[data-testid=decision]", { hasText: "停權" }).textContent()).resolves.toContain("已提出申訴");
    await screenshot(spammer, "member-appealed");
    const { rows } = await sql<{ n: string }>`select count(*) as n from appeals where member_id = 'e2e-spam'`.execute(t.database.db);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it("a moderator escalates an item with a note; it waits for an admin, who decides it from the escalated queue", async () => {
    await established("e2e-hot");
    const hot = await signIn("e2e-hot", "member", `/articles/${ARTICLE}`);
    await postComment(hot, "你這個白癡議員，還敢出來選");
    const itemId = await openItemOf("你這個白癡議員，還敢出來選");
    await moderator.goto(`${stage.baseUrl}/moderate/items/${itemId}`);
    await moderator.fill("[data-testid=escalate-form] input[name=note]", "涉及公眾人物，請系統管理員判斷");
    await Promise.all([moderator.waitForURL(/notice=escalated/), moderator.click("[data-testid=escalate-form] button")]);
    await expect(moderator.locator("[role=status]").textContent()).resolves.toContain("已轉交");
    await moderator.goto(`${stage.baseUrl}/moderate/items/${itemId}`);
    await expect(moderator.locator("[data-testid=escalation]").textContent()).resolves.toContain("涉及公眾人物");
    await expect(moderator.locator("form.decision").count()).resolves.toBe(0);

    const admin = await signIn("e2e-admin", "admin", "/moderate?escalated=true");
    await expect(admin.locator(`.queue-item[data-item-id="${itemId}"] [data-testid=age]`).textContent()).resolves.toContain("（已轉交）");
    await screenshot(admin, "escalated-queue");
    await decideOnPage(admin, itemId, "remove", "對議員的人身攻擊");
    const { rows } = await sql<{ moderator_id: string; facts: any }>`select moderator_id, facts from decisions where review_item_id = ${itemId}`.execute(t.database.db);
    expect(rows[0]).toMatchObject({ moderator_id: "e2e-admin", facts: { escalation: { by: "e2e-mod", note: "涉及公眾人物，請系統管理員判斷" } } });
  });

  it("a member downloads their data, then erases it: their comment leaves the page and every browser is signed out", async () => {
    await established("e2e-leaver");
    const page = await signIn("e2e-leaver", "member", `/articles/${ARTICLE}`);
    await postComment(page, "通車後希望增加夜間班次");
    await expect(page.locator(".comment", { hasText: "通車後希望增加夜間班次" }).count()).resolves.toBe(1);
    await page.goto(`${stage.baseUrl}/me`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=my-data] a:has-text('下載我的資料')")]);
    expect(download.suggestedFilename()).toBe("comments-data-e2e-leaver.json");
    const saved = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(saved.comments.map((comment: { body: string }) => comment.body)).toEqual(["通車後希望增加夜間班次"]);
    // The box must be ticked; then the answer says what was erased, on a page of its own.
    await page.check("[data-testid=erasure-form] input[name=confirm]");
    await screenshot(page, "erasure");
    await Promise.all([page.waitForLoadState("load"), page.click("[data-testid=erasure-form] button")]);
    await expect(page.locator("[data-testid=erased]").textContent()).resolves.toContain("已撤下 1 則留言");
    await page.goto(`${stage.baseUrl}/articles/${ARTICLE}`);
    await expect(page.locator(".comment", { hasText: "通車後希望增加夜間班次" }).count()).resolves.toBe(0);
    await page.goto(`${stage.baseUrl}/me`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});
