import type { Kysely, Transaction } from "kysely";
import { DamerauLevenshteinDistance } from "natural/lib/natural/distance/index.js";
import type { NicknameRules } from "../nicknames/rules.ts";
import type { Database } from "./schema.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** The key and every way of deleting one character from it: keys within edit distance 1 share one. */
export function deletionNeighbors(key: string): string[] {
  const chars = [...key];
  const variants = new Set<string>([key]);
  for (let i = 0; i < chars.length; i++) variants.add([...chars.slice(0, i), ...chars.slice(i + 1)].join(""));
  return [...variants];
}

export interface Confusion {
  kind: "same" | "near";
  memberId: string;
  nickname: string;
}

/** A live member whose nickname is the same key, or (for long enough keys) within the near-match distance. */
export async function findConfusion(db: Db, key: string, rules: NicknameRules, exceptMemberId: string): Promise<Confusion | null> {
  const same = await db
    .selectFrom("members")
    .select(["id", "nickname"])
    .where("nickname_key", "=", key)
    .where("status", "<>", "revoked")
    .where("id", "<>", exceptMemberId)
    .executeTakeFirst();
  if (same) return { kind: "same", memberId: same.id, nickname: same.nickname ?? "" };
  if ([...key].length < rules.minCharsForNearMatch || rules.nearMatchDistance === 0) return null;
  const candidates = await db
    .selectFrom("nickname_neighbors")
    .innerJoin("members", "members.id", "nickname_neighbors.member_id")
    .select(["members.id", "members.nickname", "members.nickname_key"])
    .distinct()
    .where("nickname_neighbors.variant", "in", deletionNeighbors(key))
    .where("members.status", "<>", "revoked")
    .where("members.id", "<>", exceptMemberId)
    .limit(50)
    .execute();
  for (const candidate of candidates) {
    if (!candidate.nickname_key) continue;
    const distance = DamerauLevenshteinDistance(key, candidate.nickname_key, { transposition_cost: 1 });
    if (distance <= rules.nearMatchDistance) return { kind: "near", memberId: candidate.id, nickname: candidate.nickname ?? "" };
  }
  return null;
}

/** Sets a member's nickname with its key and neighbour entries (or clears all three). */
export async function setNickname(
  trx: Transaction<Database>,
  memberId: string,
  nickname: { text: string; key: string; status: "approved" | "pending"; rulesVersion: string } | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable("members")
    .set({
      nickname: nickname?.text ?? null,
      nickname_key: nickname?.key ?? null,
      nickname_status: nickname?.status ?? null,
      nickname_rules_version: nickname?.rulesVersion ?? null,
      updated_at: now,
    })
    .where("id", "=", memberId)
    .execute();
  await trx.deleteFrom("nickname_neighbors").where("member_id", "=", memberId).execute();
  if (nickname) {
    await trx
      .insertInto("nickname_neighbors")
      .values(deletionNeighbors(nickname.key).map((variant) => ({ variant, member_id: memberId })))
      .execute();
  }
}

/** Approves the member's nickname. */
export async function approveNickname(db: Db, memberId: string, now: Date): Promise<void> {
  await db.updateTable("members").set({ nickname_status: "approved", updated_at: now }).where("id", "=", memberId).execute();
}
