//! Webhook admin tools (`nc_webhooks_*`). Nextcloud lets only admins manage
//! webhooks: in basic mode the app password must be an admin's, in OAuth
//! modes the caller's own credential is used. Without WEBHOOK_SECRET every
//! tool says why instead of acting.

use std::sync::Arc;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::scopes::Scope;
use crate::domain::webhooks::{EVENT_TYPES, EventFilter, Preset, WebhookSpec, event_type};
use crate::ports::nextcloud::{NextcloudApi, NextcloudError};
use crate::ports::webhooks::{WebhookAdmin, WebhookError};

/// Webhooks are core Nextcloud, and managing them is for administrators only.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::only(Scope::WebhooksAdmin),
        NextcloudMcp::webhooks_router(),
    )
}

const WEBHOOKS_OFF: &str = "webhooks are off on this server: WEBHOOK_SECRET is not set, so the \
    receiver (/webhooks/nextcloud) is not mounted. Set WEBHOOK_SECRET and NEXTCLOUD_MCP_WEBHOOK_URL \
    and serve over HTTP (`nextcloud-mcp serve`)";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RegisterArgs {
    /// Event class from nc_webhooks_list_event_types, e.g. "OCP\\Files\\Events\\Node\\NodeCreatedEvent".
    pub event: String,
    /// Optional filter on the delivered payload, e.g. {"user.uid": "alice"} or {"event.node.path": "/^\\/alice\\/files\\/Projects\\//"}. Strings match exactly unless written /regex/flags; globs match nothing.
    #[serde(default)]
    pub event_filter: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListArgs {
    /// Also list webhooks that deliver elsewhere (default: only ours).
    #[serde(default)]
    pub all: Option<bool>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteArgs {
    /// Nextcloud's id of the webhook, as nc_webhooks_list shows it.
    pub webhook_id: i64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PresetArgs {
    /// One of notes_sync, calendar_sync, files_sync, tables_sync.
    pub preset: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReconcileArgs {
    /// Register every wanted webhook again (needed after changing WEBHOOK_SECRET).
    #[serde(default)]
    pub force: Option<bool>,
}

fn webhook_failure(error: WebhookError) -> CallToolResult {
    match error {
        WebhookError::Nextcloud(e @ NextcloudError::Forbidden(_)) => failure(format!(
            "managing webhooks needs a Nextcloud admin account: {e}"
        )),
        WebhookError::Nextcloud(NextcloudError::NotFound(what))
            if what == "the webhook list" || what == "the new webhook" =>
        {
            failure(
                "Nextcloud's webhook_listeners app is not enabled (occ app:enable webhook_listeners)",
            )
        }
        other => failure(other),
    }
}

fn preset(name: &str) -> Result<Preset, CallToolResult> {
    Preset::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        failure(format!(
            "unknown preset '{name}'; use one of {}",
            names.join(", ")
        ))
    })
}

fn structured(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl NextcloudMcp {
    fn webhook_admin(&self) -> Result<Arc<dyn WebhookAdmin>, CallToolResult> {
        self.webhooks().ok_or_else(|| failure(WEBHOOKS_OFF))
    }

    async fn webhook_parts(
        &self,
        request: &RequestContext<RoleServer>,
    ) -> Result<(Arc<dyn WebhookAdmin>, Box<dyn NextcloudApi>), CallToolResult> {
        let admin = self.webhook_admin()?;
        Ok((admin, self.nextcloud(request).await?))
    }
}

#[tool_router(router = webhooks_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_webhooks_list_event_types",
        description = "List the Nextcloud event classes webhooks can listen to here, and the presets (bundles switched on and off as a unit).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_event_types(&self) -> ToolOutcome {
        self.webhook_admin()?;
        let presets: Vec<Value> = Preset::ALL
            .iter()
            .map(
                |p| json!({"name": p.name(), "description": p.description(), "events": p.events()}),
            )
            .collect();
        let mut text = format!("{} event types:", EVENT_TYPES.len());
        for e in EVENT_TYPES {
            text.push_str(&format!("\n- {} ({}): {}", e.class, e.app, e.description));
        }
        text.push_str("\nPresets:");
        for p in Preset::ALL {
            text.push_str(&format!("\n- {}: {}", p.name(), p.description()));
        }
        Ok(success(
            &json!({"event_types": EVENT_TYPES, "presets": presets}),
            text,
        ))
    }

    #[tool(
        name = "nc_webhooks_register",
        input_schema = crate::adapters::mcp::schema::input::<RegisterArgs>("nc_webhooks_register"),
        description = "Register a webhook at Nextcloud for one event class, delivered to this server's receiver, and record it. Needs a Nextcloud admin.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn register(
        &self,
        Parameters(args): Parameters<RegisterArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let event = event_type(args.event.trim()).ok_or_else(|| {
            failure(format!(
                "unknown event class '{}'; nc_webhooks_list_event_types lists the supported ones",
                args.event
            ))
        })?;
        let filter =
            EventFilter::parse(args.event_filter.map(Value::Object).unwrap_or(Value::Null))
                .map_err(failure)?;
        let (admin, nc) = self.webhook_parts(&request).await?;
        let spec = WebhookSpec {
            event: event.class.to_string(),
            filter,
        };
        let local = admin.register(&*nc, spec).await.map_err(webhook_failure)?;
        let text = format!(
            "Registered {} (Nextcloud id {}, ours {}), delivering to {}",
            local.event,
            local
                .nextcloud_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            local.id,
            local.uri
        );
        Ok(success(&structured(&local), text))
    }

    #[tool(
        name = "nc_webhooks_list",
        input_schema = crate::adapters::mcp::schema::input::<ListArgs>("nc_webhooks_list"),
        description = "List the webhooks registered at Nextcloud (those delivering to this server, or all), marked with our record of them.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list(
        &self,
        Parameters(args): Parameters<ListArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        // A webhook is an id, an event class and an address.
        let paging = args.page.request(100, 1000)?;
        let (admin, nc) = self.webhook_parts(&request).await?;
        let all = admin
            .list_remote(&*nc, args.all.unwrap_or(false))
            .await
            .map_err(webhook_failure)?;
        let (listing, page) = paging.page(&all);
        let mut text = format!("{} webhook(s) at Nextcloud:", all.len());
        for l in listing {
            let mark = if l.ours { " [ours]" } else { "" };
            text.push_str(&format!(
                "\n- {} {} -> {}{mark}",
                l.webhook.id, l.webhook.event, l.webhook.uri
            ));
        }
        Ok(success(
            &json!({"webhooks": listing, "page": page}),
            page.under(text, listing.len()),
        ))
    }

    #[tool(
        name = "nc_webhooks_delete",
        input_schema = crate::adapters::mcp::schema::input::<DeleteArgs>("nc_webhooks_delete"),
        description = "Delete a webhook at Nextcloud by its Nextcloud id; our record of it is kept as disabled.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete(
        &self,
        Parameters(args): Parameters<DeleteArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let (admin, nc) = self.webhook_parts(&request).await?;
        let report = admin
            .delete(&*nc, args.webhook_id)
            .await
            .map_err(webhook_failure)?;
        let text = if report.existed_at_nextcloud {
            format!("Deleted webhook {} at Nextcloud", report.nextcloud_id)
        } else {
            format!(
                "Nextcloud had no webhook {}; nothing to delete there",
                report.nextcloud_id
            )
        };
        Ok(success(&structured(&report), text))
    }

    #[tool(
        name = "nc_webhooks_enable_preset",
        input_schema = crate::adapters::mcp::schema::input::<PresetArgs>("nc_webhooks_enable_preset"),
        description = "Switch on a preset (notes_sync, calendar_sync, files_sync, tables_sync): registers all its webhooks, or none if one fails. notes_sync watches your own Notes folder.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn enable_preset(
        &self,
        Parameters(args): Parameters<PresetArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let preset = preset(&args.preset)?;
        let (admin, nc) = self.webhook_parts(&request).await?;
        let user = nc.current_user_id().await.map_err(failure)?;
        let report = admin
            .enable_preset(&*nc, preset, &user)
            .await
            .map_err(webhook_failure)?;
        let text = format!(
            "Preset {} is on: {} webhook(s) registered, {} already active",
            preset.name(),
            report.changed,
            report.unchanged
        );
        Ok(success(&structured(&report), text))
    }

    #[tool(
        name = "nc_webhooks_disable_preset",
        input_schema = crate::adapters::mcp::schema::input::<PresetArgs>("nc_webhooks_disable_preset"),
        description = "Switch off a preset: deletes its webhooks at Nextcloud and marks them disabled here.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn disable_preset(
        &self,
        Parameters(args): Parameters<PresetArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let preset = preset(&args.preset)?;
        let (admin, nc) = self.webhook_parts(&request).await?;
        let user = nc.current_user_id().await.map_err(failure)?;
        let report = admin
            .disable_preset(&*nc, preset, &user)
            .await
            .map_err(webhook_failure)?;
        let text = format!(
            "Preset {} is off: {} webhook(s) removed",
            preset.name(),
            report.changed
        );
        Ok(success(&structured(&report), text))
    }

    #[tool(
        name = "nc_webhooks_reconcile",
        input_schema = crate::adapters::mcp::schema::input::<ReconcileArgs>("nc_webhooks_reconcile"),
        description = "Compare our recorded webhooks with Nextcloud and repair both ways: register again what Nextcloud lost, delete there what we no longer want.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn reconcile(
        &self,
        Parameters(args): Parameters<ReconcileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let (admin, nc) = self.webhook_parts(&request).await?;
        let report = admin
            .reconcile(&*nc, args.force.unwrap_or(false))
            .await
            .map_err(webhook_failure)?;
        let mut text = format!(
            "Reconciled: {} kept, {} adopted, {} registered again, {} deleted at Nextcloud, {} failed",
            report.kept, report.adopted, report.reregistered, report.deleted_remote, report.failed
        );
        for f in &report.failures {
            text.push_str(&format!("\n- {f}"));
        }
        Ok(success(&structured(&report), text))
    }

    #[tool(
        name = "nc_webhooks_status",
        description = "Our webhook registrations as recorded (Nextcloud is not asked), enabled presets, and the receiver's counters and queue.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn status(&self) -> ToolOutcome {
        let admin = self.webhook_admin()?;
        let status = admin.status().await.map_err(webhook_failure)?;
        let c = &status.counters;
        let mut text = format!(
            "{} registration(s); receiver {}; received {}, queued {}, processed {}, dropped (queue full) {}, rejected {}, unknown {}, malformed {}; queue {}/{}",
            status.registrations.len(),
            status.receiver_url.as_deref().unwrap_or("URL not set"),
            c.received,
            c.queued,
            c.processed,
            c.dropped_full,
            c.rejected_auth,
            c.unknown,
            c.malformed,
            status.queue.depth,
            status.queue.capacity
        );
        for p in &status.presets {
            text.push_str(&format!(
                "\n- preset {}: {} active",
                p.preset.name(),
                p.active
            ));
        }
        Ok(success(&structured(&status), text))
    }
}
