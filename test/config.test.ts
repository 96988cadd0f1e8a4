import { describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig } from "../src/config.ts";

describe("server configuration from the environment", () => {
  it("lets the Node heap grow 30 % past what a full collection kept unless told otherwise", () => {
    expect(loadServerConfig({}).heapGrowingPercent).toBe(30);
    expect(loadServerConfig({ HEAP_GROWING_PERCENT: "" }).heapGrowingPercent).toBe(30);
    expect(loadServerConfig({ HEAP_GROWING_PERCENT: "0" }).heapGrowingPercent).toBe(0);
    expect(loadServerConfig({ HEAP_GROWING_PERCENT: "100" }).heapGrowingPercent).toBe(100);
  });

  it("refuses a growth that is no whole per cent from 0 to 300, naming the setting", () => {
    for (const value of ["-1", "301", "12.5", "thirty"]) {
      expect(() => loadServerConfig({ HEAP_GROWING_PERCENT: value }), value).toThrow(ConfigError);
      expect(() => loadServerConfig({ HEAP_GROWING_PERCENT: value }), value).toThrow(/HEAP_GROWING_PERCENT/);
    }
  });
});
