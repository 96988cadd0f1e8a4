// Webhook endpoints for admins (/moderate/webhooks): the endpoints and their events, a form to add one
// (its signing secret shown once), switching one off or on, and the delivery log with replay.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../app-env.ts";
import { callApi, type ApiFailure, type AppFetch } from "../api.ts";
import { SimplePage } from "../forms.tsx";
import { ErrorBox, formatTime, Layout } from "../layout.tsx";
import type { WebSession } from "../session.ts";
import { WEBHOOK_EVENTS } from "../../db/schema.ts";

interface EndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
}
interface DeliveryView {
  id: string;
  endpointId: string;
  subject: string;
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  event: { type: string; createdAt: string };
}

const STATE_NAMES: Record<string, string> = { pending: "待送", delivered: "已送達", failed: "放棄" };

function WebhooksPage(props: { session: WebSession; endpoints: EndpointView[]; deliveries: DeliveryView[]; secret: string | null; error: ApiFailure | null }) {
  const { session, endpoints, deliveries, secret, error } = props;
  return (
    <Layout title="Webhooks - 留言審核" session={session} area="moderate">
      <h1>Webhooks</h1>
      <p class="muted">處分、待審留言、會員處分與申訴結果會以簽章的 HTTP POST 送到下列網址（說明見 README 的 Webhooks 一節）。</p>
      {error ? <ErrorBox message={error.message} /> : null}
      {secret ? (
        <div class="notice warn" role="status" data-testid="webhook-secret">
          已新增。簽章金鑰只顯示這一次，請交給接收端保存：<code>{secret}</code>
        </div>
      ) : null}
      <table data-testid="endpoints">
        <thead>
          <tr>
            <th>#</th>
            <th>網址</th>
            <th>事件</th>
            <th>狀態</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((endpoint) => (
            <tr data-endpoint-id={endpoint.id}>
              <td>{endpoint.id}</td>
              <td>
                {endpoint.url}
                {endpoint.description ? <div class="muted">{endpoint.description}</div> : null}
              </td>
              <td>{endpoint.events.join("、")}</td>
              <td>{endpoint.active ? "啟用" : "停用"}</td>
              <td>
                <form method="post" action={`/moderate/webhooks/${endpoint.id}/active`}>
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <input type="hidden" name="active" value={endpoint.active ? "false" : "true"} />
                  <button type="submit" class="secondary">{endpoint.active ? "停用" : "啟用"}</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/moderate/webhooks" class="card">
        <h2>新增接收網址</h2>
        <input type="hidden" name="_csrf" value={session.csrf} />
        <label>
          網址（http 或 https）
          <input type="text" name="url" required maxlength={2000} />
        </label>
        <div class="actions">
          {WEBHOOK_EVENTS.map((event) => (
            <label>
              <input type="checkbox" name="events" value={event} /> {event}
            </label>
          ))}
        </div>
        <label>
          說明
          <input type="text" name="description" maxlength={500} />
        </label>
        <button type="submit">新增</button>
      </form>
      <h2>最近的送出紀錄</h2>
      <table data-testid="deliveries">
        <thead>
          <tr>
            <th>#</th>
            <th>事件</th>
            <th>對象</th>
            <th>狀態</th>
            <th>嘗試</th>
            <th>最後回應</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr data-delivery-id={delivery.id}>
              <td>{delivery.id}</td>
              <td>
                {delivery.event.type}
                <div class="muted">{formatTime(delivery.event.createdAt)}</div>
              </td>
              <td>{delivery.subject}</td>
              <td>
                {STATE_NAMES[delivery.state] ?? delivery.state}
                {delivery.nextAttemptAt ? <div class="muted">下次 {formatTime(delivery.nextAttemptAt)}</div> : null}
              </td>
              <td>{delivery.attempts}</td>
              <td>{delivery.lastStatus ?? delivery.lastError ?? "—"}</td>
              <td>
                <form method="post" action={`/moderate/webhooks/deliveries/${delivery.id}/replay`}>
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <button type="submit" class="secondary">重送</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export async function showWebhooks(c: Context<AppEnv>, appFetch: AppFetch, secret: string | null = null, error: ApiFailure | null = null, status: ContentfulStatusCode = 200) {
  const session = c.get("webSession");
  if (session.role !== "admin") return c.html(<SimplePage title="沒有權限" session={session} area="moderate" message="Webhooks 只開放給系統管理員。" />, 403);
  const [endpoints, deliveries] = await Promise.all([
    callApi<{ endpoints: EndpointView[] }>(c, appFetch, session, "GET", "/webhooks/endpoints"),
    callApi<{ deliveries: DeliveryView[] }>(c, appFetch, session, "GET", "/webhooks/deliveries?limit=50"),
  ]);
  if (!endpoints.ok) return c.html(<SimplePage title="無法顯示" session={session} area="moderate" message={endpoints.error.message} />, endpoints.status);
  return c.html(
    <WebhooksPage session={session} endpoints={endpoints.body.endpoints} deliveries={deliveries.ok ? deliveries.body.deliveries : []} secret={secret} error={error} />,
    status,
  );
}
