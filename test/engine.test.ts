import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidTaiwanIdNumber, passesLuhn } from "../src/moderation/detectors.ts";
import { createModerator } from "../src/moderation/moderate.ts";
import { normalize, toOriginal } from "../src/moderation/normalize.ts";
import { loadRuleSet } from "../src/moderation/rules.ts";
import { readEngineRuleFiles } from "../src/rules-on-disk.ts";

const ruleSet = loadRuleSet(readEngineRuleFiles());
const moderator = createModerator(ruleSet);
const options = { leetCharacters: ruleSet.substitutions.leetCharacters };
const moderate = (text: string, kind: "comment" | "tag" | "nickname" = "comment") => moderator.moderate({ kind, text });

describe("evasions are caught, with the span in the original text and the term they spell", () => {
  it.each([
    ["幹 你 娘", "幹 你 娘", "幹你娘"],
    ["你們幹.你.娘", "幹.你.娘", "幹你娘"],
    ["幹！你！娘！", "幹！你！娘", "幹你娘"],
    ["ｆｕｃｋ you", "ｆｕｃｋ", "fuck"],
    ["FUCK this", "FUCK", "fuck"],
    ["fuuuuck", "fuuuuck", "fuck"],
    ["f*ck", "f*ck", "fuck"],
    ["ㄍㄢˋ你娘", "ㄍㄢˋ你娘", "幹你娘"],
    ["干你娘", "干你娘", "幹你娘"],
    ["姦妳娘", "姦妳娘", "幹你娘"],
    ["幹\u200b你\u200b娘", "幹\u200b你\u200b娘", "幹你娘"],
    ["真的很機8", "機8", "機掰"],
    ["G8人", "G8", "機掰"],
    ["你怎麼不去4", "去4", "去死"],
    ["靠ㄅㄟ", "靠ㄅㄟ", "靠北"],
    ["nmsl", "nmsl", "nmsl"],
    ["你是sb嗎", "sb", "傻逼"],
    ["what a sh1t", "sh1t", "shit"],
    ["草泥馬的", "草泥馬", "操你媽"],
    ["操你妈", "操你妈", "操你媽"],
    ["这个人就是个白痴", "白痴", "白癡"],
  ])("%s", (text, spanText, term) => {
    const verdict = moderate(text);
    expect(verdict.action).not.toBe("allow");
    const spans = verdict.reasons.flatMap((reason) => reason.spans);
    const span = spans.find((s) => s.term === term);
    expect(span, JSON.stringify(spans)).toBeDefined();
    expect(span!.text).toBe(spanText);
    expect(text.slice(span!.start, span!.end)).toBe(spanText);
  });

  it("幹 standing alone is held for review", () => {
    expect(moderate("幹，又漲價了").action).toBe("review");
    expect(moderate("幹 這什麼爛政策").action).toBe("review");
  });
});

describe("ordinary words that contain an insult pass", () => {
  it.each([
    "幹部會議今天召開",
    "他是很能幹的人",
    "能幹的小王",
    "颱風吹斷了樹幹",
    "你在幹嘛",
    "幹細胞研究有新進展",
    "我騎機車上班",
    "機車騎士請戴安全帽",
    "白吃白喝不好吧",
    "身心障礙團體關心智障者權益",
    "這款去死皮凝膠很好用",
    "我们一起干活吧",
    "干杯！",
    "餅乾很好吃",
    "低能耗的冷氣比較省電",
    "回收站推廣廢物利用",
    "他很能幹。你娘家在哪裡",
    "去4樓開會",
    "usb 充電線",
    "靠北邊走比較快",
    "這次體操你有看嗎",
    "強姦案的被告今天出庭",
    "機車的停車格不夠",
  ])("%s", (text) => {
    const verdict = moderate(text);
    expect(verdict.reasons, JSON.stringify(verdict.reasons)).toEqual([]);
  });
});

describe("personal data, illegal trade and threats (R1)", () => {
  it.each([
    ["我的身分證是A123456789", "R1-national-id-number", "A123456789"],
    ["居留證 A800000014", "R1-national-id-number", "A800000014"],
    ["他的電話0912-345-678快打", "R1-phone-number", "0912-345-678"],
    ["打 (02) 2345-6789", "R1-phone-number", "(02) 2345-6789"],
    ["寄到 someone@example.com.tw", "R1-email-address", "someone@example.com.tw"],
    ["卡號 4111 1111 1111 1111", "R1-payment-card-number", "4111 1111 1111 1111"],
    ["他住台北市信義區松仁路100號5樓", "R1-street-address", "台北市信義區松仁路100號5樓"],
    ["有興趣加賴 line id：abc123", "R1-line-solicitation", "line id：abc123"],
    ["老師帶單保證獲利", "R1-investment-scam", "保證獲利"],
    ["線上娛樂城首儲送", "R1-gambling", "線上娛樂城"],
    ["咖啡包便宜賣", "R1-drug-sales", "咖啡包"],
    ["我要殺了你", "R1-threat-explicit", "我要殺了你"],
  ])("%s → %s", (text, ruleId, spanText) => {
    const reason = moderate(text).reasons.find((r) => r.ruleId === ruleId);
    expect(reason, JSON.stringify(moderate(text).reasons)).toBeDefined();
    expect(reason!.forumRule).toBe("R1");
    expect(reason!.spans.map((s) => s.text)).toContain(spanText);
  });

  it("full-width digits count as digits", () => {
    expect(moderate("電話０９１２３４５６７８").reasons.map((r) => r.ruleId)).toContain("R1-phone-number");
  });

  it("zero-width characters written inside a number do not hide it; the span is what the member wrote", () => {
    const phone = "0912\u200b345\u200b678";
    const reason = moderate(`我的電話${phone} 歡迎聯絡`).reasons.find((r) => r.ruleId === "R1-phone-number");
    expect(reason?.spans.map((s) => s.text)).toEqual([phone]);
    expect(moderate("寄信到 ab\u00adc@example.com").reasons.map((r) => r.ruleId)).toContain("R1-email-address");
    // The number-slang patterns read the same view.
    expect(moderate("你們這群426\u200b滾回去").reasons.map((r) => r.ruleId)).toContain("R2-dehumanizing-slur");
  });

  it("numbers that fail their checksum are not personal data", () => {
    expect(moderate("編號A123456788").reasons).toEqual([]);
    expect(moderate("訂單 4111 1111 1111 1112").reasons).toEqual([]);
    expect(moderate("2026年11月28日有1234人參加").reasons).toEqual([]);
  });

  it("checks the ID and Luhn arithmetic", () => {
    expect(isValidTaiwanIdNumber("A123456789")).toBe(true);
    expect(isValidTaiwanIdNumber("a123456789")).toBe(true);
    expect(isValidTaiwanIdNumber("A223456789")).toBe(false);
    expect(isValidTaiwanIdNumber("A800000014")).toBe(true);
    expect(passesLuhn("79927398713")).toBe(true);
    expect(passesLuhn("79927398710")).toBe(false);
  });
});

describe("nickname hooks (R4)", () => {
  it("refuses staff impersonation in nicknames only", () => {
    expect(moderate("官方小編", "nickname").reasons.map((r) => r.ruleId)).toEqual(["R4-staff-impersonation"]);
    expect(moderate("請問官方小編在嗎", "comment").reasons).toEqual([]);
  });
});

describe("properties", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.array(fc.constantFrom("幹", "你", "娘", " ", ".", "！", "\u200b", "\u202e", "ˋ", "ㄍ", "ㄢ", "8", "機", "f", "u", "*", "c", "k", "\ud800", "😡", "Ａ"), { maxLength: 30 }).map((chars) => chars.join("")),
  );

  it("normalization never throws and maps every canonical unit inside the original", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const normalized = normalize(text, options);
        expect(normalized.originStart).toHaveLength(normalized.text.length);
        expect(normalized.gapBefore).toHaveLength(normalized.text.length);
        for (let i = 0; i < normalized.text.length; i++) {
          const [start, end] = toOriginal(normalized, i, i + 1);
          expect(0 <= start && start < end && end <= text.length).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("spans lie inside the original, are what they say, and cover whole characters", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const reason of moderate(text).reasons) {
          for (const span of reason.spans) {
            expect(0 <= span.start && span.start < span.end && span.end <= text.length).toBe(true);
            expect(text.slice(span.start, span.end)).toBe(span.text);
            // Never half a surrogate pair.
            expect(/^[\udc00-\udfff]/.test(span.text) || /[\ud800-\udbff]$/.test(span.text)).toBe(false);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a term with separators inserted between its characters is still found, and its span covers them", () => {
    const separators = fc.constantFrom(" ", ".", "！", "、", "\u3000", "_", "~");
    fc.assert(
      fc.property(fc.constantFrom("幹你娘", "操你媽", "死全家"), separators, fc.string({ maxLength: 5, unit: "grapheme-ascii" }), (term, separator, prefix) => {
        const spaced = [...term].join(separator);
        const text = `${prefix} ${spaced}`;
        const spans = moderate(text).reasons.flatMap((r) => r.spans);
        expect(spans.some((s) => s.text === spaced && s.term === term)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
