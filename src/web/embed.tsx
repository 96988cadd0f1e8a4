import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import type { Site } from "../sites.ts";
import type { AppEnv } from "../app-env.ts";
import type { ForumRules } from "../forum-rules.ts";
import type { ArticleView } from "../views/articles.ts";
import type { CommentsPageView } from "../views/comments.ts";
import { callApi, type AppFetch } from "./api.ts";
import { ReportFields, threads } from "./article-page.tsx";
import { formatTime, PageHead } from "./layout.tsx";
import { randomToken } from "./session.ts";

// The comment section on the publisher's own article page: one script tag (GET /embed.js, served with the
// other assets by web/routes.ts; src/web/embed-scripts.ts) puts an iframe
// of /embed/articles/:id there, sized to its content. The frame shows the count, the forum rules, the
// comments with their replies, and the forms to comment, reply and report; the member is signed in by the
// publisher's page, which hands the frame a token from its own session (data-token-url) by postMessage,
// and the frame calls the JSON API with it. No cookie is involved: a browser keeps none for a frame of
// another site. Only the origins in EMBED_ORIGINS may frame it (Content-Security-Policy frame-ancestors).

type PageComment = CommentsPageView["comments"][number];

function frameCsp(origin: string): string {
  return `default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors ${origin}; base-uri 'none'`;
}

function EmbedComment({ comment, forumRules }: { comment: PageComment; forumRules: ForumRules }) {
  return (
    <div class="comment" id={`comment-${comment.id}`} data-comment-id={comment.id} data-author={comment.memberId}>
      <div class="muted">
        {comment.nickname ?? `會員 ${comment.memberId}`} · {formatTime(comment.createdAt)}
        {comment.editedAt ? " · 已編輯" : ""}
      </div>
      {comment.replyTo?.removed ? <div class="muted">回覆一則已移除的留言</div> : null}
      <div class="body">{comment.body}</div>
      <details data-signed-in data-own hidden>
        <summary class="muted">修改或刪除</summary>
        <form data-action="edit" data-comment={comment.id} class="comment-form">
          <label for={`edit-${comment.id}`}>修改留言</label>
          <textarea id={`edit-${comment.id}`} name="body" required>{comment.body}</textarea>
          <button type="submit" class="secondary">儲存修改</button>
        </form>
        <form data-action="delete" data-comment={comment.id}>
          <button type="submit" class="link">刪除這則留言</button>
        </form>
      </details>
      {comment.replyTo === null ? (
        <details data-signed-in data-not-own hidden>
          <summary class="muted">回覆</summary>
          <form data-action="reply" data-parent={comment.id} data-key={randomToken()} class="comment-form">
            <label for={`reply-${comment.id}`}>回覆這則留言</label>
            <textarea id={`reply-${comment.id}`} name="body" required></textarea>
            <label>
              <input type="checkbox" name="accept" required /> 我已閱讀並同意討論區規則（版本 {forumRules.version}）
            </label>
            <button type="submit">送出回覆</button>
          </form>
        </details>
      ) : null}
      <details data-signed-in data-not-own hidden>
        <summary class="muted">檢舉</summary>
        <form data-action="report" data-comment={comment.id} class="filters">
          <ReportFields />
        </form>
      </details>
    </div>
  );
}

function EmbedFrame({ article, comments, forumRules, origin, olderHref }: { article: ArticleView; comments: CommentsPageView; forumRules: ForumRules; origin: string; olderHref: string | null }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="zh-Hant-TW">
        <PageHead title={`留言區 - ${article.title}`} scripts={["/assets/embed-frame.js"]} />
        <body class="embed">
          <main data-embed data-article={article.id} data-parent-origin={origin} data-rules-version={forumRules.version}>
            <h2 data-testid="embed-count">{comments.publishedCount} 則留言</h2>
            <p class="muted" data-signed-out>
              登入後即可留言、回覆與檢舉。
            </p>
            <p class="muted" data-signed-in hidden>
              以 <span data-member></span> 的身分留言
            </p>
            <div role="status" data-testid="embed-result" hidden></div>
            <form data-action="comment" data-key={randomToken()} data-signed-in hidden class="comment-form">
              <label for="embed-body">我的留言</label>
              <textarea id="embed-body" name="body" required></textarea>
              <label>
                <input type="checkbox" name="accept" required /> 我已閱讀並同意下方的討論區規則（版本 {forumRules.version}）
              </label>
              <button type="submit">送出留言</button>
            </form>
            <details data-testid="embed-rules">
              <summary>討論區規則（版本 {forumRules.version}）</summary>
              <ol>
                {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
                  <li>{forumRules.rules[rule]}</li>
                ))}
              </ol>
            </details>
            {threads(comments.comments).map(({ comment, replies }) => (
              <div class="thread">
                <EmbedComment comment={comment} forumRules={forumRules} />
                {replies.map((reply) => (
                  <div class="reply">
                    <EmbedComment comment={reply} forumRules={forumRules} />
                  </div>
                ))}
              </div>
            ))}
            {olderHref ? <a href={olderHref}>較早的留言</a> : null}
          </main>
        </body>
      </html>
    </>
  );
}

function refused(c: Context<AppEnv>, status: 400 | 403 | 404, message: string) {
  c.header("Content-Security-Policy", frameCsp("'none'"));
  c.header("X-Content-Type-Options", "nosniff");
  return c.html(`<!DOCTYPE html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>留言區</title></head><body><p>${message}</p></body></html>`, status);
}

export function embedRoutes(appFetch: AppFetch) {
  const routes = new Hono<AppEnv>();

  routes.get("/embed/articles/:id", async (c) => {
    const { config } = c.get("deps");
    const origin = c.req.query("origin") ?? "";
    // The origins a site lists (rules/sites.yaml embedOrigins), else the service's EMBED_ORIGINS.
    const originsOf = (site: Site) => site.embedOrigins ?? config.embedOrigins ?? [];
    const notAllowed = () => refused(c, 403, "這個網站未獲准嵌入留言區。");
    if (!config.sites.all.some((site) => originsOf(site).includes(origin))) return notAllowed();
    const path = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const cursor = c.req.query("cursor");
    const [article, comments] = await Promise.all([
      callApi<{ article: ArticleView }>(c, appFetch, null, "GET", path),
      callApi<CommentsPageView>(c, appFetch, null, "GET", `${path}/comments?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    ]);
    if (!article.ok) return refused(c, article.status === 404 ? 404 : 400, "找不到這篇文章的留言區。");
    const site = config.sites.of(article.body.article.site.id);
    // A page of one site does not embed another site's articles.
    if (!originsOf(site).includes(origin)) return notAllowed();
    if (!comments.ok) return refused(c, 400, "無法顯示留言。");
    const next = comments.body.nextCursor;
    const olderHref = next ? `/embed${path}?origin=${encodeURIComponent(origin)}&cursor=${encodeURIComponent(next)}` : null;
    c.header("Content-Security-Policy", frameCsp(origin));
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("Cache-Control", "no-store");
    return c.html(<EmbedFrame article={article.body.article} comments={comments.body} forumRules={site.forumRules} origin={origin} olderHref={olderHref} />);
  });
  return routes;
}
