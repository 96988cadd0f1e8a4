import type { Moderator } from "../moderation/moderate.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { NicknameRules } from "./rules.ts";

export type NicknameOutcome = "allow" | "review" | "reject";

/** The answer to "may I use this nickname?", with a stable code and a zh-TW message when it is not a plain yes. */
export interface NicknameScreen {
  outcome: NicknameOutcome;
  code: string | null;
  message: string | null;
  verdict: Verdict | null;
  /** The comparison key (see nicknameKey); null when the nickname is malformed. */
  key: string | null;
}

// Control, format (zero-width, bidi overrides such as U+202E), private-use, unassigned and lone surrogates.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u;
// Letters, marks, digits, spaces and a few joiners people use in names.
const ALLOWED = /^[\p{L}\p{M}\p{N} _\-.·・]+$/u;

/**
 * How confusion sees a nickname: its canonical form (the engine's normalization: width, case, script,
 * separators dropped) with look-alike characters folded, so 管理員, 管 理 員 and 管理员 are one key, and so are 0scar and Oscar.
 */
export function nicknameKey(canonical: string, rules: NicknameRules): string {
  let key = "";
  for (const char of canonical) key += rules.lookalikes.get(char) ?? char;
  return key;
}

/** The key and every way of deleting one character from it: keys within edit distance 1 share one. */
export function deletionNeighbors(key: string): string[] {
  const chars = [...key];
  const variants = new Set<string>([key]);
  for (let i = 0; i < chars.length; i++) variants.add([...chars.slice(0, i), ...chars.slice(i + 1)].join(""));
  return [...variants];
}

// Codes by rule: what the member is told went wrong.
function codeOf(ruleId: string): { code: string; message: string } {
  if (ruleId === "R4-staff-impersonation") return { code: "nickname_impersonates_staff", message: "暱稱不得冒用本站或管理人員的名義" };
  if (ruleId.startsWith("R4-public-figure")) return { code: "nickname_impersonates_public_figure", message: "暱稱不得冒用公眾人物的名義" };
  if (/^R1-(national-id|payment-card|phone|email|street-address)/.test(ruleId)) {
    return { code: "nickname_personal_data", message: "暱稱不得含有電話、身分證字號、電子郵件等個人資料" };
  }
  if (ruleId.startsWith("R2-")) return { code: "nickname_abusive", message: "暱稱不得含有謾罵、髒話或穢言" };
  return { code: "nickname_not_allowed", message: "暱稱違反討論區規則第四條" };
}

/** Everything about a nickname that needs no database: length, characters, and the engine's rules. */
export function screenNicknameText(nickname: string, moderator: Moderator, rules: NicknameRules): NicknameScreen {
  const chars = [...nickname].length;
  const refuse = (code: string, message: string): NicknameScreen => ({ outcome: "reject", code, message, verdict: null, key: null });
  if (FORBIDDEN.test(nickname)) return refuse("nickname_invalid_characters", "暱稱含有不可見或控制字元");
  if (chars < rules.minChars) return refuse("nickname_too_short", `暱稱至少 ${rules.minChars} 個字`);
  if (chars > rules.maxChars) return refuse("nickname_too_long", `暱稱最多 ${rules.maxChars} 個字`);

  // The rules come before the character check so that an e-mail address is refused as personal data.
  const normalized = moderator.normalized(nickname);
  const verdict = moderator.moderate({ kind: "nickname", text: nickname }, normalized);
  // A nickname is never the place for contact or identity data, whatever the rule does in a comment.
  const personal = verdict.reasons.find((r) => codeOf(r.ruleId).code === "nickname_personal_data");
  const decisive = personal ?? verdict.reasons.find((r) => r.action === verdict.action);
  const outcome = personal ? "reject" : verdict.action;
  if (outcome !== "allow" && decisive) {
    const { code, message } = codeOf(decisive.ruleId);
    if (outcome === "reject") return { outcome, code, message, verdict, key: null };
    if (!ALLOWED.test(nickname)) return refuse("nickname_invalid_characters", "暱稱只能使用文字、數字、空格與 _ - . ·");
    return { outcome, code, message: `${message}（將由管理員審核）`, verdict, key: nicknameKey(normalized.text, rules) };
  }
  if (!ALLOWED.test(nickname)) return refuse("nickname_invalid_characters", "暱稱只能使用文字、數字、空格與 _ - . ·");
  const key = nicknameKey(normalized.text, rules);
  if ([...key].length < rules.minChars) return refuse("nickname_too_short", `暱稱至少 ${rules.minChars} 個字`);
  return { outcome: "allow", code: null, message: null, verdict, key };
}

