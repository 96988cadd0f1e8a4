-- Appeal outcomes counted apart: an appeal's own decision (upheld or reversed, facts.appealOf) under the
-- dimension 'appeal'. Counting them as the actions uphold and reverse also counted the automatic decision
-- that lifts a strike suspension after a reversal (action 'reverse' too), so one reversal could count
-- twice in /stats and on the public transparency page.
alter table decision_day_counts drop constraint decision_day_counts_dimension_check;
alter table decision_day_counts add constraint decision_day_counts_dimension_check
  check (dimension in ('total', 'forum_rule', 'action', 'source', 'automation', 'conflict', 'appeal'));

create or replace view decision_day_keys as
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
    union all
    select 'appeal', case when decisions.action = 'reverse' then 'reverse' else 'uphold' end
    where decisions.source = 'member_appeal' and decisions.facts ? 'appealOf'
  ) as d (dimension, key);

-- The appeals already decided.
insert into decision_day_counts (day, dimension, key, shard, count)
select day, dimension, key, 0, count(*) from decision_day_keys where dimension = 'appeal' group by day, dimension, key;
