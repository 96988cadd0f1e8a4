-- Members over time: trust levels from their history, warnings they must acknowledge, moderators' notes.
-- The levels and the numbers that move members between them are in rules/policy.yaml (trust), the rule
-- itself in src/review/trust.ts.

-- newcomer and watched members' comments wait for a moderator (pre-moderation); below trusted, links do.
alter table members add column trust_level text not null default 'newcomer'
  check (trust_level in ('newcomer', 'member', 'trusted', 'watched'));
-- Members who were here before pre-moderation keep posting as they did.
update members set trust_level = 'member';
-- Warnings given and not yet acknowledged: while above 0 the member may not post (409).
alter table members add column unacknowledged_warnings int not null default 0
  check (unacknowledged_warnings >= 0);

-- Every change of a member's level, with what moved it.
create table member_trust_changes (
  id bigint generated always as identity primary key,
  member_id text not null references members (id),
  from_level text not null,
  to_level text not null,
  -- zh-TW, shown to moderators on the item page and the member's history
  why text not null,
  -- the counts the level was computed from, and the event that asked (a decision, a published comment)
  facts jsonb not null,
  created_at timestamptz not null
);
create index member_trust_changes_by_member on member_trust_changes (member_id, created_at desc, id desc);

-- A warning is a decision (action 'warn', a strike of weight 0); the member acknowledges it here.
create table member_warnings (
  decision_id bigint primary key references decisions (id),
  member_id text not null references members (id),
  acknowledged_at timestamptz,
  created_at timestamptz not null
);
create index member_warnings_by_member on member_warnings (member_id, created_at desc);

-- Moderators' private notes on a member: never shown to the member.
create table member_notes (
  id bigint generated always as identity primary key,
  member_id text not null references members (id),
  moderator_id text not null,
  note text not null,
  created_at timestamptz not null
);
create index member_notes_by_member on member_notes (member_id, created_at desc, id desc);

-- What a member's trust level is computed from (src/review/trust.ts), each count bounded by what the rule
-- needs: comments standing published (up to p_cap), the statuses of the last p_recent decided comments
-- (published or removed, newest first), reports of theirs a moderator upheld (up to p_cap).
create function member_trust_facts(p_member text, p_cap int, p_recent int)
  returns table (standing int, recent text[], upheld_reports int)
  language sql stable
  as $$
    select
      (select count(*)::int from (select 1 from comments c where c.member_id = p_member and c.status = 'published' limit p_cap) s),
      (select coalesce(array_agg(r.status order by r.created_at desc, r.id desc), '{}') from (
         select c.status, c.created_at, c.id from comments c
         where c.member_id = p_member and c.status in ('published', 'removed')
         order by c.created_at desc, c.id desc limit p_recent) r),
      (select count(*)::int from (select 1 from reports p where p.reporter_id = p_member and p.outcome = 'upheld' limit p_cap) u)
  $$;

-- post_comment (0007) learns pre-moderation and warnings: a comment the screening allows from a member
-- whose level is a key of p_premod is held instead, with that key's review item; a member with
-- a warning to acknowledge may not post (the caller's general path answers 409). It also answers the
-- member's level and, when it published the comment of a member below trusted, their trust facts: the
-- caller sees whether the level moved without asking again.
drop function post_comment(text, text, text, jsonb, text, text, text, text, timestamptz, text, jsonb, jsonb, text, timestamptz, int);

create function post_comment(
  p_article text,
  p_member text,
  p_body text,
  p_verdict jsonb,
  p_rules_version text,
  p_model_version text,
  p_accepted_rules_version text,
  p_request_hash text,
  p_now timestamptz,
  -- 'published' or 'pending'
  p_status text,
  -- for 'pending': {forum_rules, severity, sort_key, detail}
  p_review jsonb,
  -- [{bucket, window_start, max_hits}]
  p_windows jsonb,
  p_fingerprint text,
  p_flood_since timestamptz,
  p_flood_members int,
  -- {level: review item (the shape of p_review)} for the levels whose allowed comments are held
  p_premod jsonb,
  -- member_trust_facts' bounds
  p_trust_cap int,
  p_trust_recent int
) returns table (over_limit jsonb, may_post boolean, flood_others int, comment_id bigint, status text, trust_level text, trust_facts jsonb)
  language plpgsql
  as $$
  declare
    w record;
    counted int;
    item bigint;
    review jsonb;
  begin
    over_limit := '[]'::jsonb;
    for w in select * from jsonb_to_recordset(p_windows) as x(bucket text, window_start timestamptz, max_hits int) loop
      insert into rate_limit_counters as c (bucket, window_start, hits) values (w.bucket, w.window_start, 1)
        on conflict (bucket, window_start) do update set hits = c.hits + 1
        returning c.hits into counted;
      if counted = 1 then
        delete from rate_limit_counters c where c.bucket = w.bucket and c.window_start < w.window_start;
        delete from rate_limit_request_keys k where k.bucket = w.bucket and k.window_start < w.window_start;
      end if;
      if counted > w.max_hits then
        over_limit := over_limit || jsonb_build_object('bucket', w.bucket, 'hits', counted);
      end if;
    end loop;

    select m.trust_level into trust_level
      from members m
      where m.id = p_member
        and m.status <> 'revoked'
        and not (m.status = 'suspended' and m.suspended_until > p_now)
        and m.accepted_rules_version = p_accepted_rules_version
        and m.unacknowledged_warnings = 0;
    may_post := over_limit = '[]'::jsonb
      and trust_level is not null
      and exists (select 1 from articles a where a.id = p_article);

    flood_others := 0;
    if p_fingerprint is not null then
      select count(distinct f.member_id) into flood_others
        from comment_fingerprints f
        where f.fingerprint = p_fingerprint and f.member_id <> p_member and f.created_at > p_flood_since;
      if may_post then
        insert into comment_fingerprints (fingerprint, member_id, created_at) values (p_fingerprint, p_member, p_now);
      end if;
    end if;

    comment_id := null;
    status := p_status;
    review := p_review;
    if p_status = 'published' and trust_level is not null and p_premod ? trust_level then
      status := 'pending';
      review := p_premod -> trust_level;
    end if;
    if may_post and (p_fingerprint is null or flood_others + 1 < p_flood_members) then
      insert into comments (article_id, member_id, body, status, verdict, rules_version, model_version,
                            accepted_rules_version, idempotency_key, request_hash, created_at, updated_at)
      values (p_article, p_member, p_body, status, p_verdict, p_rules_version, p_model_version,
              p_accepted_rules_version, null, p_request_hash, p_now, p_now)
      returning id into comment_id;
      if status = 'pending' then
        insert into review_items (kind, subject_kind, subject_id, state, forum_rules, severity, report_weight, sort_key, created_at, updated_at)
        values ('moderation', 'comment', comment_id::text, 'open',
                array(select jsonb_array_elements_text(review->'forum_rules')), review->>'severity', 0,
                (review->>'sort_key')::double precision, p_now, p_now)
        returning id into item;
        insert into review_sources (item_id, source, detail, created_at)
        values (item, 'automated_detection', review->'detail', p_now);
      end if;
    end if;
    trust_facts := null;
    if comment_id is not null and status = 'published' and trust_level <> 'trusted' then
      select to_jsonb(f) into trust_facts from member_trust_facts(p_member, p_trust_cap, p_trust_recent) f;
    end if;
    return next;
  end
  $$;

-- Replies: a comment may answer a published top-level comment of the same article (one level).
alter table comments add column parent_id bigint references comments (id);
create index comments_replies on comments (parent_id) where parent_id is not null;

-- Edits and own deletion: the author may edit within rules/policy.yaml's window (each version kept, the
-- current one on the row) and delete their own comment: 'deleted' leaves the page and the count, and the
-- row stays for the decision record.
alter table comments add column version int not null default 1;
alter table comments add column edited_at timestamptz;
alter table comments drop constraint comments_status_check;
alter table comments add constraint comments_status_check check (status in ('published', 'pending', 'removed', 'deleted'));

create table comment_versions (
  comment_id bigint not null references comments (id),
  version int not null,
  body text not null,
  verdict jsonb not null,
  rules_version text not null,
  model_version text,
  -- when this version was written (the comment's created_at for the first)
  created_at timestamptz not null,
  primary key (comment_id, version)
);

-- A held comment its author deletes leaves the queue without a decision: its item is withdrawn.
alter table review_items drop constraint review_items_state_check;
alter table review_items add constraint review_items_state_check check (state in ('open', 'decided', 'withdrawn'));

-- A published comment's edit changes what readers see: the article's change counter moves (the ETag).
create or replace function comments_count_published() returns trigger
  language plpgsql
  as $$
  declare
    was boolean := tg_op in ('UPDATE', 'DELETE') and old.status = 'published';
    is_now boolean := tg_op in ('INSERT', 'UPDATE') and new.status = 'published';
  begin
    if was and not is_now then
      perform bump_article_counter(old.article_id, -1);
    elsif is_now and not was then
      perform bump_article_counter(new.article_id, 1);
    elsif was and is_now and new.body is distinct from old.body then
      perform bump_article_counter(new.article_id, 0);
    end if;
    return null;
  end
  $$;
drop trigger comments_count_published on comments;
create trigger comments_count_published
  after insert or update of status, body or delete on comments
  for each row execute function comments_count_published();
