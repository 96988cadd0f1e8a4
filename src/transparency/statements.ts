import type { Category } from "../categories.ts";

// Statements of reasons for the transparency export (GET /transparency/statements): each restrictive
// decision mapped to the fields of the EU DSA Transparency Database's statement of reasons, plus this
// service's own (decision id, forum rules, rule ids, reversal). Pure: the rows come from
// src/db/transparency.ts. The field list is STATEMENT_FIELDS, documented field by field in the README.

/** The decisions that restrict something and so have a statement of reasons; approvals, dismissals, warnings and appeals' outcomes do not. */
export const RESTRICTIVE_ACTIONS = ["remove", "remove_and_suspend", "suspend", "revoke"] as const;

/** A restrictive decision as the export reads it. */
export interface StatementRow {
  id: string;
  subject_kind: string;
  action: string;
  forum_rules: string[];
  rule_ids: string[];
  facts: unknown;
  source: string;
  automation: string;
  note: string | null;
  created_at: Date;
  /** When the content was posted (comments and tags); null for a nickname. */
  content_created_at: Date | null;
  /** The decision of an appeal that reversed this one, if any. */
  reversed_by: string | null;
  /** The site it was made on (null: about every site). */
  site_id: string | null;
}

export const STATEMENT_FIELDS = [
  "puid",
  "decision_visibility",
  "end_date_visibility_restriction",
  "decision_account",
  "end_date_account_restriction",
  "account_type",
  "decision_ground",
  "illegal_content_legal_ground",
  "illegal_content_explanation",
  "incompatible_content_ground",
  "incompatible_content_explanation",
  "incompatible_content_illegal",
  "category",
  "content_type",
  "content_language",
  "content_date",
  "application_date",
  "decision_facts",
  "source_type",
  "automated_detection",
  "automated_decision",
  "decision_id",
  "forum_rules",
  "rule_ids",
  "reversed_by_decision_id",
  "site",
] as const;

export type Statement = Record<(typeof STATEMENT_FIELDS)[number], string | string[] | null>;

/** This service's categories of harm as the transparency database's statement categories. */
const CATEGORY_OF: Record<Category, string> = {
  insult: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
  profanity: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
  hate: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
  sexual_harassment: "STATEMENT_CATEGORY_CYBER_VIOLENCE",
  threat: "STATEMENT_CATEGORY_VIOLENCE",
  personal_data: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
  illegal: "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
  spam: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
  impersonation: "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
};

/** The category of a decision without one (a moderator's removal on a report): by its first forum rule. */
const CATEGORY_OF_RULE: Record<string, string> = {
  R1: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
  R2: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
  R3: "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
  R4: "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
};

const SOURCE_TYPE: Record<string, string> = {
  member_report: "SOURCE_ARTICLE_16",
  automated_detection: "SOURCE_VOLUNTARY",
  moderator_initiative: "SOURCE_VOLUNTARY",
};

const AUTOMATED_DECISION: Record<string, string> = {
  fully_automated: "AUTOMATED_DECISION_FULLY",
  human_with_automated_help: "AUTOMATED_DECISION_PARTIALLY",
  human: "AUTOMATED_DECISION_NOT_AUTOMATED",
};

type Reasonish = { category?: Category; message?: string };

/** The reasons a decision's facts record: an automatic refusal's own, or the verdicts of a held item. */
function reasonsOf(facts: unknown): Reasonish[] {
  const { reasons = [], verdicts = [] } = (facts ?? {}) as { reasons?: Reasonish[]; verdicts?: { reasons?: Reasonish[] }[] };
  return [...reasons, ...verdicts.flatMap((verdict) => verdict.reasons ?? [])];
}

/** A date as the site's calendar day (Asia/Taipei), YYYY-MM-DD. */
export type DayOf = (at: Date) => string;

/** `forumRuleText`: the forum rules of the decision's site (src/sites.ts), whose text its grounds quote. */
export function statementOf(row: StatementRow, forumRuleText: Record<string, string>, dayOf: DayOf): Statement {
  const reasons = reasonsOf(row.facts);
  const category = reasons.find((reason) => reason.category)?.category;
  const facts = (row.facts ?? {}) as { suspendedUntil?: string; hiddenCommentIds?: string[] };
  const removesContent = row.action === "remove" || row.action === "remove_and_suspend" || (row.action === "revoke" && (facts.hiddenCommentIds?.length ?? 0) > 0);
  const account = row.action === "revoke" ? "DECISION_ACCOUNT_TERMINATED" : row.action === "suspend" || row.action === "remove_and_suspend" ? "DECISION_ACCOUNT_SUSPENDED" : null;
  const illegal = row.forum_rules.includes("R1");
  const grounds = row.forum_rules.map((rule) => `討論區規則 ${rule}：${forumRuleText[rule] ?? ""}`).join("\n");
  const explanation = [row.note, ...reasons.map((reason) => reason.message).filter((message): message is string => Boolean(message))].filter(Boolean).join("\n") || null;
  return {
    puid: `decision-${row.id}`,
    decision_visibility: removesContent ? ["DECISION_VISIBILITY_CONTENT_REMOVED"] : [],
    end_date_visibility_restriction: null,
    decision_account: account,
    end_date_account_restriction: account === "DECISION_ACCOUNT_SUSPENDED" && facts.suspendedUntil ? dayOf(new Date(facts.suspendedUntil)) : null,
    account_type: account ? "ACCOUNT_TYPE_PRIVATE" : null,
    decision_ground: illegal ? "DECISION_GROUND_ILLEGAL_CONTENT" : "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    illegal_content_legal_ground: illegal ? grounds : null,
    illegal_content_explanation: illegal ? explanation : null,
    incompatible_content_ground: illegal ? null : grounds,
    incompatible_content_explanation: illegal ? null : explanation,
    incompatible_content_illegal: illegal ? null : "No",
    category: category ? CATEGORY_OF[category] : (CATEGORY_OF_RULE[row.forum_rules[0] ?? ""] ?? "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
    content_type: ["CONTENT_TYPE_TEXT"],
    content_language: "ZH",
    content_date: dayOf(row.content_created_at ?? row.created_at),
    application_date: dayOf(row.created_at),
    decision_facts: explanation,
    source_type: SOURCE_TYPE[row.source] ?? "SOURCE_VOLUNTARY",
    automated_detection: row.source === "automated_detection" || row.automation !== "human" ? "Yes" : "No",
    automated_decision: AUTOMATED_DECISION[row.automation] ?? "AUTOMATED_DECISION_NOT_AUTOMATED",
    decision_id: row.id,
    forum_rules: row.forum_rules,
    rule_ids: row.rule_ids,
    reversed_by_decision_id: row.reversed_by,
    site: row.site_id,
  };
}

/** One NDJSON line. */
export function ndjsonLine(statement: Statement): string {
  return `${JSON.stringify(statement)}\n`;
}

/** One CSV line (RFC 4180): lists as JSON arrays in their cell, null as an empty cell, a formula-like cell prefixed with '. */
export function csvLine(values: readonly (string | string[] | null)[]): string {
  return `${values.map((value) => csvCell(value === null ? "" : Array.isArray(value) ? JSON.stringify(value) : value)).join(",")}\r\n`;
}

function csvCell(raw: string): string {
  // A cell a spreadsheet would read as a formula (a note that starts with =, +, - or @) is kept as text.
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
