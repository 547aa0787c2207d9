//! `schemagate rules list|test`: the loaded rule packs, and a dry run of them
//! over paths read from stdin (plain paths or `git diff --name-status` lines).

use super::{Format, Settings};
use crate::core::detect::{RuleSet, parse_name_status_line};
use crate::core::types::{ChangedFile, Match, is_db_change};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,

    /// Use this configured project's rule packs and path settings (default:
    /// the only configured project, else every built-in and user pack).
    #[arg(long, global = true, value_name = "PATH")]
    pub project: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List the rule packs: name, title, number of rules and their globs.
    List,
    /// Classify paths from stdin, one per line: a path (an added file) or a
    /// `git diff --name-status` line (`A\tp`, `M\tp`, `D\tp`, `R100\told\tnew`).
    Test,
}

pub fn run(args: &RulesArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let format = settings.format;
    let rules = settings.rules_for(args.project.as_deref())?;
    let output = match args.action {
        RulesAction::List => list_report(&rules, format),
        RulesAction::Test => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("could not read paths from stdin")?;
            test_report(&rules, &input, format)?
        }
    };
    print!("{output}");
    Ok(ExitCode::SUCCESS)
}

/// The packs of a rule set, as text, Markdown or JSON.
pub fn list_report(rules: &RuleSet, format: Format) -> String {
    match format {
        Format::Json => {
            let packs: Vec<_> = rules
                .packs()
                .iter()
                .map(|pack| {
                    let list: Vec<_> = pack
                        .rules
                        .iter()
                        .map(|r| {
                            json!({"id": r.id, "paths": r.paths, "exclude": r.exclude,
                                   "changes": r.changes.names(), "classes": r.classes.len()})
                        })
                        .collect();
                    json!({"name": pack.name, "title": pack.title, "description": pack.description,
                           "priority": pack.priority, "rules": list})
                })
                .collect();
            pretty(&json!(packs))
        }
        Format::Markdown => {
            let mut out =
                String::from("| pack | title | rules | globs |\n| --- | --- | --- | --- |\n");
            for pack in rules.packs() {
                let globs: Vec<_> = pack
                    .rules
                    .iter()
                    .flat_map(|r| &r.paths)
                    .map(|g| format!("`{g}`"))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    pack.name,
                    pack.title,
                    pack.rules.len(),
                    globs.join("<br>")
                ));
            }
            out
        }
        Format::Table => {
            let mut out = String::new();
            for pack in rules.packs() {
                let count = pack.rules.len();
                let plural = if count == 1 { "" } else { "s" };
                out.push_str(&format!(
                    "{:<16} {} ({count} rule{plural})\n",
                    pack.name, pack.title
                ));
                for rule in &pack.rules {
                    out.push_str(&format!("    {}: {}\n", rule.id, rule.paths.join("  ")));
                }
            }
            out
        }
    }
}

/// Classifies every line of `input` by path (content unknown). A malformed line is an error.
pub fn test_report(rules: &RuleSet, input: &str, format: Format) -> anyhow::Result<String> {
    let results = classify_lines(rules, input)?;
    let matches: Vec<Match> = results.iter().filter_map(|(_, m)| m.clone()).collect();
    Ok(match format {
        Format::Json => json_test_report(&results, &matches),
        Format::Markdown => markdown_test_report(&results),
        Format::Table => table_test_report(&results, &matches),
    })
}

/// A line of the path list and the rule it matched, if any.
type ClassifiedPath = (ChangedFile, Option<Match>);

fn classify_lines(rules: &RuleSet, input: &str) -> anyhow::Result<Vec<ClassifiedPath>> {
    let mut results = Vec::new();
    for (number, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let file = parse_name_status_line(line)
            .map_err(|e| anyhow::anyhow!("line {} of the path list: {e}", number + 1))?;
        let found = rules.classify_path(&file);
        results.push((file, found));
    }
    Ok(results)
}

fn json_test_report(results: &[ClassifiedPath], matches: &[Match]) -> String {
    let files: Vec<_> = results
        .iter()
        .map(|(file, found)| match found {
            Some(m) => json!({"path": file.path, "change": file.change, "matched": true,
                "framework": m.framework, "kind": m.kind, "reason": m.reason}),
            None => json!({"path": file.path, "change": file.change, "matched": false}),
        })
        .collect();
    pretty(&json!({"db_change": is_db_change(matches), "files": files}))
}

fn markdown_test_report(results: &[ClassifiedPath]) -> String {
    let mut out = String::from(
        "| path | change | framework | kind | reason |\n| --- | --- | --- | --- | --- |\n",
    );
    for (file, found) in results {
        let (framework, kind, reason) = describe(found);
        out.push_str(&format!(
            "| `{}` | {} | {framework} | {kind} | {reason} |\n",
            file.path, file.change
        ));
    }
    out
}

fn table_test_report(results: &[ClassifiedPath], matches: &[Match]) -> String {
    let mut out = String::new();
    for (file, found) in results {
        let (framework, kind, reason) = describe(found);
        out.push_str(&format!(
            "{:<9} {:<7} {:<15} {}",
            file.change.as_str(),
            kind,
            framework,
            file.path
        ));
        if !reason.is_empty() {
            out.push_str(&format!("\n          {reason}"));
        }
        out.push('\n');
    }
    let verdict = if is_db_change(matches) {
        "database change"
    } else {
        "no database change"
    };
    out.push_str(&format!(
        "{} of {} paths matched: {verdict}\n",
        matches.len(),
        results.len()
    ));
    out
}

fn describe(found: &Option<Match>) -> (String, String, String) {
    match found {
        Some(m) => (m.framework.clone(), m.kind.to_string(), m.reason.clone()),
        None => ("-".into(), "-".into(), String::new()),
    }
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
