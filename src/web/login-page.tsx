import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { TokenError, verifyToken } from "../auth/token.ts";
import { ErrorBox, Layout, ROLE_NAMES } from "./layout.tsx";
import { formLimit, readForm, rejectForgedPost, SimplePage } from "./forms.tsx";
import { endSession, expectedLoginCsrf, loginCsrf, readSession, safeNextPath, sameOrigin, sameToken, startSession, type WebSession } from "./session.ts";

function LoginPage({ csrf, next, session, error }: { csrf: string; next: string; session: WebSession | null; error?: string }) {
  return (
    <Layout title="登入" session={session} area="public">
      <section class="login">
        <h1>登入</h1>
        {session ? (
          <p class="notice" role="status">
            你已登入為 {session.memberId}（{ROLE_NAMES[session.role]}）。
            {next || session.role !== "member" ? <a href={next || "/moderate"}>繼續</a> : null}
          </p>
        ) : null}
        {error ? <ErrorBox message={error} /> : null}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="next" value={next} />
          <p>
            <label for="token">本站登入系統核發的存取權杖（JWT）</label>
            <textarea id="token" name="token" required autocomplete="off" spellcheck={false}></textarea>
          </p>
          <p class="muted">
            登入後以 Cookie 保持 8 小時。開發環境可用 <code>npm run token -- --member 你的編號 --role moderator</code> 產生權杖。
          </p>
          <button type="submit">登入</button>
        </form>
      </section>
    </Layout>
  );
}

export function loginRoutes() {
  const routes = new Hono<AppEnv>();

  routes.get("/login", async (c) => {
    const session = await readSession(c);
    // No `next`: after signing in, moderators go to the queue and members back here (see POST).
    const next = safeNextPath(c.req.query("next"), "");
    c.header("Cache-Control", "no-store");
    return c.html(<LoginPage csrf={await loginCsrf(c)} next={next} session={session} />);
  });

  routes.post("/login", formLimit(16 * 1024), async (c) => {
    const form = await readForm(c);
    const next = form.text("next");
    const session = await readSession(c);
    if (!sameOrigin(c) || !sameToken(form.text("_csrf"), await expectedLoginCsrf(c))) {
      return c.html(<SimplePage title="請重新登入" session={session} message="登入表單已過期或不是從本站送出（CSRF 檢查未通過）。請重新整理登入頁。" />, 403);
    }
    const { config, clock } = c.get("deps");
    try {
      const identity = await verifyToken(form.text("token").trim(), config.jwtSecret, clock.now(), { maxAgeSeconds: config.maxTokenAgeSeconds, publisher: config.publisherSso });
      await startSession(c, identity);
      return c.redirect(safeNextPath(next, identity.role === "member" ? "/login" : "/moderate"), 303);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      const message = error.problem === "expired" ? "權杖已過期，請重新取得。" : "權杖無效，請確認複製了完整的權杖。";
      return c.html(<LoginPage csrf={await loginCsrf(c)} next={safeNextPath(next, "")} session={session} error={message} />, 401);
    }
  });

  routes.post("/logout", formLimit(4096), async (c) => {
    const session = await readSession(c);
    if (session) {
      const forged = await rejectForgedPost(c, session, await readForm(c));
      if (forged) return forged;
    }
    await endSession(c);
    return c.redirect("/login", 303);
  });

  return routes;
}
