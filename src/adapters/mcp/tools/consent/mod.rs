//! Offline-access tools: grant it, check it, withdraw it. Registered only
//! when progressive consent is on (OAuth pass-through mode).

use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::caller::caller_of;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::principal::Principal;
use crate::ports::consent::{ConsentService, ProvisioningStatus};

/// Any signed-in caller may grant, check and withdraw their own offline access.
pub(super) fn router() -> AppRouter {
    AppRouter::new(None, Access::Unscoped, NextcloudMcp::consent_router())
}

impl NextcloudMcp {
    fn consent_parts(
        &self,
        request: &RequestContext<RoleServer>,
    ) -> Result<(std::sync::Arc<dyn ConsentService>, Principal), CallToolResult> {
        let consent = self
            .consent()
            .ok_or_else(|| failure("progressive consent is not enabled on this server"))?;
        let caller = caller_of(request)
            .ok_or_else(|| failure("offline access needs a signed-in caller (OAuth over HTTP)"))?;
        Ok((consent, caller))
    }
}

#[tool_router(router = consent_router)]
impl NextcloudMcp {
    #[tool(
        name = "provision_nextcloud_access",
        description = "Start granting this server access to your Nextcloud (offline access for background jobs, or, in login-flow mode, connecting your Nextcloud account). Returns a link: open it in a browser, sign in and approve. The link works once and expires soon.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn provision_nextcloud_access(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let (consent, caller) = self.consent_parts(&request)?;
        let link = consent.begin(&caller).await.or_fail()?;
        let url = link.authorization_url.to_string();
        let minutes =
            ((link.expires_at.0 - crate::service::clock::now().0).max(0) as u64).div_ceil(60);
        Ok(success(
            &serde_json::json!({ "authorization_url": url, "expires_at": link.expires_at.0 }),
            format!("Open this link, sign in and approve (valid {minutes} minutes, once):\n{url}"),
        ))
    }

    #[tool(
        name = "check_provisioning_status",
        description = "Tell whether you have granted this server offline access, with which scopes and since when.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_provisioning_status(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let (consent, caller) = self.consent_parts(&request)?;
        Ok(match consent.status(&caller).await.or_fail()? {
            ProvisioningStatus::NotProvisioned => success(
                &serde_json::json!({ "provisioned": false }),
                "Offline access is not granted. Use provision_nextcloud_access to grant it.",
            ),
            ProvisioningStatus::Provisioned { scopes, granted_at } => success(
                &serde_json::json!({ "provisioned": true, "scopes": scopes, "granted_at": granted_at.0 }),
                format!("Offline access is granted (scopes: {}).", scopes.join(" ")),
            ),
            ProvisioningStatus::NeedsConsent {
                scopes,
                granted_at,
                since,
            } => success(
                &serde_json::json!({
                    "provisioned": false,
                    "needs_consent": true,
                    "scopes": scopes,
                    "granted_at": granted_at.0,
                    "refused_since": since.0,
                }),
                "The offline access you granted was refused by the identity provider (revoked or expired). Use provision_nextcloud_access to grant it again.",
            ),
            ProvisioningStatus::Connected {
                login_name,
                connected_at,
            } => success(
                &serde_json::json!({ "provisioned": true, "connected": true, "login_name": login_name, "connected_at": connected_at.0 }),
                format!("Your Nextcloud account {login_name} is connected."),
            ),
            ProvisioningStatus::Pending { expires_at } => success(
                &serde_json::json!({ "provisioned": false, "pending": true, "expires_at": expires_at.0 }),
                "Connecting is under way: open the link provision_nextcloud_access gave you, sign in to Nextcloud and approve. Then ask again.",
            ),
            ProvisioningStatus::NeedsReconnect { login_name, since } => success(
                &serde_json::json!({ "provisioned": false, "needs_reconnect": true, "login_name": login_name, "refused_since": since.0 }),
                format!(
                    "Nextcloud no longer accepts the app password for {login_name} (revoked in Nextcloud?). Use provision_nextcloud_access to connect again."
                ),
            ),
            ProvisioningStatus::Refused { reason } => success(
                &serde_json::json!({ "provisioned": false, "refused": true, "reason": reason }),
                format!("Your last attempt to connect did not succeed: {reason}"),
            ),
        })
    }

    #[tool(
        name = "revoke_nextcloud_access",
        description = "Withdraw the offline access you granted: it is revoked at the identity provider and deleted here.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn revoke_nextcloud_access(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let (consent, caller) = self.consent_parts(&request)?;
        consent.revoke(&caller).await.or_fail()?;
        Ok(success(
            &serde_json::json!({ "revoked": true }),
            "Offline access revoked and deleted.",
        ))
    }
}
