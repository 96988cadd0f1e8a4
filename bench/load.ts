// A load generator for the benchmarks, run as its own process so it does not share the server's CPU
// time slices: autocannon, with a request picked from a prepared list for every send.
// Input (argv[2], a JSON file): { url, connections, durationSeconds, requests: [{ method, path, headers, body }] }.
// Output (stdout, JSON): requests/s, latency percentiles and status counts.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface Plan {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: { method: string; path: string; headers: Record<string, string>; body?: string }[];
}

const plan = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Plan;
let next = 0;
const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  duration: plan.durationSeconds,
  requests: [
    {
      setupRequest: (request) => {
        const chosen = plan.requests[next++ % plan.requests.length]!;
        return { ...request, method: chosen.method as "POST", path: chosen.path, headers: chosen.headers, body: chosen.body };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    totalRequests: result.requests.total,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    statusCodes: result.statusCodeStats,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  }),
);
