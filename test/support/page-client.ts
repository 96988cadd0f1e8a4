import type { App } from "../../src/app.ts";

/**
 * A browser stand-in for the web pages over app.request(): it keeps cookies, sends form posts the way a
 * browser does (urlencoded, Origin of the site) and reads the CSRF token out of the page.
 */
export class PageClient {
  private cookies = new Map<string, string>();
  constructor(private readonly app: App, readonly origin = "http://localhost") {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(path, { method: "GET", headers: { accept: "text/html", ...headers } });
  }

  async post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) body.append(name, item);
    return this.send(path, {
      method: "POST",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", origin: this.origin, ...headers },
      body: body.toString(),
    });
  }

  /** Signs in through /login with a token of the site's login system. */
  async login(token: string): Promise<Response> {
    const page = await (await this.get("/login")).text();
    return this.post("/login", { _csrf: csrfOf(page), token, next: "/moderate" });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private async send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await this.app.request(new URL(path, this.origin).toString(), {
      ...init,
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const at = pair!.indexOf("=");
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (/Max-Age=0/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF token on the page");
  return match[1]!;
}
