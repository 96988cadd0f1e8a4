-- Nickname screening (R4) and article tags (R3).

-- The nickname as confusion sees it: normalized (width, case, script, separators) and with look-alike
-- characters folded (rules/nicknames.yaml). Two live members may not share one.
alter table members
  add column nickname_key text,
  add column nickname_status text check (nickname_status in ('approved', 'pending')),
  -- The rules version the nickname was last screened with; the rescreen command skips members already at it.
  add column nickname_rules_version text;

create unique index members_nickname_key on members (nickname_key) where nickname_key is not null and status <> 'revoked';

-- Every nickname key with one character deleted: two keys within edit distance 1 share an entry, so
-- near-identical nicknames are found by index, not by comparing against every member.
create table nickname_neighbors (
  variant text not null,
  member_id text not null references members (id),
  primary key (variant, member_id)
);

create index nickname_neighbors_by_member on nickname_neighbors (member_id);

create table tags (
  id bigint generated always as identity primary key,
  article_id text not null references articles (id),
  label text not null,
  -- The label normalized: the same tag written in either script or width is one tag.
  label_key text not null,
  status text not null check (status in ('published', 'pending', 'removed')),
  verdict jsonb not null,
  rules_version text not null,
  created_by text not null references members (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (article_id, label_key)
);

create table tag_supporters (
  tag_id bigint not null references tags (id),
  member_id text not null references members (id),
  created_at timestamptz not null,
  primary key (tag_id, member_id)
);
