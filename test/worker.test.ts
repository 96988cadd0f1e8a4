import { describe, expect, it } from "vitest";
import worker, { ENGINE_RULE_FILES } from "../src/worker.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";

describe("the Cloudflare Worker entry", () => {
  it("bundles exactly the rule files in rules/engine, with the same text", () => {
    const onDisk = readEngineRuleFiles();
    expect(ENGINE_RULE_FILES.map((f) => f.name).sort()).toEqual(onDisk.map((f) => f.name).sort());
    for (const file of onDisk) {
      expect(ENGINE_RULE_FILES.find((f) => f.name === file.name)?.text).toBe(file.text);
    }
  });

  it("serves the app and closes its connection after the response", async () => {
    const pending: Promise<unknown>[] = [];
    const response = await worker.fetch(
      new Request("https://comments.example/healthz"),
      { HYPERDRIVE: { connectionString: "postgres://postgres@127.0.0.1:1/unused" }, JWT_SECRET: "x".repeat(32) },
      { waitUntil: (promise) => pending.push(promise) },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
  });
});
