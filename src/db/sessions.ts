import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import { ROLES, type Role } from "../auth/token.ts";
import type { Database, SessionEndReason, WebSessionsTable } from "./schema.ts";

// Server-side web sessions (migration 0012) and the role limit that demotes a member.

export type WebSessionRow = Selectable<WebSessionsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** How stale last_seen_at may get before a page view writes it again (not every view writes). */
const SEEN_EVERY_MS = 5 * 60_000;

export async function createSession(
  db: Db,
  session: { secretHash: string; memberId: string; role: Role; csrf: string; userAgent: string | null; now: Date; expiresAt: Date },
): Promise<WebSessionRow> {
  return db
    .insertInto("web_sessions")
    .values({
      secret_hash: session.secretHash,
      member_id: session.memberId,
      role: session.role,
      csrf: session.csrf,
      user_agent: session.userAgent,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The live session the secret's hash stands for (not ended, not expired), marked seen now and then. */
export async function findLiveSession(db: Db, secretHash: string, now: Date): Promise<WebSessionRow | undefined> {
  const session = await db
    .selectFrom("web_sessions")
    .selectAll()
    .where("secret_hash", "=", secretHash)
    .where("ended_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  if (session && now.getTime() - session.last_seen_at.getTime() > SEEN_EVERY_MS) {
    await db.updateTable("web_sessions").set({ last_seen_at: now }).where("id", "=", session.id).execute();
  }
  return session;
}

/** Ends one session by its secret's hash (signing out). */
export async function endSessionByHash(db: Db, secretHash: string, reason: SessionEndReason, now: Date): Promise<void> {
  await db.updateTable("web_sessions").set({ ended_at: now, ended_reason: reason }).where("secret_hash", "=", secretHash).where("ended_at", "is", null).execute();
}

/** Ends one of a member's live sessions by its id; false when the member has no such live session. */
export async function endMemberSession(db: Db, memberId: string, sessionId: string, now: Date): Promise<boolean> {
  const ended = await db
    .updateTable("web_sessions")
    .set({ ended_at: now, ended_reason: "ended_by_member" })
    .where("id", "=", sessionId)
    .where("member_id", "=", memberId)
    .where("ended_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(ended.numUpdatedRows) === 1;
}

/** Ends a member's live sessions (all, or those of a role above `above`); answers how many. */
export async function endSessionsOf(db: Db, memberId: string, reason: SessionEndReason, now: Date, above?: Role): Promise<number> {
  let query = db.updateTable("web_sessions").set({ ended_at: now, ended_reason: reason }).where("member_id", "=", memberId).where("ended_at", "is", null);
  if (above) query = query.where("role", "in", ROLES.slice(ROLES.indexOf(above) + 1));
  const ended = await query.executeTakeFirst();
  return Number(ended.numUpdatedRows);
}

/** A member's live sessions, the most recently seen first. */
export async function listLiveSessions(db: Db, memberId: string, now: Date): Promise<WebSessionRow[]> {
  return db
    .selectFrom("web_sessions")
    .selectAll()
    .where("member_id", "=", memberId)
    .where("ended_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("last_seen_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/**
 * A staff token's member, stored if new (as ensureMember does), and the role limit an admin set on them,
 * in one statement. Every request with a moderator's or admin's token passes here (http/auth.ts), so the
 * staff routes need not store the member again before a decision or a claim names them.
 */
export async function ensureStaffMember(db: Db, memberId: string, now: Date): Promise<{ roleLimit: Role | null; moderatorSites: string[] | null }> {
  const result = await sql<{ role_limit: Role | null; moderator_sites: string[] | null }>`
    with added as (
      insert into members (id, created_at, updated_at) values (${memberId}, ${now}, ${now})
      on conflict (id) do nothing
      returning role_limit, moderator_sites
    )
    select role_limit, moderator_sites from added
    union all
    select role_limit, moderator_sites from members where id = ${memberId}
  `.execute(db);
  const row = result.rows[0];
  return { roleLimit: row?.role_limit ?? null, moderatorSites: row?.moderator_sites ?? null };
}

/** The role limit an admin set on the member, if any; `lock`: the member row stays shared-locked until the transaction ends, so a demotion waits for it. */
export async function roleLimitOf(db: Db, memberId: string, lock = false): Promise<Role | null> {
  const query = db.selectFrom("members").select("role_limit").where("id", "=", memberId);
  const row = await (lock ? query.forShare() : query).executeTakeFirst();
  return row?.role_limit ?? null;
}

/**
 * Sets (or with null lifts) a member's role limit, and ends at once their sessions of a higher role; answers
 * how many ended. The member row must exist.
 */
export async function setRoleLimit(trx: Transaction<Database>, memberId: string, limit: Role | null, by: string, note: string, now: Date): Promise<number> {
  await trx
    .updateTable("members")
    .set({ role_limit: limit, role_limit_by: by, role_limit_at: now, role_limit_note: note, updated_at: now })
    .where("id", "=", memberId)
    .execute();
  return limit ? endSessionsOf(trx, memberId, "demoted", now, limit) : 0;
}
