-- Member reports, the moderator review queue, appeals, and what a human decision adds to the log.

create table reports (
  id bigint generated always as identity primary key,
  reporter_id text not null references members (id),
  subject_kind text not null check (subject_kind in ('comment', 'tag', 'member')),
  subject_id text not null,
  reason text not null check (reason in
    ('illegal', 'rights', 'false', 'abuse', 'meaningless', 'irrelevant', 'nickname', 'spam', 'other')),
  note text,
  -- The reporter's weight when the report was made (policy: reporters whose reports were upheld weigh more).
  weight real not null,
  -- Set when a moderator decides the subject: the report was right (upheld) or not (dismissed).
  outcome text check (outcome in ('upheld', 'dismissed')),
  created_at timestamptz not null,
  unique (reporter_id, subject_kind, subject_id)
);

create index reports_by_subject on reports (subject_kind, subject_id);
create index reports_by_reporter on reports (reporter_id) where outcome is not null;

create table review_items (
  id bigint generated always as identity primary key,
  -- moderation: is this content or member acceptable? appeal: was this decision right?
  kind text not null check (kind in ('moderation', 'appeal')),
  subject_kind text not null check (subject_kind in ('comment', 'tag', 'member')),
  subject_id text not null,
  appeal_of_decision_id bigint references decisions (id),
  state text not null check (state in ('open', 'decided')),
  forum_rules text[] not null default '{}',
  severity text check (severity in ('low', 'medium', 'high', 'critical')),
  report_weight real not null default 0,
  -- Higher is sooner: severity and report weight in points, minus a point per day of the item's age
  -- counted from a fixed origin, so older items rise without rewriting rows (see src/review/priority.ts).
  sort_key double precision not null,
  claimed_by text references members (id),
  lease_until timestamptz,
  decision_id bigint references decisions (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  decided_at timestamptz,
  check ((kind = 'appeal') = (appeal_of_decision_id is not null))
);

-- One open item per subject (and one open appeal), whatever number of sources feed it.
create unique index review_items_one_open on review_items (kind, subject_kind, subject_id) where state = 'open';
create index review_items_queue on review_items (sort_key desc, id) where state = 'open';

create table review_sources (
  id bigint generated always as identity primary key,
  item_id bigint not null references review_items (id),
  source text not null check (source in ('automated_detection', 'member_report', 'appeal')),
  -- Rule hits and classifier score of a verdict, or the report's reason and note.
  detail jsonb not null,
  created_at timestamptz not null
);

create index review_sources_by_item on review_sources (item_id);

create table appeals (
  id bigint generated always as identity primary key,
  decision_id bigint not null unique references decisions (id),
  member_id text not null references members (id),
  note text,
  review_item_id bigint not null references review_items (id),
  created_at timestamptz not null
);

alter table decisions
  add column note text,
  add column review_item_id bigint references review_items (id);

create index decisions_by_time on decisions (created_at);

-- A decision on an appeal comes from the member who appealed.
alter table decisions drop constraint decisions_source_check;
alter table decisions add constraint decisions_source_check
  check (source in ('automated_detection', 'member_report', 'moderator_initiative', 'member_appeal'));
