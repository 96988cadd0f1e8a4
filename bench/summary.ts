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
  add("API moderated / baseline throughput", String(api.ratio), "≥ 0.85", api.ratio >= 0.85);
  add("API moderated comments/s", String(api.moderated.requestsPerSecond), "≥ 2,000", api.moderated.requestsPerSecond >= 2000);
  add("API moderated p99, ms", String(api.moderated.p99Ms), "< 50", api.moderated.p99Ms < 50);
}
if (queue) {
  add("queue claims/s (8 moderators, each claim decided)", String(queue.claimsPerSecond), "—", null);
  add("queue claim p99, ms", String(queue.claimLatencyMs.p99), "< 20", queue.claimLatencyMs.p99 < 20);
  add("queue double claims", String(queue.doubleClaims), "0", queue.doubleClaims === 0);
}
if (reading) {
  add("read first page p99, ms", String(reading.firstPage.p99Ms), "< 10", reading.firstPage.p99Ms < 10);
  add("read deep cursor page p99, ms", String(reading.deepPage.p99Ms), "< 10", reading.deepPage.p99Ms < 10);
}
if (growth) add("growth, cost largest / smallest", String(growth.largestToSmallest), "≤ 1.2", growth.largestToSmallest <= 1.2);

const table = [
  "| measure | measured | target | met |",
  "|---|---|---|---|",
  ...rows.map(([what, measured, target, met]) => `| ${what} | ${measured} | ${target} | ${met === null ? "—" : met ? "yes" : "no"} |`),
].join("\n");
writeFileSync(new URL("summary.md", results), `${table}\n`);
console.log(table);
