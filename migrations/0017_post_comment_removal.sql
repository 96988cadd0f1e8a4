-- post_comment (0010) takes the comments the rules reject too: the removed comment, its fully automated
-- decision (as src/review/intake.ts removeAutomatically records it) and the member's trust facts, in the
-- same round trip. Half of a hostile day's comments are rejected; each took eight statements before. A
-- rejection that completes the strike count (rules/policy.yaml strikes) is not stored here: strike_due
-- tells the caller, whose general path records it with the suspension in one transaction.
drop function post_comment(text, text, text, jsonb, text, text, text, text, timestamptz, text, jsonb, jsonb, text, timestamptz, int, jsonb, int, int);

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
