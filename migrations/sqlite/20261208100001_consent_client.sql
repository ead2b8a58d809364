-- The OAuth client a consent was started from, so the callback (which has no
-- caller of its own) can name it in the audit trail.
ALTER TABLE pending_consents ADD COLUMN client_id TEXT;
