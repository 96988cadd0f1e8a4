-- Members' data requests (Taiwan's Personal Data Protection Act, art. 3: to see one's data and to have it
-- deleted): a member downloads what this service holds about them, or has their texts and personal data
-- erased (src/members/data-requests.ts). Each request is recorded with what it held or removed.
create table member_data_requests (
  id bigint generated always as identity primary key,
  member_id text not null references members (id),
  kind text not null check (kind in ('export', 'erasure')),
  -- An export's counts of what it held; an erasure's counts of what it removed or redacted.
  summary jsonb not null,
  created_at timestamptz not null
);
create index member_data_requests_by_member on member_data_requests (member_id, created_at desc, id desc);

-- When the member's data was erased (the row stays: decisions, sanctions and reports refer to the id).
alter table members add column erased_at timestamptz;

alter table web_sessions drop constraint web_sessions_ended_reason_check;
alter table web_sessions add constraint web_sessions_ended_reason_check
  check (ended_reason in ('signed_out', 'ended_by_member', 'demoted', 'revoked', 'erased'));

-- A stored verdict or decision facts without the member's words: every `spans` entry keeps where the
-- match was and the rule's listed term, not the member's text (`text`); the classifier's `topNgrams`
-- (pieces of the text) go; at any depth (a moderator's decision keeps its item's verdicts under facts.verdicts).
create function redact_member_words(doc jsonb) returns jsonb
  language plpgsql immutable
  as $$
  declare
    result jsonb;
    k text;
    v jsonb;
  begin
    if jsonb_typeof(doc) = 'object' then
      result := '{}'::jsonb;
      for k, v in select * from jsonb_each(doc) loop
        if k = 'topNgrams' then
          continue;
        elsif k = 'spans' and jsonb_typeof(v) = 'array' then
          result := result || jsonb_build_object(k, (
            select coalesce(jsonb_agg(case when jsonb_typeof(s) = 'object' then s - 'text' else s end order by n), '[]'::jsonb)
            from jsonb_array_elements(v) with ordinality as e(s, n)));
        else
          result := result || jsonb_build_object(k, redact_member_words(v));
        end if;
      end loop;
      return result;
    elsif jsonb_typeof(doc) = 'array' then
      return (select coalesce(jsonb_agg(redact_member_words(x) order by n), '[]'::jsonb) from jsonb_array_elements(doc) with ordinality as e(x, n));
    end if;
    return doc;
  end
  $$;

-- Decision facts without the notes of reports whose reporter's data was erased (facts.reports[], as a
-- moderator's decision copies its item's report sources).
create function redact_erased_report_notes(doc jsonb) returns jsonb
  language sql stable
  as $$
    select case when jsonb_typeof(doc -> 'reports') = 'array' then jsonb_set(doc, '{reports}', (
      select coalesce(jsonb_agg(case
          when exists (select 1 from reports p join members m on m.id = p.reporter_id
                       where p.id::text = r ->> 'reportId' and m.erased_at is not null) then r - 'note'
          else r end order by n), '[]'::jsonb)
      from jsonb_array_elements(doc -> 'reports') with ordinality as e(r, n)))
    else doc end
  $$;

-- Whether a decision's subject is content of a member whose data was erased: their comment, or the member.
create function decision_subject_erased(p_kind text, p_id text) returns boolean
  language sql stable
  as $$
    select case p_kind
      when 'comment' then exists (select 1 from comments c join members m on m.id = c.member_id
                                  where c.id = cast(p_id as bigint) and m.erased_at is not null)
      when 'member' then exists (select 1 from members m where m.id = p_id and m.erased_at is not null)
      else false
    end
  $$;

-- The decision log stays append-only with two exceptions, both only after a member's data was erased and
-- both checked here against the same functions the erasure uses: a decision about that member's content
-- gets the text of its subject replaced and their words taken out of its facts; any decision gets the
-- notes of that member's reports taken out of its facts. What the law keeps stays as it was: the decision,
-- its grounds (forum rules, rule ids, the listed terms that matched), who and what made it, whom it
-- affected, the versions, the reversal it belongs to, and when.
create or replace function refuse_decision_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and (new.id, new.subject_kind, new.subject_id, new.action, new.forum_rules, new.rule_ids, new.source, new.automation,
          new.moderator_id, new.affected_member_id, new.rules_version, new.model_version, new.reverses_decision_id,
          new.note, new.review_item_id, new.created_at)
        is not distinct from
         (old.id, old.subject_kind, old.subject_id, old.action, old.forum_rules, old.rule_ids, old.source, old.automation,
          old.moderator_id, old.affected_member_id, old.rules_version, old.model_version, old.reverses_decision_id,
          old.note, old.review_item_id, old.created_at)
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
