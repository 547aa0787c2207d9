//! `schemagate scan`: detected migrations in a git range or a path list.

use crate::cli::{Format, Settings};
use crate::core::compat::{Wording, breaking_operations};
use crate::core::detect::parse_name_status_line;
use crate::core::types::ChangedFile;
use crate::git::diff::Range;
use crate::git::repo::GitRepo;
use crate::scan::{ScanReport, scan_files, scan_range_with_conflicts};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Git range to scan: BASE..HEAD, or BASE...HEAD to diff from the merge base.
    #[arg(value_name = "BASE..HEAD", required_unless_present = "paths")]
    pub range: Option<String>,

    /// The git checkout to read.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Read changed paths from FILE (or - for stdin) instead of git: one path a
    /// line (an added file), or `git diff --name-status` lines.
    #[arg(long, value_name = "FILE|-", conflicts_with = "range")]
    pub paths: Option<String>,

    /// Exit with status 1 when the change is a database change, or when a
    /// migration HEAD adds conflicts with BASE's.
    #[arg(long)]
    pub exit_code: bool,

    /// Use this configured project's rule packs and path settings.
    #[arg(long, value_name = "PATH")]
    pub project: Option<String>,
}

pub fn run(args: ScanArgs, settings: &Settings) -> Result<ExitCode> {
    let rules = settings.rules_for(args.project.as_deref())?;
    let report = match (&args.paths, &args.range) {
        (Some(source), _) => scan_files(&read_path_list(source)?, &rules),
        (None, Some(range)) => {
            let repo = GitRepo::open(&args.repo)?;
            let range = Range::resolve(&repo, range)?;
            scan_range_with_conflicts(&repo, &range, &rules)?
        }
        (None, None) => bail!("give a range BASE..HEAD or --paths FILE"),
    };
    print_report(&report, settings.format)?;
    let conflicts = report.conflicts.as_ref().is_some_and(|c| !c.is_empty());
    Ok(if args.exit_code && (report.db_change || conflicts) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a path list from a file or stdin (`-`) into changed files.
pub fn read_path_list(source: &str) -> Result<Vec<ChangedFile>> {
    let mut text = String::new();
    if source == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("could not read paths from standard input")?;
    } else {
        text = std::fs::read_to_string(source)
            .with_context(|| format!("could not read path list {source}"))?;
    }
    parse_path_list(&text)
}

/// Parses a path list; an error names the offending line.
pub fn parse_path_list(text: &str) -> Result<Vec<ChangedFile>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            parse_name_status_line(line).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1))
        })
        .collect()
}

fn print_report(report: &ScanReport, format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(report)?),
        Format::Table | Format::Markdown => print!("{}", render_table(report, format)),
    }
    Ok(())
}

/// `rolling` in words: yes, no, or unknown.
pub(crate) fn rolling_word(rolling: Option<bool>) -> &'static str {
    match rolling {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn render_table(report: &ScanReport, format: Format) -> String {
    let mut out = String::new();
    if report.migrations.is_empty() {
        out.push_str("no migrations found\n");
    } else {
        let rows: Vec<[String; 5]> = report
            .migrations
            .iter()
            .map(|m| {
                [
                    m.path.clone(),
                    m.change.to_string(),
                    m.framework.clone(),
                    m.kind.to_string(),
                    m.compat.to_string(),
                ]
            })
            .collect();
        out.push_str(&crate::cli::table::render(
            &["PATH", "CHANGE", "FRAMEWORK", "KIND", "COMPAT"],
            &rows,
            format == Format::Markdown,
        ));
    }
    out.push_str(&format!(
        "database change: {}\n",
        if report.db_change { "yes" } else { "no" }
    ));
    if report.db_change {
        out.push_str(&format!("rolling: {}\n", rolling_word(report.rolling)));
    }
    for m in report.migrations.iter().filter(|m| m.kind.is_db_change()) {
        for line in breaking_operations(&m.operations, usize::MAX, Wording::Plain) {
            out.push_str(&format!("{}: {line}\n", m.path));
        }
    }
    for conflict in report.conflicts.iter().flatten() {
        out.push_str(&format!(
            "conflict ({}): {}\n  files: {}\n  fix: {}\n",
            conflict.framework,
            conflict.message,
            conflict.all_files().cloned().collect::<Vec<_>>().join(", "),
            conflict.fix
        ));
    }
    out
}
