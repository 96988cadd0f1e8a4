import type { Identity, Role } from "../auth/token.ts";
import type { ReviewItemRow } from "../db/review.ts";
import { ApiError } from "../errors.ts";
import { assertKnownSites, type Sites } from "../sites.ts";

// Moderators per site: a moderator an admin limited to some sites (members.moderator_sites, read with the
// token in src/http/auth.ts) sees, claims and decides only those sites' items, looks again only at their
// decisions, and reads stats and statements of those sites only. Admins and other moderators: every site.

/** Who is deciding: their role, and for a moderator limited to some sites, those sites (members.moderator_sites). */
export interface Staff {
  role: Role;
  sites?: string[] | undefined;
}

export function staffOf(identity: Identity): Staff {
  return { role: identity.role, sites: identity.moderatorSites };
}

/** A moderator limited to some sites acts only on their sites' items: 403 for another site's or one of every site (a nickname). */
export function assertOnSites(what: string, siteId: string | null, sites: string[] | undefined): void {
  if (sites && (siteId === null || !sites.includes(siteId))) {
    throw new ApiError(403, "site_not_granted", `這不屬於你負責的網站 (${what} is not on your sites: ${sites.join(", ")})`, { site: siteId, sites });
  }
}

/**
 * The sites a staff read (stats, the export) covers: the one asked for (400 if unknown; 403 if a moderator
 * limited to other sites asks), else a limited moderator's sites, else every site (undefined).
 */
export function sitesAsked(known: Sites, asked: string | undefined, moderatorSites: string[] | undefined): string[] | undefined {
  if (asked === undefined) return moderatorSites;
  assertKnownSites(known, [asked]);
  assertOnSites(`site ${asked}`, asked, moderatorSites);
  return [asked];
}

export function assertItemInSites(item: Pick<ReviewItemRow, "id" | "site_id">, sites: string[] | undefined): void {
  assertOnSites(`review item ${item.id}`, item.site_id, sites);
}

/**
 * A sanction on every site — a warning, a suspension from every site or a revocation, or lifting one on
 * appeal — is not for a moderator limited to some sites (403). Their remove_and_suspend suspends from the
 * item's site only (src/review/decide.ts), and their suspensions of a member name one of their sites
 * (src/members/actions.ts).
 */
export function assertMaySanctionEverySite(staff: Staff): void {
  if (staff.sites) {
    throw new ApiError(403, "site_not_granted", "適用所有網站的處分（警告、全站停權、解除會員資格）須由負責所有網站的管理員處理 (a sanction on every site is for moderators of every site)", {
      sites: staff.sites,
    });
  }
}
