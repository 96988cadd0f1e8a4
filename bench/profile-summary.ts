// Reads the V8 CPU profiles a benchmark wrote with BENCH_CPU_PROF=DIR and prints where the server's time
// went: self time grouped by where the code lives (this project's src/, each package, Node's own
// internals, the garbage collector, idle), then the busiest functions. The README's "why it misses" notes
// quote this output.
//   npx tsx bench/profile-summary.ts DIR [top]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: "(idle)", "(gc)", "src/…" file, a package name, or "node:internals". */
export function placeOf(url: string, functionName: string): string {
  if (functionName === "(idle)" || functionName === "(program)" || functionName === "(garbage collector)") return functionName;
  if (url === "") return "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node:internals";
  const own = /\/(src|rules|models)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url;
}

export function summarize(profile: CpuProfile): { total: number; byPlace: Map<string, number>; byFunction: Map<string, number> } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName);
    total += micros;
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
    const name = `${functionName || "(anonymous)"} ${place}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  return { total, byPlace, byFunction };
}

function print(title: string, counts: Map<string, number>, total: number, busy: number, top: number): void {
  console.log(title);
  for (const [name, micros] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const ofBusy = name === "(idle)" ? "" : ` (${((100 * micros) / busy).toFixed(1)} % of busy)`;
    console.log(`  ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${name}${ofBusy}`);
  }
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: tsx bench/profile-summary.ts DIR [top]");
  const top = Number(process.argv[3] ?? 25);
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"))) {
    const { total, byPlace, byFunction } = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
    const busy = total - (byPlace.get("(idle)") ?? 0);
    console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / total).toFixed(1)} % busy`);
    print("by place (self time):", byPlace, total, busy, top);
    print("busiest functions (self time):", byFunction, total, busy, top);
  }
}
