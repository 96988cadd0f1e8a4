-- Escalation: a moderator hands an open item to the admins with a note. An escalated item is claimed and
-- decided by admins only; the queue shows each item's age against rules/policy.yaml's review.targetHours.
alter table review_items add column escalated_at timestamptz;
alter table review_items add column escalated_by text references members (id);
alter table review_items add column escalation_note text;
create index review_items_escalated on review_items (escalated_at) where state = 'open' and escalated_at is not null;
