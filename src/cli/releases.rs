//! `schemagate releases`: which releases of a checkout need downtime, each
//! compared with its predecessor in its series.

use crate::cli::scan::rolling_word;
use crate::cli::{Format, Settings};
use crate::core::release::Scheme;
use crate::git::repo::GitRepo;
use crate::git::tags::list_tags;
use crate::releases::{ReleaseChange, ReleaseHistory, release_changes, scan_pairs};
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
    let history = ReleaseHistory::read(&repo, &scheme)?;
    let changes = release_changes(&history, &scan_pairs(&repo, &history, &rules)?);
    match settings.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&changes)?),
        format => print!(
            "{}",
            render(&history, &changes, &scheme, format == Format::Markdown)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// One table when the tags form one series; otherwise one table per series
/// (a history of its own, such as a product merged into the repository
/// later), each under a line naming it, in the order the series start.
fn render(
    history: &ReleaseHistory,
    changes: &[ReleaseChange],
    scheme: &Scheme,
    markdown: bool,
) -> String {
    let starts = history.lineage.starts();
    if starts.len() <= 1 {
        if changes.is_empty() {
            return format!("fewer than two {scheme} release tags: nothing to compare\n");
        }
        return render_table(changes, markdown);
    }
    let mut out = format!(
        "{} series: the release tags form histories that do not descend from each other\n",
        starts.len()
    );
    for start in starts {
        let name = &history.versions[start].raw;
        let members = history.lineage.members(start).len();
        let rows: Vec<ReleaseChange> = changes
            .iter()
            .filter(|c| c.series == *name)
            .cloned()
            .collect();
        let heading = format!(
            "series {name} ({members} release{})",
            if members == 1 { "" } else { "s" }
        );
        out.push('\n');
        out.push_str(&if markdown {
            format!("### {heading}\n\n")
        } else {
            format!("{heading}\n")
        });
        if rows.is_empty() {
            out.push_str("one release: nothing to compare\n");
        } else {
            out.push_str(&render_table(&rows, markdown));
        }
    }
    out
}

fn render_table(changes: &[ReleaseChange], markdown: bool) -> String {
    let rows: Vec<[String; 5]> = changes
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
                rolling_word(c.rolling).to_string(),
                summarize(&counted, c.migrations.len() - counted.len()),
            ]
        })
        .collect();
    crate::cli::table::render(
        &["FROM", "TO", "DB CHANGE", "ROLLING", "MIGRATIONS"],
        &rows,
        markdown,
    )
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
