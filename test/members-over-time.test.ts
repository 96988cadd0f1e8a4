import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trustLevelOf } from "../src/review/trust.ts";
import { readPolicy } from "../src/rules-on-disk.ts";
import { createTestContext, trustAsWritten, type TestContext } from "./support/context.ts";
import { usingPostgres } from "./support/database.ts";

// Members judged over time, with rules/policy.yaml's trust section as written: newcomers pre-moderated,
// trust from history, warnings to acknowledge, moderators acting on a member directly.
let t: TestContext;
let rulesVersion: string;
const ARTICLE = "members-news";
const trust = readPolicy().trust;

beforeAll(async () => {
  t = await createTestContext({ policy: trustAsWritten() });
  rulesVersion = t.config.forumRules.version;
  await t.putArticle(ARTICLE);
});
afterAll(() => t.dispose());

async function as(memberId: string, method: string, path: string, json?: unknown, role: "member" | "moderator" | "admin" = "member") {
  const response = await t.request(method, path, { token: await t.token(memberId, role), ...(json === undefined ? {} : { json }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
const post = (memberId: string, body: string) => as(memberId, "POST", `/articles/${ARTICLE}/comments`, { body, acceptedRulesVersion: rulesVersion });
const moderator = (method: string, path: string, json?: unknown) => as("mod-trust", method, path, json, "moderator");
const itemOf = async (commentId: string) => {
  const { rows } = await sql<{ id: string }>`select id::text as id from review_items where subject_kind = 'comment' and subject_id = ${commentId} and state = 'open'`.execute(t.database.db);
  return rows[0]!.id;
};
const approve = async (commentId: string) =>
  moderator("POST", `/review/items/${await itemOf(commentId)}/decision`, { action: "approve", note: "內容無問題" });
const levelOf = async (memberId: string) => (await moderator("GET", `/members/${memberId}/history`)).body.member.trustLevel;
/** A member who has been here a while, at this level (the history that would put them there is not the point). */
const memberAt = (id: string, level: string) =>
  sql`insert into members (id, trust_level, accepted_rules_version, created_at, updated_at) values (${id}, ${level}, ${rulesVersion}, now(), now())
      on conflict (id) do update set trust_level = ${level}`.execute(t.database.db);
const publishedCount = async () => (await (await t.request("GET", `/articles/${ARTICLE}`)).json() as any).article.publishedCommentCount as number;

describe("pre-moderation of newcomers, and trust from history", () => {
  it("holds a newcomer's ordinary comments as routine until enough are approved, then publishes them", async () => {
    const held: string[] = [];
    for (let i = 0; i < trust.newcomerComments; i++) {
      const answer = await post("newbie", `第一次留言，颱風天大家注意安全，第 ${i + 1} 次`);
      expect(answer.status).toBe(202);
      expect(answer.body.premoderation).toEqual({ ruleId: "R0-new-member" });
      expect(answer.body.message).toContain("例行程序");
      held.push(answer.body.comment.id);
    }
    expect(await levelOf("newbie")).toBe("newcomer");
    // The item page says whose comment it is, at what level and why.
    const item = await moderator("GET", `/review/items/${await itemOf(held[0]!)}`);
    expect(item.body.member.trustLevel).toBe("newcomer");
    expect(item.body.member.trustWhy).toContain(`未滿 ${trust.newcomerComments} 則`);
    const before = await publishedCount();
    for (const id of held) expect((await approve(id)).status).toBe(201);
    expect(await publishedCount()).toBe(before + trust.newcomerComments);
    // The decision names why the comment waited.
    const decisions = await as("newbie", "GET", "/members/me/decisions");
    expect(decisions.status).toBe(200);
    expect(await levelOf("newbie")).toBe("member");
    expect((await post("newbie", "公車路線調整得不錯，通勤方便多了")).status).toBe(201);
    const history = await moderator("GET", "/members/newbie/history");
    expect(history.body.trustChanges[0]).toMatchObject({ from: "newcomer", to: "member" });
    expect(history.body.trustChanges[0].facts.standing).toBe(trust.newcomerComments);
  });

  it("records the pre-moderation rule in the approval's decision", async () => {
    const { rows } = await sql<{ rule_ids: string[] }>`select rule_ids from decisions where affected_member_id = 'newbie' and action = 'approve'`.execute(t.database.db);
    expect(rows.length).toBe(trust.newcomerComments);
    for (const row of rows) expect(row.rule_ids).toContain("R0-new-member");
  });

  it("holds a link from a member below trusted, and not from a trusted one", async () => {
    const link = await post("newbie", "詳細路線圖在 https://www.example.gov.tw/bus 可以查");
    expect(link.status).toBe(202);
    expect(link.body.premoderation).toEqual({ ruleId: "R0-link" });
    await memberAt("newbie", "trusted");
    expect((await post("newbie", "路線圖在 https://www.example.gov.tw/bus2 可以查")).status).toBe(201);
    await memberAt("newbie", "member");
  });

  it("watches a member whose recent comments are removed, and lets approvals lift it", async () => {
    // Two approved comments (still a newcomer), then two rejections by the rules: half of four decided.
    for (let i = 0; i < 2; i++) {
      const answer = await post("heated", `市府的交通政策需要更多討論，第 ${i + 1} 點`);
      await approve(answer.body.comment.id);
    }
    expect(await levelOf("heated")).toBe("newcomer");
    for (let i = 0; i < 2; i++) expect((await post("heated", `幹你娘，第 ${i + 1} 次`)).status).toBe(422);
    expect(await levelOf("heated")).toBe("watched");
    const watched = await post("heated", "好啦我冷靜一點，市府的說明其實有道理");
    expect(watched.status).toBe(202);
    expect(watched.body.premoderation).toEqual({ ruleId: "R0-watched" });
    const history = await moderator("GET", "/members/heated/history");
    expect(history.body.trustChanges[0]).toMatchObject({ from: "newcomer", to: "watched" });
    expect(history.body.trustChanges[0].why).toContain("被移除");
    // An approval brings the removed share under the policy's rate (2 of 5), and makes a third standing comment: member.
    await approve(watched.body.comment.id);
    expect(await levelOf("heated")).toBe("member");
  });

  it("makes a member trusted once enough of their comments stand, from the comment's own round trip", async () => {
    // A newcomer's first comments approved, then published one by one until one short of trustedAt.
    for (let i = 0; i < trust.newcomerComments; i++) await approve((await post("climber", `新手心得第 ${i + 1} 篇：公車很準時`)).body.comment.id);
    expect(await levelOf("climber")).toBe("member");
    for (let i = trust.newcomerComments; i < trust.trustedAt - 1; i++) expect((await post("climber", `通勤心得第 ${i + 1} 篇：今天公車很準時`)).status).toBe(201);
    expect(await levelOf("climber")).toBe("member");
    const last = await post("climber", "通勤心得最後一篇：捷運也很準時");
    expect(last.status).toBe(201);
    expect(await levelOf("climber")).toBe("trusted");
    const history = await moderator("GET", "/members/climber/history");
    expect(history.body.trustChanges[0]).toMatchObject({ from: "member", to: "trusted" });
    expect(history.body.trustChanges[0].facts).toMatchObject({ standing: trust.trustedAt, cause: { publishedCommentId: last.body.comment.id } });
  });

  it("names the level from the numbers alone (the rule as a pure function)", () => {
    const recent = (removed: number, published: number) => [...Array(removed).fill("removed"), ...Array(published).fill("published")];
    expect(trustLevelOf({ standing: 0, recent: [], upheldReports: 0 }, trust, "newcomer").level).toBe("newcomer");
    expect(trustLevelOf({ standing: trust.newcomerComments, recent: recent(0, 3), upheldReports: 0 }, trust, "newcomer").level).toBe("member");
    expect(trustLevelOf({ standing: trust.trustedAt - 2 * trust.upheldReportPoints, recent: recent(0, 10), upheldReports: 2 }, trust, "member").level).toBe("trusted");
    expect(trustLevelOf({ standing: 50, recent: recent(5, 5), upheldReports: 0 }, trust, "trusted").level).toBe("watched");
    // Too few decided comments to judge a rate.
    expect(trustLevelOf({ standing: 50, recent: recent(trust.recent.minDecided - 1, 0), upheldReports: 0 }, trust, "trusted").level).toBe("trusted");
    // Past newcomer is past it: a member (one from before pre-moderation) with one standing comment stays a member.
    expect(trustLevelOf({ standing: 1, recent: recent(0, 1), upheldReports: 0 }, trust, "member").level).toBe("member");
    // A watched newcomer whose rate falls is a newcomer again until enough comments stand.
    expect(trustLevelOf({ standing: 1, recent: recent(2, 3), upheldReports: 0 }, trust, "watched").level).toBe("newcomer");
  });
});

describe("warnings and moderator actions on a member", () => {
  it("warns a member, who may not post until they acknowledge it", async () => {
    await memberAt("newbie", "trusted");
    const warned = await moderator("POST", "/members/newbie/actions", { action: "warn", forumRules: ["R2"], note: "請注意用詞，不要人身攻擊" });
    expect(warned.status).toBe(201);
    expect(warned.body.decision).toMatchObject({ action: "warn", source: "moderator_initiative", automation: "human", subjectKind: "member" });
    expect(warned.body.takedowns).toEqual([]);
    const refused = await post("newbie", "我想再說一次我的看法");
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("warning_unacknowledged");
    const tag = await as("newbie", "POST", `/articles/${ARTICLE}/tags`, { label: "夜間公車" });
    expect(tag.status).toBe(409);
    const warnings = await as("newbie", "GET", "/members/me/warnings");
    expect(warnings.body.warnings).toEqual([
      expect.objectContaining({ decisionId: warned.body.decision.id, forumRules: ["R2"], note: "請注意用詞，不要人身攻擊", acknowledgedAt: null }),
    ]);
    // Nobody acknowledges a warning for someone else.
    expect((await as("other", "POST", `/members/me/warnings/${warned.body.decision.id}/acknowledge`)).status).toBe(404);
    expect((await as("newbie", "POST", `/members/me/warnings/${warned.body.decision.id}/acknowledge`)).status).toBe(200);
    expect((await as("newbie", "POST", `/members/me/warnings/${warned.body.decision.id}/acknowledge`)).status).toBe(404);
    expect((await post("newbie", "我想再說一次我的看法")).status).toBe(201);
    // A warning is a strike of weight 0: the member's strikes did not move.
    const item = await moderator("GET", "/members/newbie/history");
    expect(item.body.standing.strikes).toBe(0);
    expect(item.body.warnings[0].acknowledgedAt).not.toBeNull();
  });

  it("suspends a member and takes down their comments, each takedown a decision of its own", async () => {
    await memberAt("spammer", "trusted");
    const published = [await post("spammer", "這家店的便當很好吃大家快去"), await post("spammer", "另一家店的便當也很好吃")];
    for (const answer of published) expect(answer.status).toBe(201);
    const held = await post("spammer", "你這個白癡");
    expect(held.status).toBe(202);
    const before = await publishedCount();
    const acted = await moderator("POST", "/members/spammer/actions", {
      action: "suspend",
      suspendDays: 3,
      forumRules: ["R3"],
      note: "大量洗版廣告",
      takeDownComments: true,
    });
    expect(acted.status).toBe(201);
    expect(acted.body.decision).toMatchObject({ action: "suspend", source: "moderator_initiative", subjectId: "spammer" });
    expect(acted.body.takedowns).toHaveLength(3);
    for (const takedown of acted.body.takedowns) {
      expect(takedown).toMatchObject({ action: "remove", subjectKind: "comment", source: "moderator_initiative", affectedMemberId: "spammer" });
      expect(takedown.facts.memberActionDecisionId).toBe(acted.body.decision.id);
    }
    expect(await publishedCount()).toBe(before - 2);
    // The held comment left the queue with its takedown.
    const { rows } = await sql<{ state: string; decision_id: string }>`select state, decision_id::text from review_items where subject_kind = 'comment' and subject_id = ${held.body.comment.id}`.execute(t.database.db);
    expect(rows[0]).toEqual({ state: "decided", decision_id: acted.body.takedowns[2].id });
    const refused = await post("spammer", "我還想留言");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("member_suspended");
    // The member reads the suspension and each takedown in their statement of reasons.
    const statement = await as("spammer", "GET", "/members/me/decisions");
    expect(statement.body.decisions.map((d: any) => d.action).sort()).toEqual(["remove", "remove", "remove", "suspend"]);
    // Decisions by moderator initiative are counted by source in /stats.
    const stats = await as("admin-1", "GET", "/stats?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", undefined, "admin");
    expect(stats.status).toBe(200);
    expect(JSON.stringify(stats.body)).toContain("moderator_initiative");
  });

  it("revokes a member, and refuses to act on oneself, on a revoked member, or without what the action needs", async () => {
    await post("troll", "路過留言一下");
    expect((await moderator("POST", "/members/troll/actions", { action: "suspend", forumRules: ["R2"], note: "x" })).body.error.code).toBe("suspend_days_required");
    expect((await moderator("POST", "/members/troll/actions", { action: "warn", forumRules: [], note: "x" })).status).toBe(400);
    expect((await moderator("POST", "/members/mod-trust/actions", { action: "warn", forumRules: ["R2"], note: "x" })).status).toBe(403);
    expect((await moderator("POST", "/members/nobody-here/actions", { action: "warn", forumRules: ["R2"], note: "x" })).status).toBe(404);
    expect((await moderator("POST", "/members/bad%20id/actions", { action: "warn", forumRules: ["R2"], note: "x" })).status).toBe(404);
    expect((await as("troll", "POST", "/members/newbie/actions", { action: "warn", forumRules: ["R2"], note: "x" })).status).toBe(403);
    const revoked = await moderator("POST", "/members/troll/actions", { action: "revoke", forumRules: ["R2"], note: "多次辱罵其他讀者" });
    expect(revoked.status).toBe(201);
    expect((await post("troll", "再留一次")).body.error.code).toBe("member_revoked");
    expect((await moderator("POST", "/members/troll/actions", { action: "warn", forumRules: ["R2"], note: "x" })).status).toBe(409);
  });

  it("keeps moderators' private notes and shows a member's whole history to moderators only", async () => {
    const note = await moderator("POST", "/members/spammer/notes", { note: "疑似與另一帳號同一人，持續觀察" });
    expect(note.status).toBe(201);
    expect((await moderator("POST", "/members/nobody-here/notes", { note: "x" })).status).toBe(404);
    expect((await as("spammer", "GET", "/members/spammer/history")).status).toBe(403);
    expect((await as("spammer", "POST", "/members/spammer/notes", { note: "x" })).status).toBe(403);
    const history = await moderator("GET", "/members/spammer/history");
    expect(history.status).toBe(200);
    expect(history.body.member).toMatchObject({ id: "spammer", status: "suspended" });
    expect(history.body.comments.byStatus).toEqual({ published: 0, pending: 0, removed: 3 });
    expect(history.body.notes[0]).toMatchObject({ moderatorId: "mod-trust", note: "疑似與另一帳號同一人，持續觀察" });
    expect(history.body.decisions.length).toBe(4);
    expect(history.body.reports).toEqual({ filed: {}, received: {} });
    // Notes are the moderators' own: the member's statement of reasons does not carry them.
    expect(JSON.stringify((await as("spammer", "GET", "/members/me/decisions")).body)).not.toContain("疑似");
  });
});

describe("replies", () => {
  const page = async () => ((await (await t.request("GET", `/articles/${ARTICLE}/comments?limit=100`)).json()) as any).comments as any[];
  const reply = (memberId: string, parentId: string, body: string) =>
    as(memberId, "POST", `/articles/${ARTICLE}/comments`, { body, parentId, acceptedRulesVersion: rulesVersion });
  let parentId: string;

  it("answers a published comment of the same article, one level deep", async () => {
    await memberAt("reply-a", "trusted");
    await memberAt("reply-b", "trusted");
    const parent = await post("reply-a", "夜間公車路線應該延伸到新莊");
    expect(parent.status).toBe(201);
    parentId = parent.body.comment.id;
    const answer = await reply("reply-b", parentId, "同意，新莊晚上真的很難等車");
    expect(answer.status).toBe(201);
    expect(answer.body.comment.parentId).toBe(parentId);
    const shown = (await page()).find((c) => c.id === answer.body.comment.id);
    expect(shown.replyTo).toEqual({ id: parentId, removed: false });
    expect((await page()).find((c) => c.id === parentId).replyTo).toBeNull();
    expect((await reply("reply-a", answer.body.comment.id, "謝謝支持")).body.error.code).toBe("reply_to_reply");
    expect((await reply("reply-a", "999999999", "回覆不存在的留言")).status).toBe(404);
    expect((await reply("reply-a", "not-an-id", "回覆不存在的留言")).status).toBe(404);
    await t.putArticle("members-other");
    const elsewhere = await as("reply-a", "POST", "/articles/members-other/comments", { body: "另一篇的留言", acceptedRulesVersion: rulesVersion });
    expect((await reply("reply-b", elsewhere.body.comment.id, "跨文章回覆")).body.error.code).toBe("parent_not_on_article");
  });

  it("judges harsh words said to the other commenter in context, and shows the moderator the parent", async () => {
    // The same words about a policy are only marked; in a reply addressed to its author they wait.
    expect((await post("reply-b", "這種交通政策真可悲")).status).toBe(201);
    const aimed = await reply("reply-b", parentId, "你這種想法真可悲");
    expect(aimed.status).toBe(202);
    expect(aimed.body.comment.verdict.reasons.map((r: any) => r.ruleId)).toContain("R2-reply-attack");
    const item = await moderator("GET", `/review/items/${await itemOf(aimed.body.comment.id)}`);
    expect(item.body.subject.parent).toMatchObject({ id: parentId, memberId: "reply-a", body: "夜間公車路線應該延伸到新莊" });
  });

  it("keeps replies when the comment they answer is gone, and shows it as removed", async () => {
    const held = await post("reply-a", "這則等一下會被刪除");
    expect((await reply("reply-b", held.body.comment.id, "我先回覆一下")).status).toBe(201);
    expect((await as("reply-a", "DELETE", `/comments/${held.body.comment.id}`)).status).toBe(200);
    const comments = await page();
    expect(comments.some((c) => c.id === held.body.comment.id)).toBe(false);
    expect(comments.find((c) => c.body === "我先回覆一下").replyTo).toEqual({ id: held.body.comment.id, removed: true });
    expect((await reply("reply-b", held.body.comment.id, "再回覆一次")).body.error.code).toBe("parent_not_published");
  });
});

describe("edits and own deletion", () => {
  const edit = (memberId: string, id: string, body: string) => as(memberId, "PATCH", `/comments/${id}`, { body });
  const bodyOnPage = async (id: string) =>
    (((await (await t.request("GET", `/articles/${ARTICLE}/comments?limit=100`)).json()) as any).comments as any[]).find((c) => c.id === id)?.body;

  it("edits within the window, keeps the versions, and refuses an edit into abuse with the old text kept", async () => {
    await memberAt("editor", "trusted");
    const posted = await post("editor", "颱風天公車停駛的公告太慢了");
    const id = posted.body.comment.id;
    const count = await publishedCount();
    const fixed = await edit("editor", id, "颱風天公車停駛的公告發得太慢了");
    expect(fixed.status).toBe(200);
    expect(fixed.body.comment).toMatchObject({ version: 2, status: "published" });
    expect(fixed.body.comment.editedAt).not.toBeNull();
    expect(await bodyOnPage(id)).toBe("颱風天公車停駛的公告發得太慢了");
    expect(await publishedCount()).toBe(count);
    const refused = await edit("editor", id, "幹你娘");
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("edit_rejected");
    expect(await bodyOnPage(id)).toBe("颱風天公車停駛的公告發得太慢了");
    const { rows } = await sql<{ version: number; body: string }>`select version, body from comment_versions where comment_id = ${id} order by version`.execute(t.database.db);
    expect(rows).toEqual([{ version: 1, body: "颱風天公車停駛的公告太慢了" }]);
    expect((await edit("someone-else", id, "改別人的留言")).status).toBe(403);
    expect((await edit("editor", "123456789012", "不存在")).status).toBe(404);
    t.clock.advance((readPolicy().edits.windowMinutes + 1) * 60_000);
    expect((await edit("editor", id, "太晚了才改")).body.error.code).toBe("edit_window_closed");
  });

  it("holds an edit the rules hold: the comment leaves the page until a moderator decides on that version", async () => {
    await memberAt("editor", "trusted");
    const posted = await post("editor", "市府說明會的時間太短");
    const id = posted.body.comment.id;
    const count = await publishedCount();
    const held = await edit("editor", id, "你這個白癡市長");
    expect(held.status).toBe(202);
    expect(await bodyOnPage(id)).toBeUndefined();
    expect(await publishedCount()).toBe(count - 1);
    const itemId = await itemOf(id);
    const item = await moderator("GET", `/review/items/${itemId}`);
    expect(item.body.subject.earlierVersions).toEqual([expect.objectContaining({ version: 1, body: "市府說明會的時間太短" })]);
    const decided = await moderator("POST", `/review/items/${itemId}/decision`, { action: "remove", forumRules: ["R2"], note: "人身攻擊" });
    expect(decided.status).toBe(201);
    expect(decided.body.decision.facts.commentVersion).toBe(2);
    expect(decided.body.decision.subjectText).toBe("你這個白癡市長");
    expect((await edit("editor", id, "改回來")).body.error.code).toBe("comment_not_editable");
    expect((await as("editor", "DELETE", `/comments/${id}`)).body.error.code).toBe("comment_not_deletable");
  });

  it("deletes one's own comment once, from the page and the count; a held one's item is withdrawn", async () => {
    // (The removal above reassessed the editor from their short history; here they are an established member again.)
    await memberAt("editor", "trusted");
    const posted = await post("editor", "我打錯字了，想把這則刪掉");
    const count = await publishedCount();
    const deleted = await as("editor", "DELETE", `/comments/${posted.body.comment.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.comment.status).toBe("deleted");
    expect(await publishedCount()).toBe(count - 1);
    expect((await as("editor", "DELETE", `/comments/${posted.body.comment.id}`)).body.error.code).toBe("already_deleted");
    expect((await as("someone-else", "DELETE", `/comments/${posted.body.comment.id}`)).status).toBe(403);
    const held = await post("editor", "你這個白癡");
    expect(held.status).toBe(202);
    const itemId = await itemOf(held.body.comment.id);
    expect((await as("editor", "DELETE", `/comments/${held.body.comment.id}`)).status).toBe(200);
    expect(await publishedCount()).toBe(count - 1);
    const decided = await moderator("POST", `/review/items/${itemId}/decision`, { action: "approve", note: "x" });
    expect(decided.body.error.code).toBe("item_withdrawn");
    // The row stays for the record.
    const { rows } = await sql<{ status: string }>`select status from comments where id = ${held.body.comment.id}`.execute(t.database.db);
    expect(rows[0]!.status).toBe("deleted");
  });
});

describe("what a review of the change found", () => {
  it("a deleted comment can no longer be reported, nor its withdrawn item decided", async () => {
    await memberAt("gone-a", "trusted");
    const posted = await post("gone-a", "這則等一下就刪掉，先有人檢舉");
    const id = posted.body.comment.id;
    expect((await as("gone-r1", "POST", "/reports", { subject: "comment", id, reason: "spam" })).status).toBe(201);
    const itemId = await itemOf(id);
    expect((await as("gone-a", "DELETE", `/comments/${id}`)).status).toBe(200);
    expect((await as("gone-r2", "POST", "/reports", { subject: "comment", id, reason: "spam" })).status).toBe(404);
    expect((await moderator("POST", `/review/items/${itemId}/decision`, { action: "dismiss_reports", note: "x" })).body.error.code).toBe("item_withdrawn");
    const { rows } = await sql<{ status: string }>`select status from comments where id = ${id}`.execute(t.database.db);
    expect(rows[0]!.status).toBe("deleted");
  });

  it("refuses a decision on a comment edited since the moderator read it", async () => {
    const held = await post("late-editor", "第一次留言，先打個招呼");
    expect(held.status).toBe(202);
    const itemId = await itemOf(held.body.comment.id);
    expect((await as("late-editor", "PATCH", `/comments/${held.body.comment.id}`, { body: "第一次留言，改一下內容" })).status).toBe(202);
    const stale = await moderator("POST", `/review/items/${itemId}/decision`, { action: "approve", note: "看過了", subjectVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("subject_changed");
    // The refused decision changed nothing: the status it set with the lock was rolled back with it.
    const { rows } = await sql<{ status: string }>`select status from comments where id = ${held.body.comment.id}`.execute(t.database.db);
    expect(rows[0]!.status).toBe("pending");
    // The item shows the new version's verdict; deciding on what is there now works and names that version.
    const item = await moderator("GET", `/review/items/${itemId}`);
    expect(item.body.subject.version).toBe(2);
    const decided = await moderator("POST", `/review/items/${itemId}/decision`, { action: "approve", note: "看過了", subjectVersion: 2 });
    expect(decided.status).toBe(201);
    expect(decided.body.decision.facts.commentVersion).toBe(2);
    expect(decided.body.decision.subjectText).toBe("第一次留言，改一下內容");
  });

  // PGlite has one connection: nothing waits for a lock there.
  it.skipIf(!usingPostgres)("takes a held comment's item before the comment when the author edits it, as a decision does", async () => {
    const held = await post("lock-order", "第一次留言，先問個好");
    expect(held.status).toBe(202);
    const id = held.body.comment.id;
    const itemId = await itemOf(id);
    let editing: Promise<{ status: number; body: any }> | undefined;
    await t.database.db.transaction().execute(async (trx) => {
      // A decision has locked the item; the edit arrives and waits.
      await sql`select id from review_items where id = ${itemId} for update`.execute(trx);
      editing = as("lock-order", "PATCH", `/comments/${id}`, { body: "第一次留言，改一下問候" });
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.database.db);
        if (rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The decision's next step, the comment, is free: the edit waits for the item without holding the
      // comment (holding it, the two would deadlock and one would answer 500).
      await sql`select id from comments where id = ${id} for update nowait`.execute(trx);
    });
    expect((await editing!).status).toBe(202);
  });

  it("passes edits through the flood check: members editing their comments into the same text are held", async () => {
    const spam = "大家一起來支持這個好政策，讚讚讚讚";
    const ids: string[] = [];
    for (const member of ["flood-1", "flood-2", "flood-3"]) {
      await memberAt(member, "trusted");
      ids.push((await post(member, `${member} 的一般留言，天氣真好`)).body.comment.id);
    }
    expect((await as("flood-1", "PATCH", `/comments/${ids[0]}`, { body: spam })).status).toBe(200);
    expect((await as("flood-2", "PATCH", `/comments/${ids[1]}`, { body: spam })).status).toBe(200);
    const third = await as("flood-3", "PATCH", `/comments/${ids[2]}`, { body: spam });
    expect(third.status).toBe(202);
    expect(third.body.comment.verdict.reasons.map((r: any) => r.ruleId)).toContain("R2-flood");
  });

  it("keeps a member who was here before pre-moderation a member, however few comments stand", async () => {
    await memberAt("old-timer", "member");
    expect((await post("old-timer", "好久沒留言了，支持捷運延伸")).status).toBe(201);
    expect((await post("old-timer", "再補充一句，希望早日通車")).status).toBe(201);
    expect(await levelOf("old-timer")).toBe("member");
  });

  it("counts reports a takedown upheld for their reporters", async () => {
    await memberAt("target-m", "trusted");
    const reported = await post("target-m", "快來買我的便宜手機");
    // A reporter one upheld report short of trusted: trustedAt - upheldReportPoints standing comments.
    await memberAt("good-reporter", "member");
    const standing = trust.trustedAt - trust.upheldReportPoints;
    await sql`insert into comments (article_id, member_id, body, status, verdict, rules_version, accepted_rules_version, request_hash, created_at, updated_at)
              select ${ARTICLE}, 'good-reporter', '站著的留言 ' || n, 'published', '{"action":"allow","reasons":[]}'::jsonb, 'r', ${rulesVersion}, 'h', now(), now()
              from generate_series(1, ${standing}) n`.execute(t.database.db);
    expect((await as("good-reporter", "POST", "/reports", { subject: "comment", id: reported.body.comment.id, reason: "spam" })).status).toBe(201);
    const acted = await moderator("POST", "/members/target-m/actions", { action: "warn", forumRules: ["R3"], note: "廣告", takeDownComments: true });
    expect(acted.status).toBe(201);
    expect(await levelOf("good-reporter")).toBe("trusted");
  });
});
