//! `schemagate releases`: which releases of a checkout need downtime.

use crate::cli::{Format, Settings};
use crate::core::release::Scheme;
use crate::git::repo::GitRepo;
use crate::git::tags::list_tags;
use crate::releases::{ReleaseChange, release_changes, release_versions};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReleasesArgs {
    /// The git checkout whose release tags to compare.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Version scheme of the release tags (calver, semver, yy.mm.patch); by
    /// default the project's configured scheme, else the one most tags follow.
    #[arg(long)]
    pub scheme: Option<String>,

    /// Use this configured project's scheme, rule packs and path settings.
    #[arg(long, value_name = "PATH")]
    pub project: Option<String>,
}

pub fn run(args: ReleasesArgs, settings: &Settings) -> Result<ExitCode> {
    let repo = GitRepo::open(&args.repo)?;
    let tags = list_tags(&repo)?;
    let scheme = settings
        .scheme(args.scheme.as_deref(), args.project.as_deref(), &tags)?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no tag in {} parses as a release under any scheme; pass --scheme",
                repo.dir().display()
            )
        })?;
    let rules = settings.rules_for(args.project.as_deref())?;
    let changes = release_changes(&repo, &release_versions(&tags, &scheme), &rules)?;
    match settings.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&changes)?),
        format => print!("{}", render(&changes, &scheme, format == Format::Markdown)),
    }
    Ok(ExitCode::SUCCESS)
}

fn render(changes: &[ReleaseChange], scheme: &Scheme, markdown: bool) -> String {
    if changes.is_empty() {
        return format!("fewer than two {scheme} release tags: nothing to compare\n");
    }
    let rows: Vec<[String; 4]> = changes
        .iter()
        .map(|c| {
            let counted: Vec<&str> = c
                .migrations
                .iter()
                .filter(|m| m.kind.is_db_change())
                .map(|m| m.path.as_str())
                .collect();
            [
                c.from.clone(),
                c.to.clone(),
                if c.db_change { "yes" } else { "no" }.to_string(),
                summarize(&counted, c.migrations.len() - counted.len()),
            ]
        })
        .collect();
    crate::cli::table::render(&["FROM", "TO", "DB CHANGE", "MIGRATIONS"], &rows, markdown)
}

/// "2: a.py, b.py (+1 squash/edit)" — the migrations that need downtime, and
/// how many others were found that do not.
fn summarize(db_paths: &[&str], others: usize) -> String {
    let mut text = match db_paths.len() {
        0 => "-".to_string(),
        n if n <= 3 => format!("{n}: {}", db_paths.join(", ")),
        n => format!("{n}: {}, …", db_paths[..3].join(", ")),
    };
    if others > 0 {
        text.push_str(&format!(" (+{others} squash/edit)"));
    }
    text
}
