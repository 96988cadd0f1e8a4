-- The write path of most comments in one round trip: a comment the rules allow or hold, from a member who
-- already accepted the current forum rules, without a retry key (src/comments/submit.ts decides which).
-- In one call, so its statements are planned once per connection:
--   1. each rate-limit window is counted (a window's first hit clears the bucket's older windows), and
--      the windows whose limit is passed are named;
--   2. the article must exist, and the member must be neither revoked nor suspended and must have accepted
--      the rules version the comment was written under;
--   3. with a fingerprint (texts long enough for the flood check), the other members who posted the same
--      text within the window are counted, and this post is recorded;
--   4. the comment is inserted with its status, unless a limit was passed, a check failed, or the text
--      floods (a flood adds a reason of its own, which the caller writes); a held comment's review item is
--      opened with the verdict as its automated source (the values src/db/review.ts computes).
-- Whatever stopped it, nothing but the counts (and, once 2 passed, the fingerprint) was written: the
-- caller takes the slow path with what this returns and does not count again.
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
  p_flood_members int
) returns table (over_limit jsonb, may_post boolean, flood_others int, comment_id bigint)
  language plpgsql
  as $$
  declare
    w record;
    counted int;
    item bigint;
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

    may_post := over_limit = '[]'::jsonb
      and exists (select 1 from articles a where a.id = p_article)
      and exists (
        select 1 from members m
        where m.id = p_member
          and m.status <> 'revoked'
          and not (m.status = 'suspended' and m.suspended_until > p_now)
          and m.accepted_rules_version = p_accepted_rules_version
      );

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
    if may_post and (p_fingerprint is null or flood_others + 1 < p_flood_members) then
      insert into comments (article_id, member_id, body, status, verdict, rules_version, model_version,
                            accepted_rules_version, idempotency_key, request_hash, created_at, updated_at)
      values (p_article, p_member, p_body, p_status, p_verdict, p_rules_version, p_model_version,
              p_accepted_rules_version, null, p_request_hash, p_now, p_now)
      returning id into comment_id;
      if p_status = 'pending' then
        insert into review_items (kind, subject_kind, subject_id, state, forum_rules, severity, report_weight, sort_key, created_at, updated_at)
        values ('moderation', 'comment', comment_id::text, 'open',
                array(select jsonb_array_elements_text(p_review->'forum_rules')), p_review->>'severity', 0,
                (p_review->>'sort_key')::double precision, p_now, p_now)
        returning id into item;
        insert into review_sources (item_id, source, detail, created_at)
        values (item, 'automated_detection', p_review->'detail', p_now);
      end if;
    end if;
    return next;
  end
  $$;
