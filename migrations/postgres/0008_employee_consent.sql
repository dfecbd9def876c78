-- The employee's written consent to deducting the quoted costs from the transitievergoeding
-- (same content as ../sqlite). On the quote row, as the register reads it in bulk: NULL while
-- nobody asked (an accepted quote shows it as pending), else pending, given or declined; when
-- it was last asked, when it was answered, and the SHA-256 of the cost specification the
-- employee was shown. The answer itself (typed name, sentence, evidence) is an event.
ALTER TABLE quotes ADD COLUMN employee_consent TEXT NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_asked_at TIMESTAMPTZ NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_at TIMESTAMPTZ NULL;
ALTER TABLE quotes ADD COLUMN employee_consent_sha256 TEXT NULL;
-- A link is for the employer (the quote) or for the employee (the consent page, with the
-- specification it shows and an end).
ALTER TABLE quote_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'employer';
ALTER TABLE quote_links ADD COLUMN expires_at TIMESTAMPTZ NULL;
ALTER TABLE quote_links ADD COLUMN document_sha256 TEXT NULL;
