import type { Severity } from "./schema.ts";
import type { Policy } from "../policy.ts";
import { DAY_MS } from "../clock.ts";

// The queue's priority is pure arithmetic on the policy, kept here (not in review/) so that db/review.ts,
// which stores the key with every item it opens or feeds, imports nothing above the data layer.

// Ages are counted from this fixed day so a stored key never needs rewriting as time passes.
const AGE_ORIGIN = Date.UTC(2026, 0, 1);

const SEVERITY_ORDER: Severity[] = ["low", "medium", "high", "critical"];

/** The more severe of two severities; null when neither has one. */
export function higherSeverity(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;
}

/**
 * The queue's order, highest first: severity points plus report-weight points, and agingPointsPerDay
 * for every day an item has waited — expressed as a deduction for every day after the origin that it
 * arrived, so that comparing two stored keys compares them as of any moment.
 */
export function sortKeyOf(policy: Policy, severity: Severity | null, reportWeight: number, createdAt: Date): number {
  const points = policy.review;
  const severityPoints = severity ? points.severityPoints[severity] : 0;
  const daysAfterOrigin = (createdAt.getTime() - AGE_ORIGIN) / DAY_MS;
  return severityPoints + reportWeight * points.reportWeightPoints - daysAfterOrigin * points.agingPointsPerDay;
}
