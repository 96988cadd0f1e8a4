import { describe, expect, it } from "vitest";
import { Matcher } from "../src/moderation/matcher.ts";
import { createModerator, mostAbusivePassage } from "../src/moderation/moderate.ts";
import type { Classifier } from "../src/classifier/model.ts";
import { normalize, toOriginal } from "../src/moderation/normalize.ts";
import { loadRuleSet, RuleFileError } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";

const moderator = createModerator(loadRuleSet(readEngineRuleFiles()));
const comment = (text: string) => moderator.moderate({ kind: "comment", text });

describe("normalize", () => {
  it("folds full-width and case, drops invisible characters, and maps every unit back to the original", () => {
    const original = "Ｆ\u200bＵck 你";
    const normalized = normalize(original, { leetCharacters: "" });
    expect(normalized.text).toBe("fuck你");
    expect(normalized.gapBefore[4]).toBe(true);
    const start = normalized.text.indexOf("uck");
    expect(toOriginal(normalized, start, start + 3)).toEqual([2, 5]);
    expect(original.slice(2, 5)).toBe("Ｕck");
  });

  it("keeps offsets right after characters outside the BMP", () => {
    const original = "😡😡幹你娘";
    const normalized = normalize(original, { leetCharacters: "" });
    const start = normalized.text.indexOf("干");
    expect(toOriginal(normalized, start, start + 3)).toEqual([4, 7]);
  });
});

describe("Matcher", () => {
  it("finds every occurrence of every pattern, overlapping ones included, like a naive search", () => {
    const patterns = ["he", "she", "his", "hers", "s", "eh"];
    const matcher = new Matcher(patterns);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: 30 }, () => "hers"[Math.floor(random() * 4)]).join("");
      const expected: string[] = [];
      patterns.forEach((p, index) => {
        for (let i = text.indexOf(p); i !== -1; i = text.indexOf(p, i + 1)) expected.push(`${index}@${i}`);
      });
      const found = matcher.findAll(text).map((m) => `${m.pattern}@${m.start}`);
      expect(found.sort()).toEqual(expected.sort());
    }
  });
});

describe("moderate", () => {
  it("allows ordinary comments with no reasons and records the rules version", () => {
    expect(comment("市府這次的交通政策還不錯")).toEqual({
      action: "allow",
      reasons: [],
      score: null,
      topNgrams: [],
      rulesVersion: moderator.rulesVersion,
      modelVersion: null,
    });
  });

  it("rejects severe profanity and reports each span in the original text", () => {
    const text = "幹你娘，真的幹你娘";
    const verdict = comment(text);
    expect(verdict.action).toBe("reject");
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]!.spans.map((s) => [s.start, s.end, s.text])).toEqual([
      [0, 3, "幹你娘"],
      [6, 9, "幹你娘"],
    ]);
  });

  it("holds insults for review and lets their benign containing words pass", () => {
    expect(comment("你是白癡嗎").action).toBe("review");
    expect(comment("他去死").action).toBe("review");
    expect(comment("這罐去死皮霜").action).toBe("allow");
    expect(comment("立法院討論智障者權益法案").action).toBe("allow");
    // The exception covers only its own occurrence: a second, bare insult still counts.
    const mixed = comment("智障者權益很重要，但你是智障");
    expect(mixed.action).toBe("review");
    expect(mixed.reasons[0]!.spans).toEqual([{ start: 12, end: 14, text: "智障", term: "智障" }]);
  });

  it("combines rules: reject outranks review, and each rule is one reason", () => {
    const verdict = comment("白癡，死全家");
    expect(verdict.action).toBe("reject");
    expect(verdict.reasons.map((r) => r.ruleId).sort()).toEqual(["R2-death-wish", "R2-insult"]);
  });

  it("applies a rule only to the subjects it names", () => {
    const ruleSet = loadRuleSet([
      {
        name: "only-tags.yaml",
        text: `rules:
  - id: R3-test
    forumRule: R3
    description: test
    subjects: [tag]
    severity: low
    action: reject
    reason: 測試
    category: spam
    terms: [{ source: test, list: [無聊] }]
`,
      },
    ]);
    const onlyTags = createModerator(ruleSet);
    expect(onlyTags.moderate({ kind: "tag", text: "無聊" }).action).toBe("reject");
    expect(onlyTags.moderate({ kind: "comment", text: "無聊" }).action).toBe("allow");
  });
});

describe("rule files", () => {
  const valid = `rules:
  - id: R2-a
    forumRule: R2
    description: d
    subjects: [comment]
    severity: high
    action: reject
    reason: r
    category: insult
    terms:
      - source: s
        list: [王八蛋]
`;

  it("every rule file in rules/engine loads, and the version is a hash of the rules", () => {
    const files = readEngineRuleFiles();
    expect(files.length).toBeGreaterThan(0);
    const a = loadRuleSet(files);
    expect(a.version).toMatch(/^rules-[0-9a-f]{12}$/);
    expect(loadRuleSet(files).version).toBe(a.version);
    expect(loadRuleSet([{ name: "x.yaml", text: valid }]).version).not.toBe(a.version);
  });

  it("names the file, line and rule when a rule is invalid", () => {
    const badAction = valid.replace("action: reject", "action: delete");
    expect(() => loadRuleSet([{ name: "rules/engine/bad.yaml", text: badAction }])).toThrow(
      /^rules\/engine\/bad\.yaml:7: rule R2-a, rules\.0\.action: /,
    );
    const missingReason = valid.replace("    reason: r\n", "");
    expect(() => loadRuleSet([{ name: "b.yaml", text: missingReason }])).toThrow(/^b\.yaml:2: rule R2-a, rules\.0\.reason/);
    const unknownKey = valid.replace("    reason: r\n", "    reason: r\n    colour: red\n");
    expect(() => loadRuleSet([{ name: "c.yaml", text: unknownKey }])).toThrow(/colour/);
    const emptyException = `${valid}    exceptions:\n      - source: s\n`;
    expect(() => loadRuleSet([{ name: "d.yaml", text: emptyException }])).toThrow(/list or precededBy/);
  });

  it("excuses a term right after a precededBy word, and only there", () => {
    const text = `${valid}    exceptions:\n      - source: s\n        precededBy: [我是]\n`;
    const moderator = createModerator(loadRuleSet([{ name: "e.yaml", text }]));
    expect(moderator.moderate({ kind: "comment", text: "我是王八蛋" }).action).toBe("allow");
    expect(moderator.moderate({ kind: "comment", text: "你是王八蛋" }).action).toBe("reject");
    expect(moderator.moderate({ kind: "comment", text: "我是說你王八蛋" }).action).toBe("reject");
  });

  it("names the file and line of a YAML syntax error, and refuses a duplicate rule id", () => {
    try {
      loadRuleSet([{ name: "broken.yaml", text: "rules:\n  - id: [unclosed\n" }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RuleFileError);
      expect((error as RuleFileError).file).toBe("broken.yaml");
      expect((error as RuleFileError).line).toBeGreaterThanOrEqual(2);
    }
    expect(() => loadRuleSet([{ name: "one.yaml", text: valid }, { name: "two.yaml", text: valid }])).toThrow(
      /two\.yaml: rule R2-a is already defined in one\.yaml/,
    );
  });
});

describe("a long comment's passages", () => {
  // A stand-in classifier that scores a passage by how many 惡 it holds, and records what it was given.
  const seen: string[] = [];
  const counting: Classifier = {
    version: "test",
    classify(text) {
      seen.push(text);
      // The classifier reads the canonical form, where 惡 is 恶.
      return { probability: [...text].filter((c) => c === "恶").length / 10, topNgrams: [] };
    },
    categoryOf: () => "insult",
  };
  const reading = createModerator(loadRuleSet(readEngineRuleFiles()), counting);
  const inputOf = (text: string) => reading.ruleHits({ kind: "comment", text }, reading.normalized(text)).classifierInput!;

  it("never cuts a character outside the BMP in half, and maps the best passage back to the original text", () => {
    seen.length = 0;
    const text = `${"𪜶".repeat(20)}，${"阿".repeat(13)}惡惡惡${"𠕇".repeat(20)}`;
    const best = mostAbusivePassage(counting, inputOf(text), 30)!;
    expect(seen.length).toBeGreaterThan(2);
    for (const passage of seen) expect(passage).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(best.probability).toBeCloseTo(0.3);
    expect(text.slice(best.start, best.end)).toContain("惡惡惡");
    expect(text.slice(best.start, best.end)).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  });

  it("reads a line break or a tab as a separator, as the rules do (又塞車了\\n幹 is 幹 said alone)", () => {
    const reasonsOf = (text: string) => reading.moderate({ kind: "comment", text }).reasons.map((reason) => reason.ruleId);
    expect(reasonsOf("又塞車了\n幹")).toContain("R2-profanity-standalone");
    expect(reasonsOf("又塞車了\t幹")).toContain("R2-profanity-standalone");
    expect(reasonsOf("又塞車了\r\n幹")).toContain("R2-profanity-standalone");
    // The classifier reads the canonical text, separators dropped: spaced-out writing reads as unspaced.
    expect(inputOf("你 這\n個 廢 物").text).toBe("你这个废物");
  });

  it("reads none in a comment short enough for its whole score", () => {
    seen.length = 0;
    expect(mostAbusivePassage(counting, inputOf("惡".repeat(45)), 30)).toBeNull();
    expect(seen).toEqual([]);
  });
});
