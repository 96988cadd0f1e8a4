import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvLine, STATEMENT_FIELDS } from "../src/transparency/statements.ts";
import { siteDayOf } from "../src/site-time.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { PageClient } from "./support/page-client.ts";

// The transparency export (statements of reasons, streamed as NDJSON or CSV, fields as the README lists
// them) and the public monthly totals.
let t: TestContext;
const ARTICLE = "transparency-news";

beforeAll(async () => {
  t = await createTestContext();
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

async function as(memberId: string, role: "member" | "moderator" | "admin", method: string, path: string, json?: unknown) {
  const response = await t.request(method, path, { token: await t.token(memberId, role), ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text && response.headers.get("content-type")?.includes("application/json") ? JSON.parse(text) : null };
}
const post = (member: string, body: string) => as(member, "member", "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: t.config.forumRules.version });

/** The field names of the README's transparency table, in its order. */
function readmeFields(): string[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Transparency export"), readme.indexOf("## Web pages"));
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!));
}

/** RFC 4180 rows of a CSV text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ""), i++;
    } else cell += ch;
  }
  return rows;
}

const ENUMS: Record<string, (value: unknown) => boolean> = {
  decision_visibility: (v) => Array.isArray(v) && v.every((x) => x === "DECISION_VISIBILITY_CONTENT_REMOVED"),
  decision_account: (v) => v === null || v === "DECISION_ACCOUNT_SUSPENDED" || v === "DECISION_ACCOUNT_TERMINATED",
  decision_ground: (v) => v === "DECISION_GROUND_ILLEGAL_CONTENT" || v === "DECISION_GROUND_INCOMPATIBLE_CONTENT",
  category: (v) => typeof v === "string" && v.startsWith("STATEMENT_CATEGORY_"),
  source_type: (v) => v === "SOURCE_ARTICLE_16" || v === "SOURCE_VOLUNTARY",
  automated_detection: (v) => v === "Yes" || v === "No",
  automated_decision: (v) => ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"].includes(v as string),
  content_type: (v) => JSON.stringify(v) === '["CONTENT_TYPE_TEXT"]',
  application_date: (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  content_date: (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
};

describe("the statements of reasons export", () => {
  let removedId: string;
  let today: string;

  it("exports each restrictive decision of the days asked for, with the README's fields, as NDJSON", async () => {
    today = siteDayOf(t.clock.now());
    // An automatic refusal; a held comment removed by a moderator, appealed and reversed; a suspension; an approval (no statement).
    const refused = await post("tr-rude", "幹你娘");
    expect(refused.status).toBe(422);
    expect((await post("tr-author", "你這個白癡")).status).toBe(202);
    const item = (await as("tr-mod", "moderator", "GET", "/review/items?memberId=tr-author")).body.items[0];
    const removed = await as("tr-mod", "moderator", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: '人身攻擊，"引號",逗號\n第二行' });
    removedId = removed.body.decision.id;
    expect((await as("tr-author", "member", "POST", `/decisions/${removedId}/appeal`, { note: "我在批評" })).status).toBe(201);
    const appealItem = (await as("tr-mod-2", "moderator", "GET", "/review/items?kind=appeal&memberId=tr-author")).body.items[0];
    const reversed = await as("tr-mod-2", "moderator", "POST", `/review/items/${appealItem.id}/decision`, { action: "reverse", note: "屬於批評" });
    expect((await as("tr-mod", "moderator", "POST", "/members/tr-rude/actions", { action: "suspend", forumRules: ["R2"], note: "辱罵", suspendDays: 3 })).status).toBe(201);
    const fine = await post("tr-ok", "我覺得白癡這個詞不該出現");
    if (fine.status === 202) {
      const fineItem = (await as("tr-mod", "moderator", "GET", "/review/items?memberId=tr-ok")).body.items[0];
      await as("tr-mod", "moderator", "POST", `/review/items/${fineItem.id}/decision`, { action: "approve", note: "討論用詞" });
    }

    const exported = await as("tr-mod", "moderator", "GET", `/transparency/statements?from=${today}&to=${today}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toContain("application/x-ndjson");
    expect(exported.headers.get("content-disposition")).toContain(`statements-${today}-${today}.ndjson`);
    const lines = exported.text.trimEnd().split("\n").map((line) => JSON.parse(line));
    const { rows } = await sql<{ id: string }>`select id::text from decisions where action in ('remove', 'remove_and_suspend', 'suspend', 'revoke') order by created_at, id`.execute(t.database.db);
    expect(lines.map((line) => line.decision_id)).toEqual(rows.map((row) => row.id));

    // Exactly the README's fields, in its order, with values from the documented sets.
    expect(readmeFields()).toEqual([...STATEMENT_FIELDS]);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([...STATEMENT_FIELDS]);
      for (const [field, allowed] of Object.entries(ENUMS)) expect(allowed(line[field]), `${field}: ${JSON.stringify(line[field])}`).toBe(true);
      expect(JSON.stringify(line)).not.toContain("tr-author");
    }
    const automatic = lines.find((line) => line.automated_decision === "AUTOMATED_DECISION_FULLY")!;
    expect(automatic).toMatchObject({ decision_visibility: ["DECISION_VISIBILITY_CONTENT_REMOVED"], source_type: "SOURCE_VOLUNTARY", automated_detection: "Yes", decision_ground: "DECISION_GROUND_INCOMPATIBLE_CONTENT", category: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", forum_rules: ["R2"] });
    const human = lines.find((line) => line.decision_id === removedId)!;
    expect(human).toMatchObject({ automated_decision: "AUTOMATED_DECISION_PARTIALLY", reversed_by_decision_id: reversed.body.decision.id, incompatible_content_illegal: "No" });
    expect(human.incompatible_content_ground).toContain(t.config.forumRules.rules.R2);
    const suspension = lines.find((line) => line.decision_account === "DECISION_ACCOUNT_SUSPENDED")!;
    expect(suspension).toMatchObject({ decision_visibility: [], account_type: "ACCOUNT_TYPE_PRIVATE", automated_decision: "AUTOMATED_DECISION_NOT_AUTOMATED", source_type: "SOURCE_VOLUNTARY" });
    expect(suspension.end_date_account_restriction).toBe(siteDayOf(new Date(t.clock.now().getTime() + 3 * 86_400_000)));
  });

  it("exports the same as CSV with a header row, quoting what needs it", async () => {
    const exported = await as("tr-mod", "moderator", "GET", `/transparency/statements?from=${today}&to=${today}&format=csv`);
    expect(exported.headers.get("content-type")).toContain("text/csv");
    const [header, ...rows] = parseCsv(exported.text);
    expect(header).toEqual([...STATEMENT_FIELDS]);
    const json = (await as("tr-mod", "moderator", "GET", `/transparency/statements?from=${today}&to=${today}`)).text.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(rows).toHaveLength(json.length);
    const removed = rows.find((row) => row[header!.indexOf("decision_id")] === removedId)!;
    expect(removed[header!.indexOf("decision_facts")]).toContain('人身攻擊，"引號",逗號\n第二行');
    expect(removed[header!.indexOf("forum_rules")]).toBe('["R2"]');
    expect(removed[header!.indexOf("end_date_visibility_restriction")]).toBe("");
    // A note a spreadsheet would run as a formula stays text.
    expect(csvLine(["=HYPERLINK(\"x\")", "-1", "ok"])).toBe(`"'=HYPERLINK(""x"")",'-1,ok\r\n`);
  });

  it("pages through thousands of decisions in order, each once; other days are left out", async () => {
    const now = t.clock.now();
    await sql`insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation, rules_version, created_at)
              select 'comment', (900000 + g)::text, '留言', 'remove', '{R1}', '{R1-test}', '{"reasons":[{"category":"spam","message":"廣告"}]}', 'automated_detection', 'fully_automated', 'rules-test', ${now}::timestamptz + (g % 7) * interval '1 second'
              from generate_series(1, 2500) g`.execute(t.database.db);
    await sql`insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation, rules_version, created_at)
              values ('comment', '1', '舊', 'remove', '{R2}', '{}', '{}', 'automated_detection', 'fully_automated', 'rules-test', ${new Date(now.getTime() - 3 * 86_400_000)})`.execute(t.database.db);
    const lines = (await as("tr-mod", "moderator", "GET", `/transparency/statements?from=${today}&to=${today}`)).text.trimEnd().split("\n").map((line) => JSON.parse(line));
    const ids = lines.map((line) => line.decision_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.filter((line) => line.forum_rules[0] === "R1")).toHaveLength(2500);
    const spam = lines.find((line) => line.forum_rules[0] === "R1")!;
    expect(spam).toMatchObject({ decision_ground: "DECISION_GROUND_ILLEGAL_CONTENT", category: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", illegal_content_explanation: "廣告", incompatible_content_ground: null });
    const { rows } = await sql<{ n: string }>`select count(*) as n from decisions where action in ('remove', 'remove_and_suspend', 'suspend', 'revoke') and created_at >= ${new Date(now.getTime() - 86_400_000)}`.execute(t.database.db);
    expect(lines).toHaveLength(Number(rows[0]!.n));
  });

  it("refuses a bad range and a member", async () => {
    expect((await as("tr-mod", "moderator", "GET", "/transparency/statements?from=2026-11-30&to=2026-11-01")).status).toBe(400);
    expect((await as("tr-mod", "moderator", "GET", "/transparency/statements?from=2026-02-30&to=2026-03-01")).status).toBe(400);
    expect((await as("tr-mod", "moderator", "GET", "/transparency/statements?from=2026-11-01")).status).toBe(400);
    expect((await as("tr-mod", "moderator", "GET", `/transparency/statements?from=${today}&to=${today}&format=xml`)).status).toBe(400);
    expect((await as("tr-author", "member", "GET", `/transparency/statements?from=${today}&to=${today}`)).status).toBe(403);
  });
});

describe("the public monthly totals", () => {
  it("counts this month's decisions by forum rule, action and automation, and the appeal reversal rate, without signing in", async () => {
    const response = await t.request("GET", "/transparency/summary?months=3");
    expect(response.status).toBe(200);
    const summary = (await response.json()) as any;
    const month = summary.months.at(-1);
    expect(month.month).toBe(siteDayOf(t.clock.now()).slice(0, 7));
    const { rows } = await sql<{ n: string }>`select count(*) as n from decisions where created_at >= ${new Date(`${month.month}-01T00:00:00+08:00`)}`.execute(t.database.db);
    expect(month.total).toBe(Number(rows[0]!.n));
    expect(month.byForumRule.R1).toBeGreaterThanOrEqual(2500);
    expect(month.byAction.reverse).toBe(1);
    expect(month.appeals).toEqual({ upheld: 0, reversed: 1, reversalRate: 1 });
    expect(month.byAutomation.fully_automated).toBeGreaterThan(0);
    expect((await t.request("GET", "/transparency/summary?months=0")).status).toBe(400);

    const page = await new PageClient(t.app).get("/transparency");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("透明度報告");
    expect(html).toContain(`data-month="${month.month}"`);
    expect(html).toContain("100.0%（1 / 1）");
  });
});
