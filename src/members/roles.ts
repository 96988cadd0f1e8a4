import type { Kysely } from "kysely";
import { z } from "zod";
import { ROLES, type Role } from "../auth/token.ts";
import { ensureMember } from "../db/members.ts";
import type { Database } from "../db/schema.ts";
import { setRoleLimit } from "../db/sessions.ts";
import { ApiError } from "../errors.ts";
import { assertKnownSites, type Sites } from "../sites.ts";

// Demotion. The site's login system says who is a moderator; an admin here can cap the role a member acts
// with, at once: their tokens act with the capped role from the next request (src/http/auth.ts) and their
// web sessions of a higher role end. null lifts the cap (the token's role counts again).

export const roleLimitSchema = z.strictObject({
  role: z.enum(ROLES).nullable(),
  note: z.string().trim().min(1).max(2000),
});

export async function limitRole(
  db: Kysely<Database>,
  adminId: string,
  memberId: string,
  role: Role | null,
  note: string,
  now: Date,
): Promise<{ roleLimit: Role | null; endedSessions: number }> {
  if (memberId === adminId) throw new ApiError(403, "not_on_yourself", "不能變更自己的權限 (an admin does not change their own role)");
  return db.transaction().execute(async (trx) => {
    await ensureMember(trx, adminId, now);
    await ensureMember(trx, memberId, now);
    return { roleLimit: role, endedSessions: await setRoleLimit(trx, memberId, role, adminId, note, now) };
  });
}

// Moderators per site: an admin limits a moderator to some of the publisher's sites (rules/sites.yaml), or
// with sites: null to every site. It counts from the moderator's next request (src/http/auth.ts reads it
// with the role limit); what they see and decide is then only those sites' items.

export const moderatorSitesSchema = z.strictObject({
  sites: z.array(z.string()).min(1).max(100).nullable(),
  note: z.string().trim().min(1).max(2000),
});

export async function limitModeratorSites(
  db: Kysely<Database>,
  known: Sites,
  adminId: string,
  memberId: string,
  sites: string[] | null,
  note: string,
  now: Date,
): Promise<{ sites: string[] | null }> {
  assertKnownSites(known, sites ?? []);
  const chosen = sites && [...new Set(sites)].sort();
  await db.transaction().execute(async (trx) => {
    await ensureMember(trx, memberId, now);
    await trx
      .updateTable("members")
      .set({ moderator_sites: chosen, moderator_sites_by: adminId, moderator_sites_at: now, moderator_sites_note: note, updated_at: now })
      .where("id", "=", memberId)
      .execute();
  });
  return { sites: chosen };
}
