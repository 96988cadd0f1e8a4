import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createTestContext, type TestContext } from "../test/support/context.ts";
import { openStage, screenshot, type Stage } from "./browser.ts";

// Deciding from the list: the queue shows each item as a card (text, marked words, reasons, reports), a
// moderator approves or removes the card in focus by key, and takes several items at once in bulk.
const ARTICLE = "e2e-queue";
let t: TestContext;
let stage: Stage;

beforeAll(async () => {
  t = await createTestContext();
  expect((await t.putArticle(ARTICLE, { title: "立法院三讀 預算案通過", body: "立法院今天三讀通過總預算。" })).status).toBe(201);
  stage = await openStage(t);
});

afterAll(async () => {
  await stage?.close();
  await t?.dispose();
});

/** Posts a comment through the API as `memberId`; the rules hold it. Answers the comment's id. */
async function held(memberId: string, body: string): Promise<string> {
  const response = await t.request("POST", `/articles/${ARTICLE}/comments`, { token: await t.token(memberId), json: { body, acceptedRulesVersion: t.config.forumRules.version } });
  expect(response.status).toBe(202);
  return ((await response.json()) as any).comment.id;
}
const statusOf = async (commentId: string) =>
  (await sql<{ status: string }>`select status from comments where id = ${commentId}`.execute(t.database.db)).rows[0]!.status;

describe("the queue's cards and bulk actions in chromium", () => {
  let moderator: Page;

  it("shows each item as a card with its marked words, and removes the card in focus with r", async () => {
    const abusive = await held("q-author-1", "這個立委根本是白癡");
    moderator = await stage.signIn("q-moderator", "moderator", "/moderate");
    const card = moderator.locator(".queue-item", { hasText: "這個立委根本是白癡" });
    await expect(card.locator("mark.hit").first().textContent()).resolves.toBe("白癡");
    await expect(card.locator("[data-testid=card-reasons]").textContent()).resolves.toContain("人身攻擊");
    await screenshot(moderator, "queue-cards");
    await moderator.keyboard.press("j");
    await Promise.all([moderator.waitForURL(/notice=decided/), moderator.keyboard.press("r")]);
    await expect(moderator.locator("[role=status]").first().textContent()).resolves.toContain("已記錄決定");
    expect(await statusOf(abusive)).toBe("removed");
    const decision = await t.database.db.selectFrom("decisions").selectAll().where("subject_id", "=", abusive).executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ action: "remove", forum_rules: ["R2"], moderator_id: "q-moderator" });
    expect(decision.note).toContain("從佇列移除");
  });

  it("approves several chosen cards at once with x and one note, and shows the result of each", async () => {
    const first = await held("q-author-2", "你這個智障，看不懂預算");
    const second = await held("q-author-3", "樓上腦殘喔");
    const kept = await held("q-author-4", "那個部長是北七");
    await moderator.goto(`${stage.baseUrl}/moderate`);
    const cards = moderator.locator(".queue-item");
    await expect(cards.count()).resolves.toBe(3);
    const ids = await cards.evaluateAll((found) => found.map((card) => card.getAttribute("data-item-id")));
    const textOf = async (id: string | null) => moderator.locator(`.queue-item[data-item-id="${id}"] [data-testid=card-text]`).textContent();
    // Choose the cards of the first two comments by keyboard.
    for (let index = 0; index < ids.length; index++) {
      await moderator.keyboard.press("j");
      const text = await textOf(ids[index]!);
      if (text !== "那個部長是北七") await moderator.keyboard.press("x");
    }
    await expect(moderator.locator("[data-testid=chosen-count]").textContent()).resolves.toBe("2");
    await moderator.check("#bulk input[name=action][value=approve]");
    await moderator.fill("#bulk textarea[name=note]", "語氣激烈但未違反規則，批次核准");
    await Promise.all([moderator.waitForURL(/\/moderate\/bulk$/), moderator.click("#bulk button[type=submit]")]);
    await expect(moderator.locator("[data-testid=bulk-summary]").textContent()).resolves.toContain("已處理 2 則");
    await expect(moderator.locator("[data-testid=bulk-row]").count()).resolves.toBe(2);
    await screenshot(moderator, "queue-bulk-result");
    expect(await statusOf(first)).toBe("published");
    expect(await statusOf(second)).toBe("published");
    expect(await statusOf(kept)).toBe("pending");
    const notes = await t.database.db.selectFrom("decisions").select(["note", "facts"]).where("subject_id", "in", [first, second]).execute();
    expect(notes.map((row) => row.note)).toEqual(["語氣激烈但未違反規則，批次核准", "語氣激烈但未違反規則，批次核准"]);
  });

  it("removes every open item of one member from the member's view of the queue", async () => {
    const one = await held("q-flooder", "白癡預算");
    const two = await held("q-flooder", "一群智障立委");
    await moderator.goto(`${stage.baseUrl}/moderate?memberId=q-flooder`);
    await expect(moderator.locator(".queue-item").count()).resolves.toBe(2);
    await moderator.check("#bulk input[name=scope][value=memberId]");
    await moderator.check("#bulk input[name=action][value=remove]");
    await moderator.check("#bulk input[name=forumRules][value=R2]");
    await moderator.fill("#bulk textarea[name=note]", "同一會員連續謾罵");
    await Promise.all([moderator.waitForURL(/\/moderate\/bulk$/), moderator.click("#bulk button[type=submit]")]);
    await expect(moderator.locator("[data-testid=bulk-summary]").textContent()).resolves.toContain("已處理 2 則");
    expect(await statusOf(one)).toBe("removed");
    expect(await statusOf(two)).toBe("removed");
    // One of the items the previous story left stays open.
    await moderator.click("text=返回佇列");
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe("1");
  });

  it("shows new items and counts as they arrive, by server-sent events", async () => {
    await moderator.goto(`${stage.baseUrl}/moderate`);
    const before = Number(await moderator.locator("[data-testid=open-count]").textContent());
    const arrived = await held("q-live-1", "這個部長智障");
    await moderator.waitForSelector(`.queue-item.arrived[data-item-id]`, { timeout: 30_000 });
    await expect(moderator.locator(".queue-item.arrived [data-testid=card-text]").textContent()).resolves.toBe("這個部長智障");
    await expect(moderator.locator("[data-testid=open-count]").textContent()).resolves.toBe(String(before + 1));
    await expect(moderator.locator("[data-testid=live-news]").textContent()).resolves.toContain("1 則新項目");
    await screenshot(moderator, "queue-live");
    // The card that arrived works like the others: r removes it.
    await moderator.keyboard.press("j");
    await Promise.all([moderator.waitForURL(/notice=decided/), moderator.keyboard.press("r")]);
    expect(await statusOf(arrived)).toBe("removed");
  });

  it("falls back to asking every few seconds where the browser has no EventSource", async () => {
    const page = await stage.signIn("q-moderator-2", "moderator", "/me");
    await page.addInitScript("delete window.EventSource;");
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(`${stage.baseUrl}/moderate`);
    expect(await page.evaluate("typeof EventSource")).toBe("undefined");
    await held("q-live-2", "樓上腦殘");
    await page.waitForSelector(`.queue-item.arrived`, { timeout: 30_000 });
    await expect(page.locator(".queue-item.arrived [data-testid=card-text]").textContent()).resolves.toBe("樓上腦殘");
    expect(asked).toContain("/moderate/live");
    expect(asked).not.toContain("/moderate/events");
  });
});
