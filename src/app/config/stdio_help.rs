//! What `stdio --help` shows: stdio runs in basic mode over one pipe, so the
//! OAuth, login-flow, webhook and index-sync settings mean nothing there. They stay
//! accepted (a shared environment for `serve` and `stdio` must not stop
//! stdio), only hidden, so the help lists what stdio reads.

use std::sync::LazyLock;

use clap::{Arg, Args, Command};

use super::{ModeArgs, OAuthArgs, SyncArgs, WebhookArgs};

/// The ids of the arguments `stdio` accepts but never reads.
fn serve_only_ids() -> Vec<String> {
    let ids = |command: Command| -> Vec<String> {
        command
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .collect()
    };
    let mut hidden = ids(OAuthArgs::augment_args(Command::new("oauth")));
    hidden.extend(ids(WebhookArgs::augment_args(Command::new("webhooks"))));
    // Only `serve` runs the index sync (and its embedding settings).
    hidden.extend(ids(SyncArgs::augment_args(Command::new("sync"))));
    // The mode itself stays: `basic` is a valid choice under stdio.
    hidden.extend(
        ids(ModeArgs::augment_args(Command::new("mode")))
            .into_iter()
            .filter(|id| id != "auth_mode"),
    );
    hidden
}

/// Applied to each argument of the `stdio` subcommand once it is built.
pub(super) fn hide_serve_only_arg(arg: Arg) -> Arg {
    static HIDDEN: LazyLock<Vec<String>> = LazyLock::new(serve_only_ids);
    if HIDDEN.iter().any(|id| id == arg.get_id().as_str()) {
        arg.hide(true)
    } else {
        arg
    }
}
