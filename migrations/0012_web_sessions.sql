-- Server-side sessions for the web pages: the cookie carries a random secret and this table what it stands
-- for, so signing out, an admin's demotion and a member's revocation end a session at once, and a member can
-- list and end their own. Only the secret's SHA-256 is stored: a copy of the table opens no session.
create table web_sessions (
  id bigserial primary key,
  secret_hash text not null unique,
  member_id text not null,
  role text not null check (role in ('member', 'moderator', 'admin')),
  csrf text not null,
  user_agent text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  ended_at timestamptz,
  ended_reason text check (ended_reason in ('signed_out', 'ended_by_member', 'demoted', 'revoked')),
  check ((ended_at is null) = (ended_reason is null))
);
create index web_sessions_live on web_sessions (member_id) where ended_at is null;

-- Demotion: the highest role an admin lets a member act with, whatever the login system's token says
-- (null: the token's role). Lowering it ends the member's sessions of a higher role at once.
alter table members add column role_limit text check (role_limit in ('member', 'moderator', 'admin'));
alter table members add column role_limit_by text references members (id);
alter table members add column role_limit_at timestamptz;
alter table members add column role_limit_note text;
