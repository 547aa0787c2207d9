//! `schemagate sync --store forge`: the server-less bot for a scheduled CI
//! job. Every open MR is checked and applied, and due downtime warnings are
//! sent, with every record in the forge (see `tasks::serverless`). The
//! forge section and token come from the CI environment as for `check`.

use super::check::{Target, amend_for_ci, effective_config};
use super::runtime::{init_logging, tokio_runtime};
use crate::cli::{Format, Settings};
use crate::engine::{Engine, Forges, MailService};
use crate::store::Store;
use crate::tasks::ForgeSyncReport;
use anyhow::{Context, Result, bail};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(project: Option<&str>, settings: &Settings) -> Result<ExitCode> {
    let env = |name: &str| std::env::var(name).ok();
    let ci = Target::ci_forge(&env);
    let config = settings.config_amended(|text| amend_for_ci(text, &ci))?;
    let projects: Vec<_> = match project {
        Some(name) => config.project(name).cloned().into_iter().collect(),
        None => config.projects.clone(),
    };
    if projects.is_empty() {
        bail!(
            "nothing to sync: {}",
            project.map_or(
                "the configuration has no [[project]]".to_string(),
                |p| format!("project `{p}` is not configured")
            )
        );
    }
    let mail = MailService::from_config(&config, &env)?;
    init_logging("warn");
    let runtime = tokio_runtime()?;
    let mut reports = Vec::new();
    for project in &projects {
        let target = Target {
            forge: Some(project.forge),
            project: Some(project.path.to_string()),
            ..ci.clone()
        };
        let (config, project) = effective_config(&config, &target, &env)?;
        let forges = {
            let _in_runtime = runtime.enter();
            Forges::for_forge(&config, project.forge)?
        };
        let report = runtime.block_on(async {
            let store = Store::in_memory().await?;
            let engine =
                Engine::new(Arc::new(config.clone()), store, forges).with_mail(mail.clone());
            crate::tasks::serverless::sync_via_forge(&engine, &project)
                .await
                .with_context(|| format!("the server-less sync of {} failed", project.path))
        })?;
        if settings.format != Format::Json {
            println!("{}", summary(&project.path, &report));
        }
        reports.push((project.path.clone(), report));
    }
    if settings.format == Format::Json {
        let json: Vec<_> = reports
            .iter()
            .map(|(path, r)| {
                json!({"project": path, "store": "forge", "checked": r.checked, "writes": r.writes,
                       "warnings_sent": r.warnings_sent, "resent": r.resent, "blocked": r.blocked})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(project: &str, report: &ForgeSyncReport) -> String {
    let mut line = format!(
        "{project}: {} merge requests checked, {} writes, {} downtime warning(s) sent",
        report.checked, report.writes, report.warnings_sent
    );
    if report.resent > 0 {
        line.push_str(&format!(
            " ({} resent under the Message-ID of a send an earlier run began)",
            report.resent
        ));
    }
    if !report.blocked.is_empty() {
        line.push_str(&format!("; blocked: {}", report.blocked.join(", ")));
    }
    line
}
