import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { formatSiteTime } from "../site-time.ts";
import type { WebSession } from "./session.ts";

export interface LayoutProps {
  title: string;
  session: WebSession | null;
  /** The moderator pages load the keyboard script and show their navigation. */
  area: "public" | "moderate";
  /** A page's own script from /assets (the member page's live nickname check). */
  script?: string;
  children?: Child;
}

/** Every page's head: the title, the site's stylesheet and the page's scripts from /assets (deferred). */
export function PageHead({ title, scripts }: { title: string; scripts: string[] }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title}</title>
      <link rel="stylesheet" href="/assets/site.css" />
      {scripts.map((src) => (
        <script src={src} defer></script>
      ))}
    </head>
  );
}

export function Layout({ title, session, area, script, children }: LayoutProps) {
  const scripts = [...(area === "moderate" ? ["/assets/moderate.js"] : []), ...(script ? [script] : [])];
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="zh-Hant-TW">
      <PageHead title={title} scripts={scripts} />
      <body>
        <header class="site">
          <span class="brand">{area === "moderate" ? "留言審核" : "新聞討論區"}</span>
          {area === "moderate" ? (
            <nav>
              <a href="/moderate">待審佇列</a>
              <a href="/moderate?kind=appeal">申訴</a>
              <a href="/moderate?escalated=true">轉交案件</a>
              <a href="/moderate?state=decided">已處理</a>
              <a href="/moderate/second-looks">複查</a>
              <a href="/moderate/stats">統計</a>
              {session?.role === "admin" ? <a href="/moderate/webhooks">Webhooks</a> : null}
            </nav>
          ) : null}
          {area !== "moderate" ? (
            <nav>
              {session ? <a href="/me">我的帳號</a> : null}
              <a href="/transparency">透明度報告</a>
            </nav>
          ) : null}
          {session ? (
            <form method="post" action="/logout">
              <span class="muted">已登入：{session.memberId}（{ROLE_NAMES[session.role]}） </span>
              <input type="hidden" name="_csrf" value={session.csrf} />
              <button type="submit" class="link">登出</button>
            </form>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
      </html>
    </>
  );
}

export const ROLE_NAMES: Record<WebSession["role"], string> = { member: "會員", moderator: "管理員", admin: "系統管理員" };

export const FORUM_RULE_NAMES: Record<string, string> = {
  R1: "第一條 違法或侵權",
  R2: "第二條 不實或謾罵",
  R3: "第三條 標籤",
  R4: "第四條 暱稱",
};

/** The categories of rules/labelling-guide.md, as moderators read them. */
export const CATEGORY_NAMES: Record<string, string> = {
  insult: "人身攻擊",
  profanity: "髒話穢言",
  hate: "仇恨、族群攻擊",
  sexual_harassment: "性騷擾、厭女",
  threat: "恐嚇、暴力、咒死",
  personal_data: "個人資料",
  illegal: "違法內容",
  spam: "廣告、詐騙",
  impersonation: "冒用身分",
};

const MENTION_NAMES: Record<string, string> = { reported: "報導或討論此詞", quoted: "引號內" };

/** How a matched span reads to a moderator: its text, the listed term it spells, whether it is only mentioned. */
export function spanNote(span: { text: string; term?: string; mention?: string }): string {
  const term = span.term && span.term !== span.text ? `→${span.term}` : "";
  const mention = span.mention ? `（${MENTION_NAMES[span.mention] ?? span.mention}）` : "";
  return `「${span.text}」${term}${mention}`;
}

export function ErrorBox({ message, items }: { message: string; items?: string[] }) {
  return (
    <div class="error" role="alert">
      <strong>{message}</strong>
      {items && items.length > 0 ? (
        <ul>
          {items.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Taipei wall-clock time for a timestamp, as the site's readers and moderators read it. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? formatSiteTime(new Date(iso)) : "";
}
