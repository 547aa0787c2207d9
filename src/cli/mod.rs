//! Command-line interface: one file per command, dispatched from here.

pub mod announce;
pub mod check;
mod ci_env;
mod config_check;
pub mod jobs;
pub mod releases;
pub mod rules;
mod runtime;
pub mod scan;
pub mod serve;
mod settings;
pub mod sync;
mod sync_forge;
pub mod table;
mod upgrade_history;
pub mod upgrade_path;

pub use settings::Settings;

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
    /// Detected migrations in a git range or a path list.
    Scan(scan::ScanArgs),
    /// For each release tag, compared with its predecessor, whether upgrading runs migrations.
    Releases(releases::ReleasesArgs),
    /// The releases to pass through between two versions, or a verdict on a proposed path.
    UpgradePath(upgrade_path::UpgradePathArgs),
    /// The rule packs, and a dry run of them over paths.
    Rules(rules::RulesArgs),
    /// The webhook server: forge webhooks in, labels, milestones, statuses and comments out.
    Serve(serve::ServeArgs),
    /// Reconcile every open MR, labelled issue and milestone with the policy.
    Sync(sync::SyncArgs),
    /// The CI gate: decide one MR from GitLab CI's or GitHub Actions' environment; exit 1 when blocked.
    Check(check::CheckArgs),
    /// Show or send a milestone's downtime warning, update or release notice.
    Announce(announce::AnnounceArgs),
    /// The queue's dead jobs (or any state), and retrying them.
    Jobs(jobs::JobsArgs),
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: config_check::ConfigCommand,
    },
}

impl Command {
    /// The command's name and the formats it prints: `markdown` only where
    /// a table is printed, so asking for it elsewhere is refused rather
    /// than silently ignored.
    fn formats(&self) -> (&'static str, &'static [Format]) {
        const TABLES: &[Format] = &[Format::Table, Format::Json, Format::Markdown];
        const TEXT: &[Format] = &[Format::Table, Format::Json];
        match self {
            Command::Scan(_) => ("scan", TABLES),
            Command::Releases(_) => ("releases", TABLES),
            Command::Rules(_) => ("rules", TABLES),
            Command::UpgradePath(_) => ("upgrade-path", TEXT),
            Command::Serve(_) => ("serve", TEXT),
            Command::Sync(_) => ("sync", TEXT),
            Command::Check(_) => ("check", TEXT),
            Command::Announce(_) => ("announce", TEXT),
            Command::Jobs(_) => ("jobs", TEXT),
            Command::Config { .. } => ("config check", TEXT),
        }
    }
}

/// Refuses a `--format` the command does not print, naming those it does.
fn check_format(command: &Command, format: Format) -> anyhow::Result<()> {
    let (name, formats) = command.formats();
    if formats.contains(&format) {
        return Ok(());
    }
    // The words clap parses `--format` from.
    let word = |f: &Format| f.to_possible_value().map(|v| v.get_name().to_string());
    let words: Vec<String> = formats.iter().filter_map(word).collect();
    anyhow::bail!(
        "`{name}` has no {} output; use --format {}",
        word(&format).unwrap_or_default(),
        words.join(" or ")
    )
}

/// Runs a parsed command line; `Err` means exit code 2 with one sentence.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    check_format(&cli.command, cli.format)?;
    let settings = Settings::new(cli.config.clone(), cli.format);
    match cli.command {
        Command::Scan(args) => scan::run(args, &settings),
        Command::Releases(args) => releases::run(args, &settings),
        Command::UpgradePath(args) => upgrade_path::run(args, &settings),
        Command::Rules(args) => rules::run(&args, &settings),
        Command::Serve(args) => serve::run(args, &settings),
        Command::Sync(args) => sync::run(args, &settings),
        Command::Announce(args) => announce::run(args, &settings),
        Command::Check(args) => check::run(args, &settings),
        Command::Jobs(args) => jobs::run(args, &settings),
        Command::Config { command } => {
            config_check::run(command, cli.config.as_deref(), cli.format)
        }
    }
}

/// Flattens an error chain into one sentence for the terminal. Many errors
/// quote their source in their own message (a store error quotes sqlx's and
/// keeps it as its source), so a cause already on the line is not repeated.
pub fn one_sentence(error: &anyhow::Error) -> String {
    crate::forge::cause_chain(error.as_ref())
}
