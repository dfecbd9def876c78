-- The worker's claim reads only indexes (same content as ../sqlite): the due jobs in the order
-- it takes them, with what it filters on (lease, order key, endpoint), and a job's older queued
-- siblings. A deep queue (a burst of webhook events) then costs the claim no sort and no row
-- reads; on SQLite a row read would run through a webhook body's overflow pages.
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at, lease_until, order_key, endpoint);
DROP INDEX outbox_order_idx;
CREATE INDEX outbox_order_idx ON outbox (order_key, endpoint, status, seq);
