/**
 * Named detectors for personal data (forum rule R1): formats a term list cannot express, checked with
 * their checksums where they have one so that ordinary numbers do not count. Each returns [start, end)
 * ranges in the text it is given (the detector view from normalize.ts).
 */
export type DetectorName =
  | "taiwan-id-number"
  | "phone-number"
  | "email-address"
  | "payment-card-number"
  | "street-address";

export const DETECTOR_NAMES: DetectorName[] = [
  "taiwan-id-number",
  "phone-number",
  "email-address",
  "payment-card-number",
  "street-address",
];

type Range = [number, number];

// Letter values of the national ID / resident certificate checksum (Ministry of the Interior).
const LETTER_CODES: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

/**
 * National ID (A123456789: second digit 1/2), new-style resident certificate (A800000014: 8/9) and
 * old-style resident certificate (AB12345678: second character A-D, counted by its letter value's last digit).
 */
export function isValidTaiwanIdNumber(value: string): boolean {
  const id = value.toUpperCase();
  if (!/^[A-Z][1289A-D]\d{8}$/.test(id)) return false;
  const area = LETTER_CODES[id[0]!]!;
  const second = /\d/.test(id[1]!) ? Number(id[1]) : LETTER_CODES[id[1]!]! % 10;
  const digits = [Math.floor(area / 10), area % 10, second, ...id.slice(2).split("").map(Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
  const sum = digits.reduce((total, digit, i) => total + digit * weights[i]!, 0);
  return sum % 10 === 0;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function rangesOf(text: string, pattern: RegExp, accept: (match: string) => boolean = () => true): Range[] {
  const ranges: Range[] = [];
  for (const match of text.matchAll(pattern)) {
    if (accept(match[0])) ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

const ID_NUMBER = /(?<![A-Za-z0-9])[A-Za-z][0-9A-Da-d]\d{8}(?![A-Za-z0-9])/g;
// Mobile (09xx-xxx-xxx, +886 9xx xxx xxx) and landline ((02) 2345-6789, 04-2234-5678).
const PHONE =
  /(?<![\d+])(?:(?:\+886[-\s]?|0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}|(?:\(0\d{1,2}\)|0\d{1,2})[-\s]?\d{3,4}[-\s]?\d{4})(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
// 台北市信義區松仁路100號5樓, 中正路二段12巷3弄4號之1: a street, a house number and 號.
const STREET_ADDRESS =
  /[\u4e00-\u9fff]{1,8}?(?:路|街|大道)(?:[一二三四五六七八九十\d]+段)?(?:\d+巷)?(?:\d+弄)?\d+(?:之\d+)?[號号](?:\d+[樓楼](?:之\d+)?)?/g;

// Every format but e-mail has a run of digits; most comments have none, and skip the full patterns.
const DIGITS = /\d{4}/;
const withDigits = (find: (text: string) => Range[]) => (text: string) => (DIGITS.test(text) ? find(text) : []);

export const DETECTORS: Record<DetectorName, (text: string) => Range[]> = {
  "taiwan-id-number": withDigits((text) => rangesOf(text, ID_NUMBER, isValidTaiwanIdNumber)),
  "phone-number": withDigits((text) => rangesOf(text, PHONE)),
  "email-address": (text) => (text.includes("@") ? rangesOf(text, EMAIL) : []),
  "payment-card-number": withDigits((text) =>
    rangesOf(text, CARD, (match) => {
      const digits = match.replace(/[ -]/g, "");
      return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
    }),
  ),
  "street-address": (text) => (/\d\s*[號号]/.test(text) ? rangesOf(text, STREET_ADDRESS) : []),
};
