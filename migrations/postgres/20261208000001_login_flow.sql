-- Login-flow mode: each caller's own Nextcloud app password, granted through
-- Login Flow v2, sealed like refresh tokens (purpose "app_password", bound to
-- subject and provider). One account per (subject, provider).
CREATE TABLE app_passwords (
    subject               TEXT    NOT NULL,
    provider              TEXT    NOT NULL,
    login_name            TEXT    NOT NULL,
    user_id               TEXT    NOT NULL,
    sealed                BYTEA    NOT NULL,
    key_version           BIGINT NOT NULL,
    connected_at          BIGINT NOT NULL,
    rotated_at            BIGINT NOT NULL,
    needs_reconnect_since BIGINT,
    PRIMARY KEY (subject, provider)
);

-- Flows started and not finished, so any replica can poll and finish them.
-- The poll token fetches the app password once: sealed too.
CREATE TABLE login_flows (
    subject         TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    sealed          BYTEA    NOT NULL,
    key_version     BIGINT NOT NULL,
    expected_login  TEXT    NOT NULL,
    expected_source TEXT    NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (subject, provider)
);
CREATE INDEX login_flows_expires_at ON login_flows (expires_at);
