import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// A member who already accepted the current rules posts in one round trip (migrations/0007 post_comment);
// their first comment takes the slow path. Both must store the same things: these tests post the same
// kinds of comments both ways and compare what the database holds.
let t: TestContext;
let rulesVersion: string;
const ARTICLE = "trip-news";

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

async function post(memberId: string, body: string, ip = "10.9.0.1") {
  const response = await t.request("POST", `/articles/${ARTICLE}/comments`, {
    token: await t.token(memberId),
    json: { body, acceptedRulesVersion: rulesVersion },
    headers: { "x-forwarded-for": ip },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function itemOf(commentId: string) {
  const item = await t.database.db.selectFrom("review_items").selectAll().where("subject_kind", "=", "comment").where("subject_id", "=", commentId).executeTakeFirst();
  const sources = item ? await t.database.db.selectFrom("review_sources").selectAll().where("item_id", "=", item.id).execute() : [];
  return { item, sources };
}

describe("the one-trip write path", () => {
  it("stores a published comment as the slow path does, and answers with the stored row", async () => {
    const first = await post("trip-a", "夜間公車終於要開了，辛苦交通局");
    const second = await post("trip-a", "希望路線能延伸到新店");
    expect([first.status, second.status]).toEqual([201, 201]);
    const stored = await t.database.db.selectFrom("comments").selectAll().where("id", "=", second.body.comment.id).executeTakeFirstOrThrow();
    expect(second.body.comment).toEqual({
      id: stored.id,
      articleId: ARTICLE,
      memberId: "trip-a",
      body: "希望路線能延伸到新店",
      status: "published",
      parentId: null,
      version: 1,
      createdAt: stored.created_at.toISOString(),
      editedAt: null,
      verdict: { action: "allow", reasons: [], rulesVersion: stored.rules_version, modelVersion: stored.model_version },
    });
    const firstStored = await t.database.db.selectFrom("comments").selectAll().where("id", "=", first.body.comment.id).executeTakeFirstOrThrow();
    const shape = (row: typeof stored) => ({ status: row.status, rules: row.rules_version, model: row.model_version, accepted: row.accepted_rules_version, key: row.idempotency_key, hash: row.request_hash.length });
    expect(shape(stored)).toEqual(shape(firstStored));
  });

  it("holds a comment with the same review item and automated source as the slow path", async () => {
    const slow = await post("trip-b", "你這個白癡");
    await post("trip-c", "颱風天大家小心");
    const fast = await post("trip-c", "你這個白癡");
    expect([slow.status, fast.status]).toEqual([202, 202]);
    const [a, b] = [await itemOf(slow.body.comment.id), await itemOf(fast.body.comment.id)];
    const facets = ({ item, sources }: Awaited<ReturnType<typeof itemOf>>) => ({
      kind: item!.kind,
      state: item!.state,
      forumRules: item!.forum_rules,
      severity: item!.severity,
      reportWeight: item!.report_weight,
      sources: sources.map((s) => [s.source, (s.detail as any).reasons.map((r: any) => r.ruleId)]),
    });
    expect(facets(b)).toEqual(facets(a));
    expect(b.item!.sort_key).toBeCloseTo(a.item!.sort_key, 6);
    const stored = await t.database.db.selectFrom("comments").select(["status", "verdict"]).where("id", "=", fast.body.comment.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe("pending");
    expect(stored.verdict.reasons.map((r) => r.ruleId)).toEqual((a.sources[0]!.detail as any).reasons.map((r: any) => r.ruleId));
  });

  it("removes a rejected comment with the same automated decision and trust change as the slow path", async () => {
    // trip-x's first comment takes the slow path (the member is not stored yet); trip-y's second, the trip.
    const slow = await post("trip-x", "幹你娘，滾出去");
    expect((await post("trip-y", "颱風天大家小心")).status).toBe(201);
    const fast = await post("trip-y", "幹你娘，滾出去");
    expect([slow.status, fast.status]).toEqual([422, 422]);
    expect(fast.body.error.code).toBe(slow.body.error.code);
    const decisionOn = (commentId: string) =>
      t.database.db.selectFrom("decisions").selectAll().where("subject_kind", "=", "comment").where("subject_id", "=", commentId).execute();
    const [a, b] = [await decisionOn(slow.body.error.details.comment.id), await decisionOn(fast.body.error.details.comment.id)];
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    const facets = (d: (typeof a)[number], member: string) => ({
      action: d.action,
      subjectText: d.subject_text,
      forumRules: d.forum_rules,
      ruleIds: d.rule_ids,
      facts: d.facts,
      source: d.source,
      automation: d.automation,
      moderator: d.moderator_id,
      affected: d.affected_member_id === member,
      versions: [d.rules_version, d.model_version],
    });
    expect(facets(b[0]!, "trip-y")).toEqual(facets(a[0]!, "trip-x"));
    const stored = await t.database.db.selectFrom("comments").select(["status", "member_id"]).where("id", "=", fast.body.error.details.comment.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: "removed", member_id: "trip-y" });
    // Counted against each member's history the same way: neither is suspended after one strike, both at the
    // same level with the same recorded changes.
    const members = await t.database.db.selectFrom("members").select(["id", "status", "trust_level"]).where("id", "in", ["trip-x", "trip-y"]).orderBy("id").execute();
    expect(members.map((m) => m.status)).toEqual(["active", "active"]);
    expect(members[1]!.trust_level).toBe(members[0]!.trust_level);
    const changes = async (member: string) =>
      (await t.database.db.selectFrom("member_trust_changes").select(["from_level", "to_level"]).where("member_id", "=", member).orderBy("id").execute());
    expect(await changes("trip-y")).toEqual(await changes("trip-x"));
  });

  it("suspends on the removal that completes the strike count, with the removal and the suspension both recorded", async () => {
    const { count } = t.config.policy.strikes;
    expect((await post("trip-z", "今天捷運很準時")).status).toBe(201);
    for (let i = 1; i < count; i++) expect((await post("trip-z", `幹你娘，第 ${i} 次`)).status).toBe(422);
    expect((await t.database.db.selectFrom("members").select("status").where("id", "=", "trip-z").executeTakeFirstOrThrow()).status).toBe("active");
    const last = await post("trip-z", `幹你娘，第 ${count} 次`);
    expect(last.status).toBe(422);
    const decisions = await t.database.db.selectFrom("decisions").select(["action", "subject_kind", "facts"]).where("affected_member_id", "=", "trip-z").orderBy("id").execute();
    expect(decisions.map((d) => d.action)).toEqual([...Array(count).fill("remove"), "suspend"]);
    expect((decisions.at(-1)!.facts as any).strikes).toBe(count);
    const member = await t.database.db.selectFrom("members").select(["status", "suspended_until"]).where("id", "=", "trip-z").executeTakeFirstOrThrow();
    expect(member.status).toBe("suspended");
    expect((await post("trip-z", "我想說明一下")).status).toBe(403);
  });

  it("holds the third member's copy of one text as a flood, with the flood named, when all three posted before", async () => {
    const text = "今天的捷運又誤點了，每天通勤都很累";
    for (const member of ["trip-f1", "trip-f2", "trip-f3"]) expect((await post(member, `${member} 說早安`)).status).toBe(201);
    expect((await post("trip-f1", text)).status).toBe(201);
    expect((await post("trip-f2", text)).status).toBe(201);
    const third = await post("trip-f3", text);
    expect(third.status).toBe(202);
    const { item, sources } = await itemOf(third.body.comment.id);
    expect(item?.state).toBe("open");
    expect((sources[0]!.detail as any).reasons).toContainEqual(expect.objectContaining({ ruleId: "R2-flood" }));
    // Each copy of the text was fingerprinted once (the greetings are too short for the flood check).
    const { rows } = await sql<{ n: string }>`select count(*) as n from comment_fingerprints where member_id in ('trip-f1', 'trip-f2', 'trip-f3')`.execute(t.database.db);
    expect(Number(rows[0]!.n)).toBe(3);
  });

  it("refuses a suspended member's post with 403, storing nothing and counting the attempt once", async () => {
    expect((await post("trip-s", "第一則留言，支持公共運輸", "10.9.9.9")).status).toBe(201);
    await t.database.db.updateTable("members").set({ status: "suspended", suspended_until: new Date(t.clock.now().getTime() + 86_400_000) }).where("id", "=", "trip-s").execute();
    const refused = await post("trip-s", "第二則留言", "10.9.9.9");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("member_suspended");
    const stored = await t.database.db.selectFrom("comments").select("id").where("member_id", "=", "trip-s").execute();
    expect(stored).toHaveLength(1);
    const counter = await t.database.db.selectFrom("rate_limit_counters").select("hits").where("bucket", "=", "comment:ip:10.9.9.9").executeTakeFirstOrThrow();
    expect(counter.hits).toBe(2);
  });

  it("answers 429 with Retry-After once the window's limit is passed, and stores nothing more", async () => {
    const limited = await createTestContext({ policy: { ...t.config.policy, rateLimits: { ...t.config.policy.rateLimits, comment: { perMember: { limit: 2, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } } } } });
    try {
      await limited.putArticle(ARTICLE);
      const send = async (body: string) =>
        limited.request("POST", `/articles/${ARTICLE}/comments`, { token: await limited.token("trip-r"), json: { body, acceptedRulesVersion: rulesVersion } });
      expect((await send("第一則")).status).toBe(201);
      expect((await send("第二則")).status).toBe(201);
      const third = await send("第三則");
      expect(third.status).toBe(429);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      const stored = await limited.database.db.selectFrom("comments").select("id").where("member_id", "=", "trip-r").execute();
      expect(stored).toHaveLength(2);
    } finally {
      await limited.dispose();
    }
  });
});
