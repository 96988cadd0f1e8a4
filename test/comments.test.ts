import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "hono/jwt";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";
import { createTestContext, TEST_SECRET, type TestContext } from "./support/context.ts";

let t: TestContext;
let rulesVersion: string;

beforeAll(async () => {
  t = await createTestContext();
  rulesVersion = t.config.forumRules.version;
  expect((await t.putArticle("news-1")).status).toBe(201);
});
afterAll(() => t.dispose());

async function post(memberId: string, json: unknown, article = "news-1") {
  return t.request("POST", `/articles/${article}/comments`, { token: await t.token(memberId), json });
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

describe("submitting a comment", () => {
  it("publishes an acceptable comment with its verdict (201)", async () => {
    const response = await post("m1", { body: "  夜間公車終於來了，支持！ ", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(201);
    const { comment } = (await response.json()) as any;
    expect(comment).toMatchObject({ articleId: "news-1", memberId: "m1", body: "夜間公車終於來了，支持！", status: "published" });
    expect(comment.verdict).toMatchObject({ action: "allow", reasons: [], rulesVersion: t.moderator.rulesVersion });
    const stored = await t.database.db.selectFrom("comments").selectAll().where("id", "=", comment.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: "published", rules_version: t.moderator.rulesVersion, accepted_rules_version: rulesVersion });
    const member = await t.database.db.selectFrom("members").selectAll().where("id", "=", "m1").executeTakeFirstOrThrow();
    expect(member.accepted_rules_version).toBe(rulesVersion);
  });

  it("holds a borderline comment for review (202, pending, not listed)", async () => {
    const response = await post("m2", { body: "這個議員根本是智障", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(202);
    const { comment } = (await response.json()) as any;
    expect(comment.status).toBe("pending");
    expect(comment.verdict.reasons[0]).toMatchObject({ ruleId: "R2-insult", forumRule: "R2", spans: [{ start: 7, end: 9, text: "智障" }] });
    const list = (await (await t.request("GET", "/articles/news-1/comments")).json()) as any;
    expect(list.comments.map((c: any) => c.id)).not.toContain(comment.id);
  });

  it("refuses an abusive comment (422) with rule, forum rule and span in the original text, stored removed with a decision", async () => {
    // Full-width letters and a zero-width space do not hide the term, and spans point into the original.
    const text = "你們這些人，\u200b幹你娘啦";
    const response = await post("m3", { body: text, acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe("comment_rejected");
    expect(error.message).toContain("第二條");
    const reason = error.details.reasons[0];
    expect(reason).toMatchObject({ ruleId: "R2-profanity-severe", forumRule: "R2", action: "reject" });
    expect(reason.spans).toEqual([{ start: 7, end: 10, text: "幹你娘", term: "幹你娘" }]);
    expect(text.slice(reason.spans[0].start, reason.spans[0].end)).toBe("幹你娘");

    const commentId = error.details.comment.id;
    const stored = await t.database.db.selectFrom("comments").selectAll().where("id", "=", commentId).executeTakeFirstOrThrow();
    expect(stored.status).toBe("removed");
    expect(stored.verdict.action).toBe("reject");
    const decisions = await t.database.db.selectFrom("decisions").selectAll().where("subject_id", "=", commentId).execute();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      subject_kind: "comment",
      subject_text: text,
      action: "remove",
      forum_rules: ["R2"],
      source: "automated_detection",
      automation: "fully_automated",
      affected_member_id: "m3",
      rules_version: t.moderator.rulesVersion,
    });
    // Every reason of the verdict is in the record (the classifier's own, when it also scored high).
    expect(decisions[0]!.rule_ids).toContain("R2-profanity-severe");
    expect(decisions[0]!.rule_ids).toEqual(stored.verdict.reasons.map((r: { ruleId: string }) => r.ruleId));
  });

  it("lets ordinary words that contain an insult through", async () => {
    const response = await post("m4", { body: "這款去死皮凝膠很好用", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(201);
    // No rule holds the advocacy sentence (智障者 is an exception), and no rule reason is left on it.
    const advocacy = await post("m4", { body: "身心障礙團體關心智障者權益", acceptedRulesVersion: rulesVersion });
    const { comment } = (await advocacy.json()) as any;
    expect(comment.verdict.reasons.filter((r: any) => r.ruleId !== "R2-classifier")).toEqual([]);
    expect([201, 202]).toContain(advocacy.status);
  });

  it("holds a comment the classifier scores high although no rule holds it, with the n-grams that raised it", async () => {
    const response = await post("m5", { body: "河南人都是骗子", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(202);
    const { comment } = (await response.json()) as any;
    expect(comment.status).toBe("pending");
    expect(comment.verdict).toMatchObject({ action: "review", modelVersion: t.moderator.modelVersion });
    // The author sees the classifier's reason, not its score or n-grams (those would help tune an evasion).
    expect(comment.verdict.reasons).toEqual([expect.objectContaining({ ruleId: "R2-classifier", forumRule: "R2", action: "review", spans: [] })]);
    expect(comment.verdict).not.toHaveProperty("score");
    // Stored, and shown to moderators, whole: 骗子 is marked (R2-harsh-words, a flag), the hold is the classifier's.
    const stored = await t.database.db.selectFrom("comments").select(["model_version", "status", "verdict"]).where("id", "=", comment.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ model_version: t.moderator.modelVersion, status: "pending" });
    // At or above the review threshold of rules/engine/classifier-policy.yaml.
    expect(stored.verdict.score).toBeGreaterThanOrEqual(0.6);
    expect(stored.verdict.reasons.map((reason: any) => reason.ruleId)).toEqual(["R2-harsh-words", "R2-classifier"]);
    expect(stored.verdict.topNgrams.map((g: any) => g.ngram)).toContain("骗子");
  });

  it("never rejects on the classifier alone", async () => {
    const response = await post("m5", { body: "女人就是不行，河南人都是骗子", acceptedRulesVersion: rulesVersion });
    const { comment } = (await response.json()) as any;
    const stored = await t.database.db.selectFrom("comments").select("verdict").where("id", "=", comment.id).executeTakeFirstOrThrow();
    expect(stored.verdict.score).toBeGreaterThan(0.95);
    expect(response.status).toBe(202);
  });
});

describe("Taiwanese comments", () => {
  it("takes Hokkien written with characters outside the BMP (𪜶, 𠕇): 201 or 202, stored as written, never 500", async () => {
    // The last one is long enough for the classifier to read its passages too: none may cut 𪜶 in half.
    const long = "𪜶兜佇台南開店開足久矣，逐工透早就咧炒菜，𪜶阿公講以早生理足好，這馬人攏去網路買，𪜶嘛開始佇網路賣，阮攏去𪜶遐買𠕇𠕇的肉粽";
    for (const body of ["伊講𪜶", "台灣𠕇𠕇", "𪜶兜佇台南，阮攏叫伊阿𠕇", "這个政府講話攏無算數，𪜶家己嘛知影", long]) {
      const response = await post("m-hokkien", { body, acceptedRulesVersion: rulesVersion });
      expect([201, 202], body).toContain(response.status);
      const { comment } = (await response.json()) as any;
      expect(comment.body).toBe(body);
      const stored = await t.database.db.selectFrom("comments").select("verdict").where("id", "=", comment.id).executeTakeFirstOrThrow();
      for (const signal of stored.verdict.topNgrams) expect(signal.ngram).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });

  it("holds a long comment whose abuse is one clause, marking the passage the classifier read alone (202)", async () => {
    // Long enough that the ordinary rest outweighs the clause in the whole comment's score (a shorter one,
    // with the model of 2026-11-30 sixth session, scored over the threshold whole and never reached passages).
    const body = "我們社區管委會開會開了三個小時，討論要不要換電梯，廠商報了兩家的價錢，一家便宜但保固短，另一家貴了快一倍但保固十年，大家吵來吵去，最後還是沒結論。主委那個老番顛講話顛三倒四，叫他滾回家吃自己啦。下次開會我還是會去，畢竟電梯真的很舊了，每次搭都怕卡住，住高樓的長輩也常常抱怨，希望年底前可以決定，工程期間大家爬樓梯也要互相體諒。";
    const response = await post("m-passage", { body, acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(202);
    const { comment } = (await response.json()) as any;
    // The whole comment scores under the threshold (the stored verdict; members are not shown scores):
    // the passage held it, and says where it is.
    const stored = await t.database.db.selectFrom("comments").select("verdict").where("id", "=", comment.id).executeTakeFirstOrThrow();
    expect(stored.verdict.score).toBeLessThan(loadRuleSet(readEngineRuleFiles()).classifierPolicy!.reviewThreshold);
    const reason = stored.verdict.reasons.find((r: any) => r.ruleId === "R2-classifier")!;
    expect(reason).toMatchObject({ forumRule: "R2", action: "review", spans: [{ text: expect.stringContaining("老番顛"), passage: true }] });
    const [span] = reason.spans as { start: number; end: number; text: string }[];
    expect(body.slice(span!.start, span!.end)).toBe(span!.text);
    expect(reason.message).toContain("標示的這段文字");
    // The author is told the classifier held it, not which passage tipped it (as with the score).
    const told = comment.verdict.reasons.find((r: any) => r.ruleId === "R2-classifier");
    expect(told).toMatchObject({ message: reason.message, spans: [] });
    // The same comment without that clause is published.
    const calm = body.replace("主委那個老番顛講話顛三倒四，叫他滾回家吃自己啦。", "主委說會再找廠商報價。");
    expect((await post("m-passage", { body: calm, acceptedRulesVersion: rulesVersion })).status).toBe(201);
  });

  it("names the category of every reason, in the refusal and in the decision record", async () => {
    const body = "綠蛆滾出台灣，幹你娘";
    const response = await post("m-category", { body, acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as any;
    const categories = Object.fromEntries(error.details.reasons.map((r: any) => [r.ruleId, r.category]));
    expect(categories).toMatchObject({ "R2-dehumanizing-slur": "hate", "R2-profanity-severe": "profanity" });
    const decision = await t.database.db
      .selectFrom("decisions")
      .selectAll()
      .where("subject_id", "=", error.details.comment.id)
      .executeTakeFirstOrThrow();
    const stored = (decision.facts as { reasons: { ruleId: string; category: string }[] }).reasons;
    expect(Object.fromEntries(stored.map((r) => [r.ruleId, r.category]))).toMatchObject(categories);
  });

  it("publishes a news report that quotes an insult, and marks the quoted words as a mention", async () => {
    const body = "法官認定他在臉書罵對方「王八蛋」構成公然侮辱，判拘役二十天";
    const response = await post("m-mention", { body, acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(201);
    const { comment } = (await response.json()) as any;
    // The mention is a flag for moderators: the author sees no reason at all.
    expect(comment.verdict.reasons).toEqual([]);
    const stored = await t.database.db.selectFrom("comments").select("verdict").where("id", "=", comment.id).executeTakeFirstOrThrow();
    const reason = stored.verdict.reasons.find((r: any) => r.ruleId === "R2-insult");
    expect(reason).toMatchObject({ action: "flag", category: "insult" });
    expect(reason!.spans.every((span: any) => span.mention === "reported")).toBe(true);
  });
});

describe("bad input", () => {
  it("malformed JSON → 400 invalid_json", async () => {
    const response = await t.request("POST", "/articles/news-1/comments", {
      token: await t.token("m1"),
      headers: { "content-type": "application/json" },
      body: '{"body": "hi",',
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("invalid_json");
  });

  it("wrong content type → 415", async () => {
    const response = await t.request("POST", "/articles/news-1/comments", {
      token: await t.token("m1"),
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ body: "hi", acceptedRulesVersion: rulesVersion }),
    });
    expect(response.status).toBe(415);
    expect(await errorCode(response)).toBe("unsupported_media_type");
  });

  it("missing body field → 400 validation_failed", async () => {
    const response = await post("m1", { acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("validation_failed");
  });

  it.each([[""], ["   \n\t "], ["\u3000\u3000"]])("empty or whitespace-only comment %j → 400 comment_empty", async (body) => {
    const response = await post("m1", { body, acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("comment_empty");
  });

  it("empty request body → 400 invalid_json", async () => {
    const response = await t.request("POST", "/articles/news-1/comments", {
      token: await t.token("m1"),
      headers: { "content-type": "application/json" },
      body: "",
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("invalid_json");
  });

  it("comment over the character limit → 413 comment_too_long, and exactly at the limit is accepted", async () => {
    const over = await post("m1", { body: "好".repeat(2001), acceptedRulesVersion: rulesVersion });
    expect(over.status).toBe(413);
    const { error } = (await over.json()) as any;
    expect(error).toMatchObject({ code: "comment_too_long", details: { maxChars: 2000, chars: 2001 } });
    // Characters, not UTF-16 units: 2,000 emoji are 4,000 units and still within the limit.
    const atLimit = await post("m1", { body: "👍".repeat(2000), acceptedRulesVersion: rulesVersion });
    expect(atLimit.status).toBe(201);
  });

  it("request body far over the limit → 413 before it is read, from Content-Length or while streaming", async () => {
    const huge = JSON.stringify({ body: "x".repeat(200_000), acceptedRulesVersion: rulesVersion });
    const declared = await t.request("POST", "/articles/news-1/comments", {
      token: await t.token("m1"),
      headers: { "content-type": "application/json", "content-length": String(huge.length) },
      body: huge,
    });
    expect(declared.status).toBe(413);
    expect(await errorCode(declared)).toBe("payload_too_large");

    let chunksPulled = 0;
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunksPulled++;
        if (chunksPulled > 1000) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await t.app.request("/articles/news-1/comments", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await t.token("m1")}` },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(chunksPulled).toBeLessThan(10);
  });

  it("unknown fields → 400 validation_failed naming them", async () => {
    const response = await post("m1", { body: "好文", acceptedRulesVersion: rulesVersion, status: "published" });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe("validation_failed");
    expect(JSON.stringify(error.details)).toContain("status");
  });

  it("unknown article → 404", async () => {
    const response = await post("m1", { body: "好文", acceptedRulesVersion: rulesVersion }, "no-such-article");
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe("article_not_found");
  });

  it("no token → 401 unauthenticated; garbage, wrong signature or wrong scheme → 401 invalid_token; expired → 401 token_expired", async () => {
    const json = { body: "好文", acceptedRulesVersion: rulesVersion };
    const none = await t.request("POST", "/articles/news-1/comments", { json });
    expect(none.status).toBe(401);
    expect(await errorCode(none)).toBe("unauthenticated");

    const forged = await sign({ sub: "m1", role: "member" }, "some-other-secret-of-enough-length!!", "HS256");
    const unsigned = [{ alg: "none", typ: "JWT" }, { sub: "m1", role: "admin" }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
      .join(".");
    for (const header of ["Bearer not.a.token", `Bearer ${forged}`, `Basic ${await t.token("m1")}`, `Bearer ${unsigned}.`, `Bearer ${unsigned}.c2ln`]) {
      const response = await t.request("POST", "/articles/news-1/comments", { json, headers: { authorization: header } });
      expect(response.status, header).toBe(401);
      expect(await errorCode(response)).toBe("invalid_token");
    }

    const shortLived = await t.token("m1", "member", 60);
    t.clock.advance(61_000);
    const expired = await t.request("POST", "/articles/news-1/comments", { json, token: shortLived });
    expect(expired.status).toBe(401);
    expect(await errorCode(expired)).toBe("token_expired");

    const badClaims = await sign({ sub: "m1", role: "superuser" }, TEST_SECRET, "HS256");
    const wrongRole = await t.request("POST", "/articles/news-1/comments", { json, token: badClaims });
    expect(wrongRole.status).toBe(401);
    expect(await errorCode(wrongRole)).toBe("invalid_token");
  });

  it("suspended member → 403 with the end time; the suspension ends by itself", async () => {
    const until = new Date(t.clock.now().getTime() + 3600_000);
    await t.database.db
      .insertInto("members")
      .values({ id: "suspended-1", status: "suspended", suspended_until: until })
      .execute();
    const response = await post("suspended-1", { body: "我又回來了", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as any;
    expect(error).toMatchObject({ code: "member_suspended", details: { suspendedUntil: until.toISOString() } });
    // The member reads the end in Taipei time; the details keep the exact instant.
    expect(error.message).toMatch(/停權至 2026\/11\/28\s18:01（台北時間）/);

    t.clock.advance(3600_000 + 1000);
    const later = await post("suspended-1", { body: "我又回來了", acceptedRulesVersion: rulesVersion });
    expect(later.status).toBe(201);
  });

  it("revoked member → 403 member_revoked", async () => {
    await t.database.db.insertInto("members").values({ id: "revoked-1", status: "revoked" }).execute();
    const response = await post("revoked-1", { body: "好文", acceptedRulesVersion: rulesVersion });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("member_revoked");
  });

  it.each([[undefined], ["2020-01-01"]])("acceptedRulesVersion %j → 409 naming the current version", async (accepted) => {
    const response = await post("m1", { body: "好文", ...(accepted ? { acceptedRulesVersion: accepted } : {}) });
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as any;
    expect(error).toMatchObject({ code: "rules_not_accepted", details: { currentVersion: rulesVersion } });
    expect(error.message).toContain(rulesVersion);
  });
});

describe("idempotency", () => {
  it("a retried key returns the first comment, never a duplicate", async () => {
    const json = { body: "重送也只算一則", acceptedRulesVersion: rulesVersion, idempotencyKey: "retry-1" };
    const first = await post("idem", json);
    expect(first.status).toBe(201);
    const firstComment = ((await first.json()) as any).comment;
    const again = await post("idem", json);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as any).comment).toEqual(firstComment);

    // Retries racing each other still make one comment.
    const raced = await Promise.all(Array.from({ length: 5 }, () => post("idem", { ...json, idempotencyKey: "retry-2" })));
    const ids = new Set(await Promise.all(raced.map(async (r) => ((await r.json()) as any).comment.id)));
    expect(ids.size).toBe(1);
    const rows = await t.database.db.selectFrom("comments").select("id").where("member_id", "=", "idem").execute();
    expect(rows).toHaveLength(2);
  });

  it("a rejected comment replays as the same 422 and keeps one decision", async () => {
    const json = { body: "雞掰咧", acceptedRulesVersion: rulesVersion, idempotencyKey: "bad-1" };
    const first = await post("idem2", json);
    const again = await post("idem2", json);
    expect([first.status, again.status]).toEqual([422, 422]);
    const id = ((await again.json()) as any).error.details.comment.id;
    expect(((await first.json()) as any).error.details.comment.id).toBe(id);
    const decisions = await t.database.db.selectFrom("decisions").select("id").where("subject_id", "=", id).execute();
    expect(decisions).toHaveLength(1);
  });

  it("the same key with a different comment → 409 idempotency_key_reused; other members may use the same key", async () => {
    await post("idem3", { body: "第一則", acceptedRulesVersion: rulesVersion, idempotencyKey: "k" });
    const reused = await post("idem3", { body: "第二則", acceptedRulesVersion: rulesVersion, idempotencyKey: "k" });
    expect(reused.status).toBe(409);
    expect(await errorCode(reused)).toBe("idempotency_key_reused");
    const otherMember = await post("idem4", { body: "第二則", acceptedRulesVersion: rulesVersion, idempotencyKey: "k" });
    expect(otherMember.status).toBe(201);
  });
});

describe("listing published comments", () => {
  it("lists newest first with the published count and a cursor that walks every page once", async () => {
    expect((await t.putArticle("news-list")).status).toBe(201);
    const empty = (await (await t.request("GET", "/articles/news-list/comments")).json()) as any;
    expect(empty).toEqual({ articleId: "news-list", publishedCount: 0, comments: [], nextCursor: null });

    const posted: string[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await post(`lister-${i % 3}`, { body: `今天第${i}次看這則新聞，謝謝記者`, acceptedRulesVersion: rulesVersion }, "news-list");
      posted.push(((await response.json()) as any).comment.id);
      // Two comments share a timestamp: the id breaks the tie.
      if (i !== 3) t.clock.advance(1000);
    }
    await post("lister-x", { body: "幹你娘", acceptedRulesVersion: rulesVersion }, "news-list");
    await post("lister-x", { body: "你這個白癡", acceptedRulesVersion: rulesVersion }, "news-list");

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page = (await (await t.request("GET", `/articles/news-list/comments${query}`)).json()) as any;
      expect(page.publishedCount).toBe(7);
      seen.push(...page.comments.map((c: any) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...posted].reverse());

    const article = (await (await t.request("GET", "/articles/news-list")).json()) as any;
    expect(article.article.publishedCommentCount).toBe(7);
  });

  it("shows each comment's public fields only", async () => {
    const page = (await (await t.request("GET", "/articles/news-1/comments?limit=1")).json()) as any;
    expect(Object.keys(page.comments[0]).sort()).toEqual(["body", "createdAt", "editedAt", "id", "memberId", "nickname", "replyTo"]);
  });

  it.each([["?limit=0"], ["?limit=101"], ["?limit=abc"], ["?cursor=not-a-cursor"], ["?sort=asc"]])("bad query %s → 400", async (query) => {
    const response = await t.request("GET", `/articles/news-1/comments${query}`);
    expect(response.status).toBe(400);
    expect(["validation_failed", "invalid_cursor"]).toContain(await errorCode(response));
  });

  it("unknown article → 404", async () => {
    const response = await t.request("GET", "/articles/nope/comments");
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe("article_not_found");
  });
});
