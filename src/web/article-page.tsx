import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { siteIdOfArticle } from "../db/articles.ts";
import { DEFAULT_SITE_ID } from "../sites.ts";
import type { AppEnv } from "../app-env.ts";
import type { ForumRules } from "../forum-rules.ts";
import { maxCommentRequestBytes } from "../routes/comments.ts";
import type { Reason } from "../moderation/verdict.ts";
import { callApi, type ApiFailure, type AppFetch } from "./api.ts";
import { highlightSegments } from "./highlight.ts";
import { ErrorBox, FORUM_RULE_NAMES, formatTime, Layout } from "./layout.tsx";
import { randomToken, readSession, type WebSession } from "./session.ts";
import { formLimit, signedInForm, SimplePage } from "./forms.tsx";
import { accepts } from "hono/accepts";
import type { ArticleView } from "../views/articles.ts";
import type { CommentsPageView } from "../views/comments.ts";
import type { TagListView } from "../views/tags.ts";

/** What a form post left to show: the text the member typed, and why it was refused. */
interface FormState {
  comment?: { body: string; accepted: boolean; error: ApiFailure; parentId?: string };
  edit?: { commentId: string; body: string; error: ApiFailure };
  tag?: { label: string; error: ApiFailure };
  report?: { commentId: string; error: ApiFailure };
}

// Messages after a redirect, chosen by key so nothing from the URL is echoed into the page.
const NOTICES: Record<string, { text: string; warn?: boolean }> = {
  published: { text: "留言已刊登。" },
  pending: { text: "留言已送出，將由管理員審核後顯示。", warn: true },
  "R0-new-member": { text: "新會員的前幾則留言會先由管理員看過再刊登，這是例行程序，不代表留言有問題。", warn: true },
  "R0-watched": { text: "你最近有多則留言被移除，接下來的留言會先由管理員審核後刊登。", warn: true },
  "R0-link": { text: "含有網址的留言會先由管理員看過再刊登，這是例行程序。", warn: true },
  edited: { text: "留言已修改。" },
  edit_pending: { text: "修改已送出，留言將由管理員審核後再顯示。", warn: true },
  deleted: { text: "留言已刪除。" },
  tag_added: { text: "標籤已加入。" },
  tag_pending: { text: "標籤已送出，將由管理員審核後顯示。", warn: true },
  reported: { text: "已收到檢舉，管理員會盡快處理。謝謝你。" },
};

export const REPORT_REASONS: Record<string, string> = {
  abuse: "謾罵、人身攻擊",
  false: "明知不實",
  illegal: "違法內容",
  rights: "侵害他人權益（隱私、名譽）",
  spam: "廣告、洗版",
  other: "其他",
};

/** A report form's reason and button (the article page's and the embedded section's). */
export function ReportFields() {
  return (
    <>
      <select name="reason" aria-label="檢舉原因">
        {Object.entries(REPORT_REASONS).map(([value, label]) => (
          <option value={value}>{label}</option>
        ))}
      </select>
      <button type="submit" class="secondary">送出檢舉</button>
    </>
  );
}

/** The API's reasons as a member reads them: the forum rule, the message and the words it matched. */
function reasonLines(error: ApiFailure): string[] {
  const details = error.details as { reasons?: Reason[] } | undefined;
  return (details?.reasons ?? []).map((reason) => {
    const words = [...new Set(reason.spans.map((span) => span.text))];
    return `${FORUM_RULE_NAMES[reason.forumRule] ?? reason.forumRule}：${reason.message}${words.length ? `（「${words.join("」「")}」）` : ""}`;
  });
}

function RefusedText({ text, error }: { text: string; error: ApiFailure }) {
  const reasons = (error.details as { reasons?: Reason[] } | undefined)?.reasons ?? [];
  const spans = reasons.flatMap((reason) => reason.spans.map((span) => ({ ...span, label: reason.message })));
  if (spans.length === 0) return null;
  return (
    <p class="text" data-testid="refused-text">
      {highlightSegments(text, spans).map((segment) =>
        segment.labels.length ? <mark class="hit" title={segment.labels.join("；")}>{segment.text}</mark> : segment.text,
      )}
    </p>
  );
}

type PageComment = CommentsPageView["comments"][number];

/** Top-level comments with their replies under them (oldest reply first); a reply whose comment is not on this page stands alone. */
export function threads(comments: PageComment[]): { comment: PageComment; replies: PageComment[] }[] {
  const onPage = new Set(comments.filter((c) => c.replyTo === null).map((c) => c.id));
  const repliesOf = new Map<string, PageComment[]>();
  for (const comment of comments) {
    if (comment.replyTo && onPage.has(comment.replyTo.id)) repliesOf.set(comment.replyTo.id, [comment, ...(repliesOf.get(comment.replyTo.id) ?? [])]);
  }
  return comments
    .filter((comment) => comment.replyTo === null || !onPage.has(comment.replyTo.id))
    .map((comment) => ({ comment, replies: comment.replyTo === null ? (repliesOf.get(comment.id) ?? []) : [] }));
}

function CommentBox({ comment, base, session, forumRules, state }: { comment: PageComment; base: string; session: WebSession | null; forumRules: ForumRules; state: FormState }) {
  const own = session?.memberId === comment.memberId;
  const editing = state.edit?.commentId === comment.id ? state.edit : undefined;
  const replying = state.comment?.parentId === comment.id ? state.comment : undefined;
  return (
    <div class="comment" id={`comment-${comment.id}`} data-comment-id={comment.id}>
      <div class="muted">
        {comment.nickname ?? `會員 ${comment.memberId}`} · {formatTime(comment.createdAt)}
        {comment.editedAt ? " · 已編輯" : ""}
      </div>
      {comment.replyTo ? (
        <div class="muted" data-testid="reply-to">
          {comment.replyTo.removed ? "回覆一則已移除的留言" : <a href={`#comment-${comment.replyTo.id}`}>回覆的留言</a>}
        </div>
      ) : null}
      <div class="body">{comment.body}</div>
      {editing ? (
        <div>
          <ErrorBox message={editing.error.message} items={reasonLines(editing.error)} />
          <RefusedText text={editing.body} error={editing.error} />
        </div>
      ) : null}
      {session && own ? (
        <details open={editing ? true : undefined}>
          <summary class="muted">修改或刪除</summary>
          <form method="post" action={`${base}/page/edit`} class="comment-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="commentId" value={comment.id} />
            <label for={`edit-${comment.id}`}>修改留言</label>
            <textarea id={`edit-${comment.id}`} name="body" required>{editing?.body ?? comment.body}</textarea>
            <button type="submit" class="secondary">儲存修改</button>
          </form>
          <form method="post" action={`${base}/page/delete`}>
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="commentId" value={comment.id} />
            <button type="submit" class="link">刪除這則留言</button>
          </form>
        </details>
      ) : null}
      {session && !own && comment.replyTo === null ? (
        <details open={replying ? true : undefined}>
          <summary class="muted">回覆</summary>
          {replying ? <ErrorBox message={replying.error.message} items={reasonLines(replying.error)} /> : null}
          <form method="post" action={`${base}/page/comment`} class="comment-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="idempotencyKey" value={randomToken()} />
            <input type="hidden" name="parentId" value={comment.id} />
            <label for={`reply-${comment.id}`}>回覆這則留言</label>
            <textarea id={`reply-${comment.id}`} name="body" required>{replying?.body ?? ""}</textarea>
            <label>
              <input type="checkbox" name="acceptedRulesVersion" value={forumRules.version} required checked={replying?.accepted ?? false} /> 我已閱讀並同意討論區規則
            </label>
            <button type="submit">送出回覆</button>
          </form>
        </details>
      ) : null}
      {session && !own ? (
        <details>
          <summary class="muted">檢舉</summary>
          <form method="post" action={`${base}/page/report`} class="filters">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="commentId" value={comment.id} />
            <ReportFields />
          </form>
        </details>
      ) : null}
    </div>
  );
}

interface ArticlePageProps {
  article: ArticleView;
  comments: CommentsPageView;
  tags: TagListView["tags"];
  forumRules: ForumRules;
  session: WebSession | null;
  notice: string | undefined;
  state: FormState;
  olderHref: string | null;
}

function ArticlePage({ article, comments, tags, forumRules, session, notice, state, olderHref }: ArticlePageProps) {
  const shown = notice ? NOTICES[notice] : undefined;
  const base = `/articles/${article.id}`;
  return (
    <Layout title={`${article.title} - 新聞討論區`} session={session} area="public">
      <article class="card">
        <h1>{article.title}</h1>
        {article.publishedAt ? <p class="muted">{formatTime(article.publishedAt)}</p> : null}
        {article.body.split(/\n+/).map((paragraph) => (
          <p>{paragraph}</p>
        ))}
        {article.url ? (
          <p class="muted">
            原文：<a href={article.url} rel="noopener nofollow">{article.url}</a>
          </p>
        ) : null}
      </article>

      {shown ? (
        <div class={shown.warn ? "notice warn" : "notice"} role="status">
          {shown.text}
        </div>
      ) : null}

      <section aria-labelledby="tags-heading">
        <h2 id="tags-heading">標籤</h2>
        {tags.length ? (
          <ul class="tags">
            {tags.map((tag) => (
              <li title={`${tag.supporters} 人加入`}>{tag.label}</li>
            ))}
          </ul>
        ) : (
          <p class="muted">還沒有標籤。</p>
        )}
        {state.tag ? <ErrorBox message={state.tag.error.message} items={reasonLines(state.tag.error)} /> : null}
        {session ? (
          <form method="post" action={`${base}/page/tag`} class="filters">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <label>
              新增標籤
              <input type="text" name="label" maxlength={200} required value={state.tag?.label ?? ""} />
            </label>
            <button type="submit" class="secondary">加入標籤</button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="comments-heading">
        <h2 id="comments-heading">
          <span data-testid="comment-count">{comments.publishedCount} 則留言</span>
        </h2>
        {state.comment && !state.comment.parentId ? (
          <div>
            <ErrorBox message={state.comment.error.message} items={reasonLines(state.comment.error)} />
            <RefusedText text={state.comment.body} error={state.comment.error} />
          </div>
        ) : null}
        {session ? (
          <form method="post" action={`${base}/page/comment`} class="comment-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="idempotencyKey" value={randomToken()} />
            <label for="comment-body">發表留言</label>
            <textarea id="comment-body" name="body" required>{state.comment && !state.comment.parentId ? state.comment.body : ""}</textarea>
            <p>
              <label>
                <input type="checkbox" name="acceptedRulesVersion" value={forumRules.version} required checked={state.comment?.accepted ?? false} /> 我已閱讀並同意下方的討論區規則（版本{" "}
                {forumRules.version}）
              </label>
            </p>
            <button type="submit">送出留言</button>
          </form>
        ) : (
          <p>
            <a href={`/login?next=${encodeURIComponent(base)}`}>登入</a>後即可留言、加入標籤或檢舉。
          </p>
        )}
        {state.report ? <ErrorBox message={state.report.error.message} /> : null}
        <div class="comments">
          {threads(comments.comments).map(({ comment, replies }) => (
            <div class="thread">
              <CommentBox comment={comment} base={base} session={session} forumRules={forumRules} state={state} />
              {replies.map((reply) => (
                <div class="reply">
                  <CommentBox comment={reply} base={base} session={session} forumRules={forumRules} state={state} />
                </div>
              ))}
            </div>
          ))}
        </div>
        {olderHref ? <a href={olderHref}>較早的留言</a> : null}
      </section>

      <section aria-labelledby="rules-heading" class="rules">
        <h2 id="rules-heading">討論區規則（版本 {forumRules.version}）</h2>
        <ol>
          {(["R1", "R2", "R3", "R4"] as const).map((rule) => (
            <li>{forumRules.rules[rule]}</li>
          ))}
        </ol>
      </section>
    </Layout>
  );
}

/**
 * Browsers ask for HTML; API clients get the JSON route registered after this one. Quality values count
 * (text/html;q=0.1, application/json is JSON); a wildcard alone is an API client's default.
 */
export function wantsHtml(c: Context<AppEnv>): boolean {
  return accepts(c, { header: "Accept", supports: ["application/json", "text/html"], default: "application/json" }) === "text/html";
}

async function renderArticle(c: Context<AppEnv>, appFetch: AppFetch, session: WebSession | null, state: FormState, status: ContentfulStatusCode = 200) {
  const id = c.req.param("id") ?? "";
  const cursor = c.req.query("cursor");
  const path = `/articles/${encodeURIComponent(id)}`;
  const [article, comments, tags] = await Promise.all([
    callApi<{ article: ArticleView }>(c, appFetch, null, "GET", path),
    callApi<CommentsPageView>(c, appFetch, null, "GET", `${path}/comments?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    callApi<TagListView>(c, appFetch, null, "GET", `${path}/tags`),
  ]);
  if (!article.ok) {
    return c.html(<SimplePage title="找不到文章" session={session} message={article.error.message} />, article.status === 404 ? 404 : 400);
  }
  if (!comments.ok || !tags.ok) {
    const failure = !comments.ok ? comments.error : !tags.ok ? tags.error : null;
    return c.html(<SimplePage title="無法顯示留言" session={session} message={failure?.message ?? ""} />, 400);
  }
  const nextCursor = comments.body.nextCursor;
  const page = (
    <ArticlePage
      article={article.body.article}
      comments={comments.body}
      tags={tags.body.tags}
      forumRules={c.get("deps").config.sites.of(article.body.article.site.id).forumRules}
      session={session}
      notice={c.req.query("notice")}
      state={state}
      olderHref={nextCursor ? `${path}?cursor=${encodeURIComponent(nextCursor)}` : null}
    />
  );
  return c.html(page, status);
}

export function articlePageRoutes(appFetch: AppFetch, maxCommentChars: number) {
  const routes = new Hono<AppEnv>();

  routes.get("/articles/:id", async (c, next) => {
    if (!wantsHtml(c)) return next();
    c.header("Vary", "Accept");
    return renderArticle(c, appFetch, await readSession(c), {});
  });

  // Each form posts here, is checked for its session and CSRF token, and goes to the JSON API as the member.
  routes.post("/articles/:id/page/comment", formLimit(maxCommentRequestBytes(maxCommentChars)), async (c) => {
    const article = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const post = await signedInForm(c, article);
    if (post.refused) return post.refused;
    const { session, form } = post;
    const body = form.text("body");
    const accepted = form.text("acceptedRulesVersion");
    const parentId = form.text("parentId") || undefined;
    const result = await callApi<{ comment: { id: string; status: string }; premoderation?: { ruleId: string } }>(c, appFetch, session, "POST", `${article}/comments`, {
      body,
      acceptedRulesVersion: accepted || undefined,
      idempotencyKey: form.text("idempotencyKey") || undefined,
      ...(parentId ? { parentId } : {}),
    });
    if (result.ok) {
      const { comment, premoderation } = result.body;
      const notice = comment.status === "published" ? "published" : (premoderation?.ruleId ?? "pending");
      return c.redirect(`${article}?notice=${encodeURIComponent(notice)}#comment-${comment.id}`, 303);
    }
    // The box stays ticked when the member accepted the version the article's site has now.
    const { db, config } = c.get("deps");
    const siteId = await siteIdOfArticle(db, config.sites, c.req.param("id") ?? "");
    const state = { comment: { body, accepted: accepted === config.sites.of(siteId ?? DEFAULT_SITE_ID).forumRules.version, error: result.error, parentId } };
    return renderArticle(c, appFetch, session, state, result.status);
  });

  // The author's own comment: an edit goes through the API's moderation; a refused one leaves the published text.
  routes.post("/articles/:id/page/edit", formLimit(maxCommentRequestBytes(maxCommentChars)), async (c) => {
    const article = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const post = await signedInForm(c, article);
    if (post.refused) return post.refused;
    const commentId = post.form.text("commentId");
    const body = post.form.text("body");
    const result = await callApi<{ comment: { id: string; status: string } }>(c, appFetch, post.session, "PATCH", `/comments/${encodeURIComponent(commentId)}`, { body });
    if (result.ok) return c.redirect(`${article}?notice=${result.body.comment.status === "pending" ? "edit_pending" : "edited"}#comment-${commentId}`, 303);
    return renderArticle(c, appFetch, post.session, { edit: { commentId, body, error: result.error } }, result.status);
  });

  routes.post("/articles/:id/page/delete", formLimit(8 * 1024), async (c) => {
    const article = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const post = await signedInForm(c, article);
    if (post.refused) return post.refused;
    const commentId = post.form.text("commentId");
    const result = await callApi(c, appFetch, post.session, "DELETE", `/comments/${encodeURIComponent(commentId)}`);
    if (result.ok) return c.redirect(`${article}?notice=deleted`, 303);
    return c.html(<SimplePage title="無法刪除" session={post.session} message={result.error.message} />, result.status);
  });

  routes.post("/articles/:id/page/tag", formLimit(8 * 1024), async (c) => {
    const article = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const post = await signedInForm(c, article);
    if (post.refused) return post.refused;
    const label = post.form.text("label");
    const result = await callApi<{ tag: { status: string } }>(c, appFetch, post.session, "POST", `${article}/tags`, { label });
    if (result.ok) return c.redirect(`${article}?notice=${result.body.tag.status === "pending" ? "tag_pending" : "tag_added"}#tags-heading`, 303);
    return renderArticle(c, appFetch, post.session, { tag: { label, error: result.error } }, result.status);
  });

  routes.post("/articles/:id/page/report", formLimit(8 * 1024), async (c) => {
    const article = `/articles/${encodeURIComponent(c.req.param("id"))}`;
    const post = await signedInForm(c, article);
    if (post.refused) return post.refused;
    const commentId = post.form.text("commentId");
    const result = await callApi(c, appFetch, post.session, "POST", "/reports", { subject: "comment", id: commentId, reason: post.form.text("reason") });
    if (result.ok) return c.redirect(`${article}?notice=reported`, 303);
    return renderArticle(c, appFetch, post.session, { report: { commentId, error: result.error } }, result.status);
  });

  return routes;
}
