import type { ColumnType, Generated } from "kysely";
import type { Verdict } from "../moderation/verdict.ts";
import type { Role } from "../auth/token.ts";

// Column types as the drivers return them: int8 comes back as a string (see connect.ts),
// timestamptz as a Date, jsonb parsed.
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedNow = ColumnType<Date, Date | string | undefined, Date | string>;

export type MemberStatus = "active" | "suspended" | "revoked";
/** src/review/trust.ts: newcomer and watched members are pre-moderated; below trusted, links are held. */
export type TrustLevel = "newcomer" | "member" | "trusted" | "watched";
export type CommentStatus = "published" | "pending" | "removed" | "deleted";
export type SubjectKind = "comment" | "tag" | "member";
export type DecisionSource = "automated_detection" | "member_report" | "moderator_initiative" | "member_appeal";
export type DecisionAutomation = "fully_automated" | "human_with_automated_help" | "human";

export interface MembersTable {
  id: string;
  nickname: string | null;
  status: ColumnType<MemberStatus, MemberStatus | undefined, MemberStatus>;
  suspended_until: Timestamp | null;
  accepted_rules_version: string | null;
  nickname_key: ColumnType<string | null, string | null | undefined, string | null>;
  nickname_status: ColumnType<"approved" | "pending" | null, "approved" | "pending" | null | undefined, "approved" | "pending" | null>;
  nickname_rules_version: ColumnType<string | null, string | null | undefined, string | null>;
  trust_level: ColumnType<TrustLevel, TrustLevel | undefined, TrustLevel>;
  unacknowledged_warnings: ColumnType<number, number | undefined, number>;
  /** Migration 0012: the highest role an admin lets the member act with (null: the token's). */
  role_limit: ColumnType<Role | null, Role | null | undefined, Role | null>;
  role_limit_by: ColumnType<string | null, string | null | undefined, string | null>;
  role_limit_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  role_limit_note: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0018: when the member's data was erased at their request. */
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Migration 0019: the sites a moderator is limited to (null: every site). */
  moderator_sites: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  moderator_sites_by: ColumnType<string | null, string | null | undefined, string | null>;
  moderator_sites_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  moderator_sites_note: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedNow;
  updated_at: CreatedNow;
}

/** Migration 0012: a signed-in browser; the cookie holds the secret whose SHA-256 is secret_hash. */
export interface WebSessionsTable {
  id: Generated<string>;
  secret_hash: string;
  member_id: string;
  role: Role;
  csrf: string;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  ended_reason: ColumnType<SessionEndReason | null, SessionEndReason | null | undefined, SessionEndReason | null>;
}

/** Migration 0013: the events an endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ["decision.created", "comment.held", "member.sanctioned", "appeal.decided"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpointsTable {
  id: Generated<string>;
  url: string;
  secret: string;
  events: WebhookEvent[];
  description: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OutboxEventsTable {
  id: Generated<string>;
  type: WebhookEvent;
  subject_key: string;
  payload: ColumnType<unknown, string, never>;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  subject_key: string;
  state: ColumnType<"pending" | "delivered" | "failed", "pending" | "delivered" | "failed" | undefined, "pending" | "delivered" | "failed">;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lease: ColumnType<string | null, string | null | undefined, string | null>;
  last_status: ColumnType<number | null, number | null | undefined, number | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  delivered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  replays: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

/** Migration 0014: a moderator's decision sampled for a blind re-review by another. */
export interface SecondLooksTable {
  id: Generated<string>;
  decision_id: string;
  subject_kind: SubjectKind;
  subject_id: string;
  first_violation: boolean;
  first_forum_rules: string[];
  first_moderator_id: string;
  state: ColumnType<"open" | "done", "open" | "done" | undefined, "open" | "done">;
  reviewer_id: ColumnType<string | null, string | null | undefined, string | null>;
  reviewer_violation: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  reviewer_forum_rules: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  reviewer_note: ColumnType<string | null, string | null | undefined, string | null>;
  agrees: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  created_at: Timestamp;
  decided_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type SessionEndReason = "signed_out" | "ended_by_member" | "demoted" | "revoked" | "erased";

export interface NicknameNeighborsTable {
  variant: string;
  member_id: string;
}

export interface TagsTable {
  id: Generated<string>;
  article_id: string;
  label: string;
  label_key: string;
  status: "published" | "pending" | "removed";
  verdict: ColumnType<unknown, string, string>;
  rules_version: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TagSupportersTable {
  tag_id: string;
  member_id: string;
  created_at: Timestamp;
}

export interface ArticlesTable {
  id: string;
  title: string;
  body: string;
  url: string | null;
  published_at: Timestamp | null;
  /** Migration 0019: the site the article is on; it never changes. */
  site_id: ColumnType<string, string | undefined, never>;
  created_at: CreatedNow;
  updated_at: CreatedNow;
}

export interface CommentsTable {
  id: Generated<string>;
  article_id: string;
  member_id: string;
  body: string;
  status: CommentStatus;
  verdict: ColumnType<Verdict, string, string>;
  rules_version: string;
  model_version: string | null;
  accepted_rules_version: string;
  idempotency_key: string | null;
  request_hash: string;
  /** The published top-level comment this one answers (migration 0010). */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1, plus one per accepted edit; earlier versions are in comment_versions. */
  version: ColumnType<number, number | undefined, number>;
  edited_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommentVersionsTable {
  comment_id: string;
  version: number;
  body: string;
  verdict: ColumnType<Verdict, string, string>;
  rules_version: string;
  model_version: string | null;
  created_at: Timestamp;
}

export interface DecisionsTable {
  id: Generated<string>;
  subject_kind: SubjectKind;
  subject_id: string;
  subject_text: string;
  action: string;
  forum_rules: string[];
  rule_ids: string[];
  facts: ColumnType<unknown, string, never>;
  source: DecisionSource;
  automation: DecisionAutomation;
  moderator_id: string | null;
  affected_member_id: string | null;
  rules_version: string | null;
  model_version: string | null;
  reverses_decision_id: string | null;
  note: string | null;
  review_item_id: string | null;
  created_at: Timestamp;
  /** Migration 0019: set by the database as the decision is written (null: about every site). */
  site_id: ColumnType<string | null, never, never>;
}

export type ReportReason =
  | "illegal"
  | "rights"
  | "false"
  | "abuse"
  | "meaningless"
  | "irrelevant"
  | "nickname"
  | "spam"
  | "other";

export interface ReportsTable {
  id: Generated<string>;
  reporter_id: string;
  subject_kind: SubjectKind;
  subject_id: string;
  reason: ReportReason;
  note: string | null;
  weight: number;
  outcome: "upheld" | "dismissed" | null;
  created_at: Timestamp;
}

export type Severity = "low" | "medium" | "high" | "critical";

export interface ReviewItemsTable {
  id: Generated<string>;
  kind: "moderation" | "appeal";
  subject_kind: SubjectKind;
  subject_id: string;
  appeal_of_decision_id: string | null;
  state: "open" | "decided" | "withdrawn";
  forum_rules: string[];
  severity: Severity | null;
  report_weight: number;
  sort_key: number;
  claimed_by: string | null;
  lease_until: Timestamp | null;
  decision_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  decided_at: Timestamp | null;
  /** Migration 0011: handed to the admins, by whom and why. */
  escalated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  escalated_by: ColumnType<string | null, string | null | undefined, string | null>;
  escalation_note: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0019: set by the database as the item is opened (null: about every site). */
  site_id: ColumnType<string | null, never, never>;
}

export interface ReviewSourcesTable {
  id: Generated<string>;
  item_id: string;
  source: "automated_detection" | "member_report" | "appeal";
  detail: ColumnType<unknown, string, never>;
  created_at: Timestamp;
}

export interface AppealsTable {
  id: Generated<string>;
  decision_id: string;
  member_id: string;
  note: string | null;
  review_item_id: string;
  created_at: Timestamp;
}

export interface SchemaMigrationsTable {
  name: string;
  checksum: string;
  applied_at: CreatedNow;
}

export interface Database {
  members: MembersTable;
  web_sessions: WebSessionsTable;
  webhook_endpoints: WebhookEndpointsTable;
  outbox_events: OutboxEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  second_looks: SecondLooksTable;
  articles: ArticlesTable;
  comments: CommentsTable;
  comment_versions: CommentVersionsTable;
  decisions: DecisionsTable;
  reports: ReportsTable;
  review_items: ReviewItemsTable;
  review_sources: ReviewSourcesTable;
  appeals: AppealsTable;
  nickname_neighbors: NicknameNeighborsTable;
  tags: TagsTable;
  tag_supporters: TagSupportersTable;
  rate_limit_counters: { bucket: string; window_start: Timestamp; hits: number };
  rate_limit_request_keys: { bucket: string; window_start: Timestamp; request_key: string };
  comment_fingerprints: { fingerprint: string; member_id: string; created_at: Timestamp };
  /** Migration 0006: what an article's readers see, counted by the writes; summed over shards. */
  article_counters: { article_id: string; shard: number; published: string | number; changes: string | number };
  /** Migration 0008: one row, bumped by every write to articles. */
  article_catalog: { only_row: boolean; version: string | number };
  /** Migration 0009: decisions counted per site day and dimension (total, forum_rule, action, source, automation); summed over shards. */
  decision_day_counts: { day: string; site: string; dimension: string; key: string; shard: number; count: string | number };
  /** Migration 0019: a member suspended from one site until a time, one row per decision. */
  member_site_suspensions: { member_id: string; site_id: string; until: Timestamp; decision_id: string; created_at: Timestamp };
  /** Migration 0009: each decision as the keys it is counted under (a view). */
  decision_day_keys: { id: string; created_at: Timestamp; day: string; dimension: string; key: string; site: string };
  schema_migrations: SchemaMigrationsTable;
  /** Migration 0010: every change of a member's trust level. */
  member_trust_changes: {
    id: Generated<string>;
    member_id: string;
    from_level: TrustLevel;
    to_level: TrustLevel;
    why: string;
    facts: ColumnType<unknown, string, never>;
    created_at: Timestamp;
  };
  /** Migration 0010: warnings (decisions with action 'warn') and when the member acknowledged them. */
  member_warnings: { decision_id: string; member_id: string; acknowledged_at: Timestamp | null; created_at: Timestamp };
  /** Migration 0010: moderators' private notes on a member. */
  member_notes: { id: Generated<string>; member_id: string; moderator_id: string; note: string; created_at: Timestamp };
  /** Migration 0018: each export and erasure a member asked for, with what it held or removed. */
  member_data_requests: { id: Generated<string>; member_id: string; kind: "export" | "erasure"; summary: ColumnType<unknown, string, never>; created_at: Timestamp };
}
