import { z } from "zod";
import { createHash } from "node:crypto";
import type { SiteAudience } from "./auth/token.ts";
import type { ForumRules } from "./forum-rules.ts";
import type { Moderator } from "./moderation/moderate.ts";
import { verdictAction, type Verdict } from "./moderation/verdict.ts";
import { parsePolicyValue, serviceRateLimits, type Policy, type RateLimits } from "./policy.ts";
import { parseYamlFile } from "./yaml-file.ts";
import { ApiError } from "./errors.ts";

// The publisher's sites (rules/sites.yaml): every article belongs to one, and a site may have its own forum
// rules, its own values for some of the policy, its own handling of some engine rules, the origins whose
// pages may embed its comment section, and the issuer and audience of its sign-in tokens. What a site does
// not set is the service's (rules/forum-rules.yaml, rules/policy.yaml, EMBED_ORIGINS, JWT_ISSUER/JWT_AUDIENCE).

export const DEFAULT_SITE_ID = "default";
export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * The parts of rules/policy.yaml a site may set for itself: what happens on its articles. The rest (strikes,
 * trust, appeals, review, webhooks) is about a member or the moderators, the same on every site.
 */
export const SITE_POLICY_KEYS = ["rateLimits", "floods", "replies", "edits", "reports", "tags"] as const;

const ruleIdList = z.array(z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/)).default([]);

const siteSchema = z.strictObject({
  id: z.string().regex(SITE_ID_PATTERN, "a site id is 1-32 lower-case letters, digits or '-'"),
  name: z.string().trim().min(1).max(100),
  forumRules: z
    .strictObject({
      version: z.string().trim().min(1),
      rules: z.strictObject({ R1: z.string().min(1), R2: z.string().min(1), R3: z.string().min(1), R4: z.string().min(1) }),
    })
    .optional(),
  policy: z.partialRecord(z.enum(SITE_POLICY_KEYS), z.unknown()).optional(),
  engineRules: z
    .strictObject({
      /** Rules whose hits this site only flags (recorded, never acted on). */
      flagOnly: ruleIdList,
      /** Rules whose rejections this site holds for a moderator instead. */
      holdInsteadOfReject: ruleIdList,
    })
    .optional(),
  embedOrigins: z.array(z.url({ protocol: /^https?$/ })).optional(),
  sso: z.strictObject({ issuer: z.string().trim().min(1), audience: z.string().trim().min(1) }).optional(),
});

const sitesFileSchema = z.strictObject({ sites: z.array(siteSchema).min(1) });

export type SiteEntry = z.infer<typeof siteSchema>;

/** One site as the service applies it: everything it did not set filled in from the service's own settings. */
export interface Site {
  id: string;
  name: string;
  forumRules: ForumRules;
  policy: Policy;
  /** The rate limits its articles are counted under: its own counters when it sets rateLimits, else the service's. */
  rateLimits: RateLimits;
  /** The service's engine and classifier with this site's handling of its rules (same object when it has none). */
  moderator: Moderator;
  /** null: the service's EMBED_ORIGINS. */
  embedOrigins: string[] | null;
  /** The issuer and audience of tokens made for this site only (null: none; the service's pair signs in everywhere). */
  sso: { issuer: string; audience: string } | null;
}

/** Every site by id; the default site holds the articles that name none (and every article from before sites). */
export interface Sites {
  all: Site[];
  get(id: string): Site | undefined;
  /** The site an article's site id names; a site taken out of rules/sites.yaml keeps its id with the default's settings. */
  of(id: string): Site;
  /** The sites with their own token issuer and audience (src/auth/token.ts). */
  audiences: SiteAudience[];
  /** The sites of articles already read (src/db/articles.ts siteIdOfArticle): an article never moves. */
  articleSites: ArticleSites;
}

/** Article id → site id, the most recent `limit` of them. */
export class ArticleSites {
  private readonly known = new Map<string, string>();
  constructor(private readonly limit = 100_000) {}
  get(articleId: string): string | undefined {
    return this.known.get(articleId);
  }
  set(articleId: string, siteId: string): void {
    if (this.known.size >= this.limit) this.known.delete(this.known.keys().next().value!);
    this.known.set(articleId, siteId);
  }
}

export function parseSitesFile(fileName: string, text: string): SiteEntry[] {
  const { sites } = parseYamlFile(fileName, text, sitesFileSchema);
  const ids = new Set<string>();
  for (const site of sites) {
    if (ids.has(site.id)) throw new Error(`${fileName}: site ${site.id} is listed twice`);
    ids.add(site.id);
  }
  if (!ids.has(DEFAULT_SITE_ID)) throw new Error(`${fileName}: the site "${DEFAULT_SITE_ID}" must be listed (it holds the articles that name no site)`);
  return sites;
}

/** 400 unknown_site for ids rules/sites.yaml does not list. */
export function assertKnownSites(sites: Sites, ids: readonly string[]): void {
  const unknown = ids.filter((id) => !sites.get(id));
  if (unknown.length > 0) {
    throw new ApiError(400, "unknown_site", `no site ${unknown.join(", ")} in rules/sites.yaml`, { sites: sites.all.map((site) => site.id) });
  }
}

/** A site's own rate-limit counters (one that sets rateLimits, src/policy.ts RateLimits). */
const ownRateLimits = (siteId: string, windows: Policy["rateLimits"]): RateLimits => ({ windows, scope: `site:${siteId}:` });

/** The sites as the service applies them, over the service's forum rules, policy and moderator. */
export function buildSites(entries: readonly SiteEntry[], service: { forumRules: ForumRules; policy: Policy; moderator: Moderator }): Sites {
  const all = entries.map((entry): Site => {
    const policy = entry.policy ? parsePolicyValue(`rules/sites.yaml (site ${entry.id}) policy`, { ...service.policy, ...entry.policy }) : service.policy;
    return {
      id: entry.id,
      name: entry.name,
      forumRules: entry.forumRules ?? service.forumRules,
      policy,
      rateLimits: entry.policy?.rateLimits ? ownRateLimits(entry.id, policy.rateLimits) : serviceRateLimits(service.policy),
      moderator: entry.engineRules ? withRuleHandling(service.moderator, entry.engineRules) : service.moderator,
      embedOrigins: entry.embedOrigins ? entry.embedOrigins.map((origin) => new URL(origin).origin) : null,
      sso: entry.sso ?? null,
    };
  });
  const byId = new Map(all.map((site) => [site.id, site]));
  // A site taken out of the file keeps its id (its suspensions, its decisions' site) with the default's settings.
  const fallback = byId.get(DEFAULT_SITE_ID)!;
  const unlisted = new Map<string, Site>();
  const unlistedSite = (id: string): Site => {
    let site = unlisted.get(id);
    if (!site) {
      // Its own counters if the default counts apart; no token audience of its own.
      const rateLimits = fallback.rateLimits.scope ? ownRateLimits(id, fallback.rateLimits.windows) : fallback.rateLimits;
      site = { ...fallback, id, name: id, rateLimits, sso: null };
      unlisted.set(id, site);
    }
    return site;
  };
  const audiences = all.flatMap((site) => (site.sso ? [{ siteId: site.id, ...site.sso }] : []));
  return { all, get: (id) => byId.get(id), of: (id) => byId.get(id) ?? unlistedSite(id), audiences, articleSites: new ArticleSites() };
}

/** The service's settings as its only site: what an app without rules/sites.yaml (or a test) runs with. */
export function singleSite(service: { forumRules: ForumRules; policy: Policy; moderator: Moderator }): Sites {
  return buildSites([{ id: DEFAULT_SITE_ID, name: "本站" }], service);
}

type RuleHandling = NonNullable<SiteEntry["engineRules"]>;

/**
 * A site's handling of some engine rules applied to a verdict: the reasons of `flagOnly` rules become flags,
 * the rejections of `holdInsteadOfReject` rules become holds, and the action is decided again from the
 * reasons. A pure function of the verdict, so the engine and classifier run once for every site.
 */
export function applyRuleHandling(verdict: Verdict, handling: RuleHandling, rulesVersion: string): Verdict {
  const reasons = verdict.reasons.map((reason) => {
    if (handling.flagOnly.includes(reason.ruleId)) return { ...reason, action: "flag" as const };
    if (handling.holdInsteadOfReject.includes(reason.ruleId) && reason.action === "reject") return { ...reason, action: "review" as const };
    return reason;
  });
  return { ...verdict, reasons, action: verdictAction(reasons), rulesVersion };
}

function withRuleHandling(base: Moderator, handling: RuleHandling): Moderator {
  // The site's rules version names the engine's and the handling, so a decision says which applied.
  const digest = createHash("sha256").update(JSON.stringify([base.rulesVersion, handling])).digest("hex").slice(0, 12);
  const rulesVersion = `${base.rulesVersion}+site-${digest}`;
  return {
    ...base,
    rulesVersion,
    moderate: (subject, normalized) => applyRuleHandling(base.moderate(subject, normalized), handling, rulesVersion),
    verdictOf: (subject, hits) => applyRuleHandling(base.verdictOf(subject, hits), handling, rulesVersion),
  };
}
