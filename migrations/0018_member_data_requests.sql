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

-- The decision log stays append-only with one exception: an erasure redacts the text of the subject (and
-- the matched words in the facts) of decisions on the member's own content. What the law keeps stays as
-- it was: the decision, its grounds (forum rules, rule ids, facts without the words), who and what made it,
-- whom it affected, the versions, the reversal it belongs to, and when.
create or replace function refuse_decision_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and new.subject_text = '[已依當事人請求刪除]'
     and (new.id, new.subject_kind, new.subject_id, new.action, new.forum_rules, new.rule_ids, new.source, new.automation,
          new.moderator_id, new.affected_member_id, new.rules_version, new.model_version, new.reverses_decision_id,
          new.note, new.review_item_id, new.created_at)
        is not distinct from
         (old.id, old.subject_kind, old.subject_id, old.action, old.forum_rules, old.rule_ids, old.source, old.automation,
          old.moderator_id, old.affected_member_id, old.rules_version, old.model_version, old.reverses_decision_id,
          old.note, old.review_item_id, old.created_at)
  then
    return new;
  end if;
  raise exception 'decisions are append-only: % is not allowed', tg_op
    using errcode = 'restrict_violation';
end;
$$;
