//! The operators' CLI: its subcommands and their flags. The store and key
//! settings are the same flags `serve` reads, parsed the same way.

use clap::{Args, Subcommand};

use super::{OAuthArgs, StoreArgs};

#[derive(Args, Debug)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub action: AdminAction,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub oauth: OAuthArgs,
    /// Base URL of Nextcloud: `revoke` then also deletes a connected account's app password there.
    #[arg(long, env = "NEXTCLOUD_HOST", global = true)]
    pub nextcloud_host: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// List users who granted offline access or connected a Nextcloud account (no secret values).
    Users,
    /// Delete a user's stored grant and connected account; also revoke them at the IdP and at
    /// Nextcloud when OIDC settings and NEXTCLOUD_HOST are given.
    Revoke {
        /// The user's subject (`sub`) at the IdP, as `admin users` lists it.
        #[arg(long)]
        subject: String,
        /// The IdP issuer the grant belongs to; default: every provider of that subject.
        #[arg(long)]
        provider: Option<String>,
    },
    /// Re-seal every stored token under TOKEN_ENCRYPTION_KEY (old keys in TOKEN_ENCRYPTION_PREVIOUS_KEYS).
    Reseal,
    /// Show the audit log, newest first.
    Audit {
        /// Only the entries of this subject; default: everyone's.
        #[arg(long)]
        subject: Option<String>,
        /// How many entries to show at most.
        #[arg(long, default_value = "50")]
        limit: u32,
    },
    /// Print a new random TOKEN_ENCRYPTION_KEY (as "version:base64").
    GenerateKey {
        /// The key version to prefix; raise it for each rotation.
        #[arg(long, default_value = "1")]
        version: u32,
    },
}
