import type { Kysely } from "kysely";
import type { Identity } from "../auth/token.ts";
import { activeSuspension, findMember, findMemberOnSite, type MemberRow } from "../db/members.ts";
import type { Site, Sites } from "../sites.ts";
import { siteIdOfArticle } from "../db/articles.ts";
import type { Database } from "../db/schema.ts";
import { ApiError, articleNotFound } from "../errors.ts";
import { formatSiteTime } from "../site-time.ts";

/**
 * Suspended and revoked members may not post, tag or report: 403 with the suspension's end; on a `site`'s
 * articles, neither may a member suspended from that site. To post (`posting`: comments and tags), a
 * warning must have been acknowledged first: 409. Returns the member, if known.
 */
export async function assertMayAct(
  db: Kysely<Database>,
  memberId: string,
  now: Date,
  activity: string,
  options: { posting?: boolean; site?: Site } = {},
): Promise<MemberRow | undefined> {
  let member: MemberRow | undefined;
  let siteUntil: Date | null = null;
  if (options.site) {
    const found = await findMemberOnSite(db, memberId, options.site.id, now);
    member = found;
    siteUntil = found?.site_suspended_until ?? null;
  } else {
    member = await findMember(db, memberId);
  }
  if (!member) return undefined;
  if (member.status === "revoked") {
    throw new ApiError(403, "member_revoked", `此帳號已被解除會員資格，無法${activity} (membership revoked)`);
  }
  const until = activeSuspension(member, now);
  if (until) {
    throw new ApiError(403, "member_suspended", `此帳號停權至 ${formatSiteTime(until)}（台北時間），期間無法${activity}`, {
      suspendedUntil: until.toISOString(),
    });
  }
  if (siteUntil) {
    throw new ApiError(403, "member_suspended_from_site", `此帳號在${options.site!.name}停權至 ${formatSiteTime(siteUntil)}（台北時間），期間無法在本站${activity}`, {
      site: options.site!.id,
      suspendedUntil: siteUntil.toISOString(),
    });
  }
  if (options.posting && member.unacknowledged_warnings > 0) {
    throw new ApiError(409, "warning_unacknowledged", `管理員給了你警告，請先閱讀並確認後才能${activity} (acknowledge your warning first)`, {
      warnings: `/members/me/warnings`,
    });
  }
  return member;
}

/**
 * A token the publisher made for one site only (its `sso` issuer and audience, src/sites.ts) acts on that
 * site's articles only: 403 elsewhere. Tokens of the service's own issuer and audience act on every site.
 */
export function assertTokenForSite(identity: Identity, site: Site): void {
  if (identity.tokenSites && !identity.tokenSites.includes(site.id)) {
    throw new ApiError(403, "token_not_for_site", `這個登入憑證只能用於${identity.tokenSites.join("、")}，不能用於${site.name} (the token was made for another site)`, {
      site: site.id,
      tokenSites: identity.tokenSites,
    });
  }
}

/**
 * The site of the article a member writes on (src/sites.ts): 404 when there is no such article, 403 when
 * their token was made for other sites only (assertTokenForSite).
 */
export async function articleSite(deps: { db: Kysely<Database>; config: { sites: Sites } }, identity: Identity, articleId: string): Promise<Site> {
  const siteId = await siteIdOfArticle(deps.db, deps.config.sites, articleId);
  if (siteId === undefined) throw articleNotFound(articleId);
  const site = deps.config.sites.of(siteId);
  assertTokenForSite(identity, site);
  return site;
}
