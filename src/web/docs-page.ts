import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";

// A small self-contained page (no CDN, works offline) that lists the operations from /openapi.json and
// sends requests to them.
const DOCS_PAGE = `<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<title>API 文件 · Comment moderation service</title>
<style>
body{font-family:system-ui,"Noto Sans TC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.method{font-weight:bold;text-transform:uppercase;display:inline-block;min-width:4rem}
textarea,input{font-family:ui-monospace,monospace;width:100%;box-sizing:border-box}
pre{background:#f5f5f5;padding:.5rem;overflow:auto;white-space:pre-wrap}
</style>
</head>
<body>
<h1>API 文件</h1>
<p id="intro"></p>
<label>Bearer token (<code>npm run token -- --member 42</code>)<input id="token" autocomplete="off"></label>
<div id="operations"></div>
<script>
const spec = fetch("/openapi.json").then((r) => r.json());
spec.then((doc) => {
  document.getElementById("intro").textContent = doc.info.description;
  const root = document.getElementById("operations");
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const section = document.createElement("section");
      const title = document.createElement("h2");
      const badge = document.createElement("span");
      badge.className = "method";
      badge.textContent = method;
      title.append(badge, " " + path);
      const summary = document.createElement("p");
      summary.textContent = op.summary;
      const params = (op.parameters || []).map((p) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.dataset.name = p.name;
        input.dataset.in = p.in;
        label.append(p.in + " " + p.name, input);
        return label;
      });
      const body = document.createElement("textarea");
      body.rows = 4;
      body.hidden = !op.requestBody;
      body.value = op.requestBody ? JSON.stringify(example(op.requestBody.content["application/json"].schema), null, 2) : "";
      const send = document.createElement("button");
      send.textContent = "Send";
      const out = document.createElement("pre");
      send.onclick = async () => {
        let url = path;
        const query = new URLSearchParams();
        for (const label of params) {
          const input = label.querySelector("input");
          if (!input.value) continue;
          if (input.dataset.in === "path") url = url.replace("{" + input.dataset.name + "}", encodeURIComponent(input.value));
          else query.set(input.dataset.name, input.value);
        }
        if ([...query].length) url += "?" + query;
        const headers = {};
        const token = document.getElementById("token").value.trim();
        if (token) headers.authorization = "Bearer " + token;
        if (op.requestBody) headers["content-type"] = "application/json";
        const response = await fetch(url, { method: method.toUpperCase(), headers, body: op.requestBody ? body.value : undefined });
        out.textContent = response.status + " " + response.statusText + "\\n" + (await response.text());
      };
      section.append(title, summary, ...params, body, send, out);
      root.append(section);
    }
  }
});
function example(schema) {
  const value = {};
  for (const [name, property] of Object.entries(schema.properties || {})) {
    value[name] = property.type === "string" ? "" : null;
  }
  return value;
}
</script>
</body>
</html>`;

/** /docs: the API's interactive page, a client of /openapi.json. */
export function docsPageRoutes() {
  const routes = new Hono<AppEnv>();
  routes.get("/docs", (c) => c.html(DOCS_PAGE));
  return routes;
}
