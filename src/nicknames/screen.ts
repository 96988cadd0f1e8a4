import type { Moderator } from "../moderation/moderate.ts";
import { verdictAction, type Reason, type Verdict } from "../moderation/verdict.ts";
import type { NicknameRules } from "./rules.ts";
import { confusableSkeleton, skeletonToOriginal } from "./skeleton.ts";

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
// Letters, marks, digits, spaces (a full-width space too: IMEs type it) and a few joiners people use in names.
const ALLOWED = /^[\p{L}\p{M}\p{N} \u3000_\-.·・]+$/u;

/**
 * How confusion sees a nickname: its confusables skeleton (UTS #39: Cyrillic а, Greek Α, marks dropped;
 * see skeleton.ts) in the engine's canonical form (width, case, script, separators dropped), with the
 * look-alike characters of rules/nicknames.yaml folded, so 管理員, 管 理 員, 管理员 and 管理貟 are one key,
 * and so are 0scar, Оscar (Cyrillic О) and Oscar. For ASCII and Chinese text the key is what it was before
 * the skeleton, save for the Han look-alikes added to the table.
 */
export function nicknameKey(nickname: string, moderator: Moderator, rules: NicknameRules): string {
  const skeleton = confusableSkeleton(nickname, rules.lookalikes, { joinLatin: false, keepTableCharacters: true });
  let key = "";
  for (const char of moderator.canonical(skeleton.text)) key += rules.lookalikes.get(char) ?? char;
  return key;
}

/**
 * The verdict with the staff and public-figure hits of the nickname's skeleton added: the engine reads
 * the skeleton (Cyrillic а, Greek Α, ad min and 管理貟 read admin and 管理員) as a second text, and its
 * impersonation reasons join the verdict with their spans mapped back to the characters as written. Only
 * impersonation is taken from it: abuse and personal data are the engine's own business on the original.
 */
function withLookalikeImpersonation(nickname: string, verdict: Verdict, moderator: Moderator, rules: NicknameRules): Verdict {
  const skeleton = confusableSkeleton(nickname, rules.lookalikes, { joinLatin: true, keepTableCharacters: false });
  if (skeleton.text === nickname) return verdict;
  const seen = new Set(verdict.reasons.map((r) => r.ruleId));
  const added: Reason[] = moderator
    .moderate({ kind: "nickname", text: skeleton.text })
    .reasons.filter((reason) => reason.category === "impersonation" && reason.forumRule === "R4" && !seen.has(reason.ruleId))
    .map((reason) => ({
      ...reason,
      spans: reason.spans.map(({ start, end, term }) => {
        const [from, to] = skeletonToOriginal(skeleton, start, end);
        return { start: from, end: to, text: nickname.slice(from, to), ...(term === undefined ? {} : { term }) };
      }),
    }));
  if (added.length === 0) return verdict;
  const reasons = [...verdict.reasons, ...added];
  return { ...verdict, reasons, action: verdictAction(reasons) };
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
  const verdict = withLookalikeImpersonation(nickname, moderator.moderate({ kind: "nickname", text: nickname }), moderator, rules);
  // A nickname is never the place for contact or identity data, whatever the rule does in a comment.
  const personal = verdict.reasons.find((r) => codeOf(r.ruleId).code === "nickname_personal_data");
  const decisive = personal ?? verdict.reasons.find((r) => r.action === verdict.action);
  const outcome = personal ? "reject" : verdict.action;
  if (outcome !== "allow" && decisive) {
    const { code, message } = codeOf(decisive.ruleId);
    if (outcome === "reject") return { outcome, code, message, verdict, key: null };
    if (!ALLOWED.test(nickname)) return refuse("nickname_invalid_characters", "暱稱只能使用文字、數字、空格與 _ - . ·");
    return { outcome, code, message: `${message}（將由管理員審核）`, verdict, key: nicknameKey(nickname, moderator, rules) };
  }
  if (!ALLOWED.test(nickname)) return refuse("nickname_invalid_characters", "暱稱只能使用文字、數字、空格與 _ - . ·");
  const key = nicknameKey(nickname, moderator, rules);
  if ([...key].length < rules.minChars) return refuse("nickname_too_short", `暱稱至少 ${rules.minChars} 個字`);
  return { outcome: "allow", code: null, message: null, verdict, key };
}

