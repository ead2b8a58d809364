//! The SQL of leases and compare-and-set writes, shared by both adapters.
//! Every claim is one conditional statement: PostgreSQL re-checks the WHERE
//! clause of a concurrent UPDATE against the row the winner committed, and
//! SQLite runs writers one at a time, so of concurrent claimers one wins.

use crate::domain::time::UnixTime;
use crate::ports::store::GrantState;

pub(crate) const CLAIM_GRANT: &str = "UPDATE refresh_tokens SET lease_until = $3 \
    WHERE subject = $1 AND provider = $2 AND lease_until <= $4 AND refreshed_at <= $5 \
    AND needs_consent_since IS NULL \
    RETURNING subject, provider, sealed, key_version, scopes, granted_at, version";
pub(crate) const FINISH_ROTATED: &str = "UPDATE refresh_tokens SET sealed = $1, key_version = $2, \
    version = version + 1, refreshed_at = $3, lease_until = 0 \
    WHERE subject = $4 AND provider = $5 AND version = $6";
pub(crate) const FINISH_KEPT: &str = "UPDATE refresh_tokens SET refreshed_at = $1, lease_until = 0 \
    WHERE subject = $2 AND provider = $3 AND version = $4";
pub(crate) const RELEASE_GRANT: &str = "UPDATE refresh_tokens SET lease_until = 0 \
    WHERE subject = $1 AND provider = $2 AND version = $3";
pub(crate) const MARK_NEEDS_CONSENT: &str = "UPDATE refresh_tokens \
    SET needs_consent_since = $1, lease_until = 0 \
    WHERE subject = $2 AND provider = $3 AND version = $4";
pub(crate) const GRANT_STATE: &str = "SELECT version, refreshed_at, lease_until, needs_consent_since \
    FROM refresh_tokens WHERE subject = $1 AND provider = $2";

pub(crate) const CLAIM_WEBHOOK: &str = "UPDATE webhook_registrations SET lease_until = $2 \
    WHERE id = $1 AND status IN ('pending', 'failed') AND lease_until <= $3";

pub(crate) const TRY_LEASE: &str = "INSERT INTO job_leases (name, holder, lease_until) \
    VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE \
    SET holder = excluded.holder, lease_until = excluded.lease_until \
    WHERE job_leases.lease_until <= $4 OR job_leases.holder = excluded.holder \
    RETURNING name";
pub(crate) const RELEASE_LEASE: &str =
    "UPDATE job_leases SET lease_until = 0 WHERE name = $1 AND holder = $2";

pub(crate) type ClaimRow = (String, String, Vec<u8>, i64, String, i64, i64);
pub(crate) type GrantStateRow = (i64, i64, i64, Option<i64>);

pub(crate) fn state_from_row(row: GrantStateRow) -> GrantState {
    let (version, refreshed_at, lease_until, needs_consent_since) = row;
    GrantState {
        version,
        refreshed_at: UnixTime(refreshed_at),
        lease_until: UnixTime(lease_until),
        needs_consent_since: needs_consent_since.map(UnixTime),
    }
}
