import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./support/context.ts";

// The batch command screens a tag as the API does, forum rule R3 included, when the line carries the
// article: on the same article and tags, both give the same outcome.
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
