import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../app-env.ts";
import { cappedRole, TokenError, verifyToken, type Identity, type Role } from "../auth/token.ts";
import { ensureStaffMember } from "../db/sessions.ts";

/**
 * Requires `Authorization: Bearer <JWT>` and puts the caller's identity on the context. A moderator's or
 * admin's role is capped by any limit an admin set on them (src/members/roles.ts): a demotion counts from
 * the next request, whatever the token says; the same statement stores a staff member seen for the first
 * time, so the staff routes do not, and reads the sites a moderator is limited to. A member's token costs no query.
 */
export const requireIdentity = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (!header) throw new ApiError(401, "unauthenticated", "sign in first: Authorization: Bearer <token> is missing");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new ApiError(401, "invalid_token", "Authorization header must be 'Bearer <token>'");
  const { config, clock, db } = c.get("deps");
  let identity;
  try {
    identity = await verifyToken(match[1]!, config.jwtSecret, clock.now(), {
      maxAgeSeconds: config.maxTokenAgeSeconds,
      publisher: config.publisherSso,
      siteAudiences: config.sites.audiences,
    });
  } catch (error) {
    if (error instanceof TokenError) {
      throw new ApiError(401, error.problem === "expired" ? "token_expired" : "invalid_token", error.message);
    }
    throw error;
  }
  if (identity.role !== "member") {
    const staff = await ensureStaffMember(db, identity.memberId, clock.now());
    identity = { ...identity, ...staffScope(identity.role, staff.roleLimit, staff.moderatorSites, identity.tokenSites) };
  }
  c.set("identity", identity);
  await next();
});

export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const identity = c.get("identity");
    if (!roles.includes(identity.role)) {
      throw new ApiError(403, "forbidden", `this action needs the role ${roles.join(" or ")}`);
    }
    await next();
  });
}

/**
 * The role and sites a staff token acts with: the role capped by an admin's limit; a moderator limited to
 * some sites (PUT /members/:id/sites) sees and decides only those sites' items. A token the publisher made
 * for some sites only (Identity.tokenSites) acts at most as a moderator of those sites: never as an admin,
 * never on another site, and as a member when the two limits leave no site.
 */
export function staffScope(role: Role, roleLimit: Role | null, moderatorSites: string[] | null, tokenSites: string[] | undefined): Pick<Identity, "role" | "moderatorSites"> {
  let capped = cappedRole(role, roleLimit);
  let sites = moderatorSites ?? undefined;
  if (tokenSites) {
    capped = cappedRole(capped, "moderator");
    sites = sites ? sites.filter((site) => tokenSites.includes(site)) : tokenSites;
    if (sites.length === 0) capped = "member";
  }
  return capped === "moderator" && sites ? { role: capped, moderatorSites: sites } : { role: capped };
}
