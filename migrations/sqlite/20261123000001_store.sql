-- Sealed refresh tokens (Flow 2), one per (subject, provider).
-- `sealed` is 0x01 || nonce || AES-256-GCM ciphertext || tag; see docs/adr/0003-storage.md.
CREATE TABLE refresh_tokens (
    subject     TEXT    NOT NULL,
    provider    TEXT    NOT NULL,
    sealed      BLOB    NOT NULL,
    key_version INTEGER NOT NULL,
    scopes      TEXT    NOT NULL,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (subject, provider)
);

-- Consents started and not finished. `state` is single use: taken with DELETE ... RETURNING.
CREATE TABLE pending_consents (
    state       TEXT    NOT NULL PRIMARY KEY,
    subject     TEXT    NOT NULL,
    provider    TEXT    NOT NULL,
    sealed      BLOB    NOT NULL,
    key_version INTEGER NOT NULL,
    scopes      TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX pending_consents_expires_at ON pending_consents (expires_at);

CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    client_id TEXT,
    at        INTEGER NOT NULL,
    outcome   TEXT    NOT NULL,
    reason    TEXT
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_subject_at ON audit_events (subject, at, id);

CREATE TABLE webhook_registrations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    nextcloud_id INTEGER,
    event        TEXT    NOT NULL,
    filter       TEXT    NOT NULL,
    uri          TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    status       TEXT    NOT NULL
);
