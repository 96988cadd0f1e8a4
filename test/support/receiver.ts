import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a webhook receiver got: the headers that matter and the body as sent. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/**
 * A real HTTP receiver for webhook tests on a loopback port that stays the same across `down()` and
 * `up()`: down, nothing listens (connections are refused); `failWith` answers that status instead.
 */
export class WebhookReceiver {
  received: Received[] = [];
  failWith: number | null = null;
  port = 0;
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async up(): Promise<void> {
    const server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        if (this.failWith) {
          response.writeHead(this.failWith).end("not now");
          return;
        }
        this.received.push({
          id: String(request.headers["webhook-id"]),
          timestamp: String(request.headers["webhook-timestamp"]),
          signature: String(request.headers["webhook-signature"]),
          body,
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Whether a received request's signature is the endpoint secret's HMAC-SHA256 over `${timestamp}.${body}`. */
  static verifies(secret: string, received: Received): boolean {
    return received.signature === `v1=${createHmac("sha256", secret).update(`${received.timestamp}.${received.body}`).digest("hex")}`;
  }
}
