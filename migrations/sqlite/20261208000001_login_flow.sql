-- Login-flow mode: each caller's own Nextcloud app password, granted through
-- Login Flow v2, sealed like refresh tokens (purpose "app_password", bound to
-- subject and provider). One account per (subject, provider).
CREATE TABLE app_passwords (
    subject               TEXT    NOT NULL,
    provider              TEXT    NOT NULL,
    login_name            TEXT    NOT NULL,
    user_id               TEXT    NOT NULL,
    sealed                BLOB    NOT NULL,
    key_version           INTEGER NOT NULL,
    connected_at          INTEGER NOT NULL,
    rotated_at            INTEGER NOT NULL,
    needs_reconnect_since INTEGER,
    PRIMARY KEY (subject, provider)
);

-- Flows started and not finished, so any replica can poll and finish them.
-- The poll token fetches the app password once: sealed too.
CREATE TABLE login_flows (
    subject         TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    sealed          BLOB    NOT NULL,
    key_version     INTEGER NOT NULL,
    expected_login  TEXT    NOT NULL,
    expected_source TEXT    NOT NULL,
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (subject, provider)
);
CREATE INDEX login_flows_expires_at ON login_flows (expires_at);
