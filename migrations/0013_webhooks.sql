-- Signed webhooks through a transactional outbox (src/webhooks/). An admin registers endpoints with the
-- event types they want; the triggers below write each event in the same transaction as what it reports
-- (a decision row, a comment entering 'pending'), with one delivery per subscribed endpoint (a switched-off
-- endpoint's deliveries wait until it is switched on again). A sender delivers them at least once, oldest
-- first per endpoint and subject, with exponential backoff; nothing is written when no endpoint wants the
-- event.
create table webhook_endpoints (
  id bigserial primary key,
  url text not null check (url ~ '^https?://'),
  -- The HMAC-SHA256 key the receiver verifies signatures with; shown to the admin once, at creation.
  secret text not null,
  events text[] not null check (events <@ array['decision.created', 'comment.held', 'member.sanctioned', 'appeal.decided'] and cardinality(events) > 0),
  description text,
  active boolean not null default true,
  created_by text not null references members (id),
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table outbox_events (
  id bigserial primary key,
  type text not null,
  -- Events of one subject reach an endpoint in the order they were written.
  subject_key text not null,
  payload jsonb not null,
  created_at timestamptz not null
);

create table webhook_deliveries (
  id bigserial primary key,
  endpoint_id bigint not null references webhook_endpoints (id),
  event_id bigint not null references outbox_events (id),
  subject_key text not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  -- A sender holds the delivery until then while it sends (another sender skips it); its answer counts only
  -- while the lease is still its own.
  locked_until timestamptz,
  lease text,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  replays integer not null default 0,
  created_at timestamptz not null,
  unique (endpoint_id, event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';
create index webhook_deliveries_subject on webhook_deliveries (endpoint_id, subject_key, event_id) where state = 'pending';
create index webhook_deliveries_log on webhook_deliveries (endpoint_id, id);

-- Writes an event and its deliveries, if any active endpoint wants its type.
create function write_outbox_event(p_type text, p_subject_key text, p_payload jsonb, p_at timestamptz) returns void
  language plpgsql
  as $$
  declare
    v_event bigint;
  begin
    if not exists (select 1 from webhook_endpoints where p_type = any (events)) then
      return;
    end if;
    -- Writers of one subject take their event ids in the order they commit: the sender holds a subject's
    -- later events back while an earlier one is pending, which works only if no earlier id commits later.
    perform pg_advisory_xact_lock(hashtext('outbox:' || p_subject_key));
    insert into outbox_events (type, subject_key, payload, created_at)
      values (p_type, p_subject_key, p_payload, p_at)
      returning id into v_event;
    insert into webhook_deliveries (endpoint_id, event_id, subject_key, next_attempt_at, created_at)
      select id, v_event, p_subject_key, p_at, p_at from webhook_endpoints where p_type = any (events);
  end;
  $$;

-- decision.created for every decision; appeal.decided for an appeal's; member.sanctioned for a warning,
-- suspension or revocation (the member is the subject of that event).
create function outbox_decision() returns trigger
  language plpgsql
  as $$
  declare
    v_subject text := new.subject_kind || ':' || new.subject_id;
    v_decision jsonb := jsonb_build_object(
      'id', new.id::text, 'subjectKind', new.subject_kind, 'subjectId', new.subject_id, 'action', new.action,
      'forumRules', to_jsonb(new.forum_rules), 'ruleIds', to_jsonb(new.rule_ids), 'source', new.source,
      'automation', new.automation, 'moderatorId', new.moderator_id, 'affectedMemberId', new.affected_member_id,
      'reversesDecisionId', new.reverses_decision_id::text, 'note', new.note, 'createdAt', new.created_at);
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
        'forumRules', to_jsonb(new.forum_rules), 'suspendedUntil', new.facts->>'suspendedUntil', 'createdAt', new.created_at), new.created_at);
    end if;
    return null;
  end;
  $$;
create trigger outbox_decision after insert on decisions for each row execute function outbox_decision();

-- comment.held when a comment enters 'pending' (held by the rules, pre-moderated, or hidden by reports).
create function outbox_comment_held() returns trigger
  language plpgsql
  as $$
  begin
    if new.status = 'pending' and (tg_op = 'INSERT' or old.status is distinct from 'pending') then
      perform write_outbox_event('comment.held', 'comment:' || new.id, jsonb_build_object(
        'comment', jsonb_build_object('id', new.id::text, 'articleId', new.article_id, 'memberId', new.member_id,
          'version', new.version, 'createdAt', new.created_at),
        'forumRules', coalesce((select jsonb_agg(distinct r->>'forumRule') from jsonb_array_elements(new.verdict->'reasons') r), '[]'::jsonb)),
        new.updated_at);
    end if;
    return null;
  end;
  $$;
create trigger outbox_comment_held after insert or update of status on comments for each row execute function outbox_comment_held();
