import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// GET /stats reads a range's whole site days from decision_day_counts (migration 0009, kept by a trigger on
// decisions) and its partial first and last days from the decisions themselves. Whatever the range, the
// answer must be what counting the decisions one by one gives.
let t: TestContext;

const ACTIONS = ["remove", "approve", "uphold", "reverse", "suspend"];
const SOURCES = ["automated_detection", "member_report", "member_appeal"];
const AUTOMATIONS = ["fully_automated", "human_with_automated_help", "human"];
const RULES = [["R1"], ["R2"], ["R2", "R3"], ["R4"], []];

interface Made {
  at: Date;
  /** A moderator deciding on their own content: a conflict of interest (the API refuses these; the log may still hold one from before). */
  conflict: boolean;
  action: string;
  source: string;
  automation: string;
  forumRules: string[];
  /** An appeal's own decision (facts.appealOf); an uphold or reverse without it is, say, a lifted suspension. */
  appeal: boolean;
}
const made: Made[] = [];

beforeAll(async () => {
  t = await createTestContext();
  // Decisions every 47 minutes for five days around site midnights, each a different mix of facets.
  const start = Date.parse("2026-11-20T15:10:00Z");
  await t.database.db.insertInto("members").values({ id: "self-mod", created_at: new Date(start), updated_at: new Date(start) }).execute();
  const rows = Array.from({ length: 160 }, (_, i) => {
    const decision: Made = {
      at: new Date(start + i * 47 * 60_000),
      action: ACTIONS[i % ACTIONS.length]!,
      source: SOURCES[i % SOURCES.length]!,
      automation: AUTOMATIONS[(i * 7) % AUTOMATIONS.length]!,
      forumRules: RULES[i % RULES.length]!,
      conflict: i % 9 === 4,
      appeal: false,
    };
    decision.appeal = (decision.action === "uphold" || decision.action === "reverse") && decision.source === "member_appeal" && i % 4 !== 3;
    made.push(decision);
    return {
      subject_kind: "comment" as const,
      subject_id: String(1000 + i),
      subject_text: "測試",
      action: decision.action,
      forum_rules: decision.forumRules,
      rule_ids: [],
      facts: decision.appeal ? JSON.stringify({ appealOf: "1" }) : "{}",
      source: decision.source as "automated_detection",
      automation: decision.automation as "human",
      moderator_id: decision.conflict ? "self-mod" : null,
      affected_member_id: decision.conflict ? "self-mod" : null,
      rules_version: null,
      model_version: null,
      reverses_decision_id: null,
      created_at: decision.at,
    };
  });
  // In several statements, as decisions arrive: the trigger counts each statement's rows.
  for (let i = 0; i < rows.length; i += 37) await t.database.db.insertInto("decisions").values(rows.slice(i, i + 37)).execute();
});
afterAll(() => t.dispose());

const siteDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

function expected(from: Date, to: Date) {
  const inRange = made.filter((d) => d.at >= from && d.at < to);
  const countBy = (keys: (d: Made) => string[]) => {
    const counts: Record<string, number> = {};
    for (const d of inRange) for (const key of keys(d)) counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  };
  const perDay: Record<string, { byForumRule: Record<string, number>; byAutomation: Record<string, number>; upheld: number; reversed: number }> = {};
  for (const d of inRange) {
    const day = (perDay[siteDay(d.at)] ??= { byForumRule: {}, byAutomation: {}, upheld: 0, reversed: 0 });
    for (const rule of d.forumRules) day.byForumRule[rule] = (day.byForumRule[rule] ?? 0) + 1;
    day.byAutomation[d.automation] = (day.byAutomation[d.automation] ?? 0) + 1;
    if (d.appeal && d.action === "uphold") day.upheld++;
    if (d.appeal && d.action === "reverse") day.reversed++;
  }
  return {
    conflicts: inRange.filter((d) => d.conflict).length,
    decisions: inRange.length,
    byForumRule: countBy((d) => d.forumRules),
    byAction: countBy((d) => [d.action]),
    bySource: countBy((d) => [d.source]),
    byAutomation: countBy((d) => [d.automation]),
    perDay,
  };
}

async function stats(from: string, to: string) {
  const response = await t.request("GET", `/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: await t.token("stats-mod", "moderator") });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

describe("/stats from the daily counts and the partial days", () => {
  it("has appeals' own outcomes and other upholds and reversals among the decisions", () => {
    const outcomes = made.filter((d) => d.action === "uphold" || d.action === "reverse");
    expect(outcomes.filter((d) => d.appeal).length).toBeGreaterThan(5);
    expect(outcomes.filter((d) => !d.appeal).length).toBeGreaterThan(5);
  });

  it.each([
    ["whole site days", "2026-11-21T00:00:00+08:00", "2026-11-25T00:00:00+08:00"],
    ["partial days at both ends", "2026-11-20T23:37:00Z", "2026-11-24T09:12:00+08:00"],
    ["inside one day", "2026-11-22T03:00:00+08:00", "2026-11-22T19:30:00+08:00"],
    ["a whole day and a partial one", "2026-11-23T00:00:00+08:00", "2026-11-24T13:00:00+08:00"],
    ["all of them and more", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"],
  ])("%s", async (_, from, to) => {
    const answer = await stats(from, to);
    const want = expected(new Date(from), new Date(to));
    expect(want.decisions).toBeGreaterThan(0);
    expect({
      decisions: answer.decisions,
      byForumRule: answer.byForumRule,
      byAction: answer.byAction,
      bySource: answer.bySource,
      byAutomation: answer.byAutomation,
    }).toEqual({ decisions: want.decisions, byForumRule: want.byForumRule, byAction: want.byAction, bySource: want.bySource, byAutomation: want.byAutomation });
    expect(answer.conflictsOfInterest).toBe(want.conflicts);
    const appeals = made.filter((d) => d.appeal && d.at >= new Date(from) && d.at < new Date(to));
    expect(answer.appeals).toMatchObject({ reversed: appeals.filter((d) => d.action === "reverse").length, decided: appeals.length });
    for (const day of answer.byDay) {
      const wanted = want.perDay[day.date] ?? { byForumRule: {}, byAutomation: {}, upheld: 0, reversed: 0 };
      expect({ date: day.date, byForumRule: day.byForumRule, byAutomation: day.byAutomation, appeals: day.appeals }).toEqual({
        date: day.date,
        byForumRule: wanted.byForumRule,
        byAutomation: wanted.byAutomation,
        appeals: { upheld: wanted.upheld, reversed: wanted.reversed },
      });
    }
  });
});
