import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env.ts";
import { Layout } from "./layout.tsx";
import { sameOrigin, sameToken, type WebSession } from "./session.ts";

/** Form posts larger than this are refused before they are read. */
export function formLimit(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.html(<SimplePage title="內容過長" session={null} message={`送出的內容超過 ${maxBytes} 位元組。`} />, 413),
  });
}

export interface FormFields {
  text(name: string): string;
  all(name: string): string[];
}

/** The posted form's fields as strings; files and missing fields read as empty. */
export async function readForm(c: Context<AppEnv>): Promise<FormFields> {
  const type = c.req.header("content-type") ?? "";
  const parsed = type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data") ? await c.req.parseBody({ all: true }) : {};
  const values = (name: string): string[] => {
    const value = parsed[name];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.filter((item): item is string => typeof item === "string");
  };
  return { text: (name) => values(name)[0] ?? "", all: values };
}

/**
 * A POST that did not come from our own page: wrong or missing CSRF token, or another site's Origin.
 * Answers 403 with a page saying so; null when the post is genuine.
 */
export async function rejectForgedPost(c: Context<AppEnv>, session: WebSession, form: FormFields): Promise<Response | null> {
  if (sameOrigin(c) && sameToken(form.text("_csrf"), session.csrf)) return null;
  return c.html(
    <SimplePage title="請重新送出" session={session} message="表單已過期或不是從本站送出（CSRF 檢查未通過）。請重新整理頁面後再試一次。" />,
    403,
  );
}

export function loginRedirect(c: Context<AppEnv>, next: string): Response {
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

export function SimplePage({ title, session, message, area = "public" }: { title: string; session: WebSession | null; message: string; area?: "public" | "moderate" }) {
  return (
    <Layout title={title} session={session} area={area}>
      <section>
        <h1>{title}</h1>
        <p>{message}</p>
      </section>
    </Layout>
  );
}
