// Benchmark 10: the transparency export of 1M statements of reasons (BENCH_DECISIONS to change), streamed
// as NDJSON from GET /transparency/statements, against the server's peak memory. The decisions go in by
// batches over 30 days. Measured: rows/s and the server's peak RSS (VmHWM) after exporting the first three
// days (about 100k), after exporting all 30 (1M) and after exporting all 30 again; the export reads 1,000
// rows at a time, so the peak should not grow with the range (what grows from the first to the second is
// V8 letting its heap grow before collecting; a leak would grow again on the third). Target: the peak after
// the second whole export within 32 MB of the peak after the first.
import { withClient } from "../src/db/postgres.ts";
import { siteDayOf } from "../src/site-time.ts";
import { admin, benchServer, databaseUrl, freshDatabase, peakRssMb, saveResult, tokens } from "./harness.ts";

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 1_000_000);
const DAYS = 30;
const BATCH = 250_000;
const DAY_MS = 86_400_000;

/** Reads a whole export; answers its lines and bytes. */
async function exportAll(base: string, token: string, from: string, to: string): Promise<{ lines: number; bytes: number; seconds: number }> {
  const started = performance.now();
  const response = await fetch(`${base}/transparency/statements?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.byteLength;
    for (const byte of chunk.value) if (byte === 10) lines++;
  }
  return { lines, bytes, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const database = await freshDatabase("bench_export");
  const server = benchServer({ DATABASE_URL: databaseUrl(database), DATABASE_POOL_MAX: "4" });
  try {
    const end = Date.now();
    const start = end - DAYS * DAY_MS;
    await withClient(databaseUrl(database), async (client) => {
      await client.query(`insert into members (id, created_at, updated_at) select 'mod' || g, now(), now() from generate_series(0, 49) g`);
      await client.query(`insert into members (id, created_at, updated_at) select 'member' || g, now(), now() from generate_series(0, 9999) g`);
      for (let first = 0; first < DECISIONS; first += BATCH) {
        const last = Math.min(DECISIONS, first + BATCH) - 1;
        // Mostly automatic refusals with their reasons; one in ten a moderator's removal after reports.
        await client.query(
          `insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation,
                                  moderator_id, affected_member_id, rules_version, model_version, note, created_at)
           select 'comment', g::text, '留言', case when g % 50 = 0 then 'remove_and_suspend' else 'remove' end,
                  case g % 3 when 0 then '{R1}'::text[] else '{R2}'::text[] end, '{R2-insult}',
                  '{"reasons":[{"ruleId":"R2-insult","forumRule":"R2","category":"insult","message":"留言含有人身攻擊的字眼，請修改後再送出。"}]}',
                  case when g % 10 = 0 then 'member_report' else 'automated_detection' end,
                  case when g % 10 = 0 then 'human_with_automated_help' else 'fully_automated' end,
                  case when g % 10 = 0 then 'mod' || (g % 50) end, 'member' || (g % 10000), 'rules-bench', 'model-bench',
                  case when g % 10 = 0 then '人身攻擊，移除' end,
                  to_timestamp(($3::bigint + (g::bigint * $4::bigint) / $5::bigint) / 1000.0)
           from generate_series($1::bigint, $2::bigint) g`,
          [first, last, start, DAYS * DAY_MS, DECISIONS],
        );
        process.stderr.write(`\rdecisions ${(last + 1).toLocaleString("en")}/${DECISIONS.toLocaleString("en")}`);
      }
      process.stderr.write("\n");
      await client.query("vacuum analyze");
    });
    await server.start();
    const [token] = await tokens(1, "export-", "moderator");
    const lastDay = siteDayOf(new Date(end));
    const firstDay = siteDayOf(new Date(start));
    const atStart = peakRssMb(server);
    const some = await exportAll(server.base, token!, firstDay, siteDayOf(new Date(start + 2 * DAY_MS)));
    const afterSome = peakRssMb(server);
    const all = await exportAll(server.base, token!, firstDay, lastDay);
    const afterAll = peakRssMb(server);
    const again = await exportAll(server.base, token!, firstDay, lastDay);
    const afterAgain = peakRssMb(server);
    if (all.lines !== DECISIONS || again.lines !== DECISIONS) throw new Error(`exported ${all.lines} and ${again.lines} statements of ${DECISIONS}`);
    const result = {
      decisions: DECISIONS,
      firstExportStatements: some.lines,
      statementsPerSecond: Math.round(all.lines / all.seconds),
      megabytes: Number((all.bytes / 1_048_576).toFixed(1)),
      peakRssAtStartMb: atStart,
      peakRssAfterFirstMb: afterSome,
      peakRssAfterAllMb: afterAll,
      peakRssAfterAgainMb: afterAgain,
      growthMb: afterAll !== null && afterAgain !== null ? afterAgain - afterAll : null,
    };
    saveResult("export", result);
    console.log(
      `transparency export: ${all.lines.toLocaleString("en")} statements (${result.megabytes} MB NDJSON) at ${result.statementsPerSecond}/s; server peak RSS ` +
        `${atStart} MB at start, ${afterSome} MB after ${some.lines.toLocaleString("en")}, ${afterAll} MB after all, ${afterAgain} MB after all again (target: within 32 MB of the first whole export)`,
    );
  } finally {
    await server.stop().catch(() => {});
    await admin(`drop database if exists ${database} with (force)`);
  }
}

await main();
