import { describe, expect, it } from "vitest";
import { ConfigError, heapGrowingFlag, loadServerConfig } from "../src/config.ts";

describe("server configuration from the environment", () => {
  it("reads HEAP_GROWING_PERCENT, 30 when unset or empty", () => {
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

  it("sets V8's flag from the setting unless node was given the flag itself", () => {
    expect(heapGrowingFlag(30, [])).toBe("--heap-growing-percent=30");
    expect(heapGrowingFlag(0, ["--enable-source-maps"])).toBe("--heap-growing-percent=0");
    expect(heapGrowingFlag(30, ["--enable-source-maps", "--heap-growing-percent=50"])).toBeNull();
    expect(heapGrowingFlag(30, ["--heap_growing_percent=50"])).toBeNull();
    expect(heapGrowingFlag(30, ["-heap-growing-percent=50"])).toBeNull();
    expect(heapGrowingFlag(30, ["--heap-growing-percentage-of-nothing"])).toBe("--heap-growing-percent=30");
  });
});

describe("prepared statements setting", () => {
  it("prepares by default; DATABASE_PREPARE=0 turns it off; anything else is refused", () => {
    expect(loadServerConfig({}).databasePrepare).toBe(true);
    expect(loadServerConfig({ DATABASE_PREPARE: "1" }).databasePrepare).toBe(true);
    expect(loadServerConfig({ DATABASE_PREPARE: "0" }).databasePrepare).toBe(false);
    expect(() => loadServerConfig({ DATABASE_PREPARE: "yes" })).toThrow(/DATABASE_PREPARE/);
  });
});
