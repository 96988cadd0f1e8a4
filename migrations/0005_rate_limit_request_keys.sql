-- A retried request (the same idempotency key) counts once against a rate limit: the keys already
-- counted in a window, per bucket. Cleared with the bucket's older windows.
create table rate_limit_request_keys (
  bucket text not null,
  window_start timestamptz not null,
  -- The member and their idempotency key: member 42's key k1 is 42:k1.
  request_key text not null,
  primary key (bucket, window_start, request_key)
);
