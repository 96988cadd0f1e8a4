// The last step of npm run bench: one table from bench/results/*.json, printed and written to
// bench/results/summary.md, each figure beside its target.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const results = new URL("results/", import.meta.url);
const read = (name: string): any => {
  const file = new URL(`${name}.json`, results);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
};
const engine = read("engine");
const classifier = read("classifier");
const api = read("api");
const queue = read("queue");
const reading = read("read");
const growth = read("growth");
const scale = read("scale");
const stats = read("stats");
const nicknames = read("nicknames");
const exported = read("export");

const rows: [string, string, string, boolean | null][] = [];
const add = (what: string, measured: string, target: string, met: boolean | null) => rows.push([what, measured, target, met]);
if (engine) {
  add("engine, comments/s (one thread)", String(engine.engineCommentsPerSecond), "≥ 20,000", engine.engineCommentsPerSecond >= 20000);
  add("engine / mint-filter", String(engine.engineToMintRatio), "≥ 0.5", engine.engineToMintRatio >= 0.5);
}
if (classifier) {
  add("classifier, comments/s (one thread)", String(classifier.classifyPerSecond), "≥ 20,000", classifier.classifyPerSecond >= 20000);
  add("classifier load, ms", String(classifier.loadMsFirst), "< 200", classifier.loadMsFirst < 200);
}
if (api) {
  for (const [name, mix] of Object.entries(api.mixes as Record<string, any>)) {
    add(`API ${name} mix: moderated / baseline throughput`, String(mix.ratio), "≥ 0.85", mix.ratio >= 0.85);
    add(`API ${name} mix: moderated comments/s`, String(mix.moderated.requestsPerSecond), "≥ 1,000", mix.moderated.requestsPerSecond >= 1000);
    add(`API ${name} mix: moderated p99, ms`, String(mix.moderated.p99Ms), "< 50", mix.moderated.p99Ms < 50);
    if (mix.serverPeakRssMb !== null) add(`API ${name} mix: server peak RSS, MB`, String(mix.serverPeakRssMb), "< 300", mix.serverPeakRssMb < 300);
  }
}
if (queue) {
  add("queue at saturation: claims/s (8 moderators, each claim decided)", String(queue.saturated.claimsPerSecond), "—", null);
  add("queue at saturation: claim p99, ms", String(queue.saturated.claimLatencyMs.p99), "—", null);
  add(`queue claim p99, 8 moderators pausing ${queue.paced.pauseMs} ms between items, ms`, String(queue.paced.claimLatencyMs.p99), "< 20", queue.paced.claimLatencyMs.p99 < 20);
  add("queue double claims", String(queue.doubleClaims), "0", queue.doubleClaims === 0);
}
if (reading) {
  add("read first page p99, ms", String(reading.firstPage.p99Ms), "≤ 10", reading.firstPage.p99Ms <= 10);
  add("read first page requests/s", String(reading.firstPage.requestsPerSecond), "≥ 2,000", reading.firstPage.requestsPerSecond >= 2000);
  add("read deep cursor page p99, ms", String(reading.deepPage.p99Ms), "≤ 10", reading.deepPage.p99Ms <= 10);
  if (reading.revalidated) add("read first page revalidated (304) requests/s", String(reading.revalidated.requestsPerSecond), "≥ 5,000", reading.revalidated.requestsPerSecond >= 5000);
  const asked = reading.everyRequestAsksTheDatabase;
  if (asked) {
    add("read, memory off: first page p99, ms", String(asked.firstPage.p99Ms), "—", null);
    add("read, memory off: first page requests/s", String(asked.firstPage.requestsPerSecond), "—", null);
    add("read, memory off: deep cursor page requests/s", String(asked.deepPage.requestsPerSecond), "—", null);
    add("read, memory off: 304 requests/s", String(asked.revalidated.requestsPerSecond), "—", null);
  }
}
if (scale) {
  add("embedded PGlite: comments/s (Taiwanese mix)", String(scale.embedded.writes.requestsPerSecond), "—", null);
  add("embedded PGlite: first page p99, ms", String(scale.embedded.firstPage.p99Ms), "—", null);
  add(`tag post p99 with ${scale.tags.articles.toLocaleString("en")} articles, ms`, String(scale.tags.p99Ms), "< 50", scale.tags.p99Ms < 50);
}
if (stats) add(`/stats p99 over ${stats.decisions.toLocaleString("en")} decisions, ms`, String(stats.p99Ms), "< 200", stats.p99Ms < 200);
if (nicknames) add(`nickname check p99 with ${nicknames.members.toLocaleString("en")} members, ms`, String(nicknames.p99Ms), "< 10", nicknames.p99Ms < 10);
if (exported) {
  add(`transparency export of ${exported.decisions.toLocaleString("en")} statements, per second`, String(exported.statementsPerSecond), "—", null);
  add("transparency export: server peak RSS growth on a second whole export, MB", String(exported.growthMb), "≤ 32", exported.growthMb !== null && exported.growthMb <= 32);
}
if (growth) add("growth, cost largest / smallest", String(growth.largestToSmallest), "≤ 1.2", growth.largestToSmallest <= 1.2);

const table = [
  "| measure | measured | target | met |",
  "|---|---|---|---|",
  ...rows.map(([what, measured, target, met]) => `| ${what} | ${measured} | ${target} | ${met === null ? "—" : met ? "yes" : "no"} |`),
].join("\n");
writeFileSync(new URL("summary.md", results), `${table}\n`);
console.log(table);
