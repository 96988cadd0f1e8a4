-- GET /stats over months of decisions without reading each one: decisions are never changed or deleted
-- (the log is append-only), so their counts per site calendar day (Asia/Taipei) are kept as they are
-- written, by dimension: total (key ''), forum_rule (one per rule a decision names), action, source,
-- automation, and conflict (key ''): a moderator deciding on their own content or sanction, or on an
-- appeal of their own decision, which the API refuses, so it should stay 0. A range's whole days are read from here and its partial first and last days from the
-- decisions themselves (src/db/stats.ts). Shards, as in article_counters, keep concurrent writers of one
-- day off each other's rows.
create table decision_day_counts (
  day date not null,
  dimension text not null check (dimension in ('total', 'forum_rule', 'action', 'source', 'automation', 'conflict')),
  key text not null,
  shard smallint not null,
  count bigint not null,
  primary key (day, dimension, key, shard)
);

-- Each decision as the keys it is counted under: its day, and one row per dimension it counts in. The one
-- definition of what /stats counts: the trigger and the backfill read it, and so does src/db/stats.ts for
-- the partial days at a range's ends.
create view decision_day_keys as
  select decisions.id, decisions.created_at, (decisions.created_at at time zone 'Asia/Taipei')::date as day, d.dimension, d.key
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
  ) as d (dimension, key);

create function count_decision_days() returns trigger
  language plpgsql
  as $$
  begin
    insert into decision_day_counts as c (day, dimension, key, shard, count)
    select day, dimension, key, (pg_backend_pid() % 8)::smallint, count(*)
    from decision_day_keys
    where id in (select id from added)
    group by day, dimension, key
    on conflict (day, dimension, key, shard) do update set count = c.count + excluded.count;
    return null;
  end
  $$;

create trigger count_decision_days
  after insert on decisions
  referencing new table as added
  for each statement execute function count_decision_days();

-- The decisions already made.
insert into decision_day_counts (day, dimension, key, shard, count)
select day, dimension, key, 0, count(*) from decision_day_keys group by day, dimension, key;

-- What /stats still reads from the decisions themselves, the median wait to a human decision: found among
-- the decisions made on review items, not among every automated one.
create index decisions_by_review_item_time on decisions (created_at) where review_item_id is not null;
