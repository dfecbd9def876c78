-- Webhook endpoints a bureau's admin sets through the API (the rows with a URL): where to POST,
-- the secrets to sign with (the newest first; the one before it while a rotation overlaps) and
-- the events wanted. Rows without a URL keep the state of an endpoint of the settings.
ALTER TABLE webhook_endpoints ADD COLUMN url TEXT NULL;
ALTER TABLE webhook_endpoints ADD COLUMN secrets TEXT NULL;
ALTER TABLE webhook_endpoints ADD COLUMN events TEXT NULL;
ALTER TABLE webhook_endpoints ADD COLUMN created_at TEXT NULL;
ALTER TABLE webhook_endpoints ADD COLUMN rotated_at TEXT NULL;
