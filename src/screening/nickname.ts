import type { Kysely } from "kysely";
import { findConfusion } from "../db/nicknames.ts";
import type { Database } from "../db/schema.ts";
import type { Moderator } from "../moderation/moderate.ts";
import { reasonsForAuthor, verdictAction, type Reason, type Verdict } from "../moderation/verdict.ts";
import type { NicknameRules } from "../nicknames/rules.ts";
import { confusableSkeleton, skeletonToOriginal } from "../nicknames/skeleton.ts";
import * as engine from "./engine.ts";
import { runDatabasePhases, runTextPhases, startScreening, verdictOf, type DatabasePhase, type ScreeningList, type Screening, type TextPhase } from "./phase.ts";

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

export interface NicknameScreening extends Screening {
  /** Allowed, or held for a moderator with `code` and `message` saying why (a refusal says its own). */
  outcome: "allow" | "review";
  code: string | null;
  message: string | null;
  /** The comparison key (nicknameKey), once the key phase has run. */
  key: string | null;
  /** The live member whose nickname this one is the same as or confusable with. */
  similarTo: { memberId: string; nickname: string } | null;
}

export interface NicknameTextEnv {
  moderator: Moderator;
  nicknameRules: NicknameRules;
}
export interface NicknameDatabaseEnv {
  db: Kysely<Database>;
  nicknameRules: NicknameRules;
  /** The member asking: their own current nickname is not a confusion. */
  memberId: string;
}

const refuse = (state: NicknameScreening, status: 400 | 409 | 422, code: string, message: string): NicknameScreening => ({
  ...state,
  refusal: { status, code, message },
});

/** Control, format (zero-width, bidi overrides), private-use and unassigned characters (400). */
const invisibleCharacters: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "invisible characters",
  run: (state) => (FORBIDDEN.test(state.subject.text) ? refuse(state, 400, "nickname_invalid_characters", "暱稱含有不可見或控制字元") : state),
};

/** Fewer or more characters than rules/nicknames.yaml allows (400). */
const length: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "length",
  run(state, { nicknameRules }) {
    const chars = [...state.subject.text].length;
    if (chars < nicknameRules.minChars) return refuse(state, 400, "nickname_too_short", `暱稱至少 ${nicknameRules.minChars} 個字`);
    if (chars > nicknameRules.maxChars) return refuse(state, 400, "nickname_too_long", `暱稱最多 ${nicknameRules.maxChars} 個字`);
    return state;
  },
};

/** Staff and public-figure names written with look-alike characters (Cyrillic а, 管理貟) join the verdict. */
const lookalikes: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "look-alike impersonation",
  run: (state, { moderator, nicknameRules }) => ({
    ...state,
    verdict: withLookalikeImpersonation(state.subject.text, verdictOf(state), moderator, nicknameRules),
  }),
};

/**
 * What the verdict means for a nickname: refused (422) when the rules reject it or it carries personal
 * data (never the place for contact or identity data, whatever the rule does in a comment), held when
 * they hold it. The decisive reason names the code the member is told.
 */
const outcome: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "outcome",
  run(state) {
    const verdict = verdictOf(state);
    const personal = verdict.reasons.find((r) => codeOf(r.ruleId).code === "nickname_personal_data");
    const decisive = personal ?? verdict.reasons.find((r) => r.action === verdict.action);
    const action = personal ? "reject" : verdict.action;
    if (action === "allow" || !decisive) return state;
    const { code, message } = codeOf(decisive.ruleId);
    if (action === "reject") return refuse(state, 422, code, message);
    return { ...state, outcome: "review", code, message: `${message}（將由管理員審核）` };
  },
};

/** Only letters, digits, spaces and a few joiners (400); after the rules, so an e-mail address is refused as personal data. */
const characters: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "characters",
  run: (state) => (ALLOWED.test(state.subject.text) ? state : refuse(state, 400, "nickname_invalid_characters", "暱稱只能使用文字、數字、空格與 _ - . ·")),
};

/** The comparison key; an allowed nickname whose key is too short (only separators and joiners) is refused (400). */
const key: TextPhase<NicknameScreening, NicknameTextEnv> = {
  name: "key",
  run(state, { moderator, nicknameRules }) {
    const keyed = { ...state, key: nicknameKey(state.subject.text, moderator, nicknameRules) };
    if (state.outcome === "allow" && [...keyed.key].length < nicknameRules.minChars) {
      return refuse(keyed, 400, "nickname_too_short", `暱稱至少 ${nicknameRules.minChars} 個字`);
    }
    return keyed;
  },
};

/** Another live member's nickname with the same key is refused (409); a near one is held for a moderator. */
const taken: DatabasePhase<NicknameScreening, NicknameDatabaseEnv> = {
  name: "taken",
  async run(state, { db, nicknameRules, memberId }) {
    const confusion = await findConfusion(db, state.key!, nicknameRules, memberId);
    if (!confusion) return state;
    const similarTo = { memberId: confusion.memberId, nickname: confusion.nickname };
    if (confusion.kind === "same") return refuse({ ...state, similarTo }, 409, "nickname_taken", `暱稱與其他會員的「${confusion.nickname}」相同或難以分辨`);
    if (state.outcome === "review") return { ...state, similarTo };
    return { ...state, similarTo, outcome: "review", code: "nickname_similar", message: `暱稱與其他會員的「${confusion.nickname}」相似，將由管理員審核` };
  },
};

/** How a nickname is screened, in order. The batch command (npm run moderate -- --kind nickname) runs the text phases. */
export const NICKNAME_SCREENING: ScreeningList<NicknameScreening, NicknameTextEnv, NicknameDatabaseEnv> = {
  text: [invisibleCharacters, length, engine.normalize, engine.rules, engine.classifier, lookalikes, outcome, characters, key],
  database: [taken],
};

export function screenNicknameText(nickname: string, env: NicknameTextEnv): NicknameScreening {
  const start: NicknameScreening = { ...startScreening({ kind: "nickname", text: nickname }), outcome: "allow", code: null, message: null, key: null, similarTo: null };
  return runTextPhases(NICKNAME_SCREENING.text, start, env);
}

/** Every phase: the text ones, then the comparison with every live member's nickname. */
export async function screenNickname(nickname: string, env: NicknameTextEnv & NicknameDatabaseEnv): Promise<NicknameScreening> {
  return runDatabasePhases(NICKNAME_SCREENING.database, screenNicknameText(nickname, env), env);
}

/** The answer to "may I use this nickname?": the outcome with a stable code and a zh-TW message when it is not a plain yes. */
export function nicknameAnswer(state: NicknameScreening) {
  return {
    outcome: state.refusal ? ("reject" as const) : state.outcome,
    code: state.refusal?.code ?? state.code,
    message: state.refusal?.message ?? state.message,
    reasons: reasonsForAuthor(state.verdict?.reasons ?? []),
    similarTo: state.similarTo?.nickname ?? null,
  };
}
