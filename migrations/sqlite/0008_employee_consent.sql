-- The employee's consent and consent links (same content as ../postgres; see there for why).
ALTER TABLE quotes ADD COLUMN employee_consent TEXT NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_asked_at TEXT NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_at TEXT NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_sha256 TEXT NULL;
ALTER TABLE quote_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'employer';
ALTER TABLE quote_links ADD COLUMN expires_at TEXT NULL;
ALTER TABLE quote_links ADD COLUMN document_sha256 TEXT NULL;
