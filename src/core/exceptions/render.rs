//! The steering part of the bot's comment: the exception that holds (or
//! lapsed), the earlier ones, the latest command answers, and a hidden
//! line with the whole record, so a reader without the bot's store
//! (`check`, `sync --store forge`) continues from what the server did.
//! Everything a person wrote (reasons) is shown as inline code, so it can
//! mention no one, link nothing and carry no markup.

use super::{EndKind, Exception, Outcome, Steering};
use crate::core::commands::help_text;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write;

const RECORD_TAG: &str = "<!-- schemagate:steering ";
/// The exceptions the hidden record keeps (the active one is the latest).
const EXCEPTIONS_KEPT: usize = 20;
/// The handled comment versions the hidden record keeps: more than any
/// merge request's thread of commands.
pub const HANDLED_KEPT: usize = 200;

/// The idempotence key of one version of a comment: its id and a digest of
/// its text, so a redelivered comment is handled once and an edited one
/// again, "as new at the time of the edit".
pub fn comment_key(id: Option<u64>, author: &str, body: &str) -> String {
    let digest = hex::encode(Sha256::digest(body.as_bytes()));
    match id {
        Some(id) => format!("{id}:{}", &digest[..16]),
        None => format!("{author}:{}", &digest[..16]),
    }
}

/// `text` as one inline code span that no text can break out of: newlines
/// become spaces and the fence is longer than any run of backticks inside.
pub fn inline_code(text: &str) -> String {
    let flat = text.replace(['\r', '\n'], " ");
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// A forge username as the comment writes it after `@`: the characters
/// usernames are made of, so a name can never carry markup.
pub fn handle(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(64)
        .collect();
    if kept.is_empty() {
        "ghost".to_string()
    } else {
        kept
    }
}

/// What the comment says about steering, beyond the record.
#[derive(Debug, Clone, Default)]
pub struct SteeringNote<'a> {
    pub steering: Option<&'a Steering>,
    /// The exception ended by this decision: the files changed.
    pub lapsed: Option<(&'a Exception, &'a str)>,
    /// The downtime warning the release still owes while an exception
    /// holds: its title and when it goes out.
    pub warning_owed: Option<(&'a str, &'a str)>,
}

/// The comment's steering sections (empty when there is nothing to say).
pub fn render_steering(note: &SteeringNote) -> String {
    let mut text = String::new();
    let Some(steering) = note.steering else {
        return text;
    };
    if let Some(active) = steering.active() {
        let _ = writeln!(
            text,
            "\n**Exception:** approved by @{} on {}: {}. The gate's placement rules are waived for \
             this merge request. It covers {}; a push that adds, removes or edits a migration file \
             lapses it.",
            handle(&active.approver),
            active.approved_at.date_naive(),
            inline_code(&active.reason),
            files(active),
        );
        if let Some((title, when)) = note.warning_owed {
            let _ = writeln!(
                text,
                "\n**Downtime warning:** {title} still owes its downtime warning, which the \
                 exception does not waive: {when}."
            );
        }
    }
    if let Some((lapsed, why)) = note.lapsed {
        let _ = writeln!(
            text,
            "\n**Exception lapsed:** the exception @{} approved on {} ({}) no longer holds: {why}. \
             The gate decides again; an approver may approve again.",
            handle(&lapsed.approver),
            lapsed.approved_at.date_naive(),
            inline_code(&lapsed.reason),
        );
    }
    let earlier: Vec<&Exception> = steering
        .exceptions
        .iter()
        .filter(|e| !e.is_active())
        .filter(|e| note.lapsed.is_none_or(|(l, _)| l != *e))
        .collect();
    if !earlier.is_empty() {
        text.push_str("\n**Earlier exceptions**\n\n");
        for e in earlier {
            let _ = writeln!(
                text,
                "- approved by @{} on {}: {}; {}",
                handle(&e.approver),
                e.approved_at.date_naive(),
                inline_code(&e.reason),
                ending_words(e),
            );
        }
    }
    let shown: Vec<_> = steering
        .answers
        .iter()
        .filter(|a| a.verb != "recheck")
        .collect();
    if !shown.is_empty() {
        text.push_str("\n**Commands**\n\n");
        for answer in &shown {
            let mark = match answer.outcome {
                Outcome::Acted => "",
                Outcome::Refused => "refused: ",
                Outcome::Invalid => "not run: ",
            };
            let _ = writeln!(
                text,
                "- {mark}{} ({})",
                answer.answer,
                answer.at.date_naive()
            );
        }
        if shown.iter().any(|a| a.verb == "help") {
            let _ = writeln!(text, "\n{}", help_text());
        }
    }
    text
}

fn files(exception: &Exception) -> String {
    match exception.covers.as_slice() {
        [] => "no migration file".to_string(),
        covers => covers
            .iter()
            .map(|f| inline_code(&f.path))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn ending_words(exception: &Exception) -> String {
    let Some(ending) = &exception.ended else {
        return "holds".to_string();
    };
    let on = ending.at.date_naive();
    match &ending.how {
        EndKind::Withdrawn { by } => format!("withdrawn by @{} on {on}", handle(by)),
        EndKind::Lapsed { why } => format!("lapsed on {on}: {why}"),
        EndKind::Replaced => format!("replaced by a later approval on {on}"),
    }
}

/// The hidden record: the exceptions, the latest answers and the comment
/// versions handled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct HiddenRecord {
    #[serde(flatten)]
    steering: Steering,
}

/// The hidden line carrying `steering` (bounded), or nothing when empty.
pub fn render_record(steering: &Steering) -> String {
    if steering.is_empty() && steering.handled.is_empty() {
        return String::new();
    }
    let mut kept = steering.clone();
    let skip = kept.exceptions.len().saturating_sub(EXCEPTIONS_KEPT);
    kept.exceptions.drain(..skip);
    let skip = kept.answers.len().saturating_sub(super::ANSWERS_SHOWN);
    kept.answers.drain(..skip);
    let skip = kept.handled.len().saturating_sub(HANDLED_KEPT);
    kept.handled.drain(..skip);
    let json = serde_json::to_string(&HiddenRecord { steering: kept }).unwrap_or_default();
    // Valid JSON still, and nothing in it can end the HTML comment: `-` and
    // `>` only occur inside strings, where escapes mean the same.
    let json = json
        .replace('-', "\\u002d")
        .replace('>', "\\u003e")
        .replace('<', "\\u003c");
    format!("\n{RECORD_TAG}{json} -->\n")
}

/// The record a bot comment carries (`None` without one, or unreadable).
pub fn read_record(body: &str) -> Option<Steering> {
    let start = body.find(RECORD_TAG)? + RECORD_TAG.len();
    let rest = &body[start..];
    let end = rest.find(" -->")?;
    serde_json::from_str::<HiddenRecord>(&rest[..end])
        .ok()
        .map(|r| r.steering)
}
