-- Members, articles, comments and the append-only decision log.
-- Ids that come from the site (member ids from its login system, article ids from its CMS) are text;
-- ids this service creates are bigint identities.

create table members (
  id text primary key,
  nickname text,
  status text not null default 'active'
    check (status in ('active', 'suspended', 'revoked')),
  suspended_until timestamptz,
  accepted_rules_version text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status <> 'suspended' or suspended_until is not null)
);

create table articles (
  id text primary key,
  title text not null,
  body text not null,
  url text,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table comments (
  id bigint generated always as identity primary key,
  article_id text not null references articles (id),
  member_id text not null references members (id),
  body text not null,
  status text not null check (status in ('published', 'pending', 'removed')),
  -- The verdict that decided the status, exactly as the moderation core returned it.
  verdict jsonb not null,
  rules_version text not null,
  model_version text,
  -- Version of the forum rules the author accepted when posting.
  accepted_rules_version text not null,
  idempotency_key text,
  -- Hash of the submitted fields, so a reused idempotency key with a different comment is refused.
  request_hash text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (member_id, idempotency_key)
);

-- The public listing: published comments of one article, newest first, keyset-paginated.
create index comments_published_by_article
  on comments (article_id, created_at desc, id desc)
  where status = 'published';

create index comments_by_member on comments (member_id, created_at desc);

create table decisions (
  id bigint generated always as identity primary key,
  subject_kind text not null check (subject_kind in ('comment', 'tag', 'member')),
  subject_id text not null,
  -- The text as it was when decided, so the record stands even if the subject changes later.
  subject_text text not null,
  action text not null,
  forum_rules text[] not null,
  rule_ids text[] not null,
  -- Matched spans, scores and anything else the decision rested on.
  facts jsonb not null,
  source text not null
    check (source in ('automated_detection', 'member_report', 'moderator_initiative')),
  automation text not null
    check (automation in ('fully_automated', 'human_with_automated_help', 'human')),
  moderator_id text references members (id),
  affected_member_id text references members (id),
  rules_version text,
  model_version text,
  reverses_decision_id bigint references decisions (id),
  created_at timestamptz not null
);

create index decisions_by_subject on decisions (subject_kind, subject_id, created_at);
create index decisions_by_affected_member on decisions (affected_member_id, created_at desc);

-- The decision log is append-only: a reversal is a new row pointing at the old one.
create function refuse_decision_change() returns trigger
language plpgsql as $$
begin
  raise exception 'decisions are append-only: % is not allowed', tg_op
    using errcode = 'restrict_violation';
end;
$$;

create trigger decisions_append_only
  before update or delete on decisions
  for each row execute function refuse_decision_change();

create trigger decisions_no_truncate
  before truncate on decisions
  for each statement execute function refuse_decision_change();
