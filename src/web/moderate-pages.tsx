import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import type { Context } from "hono";
import { callApi, type ApiResult, type AppFetch } from "./api.ts";
import { formLimit, genuineForm, loginRedirect, SimplePage } from "./forms.tsx";
import { readSession } from "./session.ts";
import type { CountsView, ItemView, QueueItemView } from "../views/review.ts";
import type { StatsView } from "../views/stats.ts";
import { BulkResultPage, liveCards, siteNamesOf, queueAfter, showQueue, type BulkResultView } from "./moderate/queue-page.tsx";
import { showItem, type DecisionDraft } from "./moderate/item-page.tsx";
import { StatsPage } from "./moderate/stats-page.tsx";
import { showMember, type MemberActionDraft } from "./moderate/member-page.tsx";
import { answerSecondLook, showSecondLooks } from "./moderate/second-look-page.tsx";
import { showWebhooks } from "./moderate/webhooks-page.tsx";
import { siteMidnight } from "../site-time.ts";

/** How long one live-queue stream stays open, how often it looks, and when the browser comes back. */
const LIVE_HOLD_MS = 60_000;
const LIVE_TICK_MS = 2_000;
const LIVE_RETRY_MS = 3_000;

type LiveUpdate = { counts: CountsView; latest: string; cards: { id: string; html: string }[] };

/** What changed since item `since`, from GET /review/live, with the new items rendered as queue cards. */
async function liveUpdate(c: Context<AppEnv>, appFetch: AppFetch, since: string): Promise<ApiResult<LiveUpdate>> {
  const session = c.get("webSession");
  const live = await callApi<{ counts: CountsView; latest: string; items: QueueItemView[] }>(c, appFetch, session, "GET", `/review/live?${new URLSearchParams({ since })}`);
  if (!live.ok) return live;
  return { ok: true, status: 200, body: { counts: live.body.counts, latest: live.body.latest, cards: await liveCards(live.body.items, session, "/moderate", siteNamesOf(c)) } };
}

const requireModerator = createMiddleware<AppEnv>(async (c, next) => {
  c.header("Cache-Control", "no-store");
  const session = await readSession(c);
  if (!session) return loginRedirect(c, c.req.method === "GET" ? c.req.path + new URL(c.req.url).search : "/moderate");
  if (session.role !== "moderator" && session.role !== "admin") {
    return c.html(<SimplePage title="沒有權限" session={session} message="這些頁面只開放給管理員。" />, 403);
  }
  c.set("webSession", session);
  await next();
});

export function moderatePageRoutes(appFetch: AppFetch) {
  const routes = new Hono<AppEnv>();
  routes.use("/moderate", requireModerator);
  routes.use("/moderate/*", requireModerator);

  routes.get("/moderate", (c) => showQueue(c, appFetch));

  routes.post("/moderate/claim", formLimit(4096), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const kind = form.text("kind");
    const escalated = form.text("escalated") === "true";
    const claimed = await callApi<{ item: ItemView | null }>(c, appFetch, session, "POST", "/review/claim", { ...(kind ? { kind } : {}), ...(escalated ? { escalated } : {}) });
    if (!claimed.ok) return c.html(<SimplePage title="無法領取" session={session} area="moderate" message={claimed.error.message} />, claimed.status);
    if (!claimed.body.item) return c.redirect(`/moderate?notice=empty`, 303);
    return c.redirect(`/moderate/items/${claimed.body.item.id}`, 303);
  });

  // The live queue: what changed since the newest item the page shows, as JSON (the fallback that polls)…
  routes.get("/moderate/live", async (c) => {
    const update = await liveUpdate(c, appFetch, c.req.query("since") ?? "0");
    if (!update.ok) return c.json({ error: update.error }, update.status);
    return c.json(update.body);
  });

  // …and as server-sent events: a `queue` event whenever the counts or the items change, for
  // liveQueueHoldMs, then the browser reconnects from where it was.
  routes.get("/moderate/events", async (c) => {
    const holdMs = c.get("deps").config.liveQueueHoldMs ?? LIVE_HOLD_MS;
    let since = c.req.query("since") ?? "0";
    const first = await liveUpdate(c, appFetch, since);
    if (!first.ok) return c.json({ error: first.error }, first.status);
    const encoder = new TextEncoder();
    let stopped = false;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => controller.enqueue(encoder.encode(text));
        let last = JSON.stringify(first.body.counts);
        since = first.body.latest;
        send(`retry: ${LIVE_RETRY_MS}\nevent: queue\ndata: ${JSON.stringify(first.body)}\n\n`);
        const until = Date.now() + holdMs;
        while (!stopped && Date.now() + LIVE_TICK_MS < until) {
          await new Promise((resolve) => setTimeout(resolve, LIVE_TICK_MS));
          // A session signed out, ended or demoted meanwhile ends the stream.
          if (stopped || !(await readSession(c).catch(() => null))) break;
          const update = await liveUpdate(c, appFetch, since).catch(() => null);
          if (!update?.ok) break;
          const counts = JSON.stringify(update.body.counts);
          if (update.body.cards.length || counts !== last) {
            send(`event: queue\ndata: ${JSON.stringify(update.body)}\n\n`);
            last = counts;
            since = update.body.latest;
          } else {
            send(": still here\n\n");
          }
        }
        if (!stopped) controller.close();
      },
      cancel() {
        stopped = true;
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
  });

  routes.get("/moderate/items/:id", (c) => showItem(c, appFetch, {}, null));

  routes.post("/moderate/items/:id/decision", formLimit(32 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const draft: DecisionDraft = {
      action: form.text("action"),
      forumRules: form.all("forumRules"),
      note: form.text("note"),
      suspendDays: form.text("suspendDays"),
    };
    const input = {
      action: draft.action,
      forumRules: draft.forumRules,
      note: draft.note,
      ...(draft.action === "remove_and_suspend" && draft.suspendDays ? { suspendDays: Number(draft.suspendDays) } : {}),
      ...(form.text("subjectVersion") ? { subjectVersion: Number(form.text("subjectVersion")) } : {}),
    };
    const result = await callApi<{ decision: { id: string } }>(c, appFetch, session, "POST", `/review/items/${encodeURIComponent(c.req.param("id"))}/decision`, input);
    if (result.ok) return c.redirect(queueAfter(form.text("back"), { notice: "decided", decision: result.body.decision.id }), 303);
    return showItem(c, appFetch, draft, result.error, result.status);
  });

  routes.post("/moderate/bulk", formLimit(32 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const scope = form.text("scope");
    // A card's box is "item:version" (the comment version the moderator read) or the item alone.
    const boxes = form.all("itemId").map((value) => value.split(":"));
    const subjectVersions = Object.fromEntries(boxes.filter((box) => box[1]).map(([id, version]) => [id, Number(version)]));
    const chosen =
      scope === "memberId" || scope === "articleId" ? { [scope]: form.text(scope) } : { itemIds: boxes.map(([id]) => id!), ...(Object.keys(subjectVersions).length ? { subjectVersions } : {}) };
    if ("itemIds" in chosen && chosen.itemIds!.length === 0) {
      return c.html(<SimplePage title="沒有選取項目" session={session} area="moderate" message="請先勾選要處理的項目。" />, 400);
    }
    const input = { ...chosen, action: form.text("action"), forumRules: form.all("forumRules"), note: form.text("note") };
    const result = await callApi<BulkResultView>(c, appFetch, session, "POST", "/review/bulk-decisions", input);
    if (!result.ok) return c.html(<SimplePage title="無法批次處理" session={session} area="moderate" message={result.error.message} />, result.status);
    return c.html(<BulkResultPage session={session} result={result.body} back={queueAfter(form.text("back"), {})} />);
  });

  routes.post("/moderate/items/:id/escalate", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const result = await callApi(c, appFetch, session, "POST", `/review/items/${encodeURIComponent(c.req.param("id"))}/escalate`, { note: form.text("note") });
    if (result.ok) return c.redirect(`/moderate?notice=escalated`, 303);
    return showItem(c, appFetch, {}, result.error, result.status);
  });

  routes.get("/moderate/webhooks", (c) => showWebhooks(c, appFetch));

  routes.post("/moderate/webhooks", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const description = form.text("description").trim();
    const created = await callApi<{ secret: string }>(c, appFetch, session, "POST", "/webhooks/endpoints", { url: form.text("url"), events: form.all("events"), ...(description ? { description } : {}) });
    if (!created.ok) return showWebhooks(c, appFetch, null, created.error, created.status);
    return showWebhooks(c, appFetch, created.body.secret);
  });

  routes.post("/moderate/webhooks/:id/active", formLimit(4096), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const result = await callApi(c, appFetch, post.session, "PATCH", `/webhooks/endpoints/${encodeURIComponent(c.req.param("id"))}`, { active: post.form.text("active") === "true" });
    if (!result.ok) return showWebhooks(c, appFetch, null, result.error, result.status);
    return c.redirect("/moderate/webhooks", 303);
  });

  routes.post("/moderate/webhooks/deliveries/:id/replay", formLimit(4096), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const result = await callApi(c, appFetch, post.session, "POST", `/webhooks/deliveries/${encodeURIComponent(c.req.param("id"))}/replay`);
    if (!result.ok) return showWebhooks(c, appFetch, null, result.error, result.status);
    return c.redirect("/moderate/webhooks", 303);
  });

  routes.get("/moderate/second-looks", (c) => showSecondLooks(c, appFetch));

  routes.post("/moderate/second-looks/:id", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    return answerSecondLook(c, appFetch, session, c.req.param("id"), { action: form.text("action"), forumRules: form.all("forumRules"), note: form.text("note").trim() });
  });

  routes.get("/moderate/members/:id", (c) => showMember(c, appFetch, null, null));

  routes.post("/moderate/members/:id/action", formLimit(16 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const draft: MemberActionDraft = {
      action: form.text("action"),
      forumRules: form.all("forumRules"),
      note: form.text("note"),
      suspendDays: form.text("suspendDays"),
      site: form.text("site"),
      takeDownComments: form.text("takeDownComments") === "1",
    };
    const input = {
      action: draft.action,
      forumRules: draft.forumRules,
      note: draft.note,
      takeDownComments: draft.takeDownComments,
      ...(draft.action === "suspend" && draft.suspendDays ? { suspendDays: Number(draft.suspendDays) } : {}),
      ...(draft.action === "suspend" && draft.site ? { site: draft.site } : {}),
    };
    const member = `/members/${encodeURIComponent(c.req.param("id"))}`;
    const result = await callApi(c, appFetch, session, "POST", `${member}/actions`, input);
    if (result.ok) return c.redirect(`/moderate${member}`, 303);
    return showMember(c, appFetch, draft, result.error, result.status);
  });

  routes.post("/moderate/members/:id/role-limit", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const member = `/members/${encodeURIComponent(c.req.param("id"))}`;
    const result = await callApi(c, appFetch, session, "PUT", `${member}/role-limit`, { role: form.text("role") || null, note: form.text("note") });
    if (result.ok) return c.redirect(`/moderate${member}`, 303);
    return showMember(c, appFetch, null, result.error, result.status);
  });

  routes.post("/moderate/members/:id/sites", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const member = `/members/${encodeURIComponent(c.req.param("id"))}`;
    const sites = form.all("sites");
    const result = await callApi(c, appFetch, session, "PUT", `${member}/sites`, { sites: sites.length > 0 ? sites : null, note: form.text("note") });
    if (result.ok) return c.redirect(`/moderate${member}`, 303);
    return showMember(c, appFetch, null, result.error, result.status);
  });

  routes.post("/moderate/members/:id/note", formLimit(8 * 1024), async (c) => {
    const post = await genuineForm(c, c.get("webSession"));
    if (post.refused) return post.refused;
    const { session, form } = post;
    const member = `/members/${encodeURIComponent(c.req.param("id"))}`;
    const result = await callApi(c, appFetch, session, "POST", `${member}/notes`, { note: form.text("note") });
    if (result.ok) return c.redirect(`/moderate${member}`, 303);
    return showMember(c, appFetch, null, result.error, result.status);
  });

  routes.get("/moderate/stats", async (c) => {
    const session = c.get("webSession");
    const params = new URLSearchParams();
    for (const name of ["from", "to", "site"]) {
      const value = c.req.query(name);
      if (value) params.set(name, value);
    }
    // The form's Taipei days, both ends included: from the first day's midnight to the midnight after the last.
    const fromDay = c.req.query("fromDay");
    const toDay = c.req.query("toDay");
    if (fromDay) params.set("from", siteMidnight(fromDay)?.toISOString() ?? fromDay);
    if (toDay) params.set("to", siteMidnight(toDay, 1)?.toISOString() ?? toDay);
    const stats = await callApi<StatsView>(c, appFetch, session, "GET", `/stats?${params}`);
    if (!stats.ok) return c.html(<SimplePage title="無法顯示統計" session={session} area="moderate" message={stats.error.message} />, stats.status);
    return c.html(<StatsPage session={session} stats={stats.body} siteNames={siteNamesOf(c, stats.body.moderatorSites)} site={c.req.query("site") ?? ""} />);
  });

  return routes;
}

