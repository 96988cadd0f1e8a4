import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { ensureMember } from "../src/db/members.ts";
import { insertReport } from "../src/db/reports.ts";
import { feedReviewItem } from "../src/db/review.ts";
import { createTestContext, type TestContext } from "./support/context.ts";
import { usingPostgres } from "./support/database.ts";

let t: TestContext;
let rulesVersion: string;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle("review-news");
});
afterAll(() => t.dispose());

async function as(memberId: string, method: string, path: string, json?: unknown, role: "member" | "moderator" | "admin" = "member") {
  const response = await t.request(method, path, { token: await t.token(memberId, role), ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
const mod = (memberId: string, method: string, path: string, json?: unknown) => as(memberId, method, path, json, "moderator");

async function postComment(memberId: string, body: string) {
  return as(memberId, "POST", "/articles/review-news/comments", { body, acceptedRulesVersion: rulesVersion });
}
async function publishedIds(): Promise<string[]> {
  const page = (await (await t.request("GET", "/articles/review-news/comments?limit=100")).json()) as any;
  return page.comments.map((c: any) => c.id);
}
async function report(reporter: string, subject: "comment" | "member", id: string, reason = "abuse") {
  return as(reporter, "POST", "/reports", { subject, id, reason });
}

describe("reports, the queue and a removal, end to end", () => {
  let commentId: string;
  let itemId: string;
  let removal: any;

  it("hides a comment once the weight of distinct reporters reaches the threshold", async () => {
    const posted = await postComment("author", "這位市長的政策根本沒用");
    expect(posted.status).toBe(201);
    commentId = posted.body.comment.id;

    const first = await report("r1", "comment", commentId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ report: { weight: 1 }, hidden: false });
    itemId = first.body.reviewItemId;
    expect((await report("r1", "comment", commentId)).status).toBe(409);
    expect((await report("author", "comment", commentId)).status).toBe(403);
    expect((await report("r2", "comment", "999999")).status).toBe(404);
    expect((await report("r2", "comment", commentId)).body.hidden).toBe(false);
    expect(await publishedIds()).toContain(commentId);
    const third = await report("r3", "comment", commentId);
    expect(third.body).toMatchObject({ hidden: true, reviewItemId: itemId });
    expect(await publishedIds()).not.toContain(commentId);
  });

  it("refuses bad report input", async () => {
    expect((await as("r1", "POST", "/reports", { subject: "comment", id: commentId, reason: "boring" })).status).toBe(400);
    expect((await as("r1", "POST", "/reports", { subject: "comment", id: commentId, reason: "abuse", extra: 1 })).status).toBe(400);
    expect((await t.request("POST", "/reports", { json: { subject: "comment", id: commentId, reason: "abuse" } })).status).toBe(401);
  });

  it("keeps one open item per subject, gathering its sources, and shows it to moderators only", async () => {
    expect((await as("r1", "GET", "/review/items")).status).toBe(403);
    const list = await mod("mod1", "GET", "/review/items?source=member_report");
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: any) => i.id === itemId);
    expect(item).toMatchObject({ kind: "moderation", subjectKind: "comment", subjectId: commentId, forumRules: ["R2"], reportWeight: 3 });
    expect(item.subjectExcerpt).toBe("這位市長的政策根本沒用");
    const detail = await mod("mod1", "GET", `/review/items/${itemId}`);
    expect(detail.body.sources).toHaveLength(3);
    expect(detail.body.reports.map((r: any) => r.reporterId).sort()).toEqual(["r1", "r2", "r3"]);
    expect(detail.body.subject).toMatchObject({ id: commentId, status: "pending", body: "這位市長的政策根本沒用" });
    // The author's standing comes with the item: no strikes yet, nothing decided about them.
    expect(detail.body.member).toMatchObject({ id: "author", status: "active", strikes: 0, recentDecisions: [], strikePolicy: t.config.policy.strikes });
    expect(detail.body.appealedDecision).toBeNull();
  });

  it("counts open items by kind, subject, forum rule and source", async () => {
    expect((await as("r1", "GET", "/review/counts")).status).toBe(403);
    const counts = await mod("mod1", "GET", "/review/counts");
    const open = await t.database.db.selectFrom("review_items").select(["kind", "subject_kind", "forum_rules"]).where("state", "=", "open").execute();
    expect(counts.body.open).toBe(open.length);
    expect(counts.body.byKind.moderation).toBe(open.filter((i) => i.kind === "moderation").length);
    expect(counts.body.bySubject.comment).toBe(open.filter((i) => i.subject_kind === "comment").length);
    expect(counts.body.byForumRule.R2).toBe(open.filter((i) => i.forum_rules.includes("R2")).length);
    expect(counts.body.bySource.member_report).toBeGreaterThanOrEqual(1);
    expect(counts.body.claimed).toBe(0);
  });

  it("removes it by a moderator's decision, upholds the reports, and refuses a second decision", async () => {
    const decided = await mod("mod1", "POST", `/review/items/${itemId}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" });
    expect(decided.status).toBe(201);
    removal = decided.body.decision;
    expect(removal).toMatchObject({
      subjectKind: "comment",
      subjectId: commentId,
      subjectText: "這位市長的政策根本沒用",
      action: "remove",
      forumRules: ["R2"],
      source: "member_report",
      automation: "human",
      moderatorId: "mod1",
      affectedMemberId: "author",
      note: "人身攻擊",
    });
    const again = await mod("mod2", "POST", `/review/items/${itemId}/decision`, { action: "approve", note: "ok" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_decided");
    const detail = await mod("mod1", "GET", `/review/items/${itemId}`);
    expect(detail.body.reports.map((r: any) => r.outcome)).toEqual(["upheld", "upheld", "upheld"]);
    expect(detail.body.subject.status).toBe("removed");
  });

  it("weighs reporters by their record: upheld reporters more", async () => {
    const other = await postComment("author2", "今天的天氣真好");
    const weighted = await report("r1", "comment", other.body.comment.id);
    expect(weighted.body.report.weight).toBeGreaterThan(1);
  });

  it("suspends automatically on the third violation within the window, refuses posting with the end time, and lets it end", async () => {
    // Two more violations: comments the rules reject outright.
    expect((await postComment("author", "幹你娘")).status).toBe(422);
    const third = await postComment("author", "雞掰啦");
    expect(third.status).toBe(422);
    const blocked = await postComment("author", "我想正常發言");
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe("member_suspended");
    const until = blocked.body.error.details.suspendedUntil;
    expect(new Date(until).getTime() - t.clock.now().getTime()).toBe(7 * DAY);
    expect((await report("author", "comment", (await postComment("author2", "大家好")).body.comment.id)).status).toBe(403);

    const mine = await as("author", "GET", "/members/me/decisions");
    const suspension = mine.body.decisions.find((d: any) => d.action === "suspend");
    expect(suspension).toMatchObject({ subjectKind: "member", source: "automated_detection", automation: "fully_automated", forumRules: ["R2"] });
    expect(suspension.facts.strikes).toBe(3);

    t.clock.advance(7 * DAY + 1000);
    expect((await postComment("author", "停權結束了")).status).toBe(201);
  });

  it("lets the affected member appeal once; a reversal puts the comment back as a new decision", async () => {
    const mine = await as("author", "GET", "/members/me/decisions");
    const listed = mine.body.decisions.find((d: any) => d.id === removal.id);
    expect(listed.appeal.appealableUntil).toBeDefined();
    expect(listed.moderatorId).toBeUndefined();

    expect((await as("r1", "POST", `/decisions/${removal.id}/appeal`, { note: "not mine" })).status).toBe(403);
    const appealed = await as("author", "POST", `/decisions/${removal.id}/appeal`, { note: "我只是批評政策" });
    expect(appealed.status).toBe(201);
    expect((await as("author", "POST", `/decisions/${removal.id}/appeal`, {})).status).toBe(409);

    const claimed = await mod("mod2", "POST", "/review/claim", { kind: "appeal" });
    expect(claimed.body.item).toMatchObject({ kind: "appeal", appealOfDecisionId: removal.id, claimedBy: "mod2" });
    const wrongAction = await mod("mod2", "POST", `/review/items/${claimed.body.item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "x" });
    expect(wrongAction.status).toBe(400);
    const reversed = await mod("mod2", "POST", `/review/items/${claimed.body.item.id}/decision`, { action: "reverse", note: "批評政策不是人身攻擊" });
    expect(reversed.status).toBe(201);
    expect(reversed.body.decision).toMatchObject({ action: "reverse", reversesDecisionId: removal.id, source: "member_appeal", automation: "human" });
    expect(await publishedIds()).toContain(commentId);
    // The original stays in the log as it was.
    const log = await t.database.db.selectFrom("decisions").select(["action"]).where("id", "=", removal.id).executeTakeFirstOrThrow();
    expect(log.action).toBe("remove");
  });

  it("refuses an appeal after the window", async () => {
    const rejected = await postComment("late", "操你媽");
    const decisionId = (await as("late", "GET", "/members/me/decisions")).body.decisions[0].id;
    expect(rejected.status).toBe(422);
    t.clock.advance(15 * DAY);
    const late = await as("late", "POST", `/decisions/${decisionId}/appeal`, {});
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("appeal_window_closed");
  });
});

describe("claiming", () => {
  it("gives two moderators claiming at once different items, and returns an item whose lease expired", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const posted = await postComment(`claimer-${i}`, `第${i}則：你是白癡`);
      expect(posted.status).toBe(202);
      ids.push(posted.body.comment.id);
    }
    const [a, b] = await Promise.all([mod("modA", "POST", "/review/claim"), mod("modB", "POST", "/review/claim")]);
    expect(a.body.item).not.toBeNull();
    expect(b.body.item).not.toBeNull();
    expect(a.body.item.id).not.toBe(b.body.item.id);

    const blocked = await mod("modB", "POST", `/review/items/${a.body.item.id}/decision`, { action: "approve", note: "ok" });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe("claimed_by_another_moderator");

    t.clock.advance((t.config.policy.review.leaseSeconds + 1) * 1000);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const next = await mod("modC", "POST", "/review/claim");
      if (!next.body.item) break;
      seen.add(next.body.item.id);
    }
    expect(seen).toContain(a.body.item.id);
    expect(seen).toContain(b.body.item.id);
  });

  it("two decisions on one item at once: exactly one lands, the other is a 409", async () => {
    const posted = await postComment("racer", "你這個腦殘");
    const items = await mod("modA", "GET", "/review/items?limit=100");
    const item = items.body.items.find((i: any) => i.subjectId === posted.body.comment.id);
    const results = await Promise.all([
      mod("modA", "POST", `/review/items/${item.id}/decision`, { action: "approve", note: "引用" }),
      mod("modB", "POST", `/review/items/${item.id}/decision`, { action: "remove", forumRules: ["R2"], note: "辱罵" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const decisions = await t.database.db.selectFrom("decisions").select("id").where("review_item_id", "=", item.id).execute();
    expect(decisions).toHaveLength(1);
  });

  it("approving a comment the rules held publishes it, recorded as human with automated help", async () => {
    const posted = await postComment("held", "我覺得他是白癡");
    expect(posted.status).toBe(202);
    const items = await mod("modA", "GET", "/review/items?source=automated_detection&limit=100");
    const item = items.body.items.find((i: any) => i.subjectId === posted.body.comment.id);
    expect(item).toMatchObject({ forumRules: ["R2"], severity: "medium" });
    const decided = await mod("modA", "POST", `/review/items/${item.id}/decision`, { action: "approve", note: "自嘲" });
    expect(decided.body.decision).toMatchObject({ action: "approve", automation: "human_with_automated_help", source: "automated_detection" });
    // The rule that held it (the classifier may have held it too, by the model's score).
    expect(decided.body.decision.ruleIds).toContain("R2-insult");
    expect(await publishedIds()).toContain(posted.body.comment.id);
  });

  it("settles the subject's open reports as dismissed when the moderator approves, and as upheld when they remove", async () => {
    const kept = await postComment("reported-kept", "市長這次的說法前後矛盾");
    const gone = await postComment("reported-gone", "市長的公關又在亂講");
    for (const posted of [kept, gone]) expect((await report("reporter-x", "comment", posted.body.comment.id)).status).toBe(201);
    const items = await mod("modA", "GET", "/review/items?source=member_report&limit=100");
    const itemOf = (id: string) => items.body.items.find((i: any) => i.subjectId === id).id;
    expect((await mod("modA", "POST", `/review/items/${itemOf(kept.body.comment.id)}/decision`, { action: "approve", note: "批評政策" })).status).toBe(201);
    expect((await mod("modA", "POST", `/review/items/${itemOf(gone.body.comment.id)}/decision`, { action: "remove", forumRules: ["R2"], note: "辱罵" })).status).toBe(201);
    const outcome = async (id: string) =>
      (await t.database.db.selectFrom("reports").select("outcome").where("subject_kind", "=", "comment").where("subject_id", "=", id).executeTakeFirstOrThrow()).outcome;
    expect(await outcome(kept.body.comment.id)).toBe("dismissed");
    expect(await outcome(gone.body.comment.id)).toBe("upheld");
  });

  // PGlite has one connection: nothing waits for a lock there.
  it.skipIf(!usingPostgres)("records a report that arrived while the decision waited for the item's lock", async () => {
    const posted = await postComment("held-raced", "你真的是白癡");
    expect(posted.status).toBe(202);
    const items = await mod("modA", "GET", "/review/items?source=automated_detection&limit=100");
    const itemId = items.body.items.find((i: any) => i.subjectId === posted.body.comment.id).id;
    let deciding: Promise<{ status: number; body: any }> | undefined;
    await t.database.db.transaction().execute(async (trx) => {
      // A reporter's transaction holds the item (as src/reports/file.ts does) while the decision arrives.
      const now = new Date();
      await ensureMember(trx, "raced-reporter", now);
      const filed = await insertReport(trx, { reporterId: "raced-reporter", subjectKind: "comment", subjectId: posted.body.comment.id, reason: "abuse", note: null, weight: 1, now });
      await feedReviewItem(trx, t.config.policy, {
        kind: "moderation", subjectKind: "comment", subjectId: posted.body.comment.id, source: "member_report",
        detail: { reportId: filed!.id, reason: "abuse", note: null, weight: 1 }, forumRules: ["R2"], severity: "medium", reportWeight: 1, now,
      });
      deciding = mod("modA", "POST", `/review/items/${itemId}/decision`, { action: "remove", forumRules: ["R2"], note: "辱罵" });
      // Commit only once the decision is waiting for the lock.
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.database.db);
        if (rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const decided = await deciding!;
    expect(decided.status).toBe(201);
    expect(decided.body.decision.source).toBe("member_report");
    expect(decided.body.decision.facts.reports).toHaveLength(1);
  });

  it("validates decisions: forum rule for a removal, days for a suspension, known actions", async () => {
    const posted = await postComment("validate", "你是智障");
    const items = await mod("modA", "GET", "/review/items?limit=100");
    const item = items.body.items.find((i: any) => i.subjectId === posted.body.comment.id);
    const path = `/review/items/${item.id}/decision`;
    expect((await mod("modA", "POST", path, { action: "remove", note: "x" })).body.error.code).toBe("forum_rule_required");
    expect((await mod("modA", "POST", path, { action: "remove_and_suspend", forumRules: ["R2"], note: "x" })).body.error.code).toBe("suspend_days_required");
    expect((await mod("modA", "POST", path, { action: "delete", note: "x" })).status).toBe(400);
    expect((await mod("modA", "POST", "/review/items/999999/decision", { action: "approve", note: "x" })).status).toBe(404);
    const suspended = await mod("modA", "POST", path, { action: "remove_and_suspend", forumRules: ["R2"], note: "辱罵", suspendDays: 3 });
    expect(suspended.status).toBe(201);
    const blocked = await postComment("validate", "我回來了");
    expect(blocked.body.error.code).toBe("member_suspended");
  });
});

describe("nicknames (R4) and revocation", () => {
  it("revoking a member for an R4 nickname hides all their comments and ends their posting", async () => {
    await t.database.db.insertInto("members").values({ id: "bad-nick", nickname: "官方客服" }).execute();
    const c1 = await postComment("bad-nick", "大家好");
    const c2 = await postComment("bad-nick", "今天天氣不錯");
    expect(await publishedIds()).toEqual(expect.arrayContaining([c1.body.comment.id, c2.body.comment.id]));
    const reported = await report("r9", "member", "bad-nick", "nickname");
    expect(reported.status).toBe(201);
    const decided = await mod("modA", "POST", `/review/items/${reported.body.reviewItemId}/decision`, { action: "revoke", forumRules: ["R4"], note: "冒用官方名義" });
    expect(decided.status).toBe(201);
    expect(decided.body.decision.facts.hiddenCommentIds.sort()).toEqual([c1.body.comment.id, c2.body.comment.id].sort());
    expect(await publishedIds()).not.toContain(c1.body.comment.id);
    const member = await t.database.db.selectFrom("members").selectAll().where("id", "=", "bad-nick").executeTakeFirstOrThrow();
    expect(member).toMatchObject({ status: "revoked", nickname: null });
    expect((await postComment("bad-nick", "我換個名字")).body.error.code).toBe("member_revoked");
  });
});

describe("stats", () => {
  it("counts decisions by forum rule, action, source and automation, with the appeal reversal rate", async () => {
    expect((await as("r1", "GET", "/stats")).status).toBe(403);
    const stats = await mod("modA", "GET", `/stats?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`);
    expect(stats.status).toBe(200);
    const all = await t.database.db.selectFrom("decisions").select(["action", "source", "automation"]).execute();
    expect(stats.body.decisions).toBe(all.length);
    expect(stats.body.byAction.remove).toBe(all.filter((d) => d.action === "remove").length);
    expect(stats.body.byAutomation.fully_automated).toBe(all.filter((d) => d.automation === "fully_automated").length);
    expect(stats.body.bySource.member_appeal).toBe(1);
    expect(stats.body.byForumRule.R4).toBeGreaterThanOrEqual(1);
    expect(stats.body.appeals).toEqual({ decided: 1, reversed: 1, reversalRate: 1 });
    expect(stats.body.medianSecondsToHumanDecision).toBeGreaterThanOrEqual(0);
    // Per day in Taipei time: every day of the range once, and the days add up to the totals.
    expect(stats.body.timeZone).toBe("Asia/Taipei");
    expect(stats.body.byDay.at(0).date).toBe("2026-01-01");
    expect(stats.body.byDay.at(-1).date).toBe("2027-01-01"); // 2026-12-31T16:00Z onwards is 1 January in Taipei
    expect(new Set(stats.body.byDay.map((d: any) => d.date)).size).toBe(stats.body.byDay.length);
    const sum = (pick: (day: any) => number) => stats.body.byDay.reduce((total: number, day: any) => total + pick(day), 0);
    expect(sum((d) => d.byForumRule.R4 ?? 0)).toBe(stats.body.byForumRule.R4);
    expect(sum((d) => d.byAutomation.fully_automated ?? 0)).toBe(stats.body.byAutomation.fully_automated);
    expect(sum((d) => d.appeals.reversed)).toBe(1);
    // Without a range: the last 30 days up to the end of today, so what was decided a moment ago counts.
    const recent = await mod("modA", "GET", "/stats");
    const taipeiToday = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei" }).format(t.clock.now());
    expect(recent.body.to).toBe(new Date(Date.parse(`${taipeiToday}T00:00:00+08:00`) + DAY).toISOString());
    expect(recent.body.decisions).toBeGreaterThan(0);
    expect((await mod("modA", "GET", "/stats?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")).status).toBe(400);
  });
});
