import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { findTag, type TagRow } from "../db/tags.ts";
import type { Moderator } from "../moderation/moderate.ts";
import { reasonsForAuthor } from "../moderation/verdict.ts";
import type { Policy } from "../policy.ts";
import * as engine from "./engine.ts";
import { meaninglessReason } from "./meaningless.ts";
import { runDatabasePhases, runTextPhases, startScreening, verdictOf, type DatabasePhase, type ScreeningList, type Screening, type TextPhase } from "./phase.ts";
import { TagCorpus, type Relatedness } from "./relatedness.ts";

export interface TagScreening extends Screening {
  /** The tag already on the article under the same canonical label (a member supports it). */
  existing: TagRow | null;
  relatedness: Relatedness | null;
  /** Held for a moderator: the rules hold it, or its relatedness to the article is unsure. */
  pending: boolean;
}

type TagLimits = Policy["tags"];
export interface TagTextEnv {
  moderator: Moderator;
  limits: TagLimits;
}
export interface TagDatabaseEnv {
  db: Kysely<Database>;
  articleId: string;
  limits: TagLimits;
  loadCorpus: (db: Kysely<Database>, size: number) => Promise<TagCorpus>;
}

/** Shorter or longer than rules/policy.yaml allows (400). */
const length: TextPhase<TagScreening, TagTextEnv> = {
  name: "length",
  run(state, { limits }) {
    const chars = [...state.subject.text].length;
    if (chars >= limits.minChars && chars <= limits.maxChars) return state;
    const message = `標籤須為 ${limits.minChars} 到 ${limits.maxChars} 個字`;
    return { ...state, refusal: { status: 400, code: "tag_length", message, details: { minChars: limits.minChars, maxChars: limits.maxChars, chars } } };
  },
};

/** Says nothing (forum rule R3): laughter, keyboard runs, Zhuyin alone (meaningless.ts). */
const meaningless: TextPhase<TagScreening, TagTextEnv> = {
  name: "meaningless",
  run(state) {
    const reason = meaninglessReason(state.subject.text);
    if (!reason) return state;
    return { ...state, refusal: { status: 422, code: "tag_meaningless", message: `${reason}，違反討論區規則第三條`, details: { forumRule: "R3" } } };
  },
};

/** A tag the rules reject is refused (422) rather than stored removed: a tag is a label, not a comment. */
const rejected: TextPhase<TagScreening, TagTextEnv> = {
  name: "rejected",
  run(state) {
    const verdict = verdictOf(state);
    if (verdict.action !== "reject") return state;
    const reasons = reasonsForAuthor(verdict.reasons);
    return { ...state, refusal: { status: 422, code: "tag_rejected", message: reasons[0]!.message, details: { forumRule: reasons[0]!.forumRule, reasons } } };
  },
};

/** The same label already on the article: supported as it is, or 409 when a moderator removed it. */
const alreadyOnArticle: DatabasePhase<TagScreening, TagDatabaseEnv> = {
  name: "already on the article",
  async run(state, { db, articleId }) {
    const existing = await findTag(db, articleId, state.normalized!.text);
    if (existing?.status === "removed") {
      return { ...state, existing, refusal: { status: 409, code: "tag_removed", message: "這個標籤已被管理員移除", details: { tagId: existing.id } } };
    }
    return { ...state, existing: existing ?? null };
  },
};

/**
 * Forum rule R3 against the newest articles (relatedness.ts): a new tag's similarity to its article among
 * them. Supporting a tag already there needs no check.
 */
const corpusRelatedness: DatabasePhase<TagScreening, TagDatabaseEnv> = {
  name: "relatedness to the article among the newest articles",
  async run(state, { db, articleId, limits, loadCorpus }) {
    if (state.existing) return judged(state, { kind: "word" }, limits);
    const corpus = await loadCorpus(db, limits.corpusArticles);
    return judged(state, corpus.relatedness(articleId, state.normalized!.text), limits);
  },
};

/**
 * Forum rule R3 against one article's text given with the tag (the batch command's lines carry it): the
 * article alone is the corpus, so a tag that is not one of its words is unsure, as the API holds it.
 */
export const givenArticleRelatedness: TextPhase<TagScreening, TagTextEnv & { article: string }> = {
  name: "relatedness to the given article",
  run(state, { moderator, limits, article }) {
    const corpus = new TagCorpus([{ id: "article", text: article }], moderator);
    return judged(state, corpus.relatedness("article", state.normalized!.text), limits);
  },
};

/** Refused below `unsureAt` (422), held when unsure or when the rules hold it, published otherwise. */
function judged(state: TagScreening, relatedness: Relatedness, limits: TagLimits): TagScreening {
  if (relatedness.kind === "similar" && relatedness.similarity < limits.unsureAt) {
    const message = "標籤與文章內容無關，違反討論區規則第三條";
    return { ...state, relatedness, refusal: { status: 422, code: "tag_unrelated", message, details: { forumRule: "R3", relatedness: relatednessView(relatedness) } } };
  }
  const unsure = relatedness.kind === "unknown" || (relatedness.kind === "similar" && relatedness.similarity < limits.relatedAt);
  return { ...state, relatedness, pending: verdictOf(state).action === "review" || unsure };
}

/**
 * How a tag is screened, in order. The batch command (npm run moderate -- --kind tag) runs the text phases
 * and, when a line carries its article, `givenArticleRelatedness` in place of the database phases.
 */
export const TAG_SCREENING: ScreeningList<TagScreening, TagTextEnv, TagDatabaseEnv> = {
  text: [length, meaningless, engine.normalize, engine.rules, engine.classifier, rejected],
  database: [alreadyOnArticle, corpusRelatedness],
};

export function screenTagText(label: string, env: TagTextEnv): TagScreening {
  const start: TagScreening = { ...startScreening({ kind: "tag", text: label }), existing: null, relatedness: null, pending: false };
  const state = runTextPhases(TAG_SCREENING.text, start, env);
  // Held by the rules alone until a relatedness phase says more.
  return state.refusal ? state : { ...state, pending: verdictOf(state).action === "review" };
}

export function screenTagStored(state: TagScreening, env: TagDatabaseEnv): Promise<TagScreening> {
  return runDatabasePhases(TAG_SCREENING.database, state, env);
}

export function relatednessView(relatedness: Relatedness) {
  return relatedness.kind === "similar"
    ? { kind: relatedness.kind, similarity: Number(relatedness.similarity.toFixed(4)), supportingArticles: relatedness.supportingArticles }
    : { kind: relatedness.kind };
}
