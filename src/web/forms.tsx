import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env.ts";
import { Layout } from "./layout.tsx";
import { readSession, sameOrigin, sameToken, type WebSession } from "./session.ts";

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

/**
 * The posted form's fields as strings. The pages post urlencoded forms; any other body, or one that cannot
 * be parsed, reads as no fields at all (the CSRF check then refuses it).
 */
export async function readForm(c: Context<AppEnv>): Promise<FormFields> {
  const type = c.req.header("content-type") ?? "";
  let parsed: Awaited<ReturnType<typeof c.req.parseBody>> = {};
  if (type.startsWith("application/x-www-form-urlencoded")) {
    try {
      parsed = await c.req.parseBody({ all: true });
    } catch {
      parsed = {};
    }
  }
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

/**
 * A member's form post: signed in (else to the login page, coming back to `returnTo`), read, and checked
 * for its CSRF token and origin. Either the session and fields, or the response that refuses the post.
 */
export async function signedInForm(
  c: Context<AppEnv>,
  returnTo: string,
): Promise<{ session: WebSession; form: FormFields; refused?: undefined } | { refused: Response }> {
  const session = await readSession(c);
  if (!session) return { refused: loginRedirect(c, returnTo) };
  return genuineForm(c, session);
}

/** The post of a session already read (the moderator pages' middleware reads it): its fields once checked, or the refusal. */
export async function genuineForm(
  c: Context<AppEnv>,
  session: WebSession,
): Promise<{ session: WebSession; form: FormFields; refused?: undefined } | { refused: Response }> {
  const form = await readForm(c);
  const forged = await rejectForgedPost(c, session, form);
  return forged ? { refused: forged } : { session, form };
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
