-- Several replicas on one database: who may refresh a grant now (a lease),
-- which token version a refresh started from (compare-and-set), when it last
-- succeeded (replicas skip recent ones), and grants the identity provider no
-- longer honours (they need the user's consent again).
ALTER TABLE refresh_tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN refreshed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN needs_consent_since INTEGER;

-- A registration being made at Nextcloud is leased to the replica making it.
ALTER TABLE webhook_registrations ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;

-- Earlier versions could record the same webhook twice; keep the active (then
-- newest) row of each key wanted and disable the rest, so the unique index
-- below can be built. Reconcile deletes their copies at Nextcloud.
UPDATE webhook_registrations SET status = 'disabled'
WHERE status <> 'disabled' AND EXISTS (
    SELECT 1 FROM webhook_registrations o
    WHERE o.status <> 'disabled'
      AND o.event = webhook_registrations.event
      AND o.filter = webhook_registrations.filter
      AND o.uri = webhook_registrations.uri
      AND ((o.status = 'active') > (webhook_registrations.status = 'active')
           OR ((o.status = 'active') = (webhook_registrations.status = 'active')
               AND o.id > webhook_registrations.id))
);
CREATE UNIQUE INDEX webhook_registrations_one_wanted
    ON webhook_registrations (event, filter, uri) WHERE status <> 'disabled';

-- Background work done once across replicas (e.g. webhook reconcile): a
-- named lease, taken when free or expired.
CREATE TABLE job_leases (
    name        TEXT   NOT NULL PRIMARY KEY,
    holder      TEXT   NOT NULL,
    lease_until INTEGER NOT NULL
);
