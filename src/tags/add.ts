import type { Kysely } from "kysely";
import { articlesStamp, newestArticleTexts } from "../db/articles.ts";
import { ensureMember } from "../db/members.ts";
import type { Database } from "../db/schema.ts";
import { addTagInOneTrip, addTagSupporter, countTagSupporters, findTag, insertTag, type TagRow } from "../db/tags.ts";
import { newItemValues } from "../db/review.ts";
import type { Verdict } from "../moderation/verdict.ts";
import type { Moderator } from "../moderation/moderate.ts";
import type { Policy } from "../policy.ts";
import { refusalError } from "../screening/phase.ts";
import { TagCorpus, type Relatedness } from "../screening/relatedness.ts";
import { relatednessView, screenTagStored, screenTagText } from "../screening/tag.ts";
import { holdForReview } from "../review/intake.ts";

/** The relatedness corpus of the newest articles, rebuilt only when an article is added or changed. */
export function corpusCache(moderator: Moderator) {
  let cached: { stamp: string; corpus: TagCorpus } | null = null;
  return async (db: Kysely<Database>, size: number): Promise<TagCorpus> => {
    const stamp = await articlesStamp(db);
    if (cached?.stamp === stamp) return cached.corpus;
    const corpus = new TagCorpus(await newestArticleTexts(db, size), moderator);
    cached = { stamp, corpus };
    return corpus;
  };
}

/** Why a held tag waits: the rules' forum rules when they hold it, else forum rule R3 (relatedness unsure). */
function holdOf(verdict: Verdict): { forumRules: string[]; severity: "medium" | "low" } {
  return verdict.action === "review" ? { forumRules: verdict.reasons.map((r) => r.forumRule), severity: "medium" } : { forumRules: ["R3"], severity: "low" };
}

export interface AddedTag {
  row: TagRow;
  /** A new tag on the article (not a member supporting one already there). */
  created: boolean;
  alreadySupported: boolean;
  supporters: number;
  relatedness: Relatedness;
}

/**
 * A member adds a tag to an article, or supports one already there: screened (forum rule R3 and the
 * rules), stored published or held with a review item, and counted as the member's support, all at once:
 * in one statement (db/tags.ts addTagInOneTrip), or in one transaction when a concurrent request inserted
 * the same label first. Refusals are ApiErrors (the route answers them as they are).
 */
export async function addTag(
  db: Kysely<Database>,
  policy: Policy,
  moderator: Moderator,
  loadCorpus: ReturnType<typeof corpusCache>,
  input: { articleId: string; memberId: string; label: string; now: Date },
): Promise<AddedTag> {
  const { articleId, memberId, label, now } = input;
  const limits = policy.tags;
  const read = screenTagText(label, { moderator, limits });
  if (read.refusal) throw refusalError(read.refusal);
  const screened = await screenTagStored(read, { db, articleId, limits, loadCorpus });
  if (screened.refusal) throw refusalError(screened.refusal);
  const verdict = screened.verdict!;
  const relatedness = screened.relatedness!;
  const tag: ScreenedTag = {
    articleId,
    memberId,
    existing: screened.existing,
    label,
    labelKey: screened.normalized!.text,
    pending: screened.pending,
    verdict,
    detail: { ...verdict, relatedness: relatednessView(relatedness) },
    now,
  };
  const hold = holdOf(verdict);
  const oneTrip = await addTagInOneTrip(db, {
    articleId,
    memberId,
    existingId: tag.existing?.id ?? null,
    label,
    labelKey: tag.labelKey,
    status: tag.pending ? "pending" : "published",
    verdict: tag.detail,
    rulesVersion: verdict.rulesVersion,
    hold: tag.pending ? { ...hold, ...newItemValues(policy, { ...hold, reportWeight: 0, now }), detail: tag.detail } : null,
    now,
  });
  if (oneTrip) return { row: oneTrip.row, created: oneTrip.created, alreadySupported: !oneTrip.supported, supporters: oneTrip.supporters, relatedness };
  return { ...(await storeTagInTransaction(db, policy, tag)), relatedness };
}

/** A tag as screening left it, ready to be stored. */
export interface ScreenedTag {
  articleId: string;
  memberId: string;
  /** The tag under this label that screening found on the article, if any. */
  existing: TagRow | null;
  label: string;
  labelKey: string;
  pending: boolean;
  verdict: Verdict;
  /** The verdict with the tag's relatedness, as the tag and its review item record it. */
  detail: unknown;
  now: Date;
}

/**
 * The tag stored in one transaction of several statements: what addTag does when the one statement finds
 * that a concurrent request inserted the same label first (it then supports that tag).
 */
export async function storeTagInTransaction(db: Kysely<Database>, policy: Policy, tag: ScreenedTag): Promise<Omit<AddedTag, "relatedness">> {
  const { articleId, memberId, existing, label, labelKey, pending, verdict, detail, now } = tag;
  return db.transaction().execute(async (trx) => {
    await ensureMember(trx, memberId, now);
    const inserted = existing
      ? undefined
      : await insertTag(trx, { articleId, label, labelKey, status: pending ? "pending" : "published", verdict: detail, rulesVersion: verdict.rulesVersion, createdBy: memberId, now });
    const created = inserted !== undefined;
    // A concurrent request may have inserted the same label first: support that one.
    const row = existing ?? inserted ?? (await findTag(trx, articleId, labelKey))!;
    if (created && pending) await holdForReview(trx, policy, { subjectKind: "tag", subjectId: row.id, detail, ...holdOf(verdict), now });
    const supported = await addTagSupporter(trx, row.id, memberId, now);
    return { row, created, alreadySupported: !supported, supporters: await countTagSupporters(trx, row.id) };
  });
}
