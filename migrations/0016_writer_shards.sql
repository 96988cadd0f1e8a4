-- Counter shards by backend, one of 64 instead of one of 8. Two writing connections that share a shard
-- queue for one row's lock until the first commits. With eight shards and a pool of 16 connections every
-- shard had two writers: in the queue benchmark (8 moderators deciding at once) the decisions waited on
-- each other's decision_day_counts rows (seen with log_lock_waits). Backend ids are mostly consecutive,
-- so up to 64 connections each get a shard of their own. Readers sum the shards: a day's key or an
-- article has at most as many rows as connections wrote it.
create function writer_shard() returns smallint
  language sql volatile
  as $$ select (pg_backend_pid() % 64)::smallint $$;

create or replace function bump_article_counter(article text, published_delta bigint) returns void
  language plpgsql
  as $$
  begin
    insert into article_counters (article_id, shard, published, changes)
    values (article, writer_shard(), published_delta, 1)
    on conflict (article_id, shard) do update
      set published = article_counters.published + excluded.published,
          changes = article_counters.changes + 1;
  end
  $$;

drop function article_counter_shard();

create or replace function count_decision_days() returns trigger
  language plpgsql
  as $$
  begin
    insert into decision_day_counts as c (day, dimension, key, shard, count)
    select day, dimension, key, writer_shard(), count(*)
    from decision_day_keys
    where id in (select id from added)
    group by day, dimension, key
    on conflict (day, dimension, key, shard) do update set count = c.count + excluded.count;
    return null;
  end
  $$;
