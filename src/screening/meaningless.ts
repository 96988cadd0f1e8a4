/**
 * Tags that say nothing (forum rule R3): the reason in zh-TW, or null for a tag that may mean something.
 */
const ZHUYIN_ONLY = /^[\p{Script=Bopomofo}\u02ca\u02c7\u02cb\u02d9\s]+$/u;
const KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"];

function isKeyboardRun(letters: string): boolean {
  if (letters.length < 4) return false;
  return KEYBOARD_ROWS.some((row) => row.includes(letters) || [...row].reverse().join("").includes(letters));
}

export function meaninglessReason(label: string): string | null {
  const compact = label.replace(/\s+/gu, "").toLowerCase();
  if (!/\p{L}/u.test(compact)) return "標籤只有標點、符號、表情或數字";
  if (ZHUYIN_ONLY.test(compact)) return "標籤只有注音符號";
  const chars = [...compact];
  if (chars.length >= 2 && chars.every((char) => char === chars[0])) return "標籤只是重複同一個字";
  if (chars.length >= 4 && chars.length % 2 === 0) {
    const unit = chars.slice(0, 2).join("");
    if (compact === unit.repeat(chars.length / 2)) return "標籤只是重複同一組字";
  }
  if (/^[a-z]+$/.test(compact)) {
    if (isKeyboardRun(compact)) return "標籤看起來是亂按鍵盤";
    if (compact.length >= 5 && !/[aeiouy]/.test(compact)) return "標籤看起來是亂按鍵盤";
  }
  return null;
}
