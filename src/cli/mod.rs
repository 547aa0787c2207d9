//! Command-line interface: one file per command, dispatched from here.

pub mod rules;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Release-tracking bot: batches database migrations into announced releases.
#[derive(Debug, Parser)]
#[command(name = "schemagate", version, about)]
pub struct Cli {
    /// Configuration file (default: schemagate.toml if present, else built-in defaults).
    #[arg(long, global = true, env = "SCHEMAGATE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Output format where the command supports it.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The rule packs, and a dry run of them over paths.
    Rules(rules::RulesArgs),
}

/// Runs a parsed command line; `Err` means exit code 2 with one sentence.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Rules(args) => rules::run(&args, cli.format),
    }
}

/// Flattens an error chain into one sentence for the terminal.
pub fn one_sentence(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for (i, cause) in error.chain().enumerate() {
        if i > 0 {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
    }
    text
}
