import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../test/support/context.ts";
import { openStage, screenshot, type Stage } from "./browser.ts";

// Sessions kept on the server, in chromium: a moderator signed in on two browsers ends the other one from
// their own page, an admin demotes a moderator and the moderator's open page stops working at once, and
// signing out ends the session.
let t: TestContext;
let stage: Stage;

beforeAll(async () => {
  t = await createTestContext();
  stage = await openStage(t);
});

afterAll(async () => {
  await stage?.close();
  await t?.dispose();
});

describe("sessions in chromium", () => {
  it("a moderator sees both browsers they are signed in on and signs the other one out", async () => {
    const laptop = await stage.signIn("s-mod", "moderator", "/me");
    const phone = await stage.signIn("s-mod", "moderator", "/moderate");
    await laptop.reload();
    await expect(laptop.locator("[data-testid=session]").count()).resolves.toBe(2);
    await expect(laptop.locator("[data-testid=session]", { hasText: "此裝置" }).count()).resolves.toBe(1);
    await screenshot(laptop, "sessions");
    const other = laptop.locator("[data-testid=session]", { hasNotText: "此裝置" });
    await Promise.all([laptop.waitForURL(/notice=session_ended/), other.locator("button").click()]);
    await expect(laptop.locator("[data-testid=session]").count()).resolves.toBe(1);
    // The phone's next page asks it to sign in again.
    await phone.reload();
    expect(new URL(phone.url()).pathname).toBe("/login");
  });

  it("an admin demotes a moderator; the moderator's queue sends them to sign in at once", async () => {
    const moderator = await stage.signIn("s-mod-2", "moderator", "/moderate");
    const admin = await stage.signIn("s-admin", "admin", `/moderate/members/s-mod-2`);
    await admin.selectOption("[data-testid=role-limit-form] select[name=role]", "member");
    await admin.fill("[data-testid=role-limit-form] input[name=note]", "調離審核工作");
    await Promise.all([admin.waitForURL(/\/moderate\/members\/s-mod-2$/), admin.click("[data-testid=role-limit-form] button")]);
    await expect(admin.locator("[data-testid=role-limit]").textContent()).resolves.toContain("調離審核工作");
    await screenshot(admin, "demoted");
    await moderator.reload();
    expect(new URL(moderator.url()).pathname).toBe("/login");
    // Signing in again with the login system's moderator token gives only a member's session.
    const again = await stage.signIn("s-mod-2", "moderator", "/me");
    const response = await again.goto(`${stage.baseUrl}/moderate`);
    expect(response?.status()).toBe(403);
  });

  it("signing out ends the session: going back opens nothing", async () => {
    const page = await stage.signIn("s-mod-3", "moderator", "/moderate");
    await Promise.all([page.waitForURL(/\/login$/), page.click("header.site button:has-text('登出')")]);
    await page.goto(`${stage.baseUrl}/moderate`);
    expect(new URL(page.url()).pathname).toBe("/login");
    const rows = await t.database.db.selectFrom("web_sessions").select("ended_reason").where("member_id", "=", "s-mod-3").execute();
    expect(rows).toEqual([{ ended_reason: "signed_out" }]);
  });
});
