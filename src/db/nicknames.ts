import { sql, type Kysely, type Transaction } from "kysely";
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

/**
 * A live member whose nickname is the same key, or (for long enough keys) within the near-match distance.
 * One round trip: the same-key lookup and the near-match candidates (members sharing a one-deletion
 * variant, nickname_neighbors) are read together; a same key wins.
 */
export async function findConfusion(db: Db, key: string, rules: NicknameRules, exceptMemberId: string): Promise<Confusion | null> {
  const near = [...key].length >= rules.minCharsForNearMatch && rules.nearMatchDistance > 0;
  const same = sql`
    (select 'same' as kind, id, nickname, nickname_key from members
     where nickname_key = ${key} and status <> 'revoked' and id <> ${exceptMemberId} limit 1)`;
  const { rows } = await sql<{ kind: "same" | "near"; id: string; nickname: string | null; nickname_key: string | null }>`
    ${same}
    ${near
      ? sql`union all
    (select distinct 'near' as kind, m.id, m.nickname, m.nickname_key
     from nickname_neighbors n join members m on m.id = n.member_id
     where n.variant in (${sql.join(deletionNeighbors(key))}) and m.status <> 'revoked' and m.id <> ${exceptMemberId}
     limit 50)`
      : sql``}
  `.execute(db);
  const found = rows.find((row) => row.kind === "same");
  if (found) return { kind: "same", memberId: found.id, nickname: found.nickname ?? "" };
  for (const candidate of rows) {
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
