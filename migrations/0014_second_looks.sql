-- A second look: a share of moderators' decisions (rules/policy.yaml review.secondLookShare) is sampled
-- for a blind re-review by another moderator, who sees the subject and what the rules found but not the
-- decision. Whether the two agree, per forum rule, shows in /stats: whether the rules are applied alike.
create table second_looks (
  id bigserial primary key,
  decision_id bigint not null unique references decisions (id),
  subject_kind text not null,
  subject_id text not null,
  -- The first decision's side: a violation (remove …) or not (approve, dismiss_reports), and its rules.
  first_violation boolean not null,
  first_forum_rules text[] not null,
  first_moderator_id text not null references members (id),
  state text not null default 'open' check (state in ('open', 'done')),
  reviewer_id text references members (id),
  reviewer_violation boolean,
  reviewer_forum_rules text[],
  reviewer_note text,
  agrees boolean,
  created_at timestamptz not null,
  decided_at timestamptz,
  check ((state = 'done') = (reviewer_id is not null and agrees is not null and decided_at is not null))
);
create index second_looks_open on second_looks (created_at) where state = 'open';
create index second_looks_decided on second_looks (decided_at) where state = 'done';
