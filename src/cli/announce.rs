//! `schemagate announce`: shows (`--preview`) or sends, once, a milestone's
//! downtime warning, update or release notice through the same ledger the
//! server uses. A mail already sent is not sent again; the command says when
//! it went out. After a send the project is synced, so gates waiting for the
//! warning turn green now. With `--sample` the preview is of a made-up
//! release, from the configuration alone: no forge, store, SMTP or secret.

use super::runtime::{init_logging, tokio_runtime};
use crate::cli::{Format, Settings};
use crate::core::announcements::AnnouncementKind;
use crate::engine::sample_mail::sample_mail;
use crate::engine::{AnnounceOutcome, Engine, Forges, MailService};
use crate::store::Store;
use crate::tasks::{self, SyncMode, SyncObserver};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct AnnounceArgs {
    /// The configured project (`group/project` or `owner/repo`); may be left
    /// out when the configuration has one project.
    #[arg(long)]
    pub project: Option<String>,

    /// The milestone's title, e.g. `2026.12` (optional with `--sample`,
    /// where it titles the sample release).
    #[arg(long, required_unless_present = "sample")]
    pub milestone: Option<String>,

    /// Which mail: `warning`, `update` or `release`.
    #[arg(long, default_value = "warning", value_parser = parse_kind)]
    pub kind: AnnouncementKind,

    /// Print the whole mail (headers and body); send nothing, record nothing.
    #[arg(long)]
    pub preview: bool,

    /// With --preview: the mail about a made-up release, from the
    /// configuration's list, sender, settings and templates alone; reads no
    /// forge and no store, needs no secret.
    #[arg(long, requires = "preview")]
    pub sample: bool,
}

/// The first line of a sample preview, so it is never taken for a real mail.
const SAMPLE_NOTE: &str = "# sample: the milestone, its database changes and the dates below are made up; the addresses, templates and wording are your configuration's";

fn parse_kind(text: &str) -> Result<AnnouncementKind, String> {
    AnnouncementKind::from_word(text).ok_or_else(|| {
        let words: Vec<&str> = AnnouncementKind::ALL.iter().map(|k| k.word()).collect();
        format!("unknown kind `{text}`; use one of {}", words.join(", "))
    })
}

struct Quiet;

impl SyncObserver for Quiet {
    fn started(&self, _items: usize) {}
    fn item_done(&self, _item: &str) {}
}

pub fn run(args: AnnounceArgs, settings: &Settings) -> Result<ExitCode> {
    let config = settings.config()?;
    let Some(project) = settings.project(args.project.as_deref())?.cloned() else {
        bail!("name the project with --project; the configuration has several");
    };
    if project.announce.is_none() {
        bail!(
            "project {} has no `announce` table, so it has no announce list to mail",
            project.path
        );
    }
    if args.sample {
        let mail = sample_mail(config, &project, args.kind, args.milestone.as_deref())?;
        print_sample(&mail.preview(), settings.format);
        return Ok(ExitCode::SUCCESS);
    }
    let milestone = args
        .milestone
        .context("name the milestone with --milestone")?;
    let mail = MailService::from_config(config, &|name| std::env::var(name).ok())?
        .context("the configuration has no [mail] section")?;
    let runtime = tokio_runtime()?;
    let forges = {
        let _in_runtime = runtime.enter();
        Forges::for_forge(config, project.forge)?
    };
    init_logging("warn");
    let config = Arc::new(config.clone());
    let outcome = runtime.block_on(async {
        let store = Store::connect(&config.server.database).await?;
        let engine = Engine::new(config.clone(), store, forges).with_mail(Some(mail));
        let outcome =
            tasks::announce::announce(&engine, &project, &milestone, args.kind, args.preview)
                .await?;
        if matches!(outcome, AnnounceOutcome::Sent { .. }) {
            // The gates and the block follow the warning now, not at the next sync.
            if let Err(error) = tasks::sync(&engine, &project, SyncMode::Apply, &Quiet).await {
                tracing::warn!("the mail went out, but the sync after it failed: {error:#}");
            }
        }
        anyhow::Ok(outcome)
    })?;
    print(&outcome, args.kind, &milestone, settings.format);
    Ok(ExitCode::SUCCESS)
}

/// A sample preview, its first line (text) or its `sample` key (JSON)
/// saying what is made up.
fn print_sample(mail: &str, format: Format) {
    match format {
        Format::Json => println!("{}", json!({ "preview": mail, "sample": true })),
        Format::Table | Format::Markdown => print!("{SAMPLE_NOTE}\n{mail}"),
    }
}

fn print(outcome: &AnnounceOutcome, kind: AnnouncementKind, milestone: &str, format: Format) {
    let json = format == Format::Json;
    match outcome {
        AnnounceOutcome::Preview(mail) if json => {
            println!("{}", json!({ "preview": mail }));
        }
        AnnounceOutcome::Preview(mail) => print!("{mail}"),
        AnnounceOutcome::Sent { message_id, to } if json => {
            println!(
                "{}",
                json!({ "sent": true, "kind": kind.word(), "message_id": message_id, "to": to })
            );
        }
        AnnounceOutcome::Sent { message_id, to } => println!(
            "sent the {} for {milestone} to {} ({message_id})",
            kind.noun(),
            to.join(", ")
        ),
        AnnounceOutcome::AlreadySent { sent_at } => {
            let when = sent_at.map_or_else(|| "earlier".to_string(), |t| format!("on {t}"));
            if json {
                println!(
                    "{}",
                    json!({ "sent": false, "kind": kind.word(), "already_sent_at": sent_at })
                );
            } else {
                println!(
                    "the {} for {milestone} already went out {when}; nothing sent",
                    kind.noun()
                );
            }
        }
        AnnounceOutcome::NothingNew { since } => {
            if json {
                println!(
                    "{}",
                    json!({ "sent": false, "kind": kind.word(), "nothing_new_since": since })
                );
            } else {
                let when = since.map_or_else(|| "the last mail".to_string(), |t| format!("{t}"));
                println!("nothing joined or left {milestone} since {when}: no update sent");
            }
        }
    }
}
