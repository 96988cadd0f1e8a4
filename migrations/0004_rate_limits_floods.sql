-- Rate limits and flood detection, kept in the database so they hold across every server process.

create table rate_limit_counters (
  -- What is counted and for whom: comment:member:42, report:ip:203.0.113.7
  bucket text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (bucket, window_start)
);

-- A hash of each comment's canonical text, to notice the same text posted from many accounts.
create table comment_fingerprints (
  fingerprint text not null,
  member_id text not null,
  created_at timestamptz not null
);

create index comment_fingerprints_recent on comment_fingerprints (fingerprint, created_at);
