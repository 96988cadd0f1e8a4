import { CATEGORIES } from "./moderation/verdict.ts";
import { z } from "zod";
import { checkSettings, parseYamlFile } from "./yaml-file.ts";

const positive = z.number().positive();
const severity = z.enum(["low", "medium", "high", "critical"]);
// The reasons a member may give for a report (src/routes/reports.ts), each with its severity in the policy.
const REPORT_REASONS = ["illegal", "rights", "false", "abuse", "meaningless", "irrelevant", "nickname", "spam", "other"] as const;

const window = z.strictObject({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) });
const rateLimit = z.strictObject({ perMember: window, perIp: window });

const policySchema = z.strictObject({
  reports: z.strictObject({
    hideAtWeight: positive,
    reporterWeight: z.strictObject({ prior: positive, min: positive, max: positive }),
    severityByReason: z.strictObject(
      Object.fromEntries(REPORT_REASONS.map((reason) => [reason, severity])) as Record<(typeof REPORT_REASONS)[number], typeof severity>,
    ),
  }),
  strikes: z.strictObject({
    count: z.number().int().min(1),
    withinDays: positive,
    suspendDays: positive,
  }),
  appeals: z.strictObject({ windowDays: positive }),
  review: z.strictObject({
    leaseSeconds: z.number().int().min(1),
    severityPoints: z.strictObject({ low: z.number(), medium: z.number(), high: z.number(), critical: z.number() }),
    reportWeightPoints: z.number().min(0),
    agingPointsPerDay: z.number().min(0),
    targetHours: z.strictObject({ moderation: positive, appeal: positive, escalated: positive }),
    appealSeverity: severity,
    secondLookShare: z.number().min(0).max(1),
  }),
  rateLimits: z.strictObject({
    comment: rateLimit,
    tag: rateLimit,
    report: rateLimit,
  }),
  floods: z.strictObject({
    minChars: z.number().int().min(1),
    distinctMembers: z.number().int().min(2),
    windowSeconds: positive,
    ruleId: z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/),
    forumRule: z.enum(["R1", "R2", "R3", "R4"]),
    category: z.enum(CATEGORIES),
    reason: z.string().trim().min(1),
  }),
  trust: z.strictObject({
    newcomerComments: z.number().int().min(0),
    trustedAt: z.number().int().min(1),
    upheldReportPoints: z.number().min(0),
    recent: z.strictObject({
      comments: z.number().int().min(1),
      minDecided: z.number().int().min(1),
      rejectionRate: z.number().gt(0).max(1),
    }),
    linksFrom: z.enum(["newcomer", "member", "trusted"]),
  }),
  replies: z.strictObject({
    addressing: z.array(z.string().min(1)).min(1),
    escalates: z.array(z.string().min(1)),
    ruleId: z.string().regex(/^R[1-4]-[a-z0-9]+(-[a-z0-9]+)*$/),
    reason: z.string().trim().min(1),
  }),
  edits: z.strictObject({ windowMinutes: z.number().min(0) }),
  webhooks: z.strictObject({
    maxAttempts: z.number().int().min(1),
    backoffSeconds: positive,
    maxBackoffSeconds: positive,
    timeoutSeconds: positive,
    batch: z.number().int().min(1).max(500),
  }),
  tags: z.strictObject({
    minChars: z.number().int().min(1),
    maxChars: z.number().int().min(1),
    relatedAt: z.number().min(0).max(1),
    unsureAt: z.number().min(0).max(1),
    corpusArticles: z.number().int().min(1),
  }),
});

/** rules/policy.yaml: report thresholds, reporter weighting, strikes, appeals and review leases. */
export type Policy = z.infer<typeof policySchema>;

export function parsePolicy(fileName: string, text: string): Policy {
  return parseYamlFile(fileName, text, policySchema);
}

/** Checks a policy already read (a site's sections over the service's, src/sites.ts); an error names where and the field. */
export function parsePolicyValue(where: string, value: unknown): Policy {
  return checkSettings(where, value, policySchema);
}

/**
 * Rate limits as they are counted (src/http/rate-limit.ts): the windows, and the scope of their counters —
 * "" for the service's, shared by every site that has no limits of its own; a site with its own
 * (rules/sites.yaml) counts apart, so its windows never share a counter with another length.
 */
export interface RateLimits {
  windows: Policy["rateLimits"];
  scope: string;
}

export function serviceRateLimits(policy: Policy): RateLimits {
  return { windows: policy.rateLimits, scope: "" };
}

/** A reporter's weight from their past reports' outcomes. */
export function reporterWeight(policy: Policy, upheld: number, dismissed: number): number {
  const { prior, min, max } = policy.reports.reporterWeight;
  const weight = ((upheld + prior) / (upheld + dismissed + 2 * prior)) * 2;
  return Math.min(max, Math.max(min, Number(weight.toFixed(4))));
}
