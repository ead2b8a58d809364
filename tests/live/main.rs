//! Tests against live services started by scripts/live/ (see each module).
//! Without the service they skip, unless NEXTCLOUD_MCP_LIVE_TESTS=1 says they
//! must run; scripts/test.sh starts the services and sets it.

mod consent_keycloak;
mod keycloak;
mod realm;
mod replicas;

/// The helpers of the `it` binary this one needs. `it` uses every helper in
/// these files, so an unused one is reported there; here most are unused by
/// design.
#[allow(dead_code)]
#[path = "../it/support"]
mod support {
    pub mod e2e;
    pub mod fixtures;
    pub mod idp;
    pub mod login_flow;
    pub mod output_schema;
    pub mod rotating_idp;
    #[path = "../store/harness.rs"]
    pub mod store_harness;
    pub mod webhooks;
}
