-- A version per quote row, raised by every change: a change is applied only to the version it
-- was decided on (see src/quotes/ports.rs), so a rule checked on a read still holds at the write.
ALTER TABLE quotes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
