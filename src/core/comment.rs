//! The bot's one comment on an MR or issue: what was found, the batch, the
//! gate's verdict and what to do. Deterministic text, marked so the bot only
//! ever edits its own comment.

use crate::core::compat::{Compat, Downtime, MAX_OPERATIONS_SHOWN, Wording, breaking_operations};
use crate::core::exceptions::{SteeringNote, render_record, render_steering};
use crate::core::policy::{
    DbChangeReason, ItemKind, MigrationConflict, Problem, Verdict, code_list,
};
use crate::core::types::{Match, MigrationKind};
use chrono::NaiveDate;
use std::fmt::Write;

/// First line of the bot's comment; how the engine finds it again.
pub const COMMENT_MARKER: &str = "<!-- schemagate:comment -->";

/// Whether a comment body is the bot's own.
pub fn is_bot_comment(body: &str) -> bool {
    body.trim_start().starts_with(COMMENT_MARKER)
}

/// The batch an item belongs in, as the comment tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchNote {
    pub title: String,
    pub announced_on: Option<NaiveDate>,
}

/// Everything the comment says.
#[derive(Debug, Clone)]
pub struct CommentInput<'a> {
    pub kind: ItemKind,
    pub matches: &'a [Match],
    pub db_change_reason: Option<&'a DbChangeReason>,
    /// Its migrations need downtime under the project's downtime rule
    /// (false for expand-only migrations under `contract-only`).
    pub needs_downtime: bool,
    pub downtime: Downtime,
    pub label: &'a str,
    /// A person removed the label; the bot does not add it again.
    pub label_removed_by_person: bool,
    /// The item's milestone after the decision, by title.
    pub milestone: Option<String>,
    /// That milestone is the one the bot set (now or earlier).
    pub milestone_set_by_bot: bool,
    pub batch: Option<BatchNote>,
    /// The gate verdict (MRs only).
    pub verdict: Option<&'a Verdict>,
    pub problems: &'a [Problem],
    /// Exceptions and command answers.
    pub steering: &'a SteeringNote<'a>,
    /// Collisions of its migrations with the target branch and other open MRs.
    pub conflicts: &'a [MigrationConflict],
}

fn headline(input: &CommentInput) -> String {
    let noun = input.kind.noun();
    match input.db_change_reason {
        Some(DbChangeReason::Migrations) if !input.needs_downtime => format!(
            "This {noun} **changes the database** without breaking the previous release: every migration is expand, and under this project's `{}` rule it needs no downtime and may ship in any release.",
            input.downtime.as_str()
        ),
        Some(DbChangeReason::Migrations) => format!(
            "This {noun} **changes the database**: upgrading to the release that ships it needs downtime."
        ),
        Some(DbChangeReason::LabelledByPerson) => {
            format!(
                "This {noun} is expected to require **database changes** (labelled by a person)."
            )
        }
        Some(DbChangeReason::ClosedByMergeRequest { number }) => format!(
            "This {noun} is expected to require **database changes**: merge request {number}, a database change, closes it."
        ),
        Some(DbChangeReason::Keywords) => format!(
            "This {noun} is expected to require **database changes**: its text mentions them."
        ),
        None if input.kind == ItemKind::Issue => {
            format!("This {noun} is not expected to require **database changes** any more.")
        }
        None if input.matches.is_empty() => {
            format!("This {noun} has **no database changes**: no migrations were found.")
        }
        None => format!(
            "This {noun} has **no database changes**: the migration files below do not change an already-migrated database."
        ),
    }
}

fn class_note(kind: MigrationKind) -> &'static str {
    match kind {
        MigrationKind::Schema => "a new migration",
        MigrationKind::Data => "a new migration that only moves data",
        MigrationKind::Squash => {
            "a squashed or merge revision: no change for an already-migrated database"
        }
        MigrationKind::Edit => {
            "an existing migration modified or deleted: databases that already ran it will not run it again"
        }
    }
}

fn write_matches(text: &mut String, matches: &[Match]) {
    if matches.is_empty() {
        return;
    }
    let mut sorted: Vec<&Match> = matches.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path).then(a.kind.cmp(&b.kind)));
    text.push_str("\n**Migrations found**\n\n");
    for m in sorted {
        let _ = write!(
            text,
            "- `{}` ({}, {}): **{}**, {}",
            m.path.replace('`', "'"),
            m.framework,
            m.change,
            m.kind,
            class_note(m.kind)
        );
        if !m.kind.is_db_change() {
            text.push('\n');
            continue;
        }
        let _ = writeln!(text, "; **{}**: {}", m.compat, compat_note(m.compat));
        for line in breaking_operations(&m.operations, MAX_OPERATIONS_SHOWN, Wording::Markdown) {
            let _ = writeln!(text, "  - {line}");
        }
    }
}

fn compat_note(compat: Compat) -> &'static str {
    match compat {
        Compat::Expand => "the previous release's code keeps working",
        Compat::Unknown => {
            "schemagate cannot tell whether the previous release's code keeps working"
        }
        Compat::Contract => "the previous release's code may fail",
    }
}

fn write_placement(text: &mut String, input: &CommentInput) {
    let mut lines = Vec::new();
    if let Some(batch) = &input.batch {
        let warning = match batch.announced_on {
            Some(date) => format!("downtime warning sent {date}"),
            None => "downtime warning not sent yet".to_string(),
        };
        lines.push(format!(
            "**Batch:** the database changes of this cycle are batched in {}; {warning}.",
            batch.title
        ));
    }
    if input.db_change_reason.is_some() {
        let milestone = match (&input.milestone, input.milestone_set_by_bot) {
            (Some(title), true) => format!("{title} (set by schemagate)"),
            (Some(title), false) => title.clone(),
            (None, _) => "none".to_string(),
        };
        lines.push(format!("**Milestone:** {milestone}."));
    }
    if input.label_removed_by_person {
        lines.push(format!(
            "**Label:** a person removed \"{}\"; schemagate will not add it again.",
            input.label
        ));
    }
    if !lines.is_empty() {
        text.push('\n');
        for line in lines {
            text.push_str(&line);
            text.push_str("\n\n");
        }
        text.pop();
    }
}

fn write_verdict(text: &mut String, input: &CommentInput) {
    if let Some(verdict) = input.verdict {
        let excepted = input
            .steering
            .steering
            .is_some_and(|s| s.active().is_some());
        if verdict.passed() && excepted {
            // The summary carries the approver's words; the section below
            // shows them escaped.
            text.push_str("\n**Gate:** passing: the exception below waives the placement rules.\n");
        } else if verdict.passed() {
            let _ = writeln!(text, "\n**Gate:** passing: {}.", verdict.summary);
        } else {
            text.push_str("\n**Gate:** failing\n\n");
            for reason in &verdict.reasons {
                let _ = writeln!(text, "- {reason}");
            }
        }
    } else if !input.problems.is_empty() {
        text.push_str("\n**Problems**\n\n");
        for problem in input.problems {
            let _ = writeln!(text, "- {}", problem.reason);
        }
    }
    if !input.problems.is_empty() {
        text.push_str("\n**What to do**\n\n");
        for problem in input.problems {
            let _ = writeln!(text, "- {}", problem.advice);
        }
    }
}

/// Collisions with other open MRs: said on both, failing neither. The
/// target branch's are gate reasons, said with the verdict.
fn write_parallel(text: &mut String, conflicts: &[MigrationConflict]) {
    let with_others: Vec<&MigrationConflict> =
        conflicts.iter().filter(|c| c.with.is_some()).collect();
    if with_others.is_empty() {
        return;
    }
    text.push_str("\n**Migrations written in parallel**\n\n");
    for found in with_others {
        let conflict = &found.conflict;
        let _ = writeln!(
            text,
            "- {} also changes the order of `{}`: {} ({})",
            found.other,
            conflict.group,
            conflict.message,
            code_list(&conflict.files)
        );
    }
    text.push_str(
        "\nNeither fails for this: whichever merges first is fine, and the other then fails until it is rebased.\n",
    );
}

/// The full comment body, marker first.
pub fn render_comment(input: &CommentInput) -> String {
    let mut text = String::new();
    text.push_str(COMMENT_MARKER);
    text.push('\n');
    text.push_str(&headline(input));
    text.push('\n');
    write_matches(&mut text, input.matches);
    write_placement(&mut text, input);
    write_verdict(&mut text, input);
    write_parallel(&mut text, input.conflicts);
    text.push_str(&render_steering(input.steering));
    if let Some(steering) = input.steering.steering {
        text.push_str(&render_record(steering));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::GateState;
    use crate::core::types::ChangeKind;

    fn found(path: &str, change: ChangeKind, kind: MigrationKind) -> Match {
        Match {
            path: path.into(),
            change,
            framework: "django".into(),
            kind,
            reason: String::new(),
            order: None,
            compat: crate::core::compat::Compat::Expand,
            operations: Vec::new(),
        }
    }

    fn base<'a>(matches: &'a [Match]) -> CommentInput<'a> {
        CommentInput {
            kind: ItemKind::MergeRequest,
            matches,
            db_change_reason: None,
            needs_downtime: false,
            downtime: Downtime::AnyMigration,
            label: "Database changes",
            label_removed_by_person: false,
            milestone: None,
            milestone_set_by_bot: false,
            batch: None,
            verdict: None,
            problems: &[],
            steering: &NO_STEERING,
            conflicts: &[],
        }
    }

    const NO_STEERING: SteeringNote<'static> = SteeringNote {
        steering: None,
        lapsed: None,
        warning_owed: None,
    };

    #[test]
    fn comment_starts_with_the_marker_and_is_recognised() {
        let text = render_comment(&base(&[]));
        assert!(text.starts_with(COMMENT_MARKER));
        assert!(is_bot_comment(&text));
        assert!(!is_bot_comment("LGTM <!-- schemagate:comment -->"));
    }

    #[test]
    fn comment_lists_files_sorted_with_their_class_including_squash_and_edit() {
        let matches = [
            found(
                "app/migrations/0003_b.py",
                ChangeKind::Modified,
                MigrationKind::Edit,
            ),
            found(
                "app/migrations/0002_squashed.py",
                ChangeKind::Added,
                MigrationKind::Squash,
            ),
        ];
        let text = render_comment(&base(&matches));
        let squash = text.find("0002_squashed.py").unwrap();
        let edit = text.find("0003_b.py").unwrap();
        assert!(squash < edit, "files are listed by path");
        assert!(text.contains("(django, added): **squash**"));
        assert!(text.contains("(django, modified): **edit**"));
        assert!(text.contains("has **no database changes**"));
    }

    #[test]
    fn failing_comment_lists_reasons_and_what_to_do() {
        let matches = [found(
            "app/migrations/0042_x.py",
            ChangeKind::Added,
            MigrationKind::Schema,
        )];
        let problems = [Problem {
            reason: "the downtime warning for 2026.12 has not been sent yet".into(),
            advice: "Merge after the warning.".into(),
        }];
        let verdict = Verdict {
            state: GateState::Failure,
            summary: problems[0].reason.clone(),
            reasons: vec![problems[0].reason.clone()],
            advice: vec![problems[0].advice.clone()],
        };
        let input = CommentInput {
            db_change_reason: Some(&DbChangeReason::Migrations),
            milestone: Some("2026.12".into()),
            milestone_set_by_bot: true,
            batch: Some(BatchNote {
                title: "2026.12".into(),
                announced_on: None,
            }),
            verdict: Some(&verdict),
            problems: &problems,
            ..base(&matches)
        };
        let text = render_comment(&input);
        assert!(text.contains("**changes the database**"));
        assert!(text.contains("**Milestone:** 2026.12 (set by schemagate)."));
        assert!(text.contains("batched in 2026.12; downtime warning not sent yet."));
        assert!(text.contains(
            "**Gate:** failing\n\n- the downtime warning for 2026.12 has not been sent yet\n"
        ));
        assert!(text.contains("**What to do**\n\n- Merge after the warning.\n"));
        assert_eq!(text, render_comment(&input), "rendering is deterministic");
    }
}
