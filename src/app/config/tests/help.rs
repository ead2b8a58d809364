//! The CLI explains itself.

use super::*;

/// Every flag of every subcommand says what it is for in `--help`.
#[test]
fn every_argument_of_every_subcommand_has_help_text() {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" && arg.get_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() {
                missing.push(format!("{path} (no description)"));
            }
            walk(sub, &path, missing);
        }
    }
    let mut command = Cli::command();
    command.build();
    let mut missing = Vec::new();
    walk(&command, "nextcloud-mcp", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:#?}");
}
