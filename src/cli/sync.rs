//! `schemagate sync [--project P] [--dry-run]`: reconciles each configured
//! project (or the one named) through the engine, with a progress bar when
//! stderr is a terminal; prints the planned writes for a dry run and one
//! summary line per project, or the reports as JSON.

use super::runtime::{init_logging, tokio_runtime};
use crate::cli::{Format, Settings};
use crate::config::{Config, ProjectConfig};
use crate::engine::{Engine, Forges, MailService};
use crate::store::Store;
use crate::tasks::{SyncMode, SyncObserver, SyncReport};
use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this configured project (`group/project` or `owner/repo`).
    #[arg(long, value_name = "PATH")]
    pub project: Option<String>,

    /// Print what would change ("would add label …") without writing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// Where the bot's records live: `database` (the configured store) or
    /// `forge` (milestone blocks and item histories; for a scheduled CI job
    /// with no server).
    #[arg(long, value_enum, default_value_t = StoreKind::Database)]
    pub store: StoreKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    Database,
    Forge,
}

/// One project's report as `--format json` prints it.
#[derive(Debug, Serialize)]
struct ProjectReport<'a> {
    project: &'a str,
    forge: &'static str,
    dry_run: bool,
    evaluated: usize,
    unchanged: usize,
    writes: usize,
    planned: &'a [String],
}

pub fn run(args: SyncArgs, settings: &Settings) -> Result<ExitCode> {
    if args.store == StoreKind::Forge {
        if args.dry_run {
            bail!(
                "--dry-run works with the database store only; `schemagate check` shows one MR's plan"
            );
        }
        return super::sync_forge::run(args.project.as_deref(), settings);
    }
    let config = settings.config()?;
    let projects = chosen_projects(config, settings, args.project.as_deref())?;
    let runtime = tokio_runtime()?;
    // The GitHub client spawns its service task as it is built. A sync of
    // one project needs only its forge; a whole sync needs every one.
    let forges = {
        let _in_runtime = runtime.enter();
        match (args.project.as_deref(), projects.first()) {
            (Some(_), Some(project)) => Forges::for_forge(config, project.forge)?,
            _ => Forges::from_config(config)?,
        }
    };
    let mail = MailService::from_config(config, &|name| std::env::var(name).ok())?;
    // Warnings only by default: info lines would tear the progress bar.
    init_logging("warn");
    let mode = if args.dry_run {
        SyncMode::DryRun
    } else {
        SyncMode::Apply
    };
    let config = Arc::new(config.clone());
    let reports = runtime.block_on(async {
        // A dry run reads the store when there is one and creates none.
        let store = match mode {
            SyncMode::DryRun => Store::for_dry_run(&config.server.database).await?,
            SyncMode::Apply => Store::connect(&config.server.database).await?,
        };
        let engine = Engine::new(config.clone(), store, forges).with_mail(mail);
        let mut reports = Vec::new();
        for project in &projects {
            let progress = Progress::new(&project.path);
            let report = crate::tasks::sync(&engine, project, mode, &progress)
                .await
                .with_context(|| format!("the sync of {} failed", project.path))?;
            progress.finish();
            if settings.format != Format::Json {
                print_report(project, &report, args.dry_run);
            }
            reports.push(report);
        }
        anyhow::Ok(reports)
    })?;
    if settings.format == Format::Json {
        print_json(&projects, &reports, args.dry_run)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// All projects' reports at once, in the order they were synced.
fn print_json(projects: &[ProjectConfig], reports: &[SyncReport], dry_run: bool) -> Result<()> {
    let json: Vec<ProjectReport<'_>> = projects
        .iter()
        .zip(reports)
        .map(|(project, report)| ProjectReport {
            project: &project.path,
            forge: project.forge.name(),
            dry_run,
            evaluated: report.evaluated,
            unchanged: report.unchanged,
            writes: report.writes,
            planned: &report.planned,
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

fn chosen_projects(
    config: &Config,
    settings: &Settings,
    name: Option<&str>,
) -> Result<Vec<ProjectConfig>> {
    match name {
        Some(name) => Ok(settings.project(Some(name))?.into_iter().cloned().collect()),
        None if config.projects.is_empty() => {
            bail!("nothing to sync: the configuration has no [[project]]")
        }
        None => Ok(config.projects.clone()),
    }
}

fn print_report(project: &ProjectConfig, report: &SyncReport, dry_run: bool) {
    for line in &report.planned {
        println!("{}: {line}", project.path);
    }
    println!("{}", summary(&project.path, report, dry_run));
}

fn summary(project: &str, report: &SyncReport, dry_run: bool) -> String {
    let writes = if dry_run {
        format!("{} writes planned (dry run)", report.writes)
    } else {
        format!("{} writes", report.writes)
    };
    format!(
        "{project}: {} evaluated, {} unchanged, {writes}",
        report.evaluated, report.unchanged
    )
}

/// A progress bar on a terminal; invisible when stderr is a pipe or file.
struct Progress(ProgressBar);

impl Progress {
    fn new(project: &str) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(project.to_string());
        Progress(bar)
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl SyncObserver for Progress {
    fn started(&self, items: usize) {
        self.0.set_length(items as u64);
    }

    fn item_done(&self, item: &str) {
        self.0.set_message(item.to_string());
        self.0.inc(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_evaluations_and_writes() {
        let report = SyncReport {
            evaluated: 3,
            unchanged: 40,
            writes: 2,
            ..SyncReport::default()
        };
        assert_eq!(
            summary("lava/lava", &report, false),
            "lava/lava: 3 evaluated, 40 unchanged, 2 writes"
        );
        assert_eq!(
            summary("lava/lava", &report, true),
            "lava/lava: 3 evaluated, 40 unchanged, 2 writes planned (dry run)"
        );
    }
}
