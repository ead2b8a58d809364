//! The identity provider adapters against a wiremock IdP.

mod nextcloud_oidc;
mod oidc;
mod outage;
mod token_endpoint;
