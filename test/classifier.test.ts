import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deduplicate, readLabelled } from "../src/classifier/dataset.ts";
import { metricsOf, rocAucOf, thresholdForPrecision } from "../src/classifier/metrics.ts";
import { decodeWeights, loadClassifier, ngramFeatures, quantizeWeights } from "../src/classifier/model.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { MODEL_PATH, readEngineRuleFiles, readModelFile } from "../src/rules-on-disk.ts";
import { toTraditional } from "../scripts/traditional.ts";

const root = new URL("..", import.meta.url).pathname;
const DEV = join(root, "../shared/data/cold/dev.jsonl");
const scratch = mkdtempSync(join(tmpdir(), "classifier-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("evaluation metrics, on a hand-labelled set", () => {
  // Worked by hand: at 0.5 the predictions are 1 0 1 0 1 0.
  const labels: (0 | 1)[] = [1, 1, 0, 0, 1, 0];
  const scores = [0.9, 0.4, 0.6, 0.1, 0.8, 0.3];

  it("accuracy, per-class precision and recall, macro-F1 and the confusion matrix", () => {
    const metrics = metricsOf(labels, scores);
    expect(metrics.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 10);
    for (const row of metrics.perClass) {
      expect(row.precision).toBeCloseTo(2 / 3, 10);
      expect(row.recall).toBeCloseTo(2 / 3, 10);
    }
    expect(metrics.macroF1).toBeCloseTo(2 / 3, 10);
  });

  it("ROC-AUC counts ordered pairs, ties as half", () => {
    expect(rocAucOf(labels, scores)).toBeCloseTo(8 / 9, 10);
    expect(rocAucOf([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAucOf([1, 1, 0], [0.2, 0.3, 0.9])).toBe(0);
    expect(rocAucOf([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it("finds the lowest threshold reaching a precision", () => {
    expect(thresholdForPrecision(labels, scores, 1)).toBe(0.8);
    expect(thresholdForPrecision(labels, scores, 0.75)).toBe(0.4);
    expect(thresholdForPrecision([0, 0], [0.9, 0.8], 0.5)).toBeNull();
  });
});

describe("training data", () => {
  it("drops duplicates and texts labelled both ways, and undoes HTML entities and cut-off marks", () => {
    const path = join(scratch, "rows.jsonl");
    const rows = [
      { text: "a &gt; b", label: 0 },
      { text: "a &gt; b", label: 0 },
      { text: "both", label: 0 },
      { text: "both", label: 1 },
      { text: "cut\ufffd", label: 1 },
    ];
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n"));
    expect(deduplicate(readLabelled(path))).toEqual([
      { text: "a > b", label: 0 },
      { text: "cut", label: 1, category: "hate" },
    ]);
  });

  it("reads the Taiwanese lines' outcomes: allow is 0, review and reject are 1 with their category", () => {
    const path = join(scratch, "taiwan.jsonl");
    const rows = [
      { text: "颱風假放得莫名其妙", label: "allow", category: "none" },
      { text: "ㄍㄋㄋ記者", label: "reject", category: "profanity" },
      { text: "樓上北七", label: "review", category: "insult" },
    ];
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n"));
    expect(readLabelled(path)).toEqual([
      { text: "颱風假放得莫名其妙", label: 0 },
      { text: "ㄍㄋㄋ記者", label: 1, category: "profanity" },
      { text: "樓上北七", label: 1, category: "insult" },
    ]);
    writeFileSync(path, JSON.stringify({ text: "x", label: "review", category: "rude" }));
    expect(() => readLabelled(path)).toThrow(/taiwan\.jsonl:1: expected "label" 0\|1, or allow\|review\|reject with a category/);
  });
});

describe("n-grams", () => {
  it("are cut by code point: a character outside the Basic Multilingual Plane is never split", () => {
    const features = ngramFeatures("伊講𪜶𠕇", 3);
    const grams = features.starts.map((start, i) => features.text.slice(start, features.ends[i]));
    expect(grams).toContain("𪜶");
    expect(grams).toContain("講𪜶𠕇");
    expect(grams).toContain("𠕇$");
    // ^ 伊 講 𪜶 𠕇 $: 6 characters, so 4 + 5 + 4 distinct 1-, 2- and 3-grams (the markers alone are left out).
    expect(new Set(features.hashes).size).toBe(13);
    expect(grams).not.toContain("^");
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const gram of grams) expect(gram).not.toMatch(loneSurrogate);
  });
});

describe("weights as signed bytes", () => {
  it("round to the nearest step of the table's scale, the largest to ±127, signs kept", () => {
    const weights = [0, 1.27, -1.27, 0.5, -0.004, 0.006, 0.63];
    const { scale, weights: encoded } = quantizeWeights(weights);
    expect(scale).toBeCloseTo(0.01, 12);
    expect(Array.from(decodeWeights(encoded))).toEqual([0, 127, -127, 50, 0, 1, 63]);
    for (const [i, byte] of Array.from(decodeWeights(encoded)).entries()) expect(Math.abs(byte * scale - weights[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-12);
  });

  it("keep an all-zero table at zero, and a model without a scale is refused", () => {
    const zero = quantizeWeights(new Float64Array(4));
    expect(zero.scale).toBe(1);
    expect(Array.from(decodeWeights(zero.weights))).toEqual([0, 0, 0, 0]);
    const file = readModelFile();
    const { scale: _, ...withoutScale } = file.taiwan;
    expect(() => loadClassifier({ ...file, taiwan: withoutScale as typeof file.taiwan })).toThrow(/taiwan needs a positive scale/);
    expect(() => loadClassifier({ ...file, categories: { ...file.categories, scale: 0 } })).toThrow(/categories needs a positive scale/);
  });
});

describe("the committed model", () => {
  const file = readModelFile();
  const classifier = loadClassifier(file);
  const rulesOnly = createModerator(loadRuleSet(readEngineRuleFiles()));
  const dev = readLabelled(DEV);
  const labels = dev.map((row) => row.label);
  const score = (text: string) => classifier.classify(rulesOnly.classifierText(text)).probability;

  it("reproduces its recorded dev macro-F1 within 0.005, and meets 0.78 in both scripts", () => {
    const simplified = metricsOf(labels, dev.map((row) => score(row.text)));
    expect(Math.abs(simplified.macroF1 - file.dev.macroF1)).toBeLessThanOrEqual(0.005);
    expect(simplified.macroF1).toBeGreaterThanOrEqual(0.78);
    const traditional = metricsOf(labels, dev.map((row) => score(toTraditional(row.text))));
    expect(traditional.macroF1).toBeGreaterThanOrEqual(0.78);
    expect(Math.abs(traditional.macroF1 - simplified.macroF1)).toBeLessThan(0.01);
  });

  it("reproduces its recorded Taiwanese dev macro-F1 within 0.005", () => {
    const taiwan = readLabelled(join(root, "data/taiwan/dev.jsonl"));
    const metrics = metricsOf(taiwan.map((row) => row.label), taiwan.map((row) => score(row.text)));
    const recorded = file.training.taiwanDev as { macroF1: number };
    expect(Math.abs(metrics.macroF1 - recorded.macroF1)).toBeLessThanOrEqual(0.005);
  });

  it("holds group contempt no rule reads the same spaced out between every character (an evasion)", () => {
    const threshold = loadRuleSet(readEngineRuleFiles()).classifierPolicy!.reviewThreshold;
    for (const text of ["那些移工就跟蟑螂一樣，抓都抓不完", "越南新娘都是買來的，用完就丟", "東南亞來的都是小偷，全部趕回去"]) {
      expect(rulesOnly.moderate({ kind: "comment", text }).reasons, text).toEqual([]);
      expect(score(text), text).toBeGreaterThanOrEqual(threshold);
      expect(score([...text].join(" ")), text).toBeGreaterThanOrEqual(threshold);
      expect(score([...text].join(".")), text).toBeGreaterThanOrEqual(threshold);
    }
  });

  it("names a category for an abusive text, among those it is asked for", () => {
    const abuse = ["insult", "profanity", "hate", "sexual_harassment", "threat"] as const;
    expect(classifier.categoryOf(rulesOnly.classifierText("那個女主播就是靠陪睡上位的，騷到不行"), abuse)).toBe("sexual_harassment");
    expect(classifier.categoryOf(rulesOnly.classifierText("你再亂寫，我就去報社門口堵你，給你好看"), abuse)).toBe("threat");
    expect(classifier.categoryOf(rulesOnly.classifierText("你再亂寫，我就去報社門口堵你，給你好看"), ["insult", "hate"])).not.toBe("threat");
  });

  it("is under 5 MB and names its version", () => {
    expect(statSync(MODEL_PATH).size).toBeLessThan(5 * 1024 * 1024);
    expect(file.version).toMatch(/^model-[0-9a-f]{12}$/);
  });

  it("is what npm run train makes from the same data: training is deterministic", () => {
    const output = join(scratch, "model.json");
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/train.ts", "--output", output], { cwd: root, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(output, "utf8")).toBe(readFileSync(MODEL_PATH, "utf8"));
  });
});
