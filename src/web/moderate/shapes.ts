import type { NgramSignal, Reason } from "../../moderation/verdict.ts";
import type { Policy } from "../../policy.ts";

// Shapes of the JSON API's answers, as far as these pages read them.
export interface ItemView {
  id: string;
  subjectExcerpt?: string | null;
  kind: "moderation" | "appeal";
  subjectKind: "comment" | "tag" | "member";
  subjectId: string;
  state: "open" | "decided";
  forumRules: string[];
  severity: string | null;
  reportWeight: number;
  claimedBy: string | null;
  leaseUntil: string | null;
  decisionId: string | null;
  createdAt: string;
}
export interface DecisionView {
  id: string;
  subjectKind: string;
  subjectText: string;
  action: string;
  forumRules: string[];
  ruleIds: string[];
  source: string;
  automation: string;
  moderatorId: string | null;
  note: string | null;
  createdAt: string;
}
export interface VerdictView {
  reasons: Reason[];
  score: number | null;
  topNgrams?: NgramSignal[];
  relatedness?: { kind: string; similarity?: number };
}
export interface ItemDetail {
  item: ItemView;
  subject: {
    id: string;
    articleId?: string;
    memberId?: string;
    body?: string;
    label?: string;
    nickname?: string | null;
    status: string;
    verdict?: VerdictView;
    createdBy?: string;
  } | null;
  member: {
    id: string;
    nickname: string | null;
    nicknameStatus: string | null;
    status: string;
    suspendedUntil: string | null;
    strikes: number;
    strikePolicy: Policy["strikes"];
    recentDecisions: DecisionView[];
  } | null;
  appealedDecision: DecisionView | null;
  conflictOfInterest: { reason: string; message: string } | null;
  sources: { source: string; detail: unknown; createdAt: string }[];
  reports: { id: string; reporterId: string; reason: string; note: string | null; weight: number; outcome: string | null; createdAt: string }[];
}
export interface Counts {
  open: number;
  claimed: number;
  byKind: Record<string, number>;
  bySubject: Record<string, number>;
  byForumRule: Record<string, number>;
  bySource: Record<string, number>;
}
export interface Stats {
  from: string;
  to: string;
  decisions: number;
  byForumRule: Record<string, number>;
  byAction: Record<string, number>;
  byAutomation: Record<string, number>;
  appeals: { decided: number; reversed: number; reversalRate: number | null };
  medianSecondsToHumanDecision: number | null;
  conflictsOfInterest: number;
  byDay: { date: string; byForumRule: Record<string, number>; byAutomation: Record<string, number>; appeals: { upheld: number; reversed: number } }[];
}

