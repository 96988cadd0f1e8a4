import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { chromium, type Browser, type Page } from "playwright-core";
import type { App } from "../src/app.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = "test-results/e2e";

/** Debian's chromium, headless, with nothing reaching out to the network on its own. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** Serves the app on a free loopback port; resolves to its base URL and a close function. */
export async function serveApp(app: App): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

let shot = 0;
/** A full-page screenshot kept as a test artifact, numbered in the order the test took them. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}/${String(++shot).padStart(2, "0")}-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The app served, a chromium, and people signed in to it, each in a browser context of their own. */
export interface Stage {
  baseUrl: string;
  /** Every dialog (alert, confirm) any page opened: none should. */
  dialogs: string[];
  /** A browser of its own for one person, signed in through the login page with the site's token. */
  signIn(memberId: string, role: "member" | "moderator" | "admin", next: string): Promise<Page>;
  close(): Promise<void>;
}

export async function openStage(t: { app: App; token(memberId: string, role?: "member" | "moderator" | "admin"): Promise<string> }): Promise<Stage> {
  const server = await serveApp(t.app);
  const browser = await launchChromium();
  const dialogs: string[] = [];
  return {
    baseUrl: server.baseUrl,
    dialogs,
    async signIn(memberId, role, next) {
      const context = await browser.newContext({ locale: "zh-TW", viewport: { width: 1100, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      page.on("dialog", async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      await page.goto(`${server.baseUrl}/login?next=${encodeURIComponent(next)}`);
      await page.fill("#token", await t.token(memberId, role));
      await page.click("button[type=submit]:has-text('登入')");
      await page.waitForURL(`${server.baseUrl}${next}`);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
