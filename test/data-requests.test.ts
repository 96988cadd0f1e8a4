import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASED_TEXT } from "../src/db/data-requests.ts";
import { createTestContext, type TestContext } from "./support/context.ts";

// A member's data requests (Personal Data Protection Act): the download holds what the service keeps about
// them; the erasure removes their texts and personal data, the pages and counts stay right, and the
// decision log keeps each decision and its grounds with the subject's text redacted.
let t: TestContext;
const ARTICLE = "pdpa-news";
const A = "pdpa-a";
const B = "pdpa-b";
let rulesVersion: string;
const ids = { published: "", edited: "", held: "", decided: "", rejected: "", removal: "", others: "", reply: "", moderatorRemoval: "", reportDecision: "" };

async function post(member: string, body: string, extra: Record<string, unknown> = {}) {
  return t.as(member, "member", "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: rulesVersion, ...extra });
}
const pageCount = async () => (await t.as(B, "member", "GET", `/articles/${ARTICLE}/comments`)).body;

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  await t.putArticle(ARTICLE);
  expect((await t.as(A, "member", "POST", "/members", { nickname: "河堤散步的人", acceptedRulesVersion: rulesVersion })).status).toBe(201);
  const first = await post(A, "河堤步道晚上的路燈終於修好了");
  const second = await post(A, "希望假日多加幾班接駁車");
  expect([first.status, second.status]).toEqual([201, 201]);
  ids.published = first.body.comment.id;
  ids.edited = second.body.comment.id;
  expect((await t.as(A, "member", "PATCH", `/comments/${ids.edited}`, { body: "希望假日多加幾班接駁車，平日也是" })).status).toBe(200);
  const held = await post(A, "你這個白癡");
  expect(held.status).toBe(202);
  ids.held = held.body.comment.id;
  const rejected = await post(A, "幹你娘，滾出去");
  expect(rejected.status).toBe(422);
  ids.rejected = rejected.body.error.details.comment.id;
  const decisions = await t.as(A, "member", "GET", "/members/me/decisions");
  ids.removal = decisions.body.decisions.find((d: any) => d.subjectId === ids.rejected).id;
  expect((await t.as(A, "member", "POST", `/decisions/${ids.removal}/appeal`, { note: "我只是引用別人說的話，住在河堤旁的王小明" })).status).toBe(201);
  // B's comment, which A reports with a note, and B's reply to A's comment.
  const others = await post(B, "接駁車班次其實夠了");
  ids.others = others.body.comment.id;
  expect((await t.as(A, "member", "POST", "/reports", { subject: "comment", id: ids.others, reason: "other", note: "我的電話是0912345678，請聯絡我" })).status).toBe(201);
  const reply = await post(B, "同意，路燈修好很好", { parentId: ids.published });
  expect(reply.status).toBe(201);
  ids.reply = reply.body.comment.id;
  // A held comment of A's that a moderator removes, and B's comment that A reported, which a moderator keeps:
  // their decisions copy the item's verdicts (matched words, n-grams) and reports (A's note) into their facts.
  const decided = await post(A, "你是白癡嗎");
  expect(decided.status).toBe(202);
  ids.decided = decided.body.comment.id;
  const decide = async (subjectId: string, action: string) => {
    const items = await t.as("pdpa-mod", "moderator", "GET", "/review/items");
    const item = items.body.items.find((i: any) => i.subjectId === subjectId && i.kind === "moderation");
    const made = await t.as("pdpa-mod", "moderator", "POST", `/review/items/${item.id}/decision`, { action, note: "依規則處理", ...(action === "remove" ? { forumRules: ["R2"] } : {}) });
    expect(made.status).toBe(201);
    return made.body.decision.id as string;
  };
  ids.moderatorRemoval = await decide(ids.decided, "remove");
  ids.reportDecision = await decide(ids.others, "dismiss_reports");
  // A tag A proposes, and one A supports.
  expect((await t.as(B, "member", "POST", `/articles/${ARTICLE}/tags`, { label: "接駁車" })).status).toBeLessThan(300);
  expect((await t.as(A, "member", "POST", `/articles/${ARTICLE}/tags`, { label: "接駁車" })).status).toBeLessThan(300);
  expect((await t.as(A, "member", "POST", `/articles/${ARTICLE}/tags`, { label: "河堤步道" })).status).toBeLessThan(300);
});
afterAll(() => t.dispose());

describe("a member's data requests", () => {
  it("downloads everything the service holds about the member, as an attachment, and records the request", async () => {
    const response = await t.request("GET", "/members/me/data", { token: await t.token(A) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="comments-data-${A}.json"`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const data = (await response.json()) as any;
    expect(data.member).toMatchObject({ id: A, nickname: "河堤散步的人", erasedAt: null });
    expect(data.comments.map((c: any) => [c.id, c.status])).toEqual([
      [ids.published, "published"],
      [ids.edited, "published"],
      [ids.held, "pending"],
      [ids.rejected, "removed"],
      [ids.decided, "removed"],
    ]);
    const edited = data.comments.find((c: any) => c.id === ids.edited);
    expect(edited.body).toBe("希望假日多加幾班接駁車，平日也是");
    expect(edited.earlierVersions).toEqual([expect.objectContaining({ version: 1, body: "希望假日多加幾班接駁車" })]);
    expect(data.tags.map((tag: any) => tag.label)).toEqual(["河堤步道"]);
    expect(data.supportedTags).toHaveLength(2);
    expect(data.reports).toEqual([expect.objectContaining({ subjectId: ids.others, reason: "other", note: "我的電話是0912345678，請聯絡我" })]);
    expect(data.decisions.map((d: any) => d.id)).toContain(ids.removal);
    expect(data.appeals).toEqual([expect.objectContaining({ decisionId: ids.removal, note: "我只是引用別人說的話，住在河堤旁的王小明" })]);
    // Nothing about anyone else: B's comments are not in it.
    expect(JSON.stringify(data)).not.toContain("同意，路燈修好很好");
    const again = await t.as(A, "member", "GET", "/members/me/data");
    expect(again.body.dataRequests).toEqual([expect.objectContaining({ kind: "export", summary: { comments: 5, tags: 1, reports: 1, decisions: data.decisions.length } })]);
    // Someone the service has never seen has nothing to download.
    expect((await t.as("pdpa-nobody", "member", "GET", "/members/me/data")).status).toBe(404);
  });

  it("erases only when asked in so many words", async () => {
    const refused = await t.as(A, "member", "POST", "/members/me/erasure", {});
    expect(refused.status).toBe(400);
    expect((await t.database.db.selectFrom("members").select("erased_at").where("id", "=", A).executeTakeFirstOrThrow()).erased_at).toBeNull();
  });

  it("erases the member's texts and personal data, keeps the pages and counts right and the decision log's grounds", async () => {
    const before = await pageCount();
    const decisionsBefore = await t.database.db.selectFrom("decisions").selectAll().orderBy("id").execute();
    const erased = await t.as(A, "member", "POST", "/members/me/erasure", { confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body.erasure).toMatchObject({
      commentsTakenDown: 3,
      commentTextsErased: 5,
      earlierVersionsErased: 1,
      // The held comment's item and A's own appeal (a reversal would put back a comment whose text is gone).
      reviewItemsWithdrawn: 2,
      reportNotesErased: 1,
      appealNotesErased: 1,
      tagSupportsWithdrawn: 2,
    });
    expect(erased.body.erasure.decisionsRedacted).toBeGreaterThanOrEqual(1);

    // The page: A's two published comments are gone from the list and the count; B's reply keeps its place.
    const after = await pageCount();
    expect(after.publishedCount).toBe(before.publishedCount - 2);
    expect(after.comments.map((c: any) => c.id)).toEqual(expect.not.arrayContaining([ids.published, ids.edited]));
    expect(after.comments.find((c: any) => c.id === ids.reply).replyTo).toEqual({ id: ids.published, removed: true });

    // The texts: every comment and earlier version blank, no matched words left in the verdicts.
    const comments = await t.database.db.selectFrom("comments").select(["id", "body", "status", "verdict", "request_hash"]).where("member_id", "=", A).orderBy("id").execute();
    expect(comments.map((c) => [c.body, c.status, c.request_hash])).toEqual([["", "deleted", ""], ["", "deleted", ""], ["", "deleted", ""], ["", "removed", ""], ["", "removed", ""]]);
    // A span keeps where the match was and the rule's listed term, not the member's text; no n-grams of it.
    const wordsLeft = (documents: unknown[]) => JSON.stringify(documents).match(/"text":|"topNgrams":|滾出去/g);
    expect(wordsLeft(comments.map((c) => c.verdict))).toBeNull();
    const versions = await t.database.db.selectFrom("comment_versions").select("body").where("comment_id", "=", ids.edited).execute();
    expect(versions).toEqual([{ body: "" }]);
    const sources = await sql<{ detail: unknown }>`select detail from review_sources s join review_items i on i.id = s.item_id where i.subject_kind = 'comment' and i.subject_id = ${ids.held}`.execute(t.database.db);
    expect(wordsLeft(sources.rows)).toBeNull();
    const item = await t.database.db.selectFrom("review_items").select("state").where("subject_kind", "=", "comment").where("subject_id", "=", ids.held).where("kind", "=", "moderation").executeTakeFirstOrThrow();
    expect(item.state).toBe("withdrawn");

    // The decision log: no row lost or added; the removal keeps its grounds, with the subject's text redacted.
    const decisionsAfter = await t.database.db.selectFrom("decisions").selectAll().orderBy("id").execute();
    expect(decisionsAfter.map((d) => d.id)).toEqual(decisionsBefore.map((d) => d.id));
    const [was, is] = [decisionsBefore.find((d) => d.id === ids.removal)!, decisionsAfter.find((d) => d.id === ids.removal)!];
    expect(is.subject_text).toBe(ERASED_TEXT);
    const grounds = (d: typeof was) => ({ action: d.action, forumRules: d.forum_rules, ruleIds: d.rule_ids, source: d.source, automation: d.automation, member: d.affected_member_id, at: d.created_at });
    expect(grounds(is)).toEqual(grounds(was));
    const spans = (facts: any) => facts.reasons.flatMap((r: any) => r.spans);
    expect(spans(is.facts)).toEqual(spans(was.facts).map(({ text: _text, ...span }: any) => span));
    // A moderator's decision on A's held comment: its copy of the item's verdict loses the words too.
    const byModerator = decisionsAfter.find((d) => d.id === ids.moderatorRemoval)!;
    const moderatorWas = decisionsBefore.find((d) => d.id === ids.moderatorRemoval)!;
    expect(wordsLeft([moderatorWas.facts])).not.toBeNull();
    expect(byModerator.subject_text).toBe(ERASED_TEXT);
    expect(wordsLeft([byModerator.facts])).toBeNull();
    expect([byModerator.note, byModerator.moderator_id, byModerator.rule_ids]).toEqual([moderatorWas.note, moderatorWas.moderator_id, moderatorWas.rule_ids]);
    // The decision on B's comment keeps B's text and its grounds, without A's report note.
    const onReport = decisionsAfter.find((d) => d.id === ids.reportDecision)!;
    const onReportWas = decisionsBefore.find((d) => d.id === ids.reportDecision)!;
    expect(JSON.stringify(onReportWas.facts)).toContain("0912345678");
    expect(JSON.stringify(onReport.facts)).not.toContain("0912345678");
    expect(onReport.subject_text).toBe(onReportWas.subject_text);
    // Decisions on others' content keep their text.
    for (const decision of decisionsAfter.filter((d) => d.affected_member_id !== A)) {
      expect(decision.subject_text).toBe(decisionsBefore.find((d) => d.id === decision.id)!.subject_text);
    }
    // No note of A's is left in any review source; A's appeal is withdrawn.
    const allSources = await sql<{ detail: unknown }>`select detail from review_sources`.execute(t.database.db);
    expect(JSON.stringify(allSources.rows)).not.toMatch(/0912345678|王小明/);
    const appealItem = await t.database.db.selectFrom("review_items").select("state").where("appeal_of_decision_id", "=", ids.removal).executeTakeFirstOrThrow();
    expect(appealItem.state).toBe("withdrawn");

    // Notes, nickname, supports: gone; the reports and the appeal themselves stay.
    const report = await t.database.db.selectFrom("reports").select(["note", "reason"]).where("reporter_id", "=", A).executeTakeFirstOrThrow();
    expect(report).toEqual({ note: null, reason: "other" });
    const appeal = await t.database.db.selectFrom("appeals").select("note").where("member_id", "=", A).executeTakeFirstOrThrow();
    expect(appeal.note).toBeNull();
    const member = await t.database.db.selectFrom("members").select(["nickname", "nickname_key", "erased_at"]).where("id", "=", A).executeTakeFirstOrThrow();
    expect(member).toEqual({ nickname: null, nickname_key: null, erased_at: t.clock.now() });
    const supports = await t.database.db.selectFrom("tag_supporters").select("tag_id").where("member_id", "=", A).execute();
    expect(supports).toEqual([]);

    // The download now shows what is left, and both requests on record.
    const data = (await t.as(A, "member", "GET", "/members/me/data")).body;
    expect(data.member.erasedAt).toBe(t.clock.now().toISOString());
    expect(data.comments.every((c: any) => c.body === "")).toBe(true);
    expect(data.dataRequests.map((r: any) => r.kind)).toEqual(["export", "export", "erasure"]);
  });

  it("still refuses any other change to the decision log", async () => {
    const change = (id: string, assignment: ReturnType<typeof sql>) => sql`update decisions set ${assignment} where id = ${id}`.execute(t.database.db);
    await expect(change(ids.removal, sql`subject_text = 'rewritten'`)).rejects.toThrow(/append-only/);
    await expect(change(ids.removal, sql`subject_text = ${ERASED_TEXT}, action = 'approve'`)).rejects.toThrow(/append-only/);
    // Facts other than the redaction, on the erased member's decision or on anyone else's.
    await expect(change(ids.removal, sql`facts = '{"forged": true}'::jsonb`)).rejects.toThrow(/append-only/);
    await expect(change(ids.reportDecision, sql`subject_text = ${ERASED_TEXT}, facts = '{"forged": true}'::jsonb`)).rejects.toThrow(/append-only/);
    // The redaction itself, on a member who was not erased.
    const others = await t.database.db.selectFrom("decisions").select("id").where("affected_member_id", "=", B).execute();
    for (const { id } of others) {
      await expect(change(id, sql`subject_text = ${ERASED_TEXT}, facts = redact_member_words(redact_erased_report_notes(facts))`)).rejects.toThrow(/append-only/);
    }
    await expect(sql`delete from decisions where id = ${ids.removal}`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });
});
