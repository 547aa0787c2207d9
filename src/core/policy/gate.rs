//! The gate (docs/policy.md): what is wrong with an item's placement, and the
//! verdict an MR gets from it. Each rule can be switched off.

use super::batch::{Releases, earliest_due};
use super::decision::{GateState, Verdict};
use super::facts::{ItemFacts, ItemKind, ProjectState};
use super::placement::Placement;
use super::settings::{AnnounceTrigger, Policy};
use crate::core::block::capitalised;
use crate::core::exceptions::{Exception, handle, inline_code};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One failed rule: the sentence for the status, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub reason: String,
    pub advice: String,
}

/// Everything `gate` looks at besides the policy.
pub(super) struct GateInput<'p, 'a> {
    pub facts: &'p ItemFacts,
    pub is_db_change: bool,
    pub placement: &'p Placement<'a>,
    pub releases: &'p Releases<'a>,
    pub project: &'p ProjectState,
    pub now: DateTime<Utc>,
}

/// The problems of an item, in the order of docs/policy.md's gate table. Issues are
/// never merged, so only the placement rules apply to them.
pub(super) fn problems(input: &GateInput, policy: &Policy) -> Vec<Problem> {
    let is_mr = input.facts.kind == ItemKind::MergeRequest;
    let mut found = Vec::new();
    if is_mr && policy.gate.block_ahead_of_next_release {
        found.extend(ahead_of_next_release(input));
    }
    if is_mr {
        found.extend(conflict_problems(input.facts, policy));
    }
    if input.is_db_change && policy.gate.require_batch {
        found.extend(outside_batch(input, policy));
    }
    if is_mr && input.is_db_change && policy.gate.require_announcement {
        found.extend(warning_not_sent(input, policy));
    }
    found
}

/// Each collision with the target branch: the tool would stop on the
/// branch once this merges. Not waived by an exception: it is no matter of
/// placement.
pub(super) fn conflict_problems(facts: &ItemFacts, policy: &Policy) -> Vec<Problem> {
    if facts.kind != ItemKind::MergeRequest || !policy.gate.block_migration_conflicts {
        return Vec::new();
    }
    facts
        .conflicts
        .iter()
        .filter(|c| c.with.is_none())
        .map(|c| {
            let conflict = &c.conflict;
            let ours = code_list(&conflict.files);
            let reason = if conflict.existing.is_empty() {
                format!("{ours} collide: {}", conflict.message)
            } else {
                format!(
                    "{ours} collides with {} on {}: {}",
                    code_list(&conflict.existing),
                    c.other,
                    conflict.message
                )
            };
            Problem {
                reason,
                advice: sentence(&conflict.fix),
            }
        })
        .collect()
}

/// Paths as inline code (a path cannot break out of its span), joined
/// with "and".
pub fn code_list(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| inline_code(p)).collect();
    quoted.join(" and ")
}

/// A fix as a sentence: capitalised, ending with a full stop.
fn sentence(text: &str) -> String {
    let mut out = capitalised(text.trim());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn ahead_of_next_release(input: &GateInput) -> Option<Problem> {
    let milestone = input.placement.effective?;
    let next = input.releases.ahead_of_next(milestone)?;
    let here = input.releases.title(milestone);
    Some(Problem {
        reason: format!(
            "{here} is ahead of the next release {next}; merge after {next} ships",
            next = next.title
        ),
        advice: format!(
            "Wait until {next} is closed: the gate passes again by itself.",
            next = next.title
        ),
    })
}

fn outside_batch(input: &GateInput, policy: &Policy) -> Option<Problem> {
    let placement = input.placement;
    if placement.batch_of_item().is_some() {
        return None;
    }
    let this = input.facts.kind.short();
    let batch_titles: Vec<&str> = placement.batches.iter().map(|b| b.title.as_str()).collect();
    let where_now = match placement.effective {
        None => format!("this {this} has no release milestone"),
        Some(id) if !input.releases.is_open_release(id) => format!(
            "{} is not an open release milestone",
            input.releases.title(id)
        ),
        Some(_) => String::new(),
    };
    let (fix, advice) = if let Some(first) = batch_titles.first() {
        let fix = if batch_titles.len() == 1 {
            format!(
                "the database changes of this cycle are batched in {first}; move this {this} there"
            )
        } else {
            format!(
                "the database changes of this cycle are batched in {}; move this {this} to one of them",
                batch_titles.join(" and ")
            )
        };
        (fix, format!("Set this {this}'s milestone to {first}."))
    } else if let Some(assignable) = placement.assignable {
        (
            format!("move this {this} to {}", assignable.title),
            format!(
                "Set this {this}'s milestone to {}, the earliest open release due at least {} days from now.",
                assignable.title,
                policy.lead_time.num_days()
            ),
        )
    } else {
        let create = match earliest_due(input.now, policy.lead_time) {
            Some(date) => format!("due on or after {date} (or without a due date)"),
            None => "without a due date".to_string(),
        };
        (
            format!(
                "no open release milestone is due at least {} days from now; create one",
                policy.lead_time.num_days()
            ),
            format!(
                "Create a release milestone {create}; schemagate then places this {this} in it."
            ),
        )
    };
    let reason = if where_now.is_empty() {
        fix
    } else {
        format!("{where_now}; {fix}")
    };
    Some(Problem { reason, advice })
}

fn warning_not_sent(input: &GateInput, policy: &Policy) -> Option<Problem> {
    let batch = input.placement.batch_of_item()?;
    if input.project.warning_sent(batch.id).is_some() {
        return None;
    }
    let title = &batch.title;
    Some(Problem {
        reason: format!("the downtime warning for {title} has not been sent yet"),
        advice: format!(
            "Merge after the downtime warning for {title} is sent: {}.",
            warning_when(input, policy, batch.id, title)
        ),
    })
}

/// When the unsent downtime warning for `milestone` goes out, in words.
pub(super) fn warning_when(
    input: &GateInput,
    policy: &Policy,
    milestone: crate::core::types::MilestoneId,
    title: &str,
) -> String {
    // Given up by the server-less ledger (only it keeps a begun send in the
    // project state), whose record is the block, not a store.
    let by_hand = match input.project.warning_sending(milestone) {
        Some(sending) if sending.given_up => crate::core::block::resend_after_refusal(title),
        _ => format!("send it with `schemagate announce --milestone {title}`"),
    };
    match policy.announce_trigger {
        _ if input.project.warning_failed(milestone) => {
            format!(
                "the mail server refused it for good, so it is not tried again on its own; fix the mail settings, then {by_hand}"
            )
        }
        AnnounceTrigger::WorkStarts => format!(
            "it goes out when work starts on {title} (when it becomes the next release or its start date comes)"
        ),
        AnnounceTrigger::FirstChange => {
            format!("it goes out now that {title} holds a database change")
        }
        AnnounceTrigger::Manual => by_hand,
    }
}

/// The verdict of an MR an approved exception lets through: its placement
/// problems are waived, said in the summary.
pub(super) fn excepted_verdict(exception: &Exception) -> Verdict {
    Verdict {
        state: GateState::Success,
        summary: format!(
            "exception approved by @{}: {}",
            handle(&exception.approver),
            exception.reason.replace(['\r', '\n'], " ")
        ),
        reasons: Vec::new(),
        advice: Vec::new(),
    }
}

/// The MR's verdict from its problems, with the one-line summary.
pub(super) fn verdict(input: &GateInput, problems: &[Problem]) -> Verdict {
    if let Some(first) = problems.first() {
        let summary = match problems.len() {
            1 => first.reason.clone(),
            n => format!("{} (and {} more)", first.reason, n - 1),
        };
        return Verdict {
            state: GateState::Failure,
            summary,
            reasons: problems.iter().map(|p| p.reason.clone()).collect(),
            advice: problems.iter().map(|p| p.advice.clone()).collect(),
        };
    }
    Verdict {
        state: GateState::Success,
        summary: success_summary(input),
        reasons: Vec::new(),
        advice: Vec::new(),
    }
}

fn success_summary(input: &GateInput) -> String {
    if !input.is_db_change && input.facts.has_db_migrations() {
        // Migrations the project's downtime rule does not count.
        return "expand-only database changes: no downtime needed".to_string();
    }
    if !input.is_db_change {
        return "no database changes".to_string();
    }
    if let Some(batch) = input.placement.batch_of_item() {
        return match input.project.warning_sent(batch.id) {
            Some(sent) => format!(
                "database changes batched in {}, announced {}",
                batch.title,
                sent.date_naive()
            ),
            None => format!(
                "database changes batched in {}, downtime warning not sent yet",
                batch.title
            ),
        };
    }
    match input.placement.effective {
        Some(id) => format!(
            "database changes in {}, not batched",
            input.releases.title(id)
        ),
        None => "database changes without a release milestone".to_string(),
    }
}
