import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// The batch command runs the text phases of each kind's screening (src/screening/), as the API does before
// its database phases: a tag with its article (forum rule R3 included), a nickname, a comment give the same
// outcome both ways.
const root = new URL("..", import.meta.url).pathname;
const title = "颱風海葵逼近，花蓮停班停課";
const body = "中央氣象署今天發布海上颱風警報，花蓮縣政府宣布明天停班停課，台鐵部分班次停駛。";
const tags = ["停班停課", "花蓮", "哈哈哈哈", "半導體", "幹你娘", "a", "asdf"];

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
  expect((await t.putArticle("typhoon-1", { title, body })).status).toBe(201);
});
afterAll(() => t.dispose());

const runBatch = (kind: string, lines: object[]) => {
  const input = lines.map((line) => JSON.stringify(line)).join("\n");
  const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/moderate.ts", "--kind", kind], { cwd: root, encoding: "utf8", input });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line));
};

const actionOfStatus = (status: number) => (status === 201 || status === 200 ? "allow" : status === 202 ? "review" : "reject");

describe("npm run moderate -- --kind tag, with the article", () => {
  it("applies forum rule R3 and agrees with the API on every tag", async () => {
    const api: Record<string, string> = {};
    for (const [i, label] of tags.entries()) {
      const response = await t.request("POST", "/articles/typhoon-1/tags", { token: await t.token(`tagger-${i}`), json: { label } });
      api[label] = actionOfStatus(response.status);
    }
    expect(api).toMatchObject({ 停班停課: "allow", 哈哈哈哈: "reject", 半導體: "review", 幹你娘: "reject", a: "reject" });

    const input = tags.map((text) => JSON.stringify({ text, article: `${title}\n${body}` })).join("\n");
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/moderate.ts", "--kind", "tag"], { cwd: root, encoding: "utf8", input });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(Object.fromEntries(lines.map((line) => [line.text, line.action]))).toEqual(api);
    expect(lines.find((line) => line.text === "哈哈哈哈").code).toBe("tag_meaningless");
    expect(lines.find((line) => line.text === "停班停課").code).toBeNull();
  });

  it("without the article, screens length, meaning and rules only", () => {
    const input = ["哈哈哈哈", "半導體"].map((text) => JSON.stringify({ text })).join("\n");
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/moderate.ts", "--kind", "tag"], { cwd: root, encoding: "utf8", input });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.action, line.code])).toEqual([
      ["reject", "tag_meaningless"],
      ["allow", null],
    ]);
  });
});

describe("npm run moderate -- --kind nickname and --kind comment", () => {
  it("gives the API's outcome and code for nicknames, personal data and characters included", async () => {
    const nicknames = ["阿明愛吃麵", "小明0912345678", "官方小編", "ab\u200bcd", "<script>", "x"];
    const api: Record<string, [string, string | null]> = {};
    for (const nickname of nicknames) {
      const response = await t.request("POST", "/nicknames/check", { token: await t.token("checker"), json: { nickname } });
      const answer = (await response.json()) as any;
      api[nickname] = [answer.outcome, answer.code];
    }
    expect(api["阿明愛吃麵"]).toEqual(["allow", null]);
    expect(api["小明0912345678"]).toEqual(["reject", "nickname_personal_data"]);
    const lines = runBatch("nickname", nicknames.map((text) => ({ text })));
    expect(Object.fromEntries(lines.map((line) => [line.text, [line.action, line.code]]))).toEqual(api);
  });

  it("refuses a comment longer than MAX_COMMENT_CHARS with the API's code, and agrees on the rest", async () => {
    const rulesVersion = t.config.forumRules.version;
    const texts = ["颱風天還要上班，政府到底在想什麼", "幹你娘", "好".repeat(2001)];
    // Stored with a status (201 published, 202 held, 422 removed by the rules), or refused before (413).
    const api: Record<string, [string, string | null]> = {};
    for (const [i, body] of texts.entries()) {
      const response = await t.request("POST", "/articles/typhoon-1/comments", { token: await t.token(`writer-${i}`), json: { body, acceptedRulesVersion: rulesVersion } });
      const answer = (await response.json()) as any;
      const action = response.status === 201 ? "allow" : response.status === 202 ? "review" : "reject";
      api[body] = [action, response.status === 413 ? answer.error.code : null];
    }
    expect(Object.values(api)).toEqual([["allow", null], ["reject", null], ["reject", "comment_too_long"]]);
    const lines = runBatch("comment", texts.map((text) => ({ text })));
    const batch = Object.fromEntries(lines.map((line) => [line.text, [line.action, line.code]]));
    expect(batch).toEqual(api);
  });
});
