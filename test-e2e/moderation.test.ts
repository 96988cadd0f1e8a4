import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createTestContext, type TestContext } from "../test/support/context.ts";
import { openStage, screenshot, type Stage } from "./browser.ts";

// One story through the real pages in a real browser: a member is refused, readers report a comment
// until it leaves the page, a moderator removes it from the keyboard, and the stats show the decision.
const ARTICLE = "e2e-typhoon";
let t: TestContext;
let stage: Stage;

beforeAll(async () => {
  t = await createTestContext();
  expect((await t.putArticle(ARTICLE, { title: "颱風逼近 北北基明天停班停課", body: "颱風今晚最接近台灣。\n北北基宣布明天停班停課。" })).status).toBe(201);
  stage = await openStage(t);
});

afterAll(async () => {
  await stage?.close();
  await t?.dispose();
});

const signIn = (memberId: string, role: "member" | "moderator", next: string) => stage.signIn(memberId, role, next);

async function postComment(page: Page, text: string): Promise<void> {
  await page.fill("#comment-body", text);
  await page.check("input[name=acceptedRulesVersion]");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('送出留言')")]);
}

describe("the comment page and the moderator pages in chromium", () => {
  let author: Page;
  let reportedId: string;

  it("a member posting an abusive comment sees the refusal and the words it was refused for", async () => {
    author = await signIn("e2e-author", "member", `/articles/${ARTICLE}`);
    await expect(author.locator("[data-testid=comment-count]").textContent()).resolves.toBe("0 則留言");
    await postComment(author, "你們這些人，幹你娘啦");
    const alert = author.locator("[role=alert]");
    await expect(alert.textContent()).resolves.toContain("第二條");
    await expect(author.locator("[data-testid=refused-text] mark.hit").textContent()).resolves.toBe("幹你娘");
    // The text stays in the box for the member to change.
    await expect(author.inputValue("#comment-body")).resolves.toBe("你們這些人，幹你娘啦");
    await screenshot(author, "member-refused");
  });

  it("a stored <script> payload shows as text and does not run", async () => {
    const payload = `<script>window.__xss = 1; alert("xss")</script><img src=x onerror="window.__xss = 2">`;
    await postComment(author, payload);
    await expect(author.locator("[role=status]").textContent()).resolves.toContain("留言已刊登");
    const bodies = await author.locator(".comment .body").allTextContents();
    expect(bodies).toContain(payload);
    expect(await author.evaluate("typeof window.__xss")).toBe("undefined");
    expect(await author.locator(".comment .body img, .comment .body script").count()).toBe(0);
    expect(stage.dialogs).toEqual([]);
  });

  it("a comment reported by three members disappears from the article page", async () => {
    await postComment(author, "這個市長根本是騙子，說一套做一套");
    const comment = author.locator(".comment", { hasText: "說一套做一套" });
    reportedId = (await comment.getAttribute("data-comment-id"))!;
    expect(reportedId).toMatch(/^\d+$/);
    await expect(author.locator("[data-testid=comment-count]").textContent()).resolves.toBe("2 則留言");

    for (const reporter of ["e2e-reader-1", "e2e-reader-2", "e2e-reader-3"]) {
      const page = await signIn(reporter, "member", `/articles/${ARTICLE}`);
      const target = page.locator(`[data-comment-id="${reportedId}"]`);
      await target.locator("summary", { hasText: "檢舉" }).click();
      await target.locator("select[name=reason]").selectOption("abuse");
      await Promise.all([page.waitForURL(/notice=reported/), target.locator("button:has-text('送出檢舉')").click()]);
      await expect(page.locator("[role=status]").textContent()).resolves.toContain("已收到檢舉");
    }
    await author.reload();
    await expect(author.locator(`[data-comment-id="${reportedId}"]`).count()).resolves.toBe(0);
    await expect(author.locator("[data-testid=comment-count]").textContent()).resolves.toBe("1 則留言");
    await screenshot(author, "article-after-reports");
  });

  it("a moderator claims it, sees the marked words and removes it with a note, all from the keyboard", async () => {
    const moderator = await signIn("e2e-moderator", "moderator", "/moderate");
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("1");
    await screenshot(moderator, "queue");
    await moderator.keyboard.press("j");
    await expect(moderator.locator(".queue-item.selected").count()).resolves.toBe(1);
    await Promise.all([moderator.waitForURL(/\/moderate\/items\/\d+$/), moderator.keyboard.press("c")]);

    const mark = moderator.locator("[data-testid=subject-text] mark.hit");
    await expect(mark.textContent()).resolves.toBe("騙子");
    await expect(mark.getAttribute("title")).resolves.toContain("R2-harsh-words");
    await expect(moderator.textContent("main")).resolves.toContain("e2e-moderator 處理中");
    await expect(moderator.locator("table", { hasText: "e2e-reader-1" }).count()).resolves.toBe(1);
    await screenshot(moderator, "item");

    await moderator.keyboard.press("r");
    await expect(moderator.isChecked("input[name=action][value=remove]")).resolves.toBe(true);
    await expect(moderator.evaluate("document.activeElement && document.activeElement.id")).resolves.toBe("note");
    await moderator.keyboard.type("人身攻擊市長，移除（第二條）");
    await Promise.all([moderator.waitForURL(/notice=decided/), moderator.keyboard.press("Control+Enter")]);
    await expect(moderator.locator("[role=status]").textContent()).resolves.toMatch(/已記錄決定 #\d+/);
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("0");

    // Recorded as the API sees it: a human removal under R2 with the note.
    const decisions = await t.database.db.selectFrom("decisions").selectAll().where("subject_id", "=", reportedId).execute();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: "remove", forum_rules: ["R2"], moderator_id: "e2e-moderator", note: "人身攻擊市長，移除（第二條）" });

    await moderator.goto(`${stage.baseUrl}/moderate/stats`);
    // Two decisions today: the automatic refusal of the abusive comment and this removal, both under R2.
    await expect(moderator.locator("[data-testid=decision-total]").textContent()).resolves.toBe("2");
    await expect(moderator.locator("[data-forum-rule=R2]").textContent()).resolves.toBe("2");
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei" }).format(t.clock.now());
    await expect(moderator.locator(`g[data-date="${today}"] rect[data-series=R2]`).first().getAttribute("data-value")).resolves.toBe("2");
    // Automated against human: the refusal was the engine's alone; the removal came from reports, decided by a person.
    await expect(moderator.locator(`g[data-date="${today}"] rect[data-series=fully_automated]`).getAttribute("data-value")).resolves.toBe("1");
    await expect(moderator.locator(`g[data-date="${today}"] rect[data-series=human]`).getAttribute("data-value")).resolves.toBe("1");
    await screenshot(moderator, "stats");

    await author.reload();
    await expect(author.locator(`[data-comment-id="${reportedId}"]`).count()).resolves.toBe(0);
  });

  it("moves between items with j and k in the order of the queue, and approves with a", async () => {
    await postComment(author, "這個市長是白癡");
    await expect(author.locator("[role=status]").textContent()).resolves.toContain("將由管理員審核");
    const second = await signIn("e2e-author-2", "member", `/articles/${ARTICLE}`);
    await postComment(second, "那個議員根本是智障");
    await expect(second.locator("[role=status]").textContent()).resolves.toContain("將由管理員審核");

    const moderator = await signIn("e2e-moderator-2", "moderator", "/moderate");
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("2");
    const rows = await moderator.locator(".queue-item[data-href]").evaluateAll((found) => found.map((row) => row.getAttribute("data-href")));
    expect(rows).toHaveLength(2);
    await moderator.keyboard.press("j");
    await Promise.all([moderator.waitForURL(`${stage.baseUrl}${rows[0]}`), moderator.keyboard.press("Enter")]);
    await Promise.all([moderator.waitForURL(`${stage.baseUrl}${rows[1]}`), moderator.keyboard.press("j")]);
    await Promise.all([moderator.waitForURL(`${stage.baseUrl}${rows[0]}`), moderator.keyboard.press("k")]);

    await moderator.keyboard.press("a");
    await expect(moderator.isChecked("input[name=action][value=approve]")).resolves.toBe(true);
    await moderator.keyboard.type("批評公眾人物，語氣激烈但可以刊登");
    await Promise.all([moderator.waitForURL(/notice=decided/), moderator.keyboard.press("Control+Enter")]);
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("1");
    await screenshot(moderator, "queue-after-approve");
  });
});
