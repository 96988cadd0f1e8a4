import type { decisionView } from "../../routes/decisions.ts";
import type { itemView } from "../../routes/review.ts";
import type { NgramSignal, Reason } from "../../moderation/verdict.ts";
import type { Policy } from "../../policy.ts";

// Shapes of the JSON API's answers, as far as these pages read them. Items and decisions are the routes'
// own views (what review.ts and decisions.ts answer); the rest is declared here until it has a view too.
export type ItemView = ReturnType<typeof itemView> & { subjectExcerpt?: string | null };
export type DecisionView = ReturnType<typeof decisionView>;
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

