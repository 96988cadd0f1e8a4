-- Sites (rules/sites.yaml, src/sites.ts): a publisher runs several news sites on one membership. Every
-- article belongs to one; the articles from before sites are the default site's.
alter table articles add column site_id text not null default 'default'
  check (site_id ~ '^[a-z0-9][a-z0-9-]{0,31}$');

-- An article stays on the site it was created on: the service remembers each article's site instead of
-- reading it for every comment (src/db/articles.ts), and a decision's site is fixed when it is made.
create function refuse_article_move() returns trigger
  language plpgsql
  as $$
  begin
    raise exception 'article % is on site %; an article does not move to another site', old.id, old.site_id
      using errcode = 'check_violation';
  end
  $$;
create trigger articles_stay_on_site
  before update of site_id on articles
  for each row when (new.site_id is distinct from old.site_id)
  execute function refuse_article_move();

-- A moderator limited to some sites sees and decides only their items (null: every site); who set it,
-- when and why, as for a role limit (0012).
alter table members
  add column moderator_sites text[] check (cardinality(moderator_sites) > 0),
  add column moderator_sites_by text,
  add column moderator_sites_at timestamptz,
  add column moderator_sites_note text;

-- A suspension from one site (a moderator's, src/members/actions.ts and src/review/decide.ts): the member
-- may still post elsewhere. One row per decision, so a shorter suspension never cuts a longer one short and
-- reversing one leaves the others; the member is suspended from the site while any row runs. A suspension
-- from every site stays members.status = 'suspended'.
create table member_site_suspensions (
  decision_id bigint primary key references decisions (id),
  member_id text not null references members (id),
  site_id text not null,
  until timestamptz not null,
  created_at timestamptz not null
);
create index member_site_suspensions_by_member on member_site_suspensions (member_id, site_id, until);

-- The site of a comment or tag (null for a member: a nickname is the same on every site).
create function subject_site(p_kind text, p_id text) returns text
  language plpgsql stable
  as $$
  begin
    if p_kind = 'comment' then
      return (select a.site_id from comments c join articles a on a.id = c.article_id where c.id = cast(p_id as bigint));
    elsif p_kind = 'tag' then
      return (select a.site_id from tags t join articles a on a.id = t.article_id where t.id = cast(p_id as bigint));
    end if;
    return null;
  end
  $$;

-- Every decision and review item carries its site, set here as it is written, whichever path writes it:
-- its subject's; for a decision about a member, the one site a suspension was for (facts.site), or the
-- site of the decision it reverses or decides an appeal of; for an appeal's item, the appealed decision's.
-- Null: about every site (a nickname, a revocation, a suspension from all sites).
alter table decisions add column site_id text;
alter table review_items add column site_id text;

create function decision_site() returns trigger
  language plpgsql
  as $$
  begin
    new.site_id := coalesce(
      subject_site(new.subject_kind, new.subject_id),
      new.facts ->> 'site',
      (select d.site_id from decisions d where d.id = new.reverses_decision_id),
      (select d.site_id from decisions d where d.id = cast(new.facts ->> 'appealOf' as bigint)));
    return new;
  end
  $$;
create trigger decision_site before insert on decisions for each row execute function decision_site();

create function review_item_site() returns trigger
  language plpgsql
  as $$
  begin
    new.site_id := coalesce(
      subject_site(new.subject_kind, new.subject_id),
      (select d.site_id from decisions d where d.id = new.appeal_of_decision_id));
    return new;
  end
  $$;
create trigger review_item_site before insert on review_items for each row execute function review_item_site();

-- Until now every comment and tag was on the default site. The log's own rule is lifted only for this.
alter table decisions disable trigger decisions_append_only;
update decisions set site_id = 'default' where subject_kind in ('comment', 'tag');
alter table decisions enable trigger decisions_append_only;
update review_items set site_id = 'default'
  where subject_kind in ('comment', 'tag')
     or appeal_of_decision_id in (select id from decisions where site_id = 'default');

-- A site moderator's queue: the open items of their sites, highest first.
create index review_items_queue_by_site on review_items (site_id, sort_key desc, id) where state = 'open';
create index decisions_by_site_time on decisions (site_id, created_at) where site_id is not null;

-- Daily counts per site ('' for the decisions about every site): /stats and the transparency pages filter
-- by site, and without one sum the sites.
alter table decision_day_counts add column site text not null default '';
alter table decision_day_counts drop constraint decision_day_counts_pkey;
alter table decision_day_counts add primary key (day, site, dimension, key, shard);

create or replace view decision_day_keys as
  select decisions.id, decisions.created_at, (decisions.created_at at time zone 'Asia/Taipei')::date as day, d.dimension, d.key,
    coalesce(decisions.site_id, '') as site
  from decisions
  cross join lateral (
    values ('total', ''), ('action', decisions.action), ('source', decisions.source), ('automation', decisions.automation)
    union all
    select 'forum_rule', rule from unnest(decisions.forum_rules) as rule
    union all
    select 'conflict', ''
    where decisions.moderator_id is not null
      and (decisions.moderator_id = decisions.affected_member_id
           or exists (select 1 from decisions appealed
                      where appealed.id = cast(decisions.facts->>'appealOf' as bigint)
                        and appealed.moderator_id = decisions.moderator_id))
    union all
    select 'appeal', case when decisions.action = 'reverse' then 'reverse' else 'uphold' end
    where decisions.source = 'member_appeal' and decisions.facts ? 'appealOf'
  ) as d (dimension, key);

delete from decision_day_counts;
insert into decision_day_counts (day, site, dimension, key, shard, count)
select day, site, dimension, key, 0, count(*) from decision_day_keys group by day, site, dimension, key;

create or replace function count_decision_days() returns trigger
  language plpgsql
  as $$
  begin
    insert into decision_day_counts as c (day, site, dimension, key, shard, count)
    select day, site, dimension, key, writer_shard(), count(*)
    from decision_day_keys
    where id in (select id from added)
    group by day, site, dimension, key
    on conflict (day, site, dimension, key, shard) do update set count = c.count + excluded.count;
    return null;
  end
  $$;

-- The decision log's exceptions (0018) compare the site too: no update may move a decision to another site.
create or replace function refuse_decision_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and (new.id, new.subject_kind, new.subject_id, new.action, new.forum_rules, new.rule_ids, new.source, new.automation,
          new.moderator_id, new.affected_member_id, new.rules_version, new.model_version, new.reverses_decision_id,
          new.note, new.review_item_id, new.created_at, new.site_id)
        is not distinct from
         (old.id, old.subject_kind, old.subject_id, old.action, old.forum_rules, old.rule_ids, old.source, old.automation,
          old.moderator_id, old.affected_member_id, old.rules_version, old.model_version, old.reverses_decision_id,
          old.note, old.review_item_id, old.created_at, old.site_id)
  then
    if new.subject_text = '[已依當事人請求刪除]' and decision_subject_erased(old.subject_kind, old.subject_id)
       and new.facts = redact_member_words(redact_erased_report_notes(old.facts)) then
      return new;
    end if;
    if new.subject_text = old.subject_text and new.facts = redact_erased_report_notes(old.facts) then
      return new;
    end if;
  end if;
  raise exception 'decisions are append-only: % is not allowed', tg_op
    using errcode = 'restrict_violation';
end;
$$;

-- post_comment (0017) also refuses a member suspended from the article's site: may_post is false and the
-- caller's general path answers why (src/members/may-act.ts).
create or replace function post_comment(
  p_article text,
  p_member text,
  p_body text,
  p_verdict jsonb,
  p_rules_version text,
  p_model_version text,
  p_accepted_rules_version text,
  p_request_hash text,
  p_now timestamptz,
  -- 'published', 'pending' or 'removed'
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
  p_trust_recent int,
  -- for 'removed': the decision's {forum_rules, rule_ids, facts} and the strike rule
  -- {violations (the actions that count), since, count} (rules/policy.yaml strikes)
  p_removal jsonb
) returns table (over_limit jsonb, may_post boolean, flood_others int, comment_id bigint, status text, trust_level text, trust_facts jsonb, strike_due boolean)
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
      and exists (select 1 from articles a where a.id = p_article
                  and not exists (select 1 from member_site_suspensions s
                                  where s.member_id = p_member and s.site_id = a.site_id and s.until > p_now));

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
    strike_due := false;
    status := p_status;
    review := p_review;
    if p_status = 'published' and trust_level is not null and p_premod ? trust_level then
      status := 'pending';
      review := p_premod -> trust_level;
    end if;
    -- A removal that completes the strike count suspends the member: the caller's general path does both.
    if may_post and p_status = 'removed' then
      select count(*) + 1 >= (p_removal->'strikes'->>'count')::int into strike_due
        from decisions d
        where d.affected_member_id = p_member
          and d.action in (select jsonb_array_elements_text(p_removal->'strikes'->'violations'))
          and d.created_at > (p_removal->'strikes'->>'since')::timestamptz
          and not exists (select 1 from decisions r where r.reverses_decision_id = d.id);
    end if;
    if may_post and not strike_due and (p_fingerprint is null or flood_others + 1 < p_flood_members) then
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
      if status = 'removed' then
        insert into decisions (subject_kind, subject_id, subject_text, action, forum_rules, rule_ids, facts, source, automation,
                               moderator_id, affected_member_id, rules_version, model_version, reverses_decision_id, created_at)
        values ('comment', comment_id::text, p_body, 'remove',
                array(select jsonb_array_elements_text(p_removal->'forum_rules')),
                array(select jsonb_array_elements_text(p_removal->'rule_ids')),
                p_removal->'facts', 'automated_detection', 'fully_automated',
                null, p_member, p_rules_version, p_model_version, null, p_now);
      end if;
    end if;
    -- A removal counts against any member's recent history; a publication may lift a member below trusted.
    trust_facts := null;
    if comment_id is not null and (status = 'removed' or (status = 'published' and trust_level <> 'trusted')) then
      select to_jsonb(f) into trust_facts from member_trust_facts(p_member, p_trust_cap, p_trust_recent) f;
    end if;
    return next;
  end
  $$;

-- Webhooks (0013) say which site: decision.created and member.sanctioned carry the decision's site (null:
-- every site), comment.held the comment's.
create or replace function outbox_decision() returns trigger
  language plpgsql
  as $$
  declare
    v_subject text := new.subject_kind || ':' || new.subject_id;
    v_decision jsonb := jsonb_build_object(
      'id', new.id::text, 'subjectKind', new.subject_kind, 'subjectId', new.subject_id, 'action', new.action,
      'forumRules', to_jsonb(new.forum_rules), 'ruleIds', to_jsonb(new.rule_ids), 'source', new.source,
      'automation', new.automation, 'moderatorId', new.moderator_id, 'affectedMemberId', new.affected_member_id,
      'reversesDecisionId', new.reverses_decision_id::text, 'note', new.note, 'createdAt', new.created_at,
      'site', new.site_id);
  begin
    perform write_outbox_event('decision.created', v_subject, jsonb_build_object('decision', v_decision), new.created_at);
    -- An appeal's own decision (not the suspension a reversal lifted, which is a decision of its own).
    if new.source = 'member_appeal' and new.facts ? 'appealOf' then
      perform write_outbox_event('appeal.decided', v_subject, jsonb_build_object(
        'decisionId', new.id::text, 'appealOf', new.facts->>'appealOf',
        'outcome', case when new.action = 'reverse' then 'reversed' else 'upheld' end,
        'affectedMemberId', new.affected_member_id, 'createdAt', new.created_at), new.created_at);
    end if;
    if new.action in ('warn', 'suspend', 'remove_and_suspend', 'revoke') and new.affected_member_id is not null then
      perform write_outbox_event('member.sanctioned', 'member:' || new.affected_member_id, jsonb_build_object(
        'memberId', new.affected_member_id, 'action', new.action, 'decisionId', new.id::text,
        'forumRules', to_jsonb(new.forum_rules), 'suspendedUntil', new.facts->>'suspendedUntil', 'createdAt', new.created_at,
        'site', new.site_id), new.created_at);
    end if;
    return null;
  end;
  $$;

create or replace function outbox_comment_held() returns trigger
  language plpgsql
  as $$
  begin
    if new.status = 'pending' and (tg_op = 'INSERT' or old.status is distinct from 'pending') then
      perform write_outbox_event('comment.held', 'comment:' || new.id, jsonb_build_object(
        'comment', jsonb_build_object('id', new.id::text, 'articleId', new.article_id, 'memberId', new.member_id,
          'version', new.version, 'createdAt', new.created_at,
          'site', (select a.site_id from articles a where a.id = new.article_id)),
        'forumRules', coalesce((select jsonb_agg(distinct r->>'forumRule') from jsonb_array_elements(new.verdict->'reasons') r), '[]'::jsonb)),
        new.updated_at);
    end if;
    return null;
  end;
  $$;
