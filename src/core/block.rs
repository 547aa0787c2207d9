//! The marked block in a batch milestone's description: database changes
//! are expected, which MRs and issues bring them, and that upgrading needs
//! downtime. Only the text between the hidden markers is ever the bot's.

use crate::core::exceptions::{handle, inline_code};
use crate::core::ids::ItemNumber;
use crate::core::policy::{DbItemRef, ExceptionNote, ItemKind, ProjectState, WarningSending};
use crate::core::types::MilestoneId;
use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt::Write;

pub const BLOCK_START: &str = "<!-- schemagate:batch:start -->";
pub const BLOCK_END: &str = "<!-- schemagate:batch:end -->";
/// The machine-readable line saying when the downtime warning went out, so
/// that a reader without the bot's store (`schemagate check` in CI) knows.
const WARNING_SENT_TAG: &str = "<!-- schemagate:warning-sent ";
/// The machine-readable line naming each listed item and whether the bot
/// placed it there (`mr:42:bot issue:12`), for the same reader: which
/// milestone is the established batch depends on it.
const ITEMS_TAG: &str = "<!-- schemagate:items ";
/// The server-less ledger's mark that the warning's send began (with its
/// Message-ID), written before SMTP and replaced by the sent line after.
/// After the Message-ID it may carry `refusals=N`: the tries the mail
/// server refused for good so far (a line without it has none).
const WARNING_SENDING_TAG: &str = "<!-- schemagate:warning-sending ";
/// The server-less ledger's mark that the warning was given up after
/// refusals (the store's `failed`): same fields as the sending line, its
/// time when it was given up. It replaces the sending line.
const WARNING_REFUSED_TAG: &str = "<!-- schemagate:warning-refused ";
/// How each approved exception is listed (then the item and who approved it).
const EXCEPTION_LINE: &str = "- Exception for ";

/// The downtime warning as the block reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningNote {
    pub sent_at: DateTime<Utc>,
    /// The announce list it went to.
    pub to: Vec<String>,
}

/// One MR or issue listed in the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockItem {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub web_url: Option<String>,
    /// The bot put the item in this milestone (a person did not).
    pub placed_by_bot: bool,
    /// The approved exception that let it in, listed below the items.
    pub exception: Option<ExceptionNote>,
    /// Its migrations' collisions, one sentence each, listed below the items.
    pub conflicts: Vec<String>,
    /// Its operations that break the previous release's code, listed below the items.
    pub breaking: Vec<String>,
}

/// What the block says: the database changes a milestone holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchBlock {
    pub items: Vec<BlockItem>,
    /// When the downtime warning for the milestone went out, and to whom.
    pub warning: Option<WarningNote>,
    /// A warning whose send began and did not finish (server-less mode).
    pub sending: Option<WarningSending>,
}

impl BatchBlock {
    /// The block for `milestone` from the store's database changes and
    /// warnings (sent to `announce_to`); `None` when it holds no database
    /// change (then the block is removed).
    pub fn for_milestone(
        milestone: MilestoneId,
        project: &ProjectState,
        announce_to: &[String],
    ) -> Option<BatchBlock> {
        let items: Vec<BlockItem> = project
            .db_changes_in(milestone)
            .map(BlockItem::from)
            .collect();
        let warning = project.warning_sent(milestone).map(|sent_at| WarningNote {
            sent_at,
            to: announce_to.to_vec(),
        });
        let sending = project
            .warning_sending(milestone)
            .filter(|_| warning.is_none())
            .cloned();
        (!items.is_empty()).then_some(BatchBlock {
            items,
            warning,
            sending,
        })
    }
}

impl From<&DbItemRef> for BlockItem {
    fn from(item: &DbItemRef) -> Self {
        BlockItem {
            kind: item.kind,
            number: item.number,
            title: item.title.clone(),
            web_url: item.web_url.clone(),
            placed_by_bot: item.placed_by_bot,
            exception: item.exception.clone(),
            conflicts: item.conflicts.clone(),
            breaking: item.breaking.clone(),
        }
    }
}

/// Titles are one line of plain text in the list; markers inside them would
/// confuse the next edit, so angle brackets and newlines are neutralised.
fn plain_title(title: &str) -> String {
    title
        .replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .trim()
        .to_string()
}

/// The block text, markers included, items merge requests first, by number.
pub fn render_batch_block(block: &BatchBlock) -> String {
    let mut items: Vec<&BlockItem> = block.items.iter().collect();
    items.sort_by_key(|i| (i.kind, i.number));
    items.dedup_by_key(|i| (i.kind, i.number));
    let mut text = String::new();
    text.push_str(BLOCK_START);
    text.push_str("\n### Database changes expected\n\n");
    text.push_str(
        "This release includes database changes: **upgrading to this release needs downtime**.\n\n",
    );
    for item in &items {
        let name = format!("{} {}", capitalised(item.kind.noun()), item.number);
        let name = match &item.web_url {
            Some(url) => format!("[{name}]({url})"),
            None => name,
        };
        let _ = writeln!(text, "- {name}: {}", plain_title(&item.title));
    }
    let tokens: Vec<String> = items.iter().map(|item| item_token(item)).collect();
    let _ = writeln!(text, "{ITEMS_TAG}{} -->", tokens.join(" "));
    render_exceptions(&mut text, &items);
    render_breaking(&mut text, &items);
    render_conflicts(&mut text, &items);
    if let Some(warning) = &block.warning {
        let to = match warning.to.as_slice() {
            [] => String::new(),
            list => format!(" to {}", list.join(", ")),
        };
        let _ = writeln!(
            text,
            "\nDowntime warning sent{to} on {}.",
            warning.sent_at.date_naive()
        );
        let _ = writeln!(
            text,
            "{WARNING_SENT_TAG}{} -->",
            warning.sent_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
    }
    if let (None, Some(sending)) = (&block.warning, &block.sending) {
        render_send_record(&mut text, sending);
    }
    text.push_str(BLOCK_END);
    text
}

/// The approved exceptions among the items: people see who let each in and
/// why, and a reader without the store knows this release needs downtime.
fn render_exceptions(text: &mut String, items: &[&BlockItem]) {
    let excepted: Vec<(&BlockItem, &ExceptionNote)> = items
        .iter()
        .filter_map(|item| item.exception.as_ref().map(|e| (*item, e)))
        .collect();
    if excepted.is_empty() {
        return;
    }
    text.push_str(
        "\n**Approved exceptions** (let into this release outside the batch; the downtime applies all the same):\n\n",
    );
    for (item, exception) in excepted {
        let _ = writeln!(
            text,
            "{EXCEPTION_LINE}{} {}, approved by @{}: {}",
            item.kind.noun(),
            item.number,
            handle(&exception.approver),
            inline_code(&exception.reason)
        );
    }
}

/// The operations that keep the release from rolling: why old and new code
/// cannot run side by side (said only; never read back).
fn render_breaking(text: &mut String, items: &[&BlockItem]) {
    let breaking: Vec<(&BlockItem, &String)> = items
        .iter()
        .flat_map(|item| item.breaking.iter().map(move |line| (*item, line)))
        .collect();
    if breaking.is_empty() {
        return;
    }
    text.push_str("\n**What breaks the previous release** (why the upgrade cannot roll one instance at a time):\n\n");
    for (item, line) in breaking {
        let _ = writeln!(
            text,
            "- {} {}: {}",
            capitalised(item.kind.noun()),
            item.number,
            plain_title(line)
        );
    }
}

/// The migration conflicts among the items: what must be rebased before
/// the release can be migrated (said only; never read back).
fn render_conflicts(text: &mut String, items: &[&BlockItem]) {
    let colliding: Vec<(&BlockItem, &String)> = items
        .iter()
        .flat_map(|item| item.conflicts.iter().map(move |c| (*item, c)))
        .collect();
    if colliding.is_empty() {
        return;
    }
    text.push_str("\n**Migrations that collide** (one must be rebased before the release can be migrated):\n\n");
    for (item, conflict) in colliding {
        let _ = writeln!(
            text,
            "- {} {} and {}",
            capitalised(item.kind.noun()),
            item.number,
            plain_title(conflict)
        );
    }
}

/// `- Exception for merge request 5, approved by @alice: `reason``, read back.
fn parse_exception_line(line: &str) -> Option<(ItemKind, ItemNumber, ExceptionNote)> {
    let rest = line.strip_prefix(EXCEPTION_LINE)?;
    let (kind, rest) = if let Some(rest) = rest.strip_prefix(ItemKind::MergeRequest.noun()) {
        (ItemKind::MergeRequest, rest)
    } else {
        (ItemKind::Issue, rest.strip_prefix(ItemKind::Issue.noun())?)
    };
    let (number, rest) = rest.trim_start().split_once(", approved by @")?;
    let (approver, reason) = rest.split_once(": ")?;
    Some((
        kind,
        number.trim().parse().ok()?,
        ExceptionNote {
            approver: approver.to_string(),
            reason: strip_inline_code(reason.trim()),
        },
    ))
}

/// The text of one inline code span as `inline_code` writes it.
fn strip_inline_code(span: &str) -> String {
    let fence = span.chars().take_while(|c| *c == '`').count();
    if fence == 0 || span.len() < 2 * fence {
        return span.to_string();
    }
    let inner = &span[fence..span.len() - fence];
    let padded = inner.len() >= 2 && inner.starts_with(' ') && inner.ends_with(' ');
    let inner =
        if padded && (inner[1..].starts_with('`') || inner[..inner.len() - 1].ends_with('`')) {
            &inner[1..inner.len() - 1]
        } else {
            inner
        };
    inner.to_string()
}

/// The server-less ledger's line for a warning begun and not sent: the
/// sending line, or (given up) a note saying so for people and the refused
/// line. A line without refusals is written as before they were counted,
/// so a block that has none is not rewritten.
fn render_send_record(text: &mut String, sending: &WarningSending) {
    let fields = format!(
        "{} {}{}",
        sending.since.to_rfc3339_opts(SecondsFormat::Secs, true),
        // `--` would end the HTML comment early.
        sending.message_id.replace("--", ""),
        match sending.refusals {
            0 => String::new(),
            n => format!(" refusals={n}"),
        }
    );
    if !sending.given_up {
        let _ = writeln!(text, "{WARNING_SENDING_TAG}{fields} -->");
        return;
    }
    let _ = writeln!(
        text,
        "\nDowntime warning refused for good by the mail server on {}: it is not tried again on \
         its own. Fix the mail settings, then delete this note and the hidden `warning-refused` \
         line under it; the next run sends the warning.",
        sending.since.date_naive()
    );
    let _ = writeln!(text, "{WARNING_REFUSED_TAG}{fields} -->");
}

/// What a person does to have a warning the server-less ledger gave up
/// sent after all: there is no store for `schemagate announce` to send
/// from, and a block without the refusal makes the next run send it.
pub fn resend_after_refusal(milestone_title: &str) -> String {
    format!(
        "delete the refusal note and its `warning-refused` line from {milestone_title}'s block, \
         and the next run sends it"
    )
}

/// When the downtime warning went out, as the bot's block in `description`
/// records it (`None` without a block or without the line).
pub fn warning_sent_in(description: &str) -> Option<DateTime<Utc>> {
    let (start, end) = block_span(description)?;
    let block = &description[start..end];
    let at = block.find(WARNING_SENT_TAG)? + WARNING_SENT_TAG.len();
    let stamp = block[at..].split_whitespace().next()?;
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `mr:42:bot`, `issue:12`: one item of the machine-readable line.
fn item_token(item: &BlockItem) -> String {
    let kind = match item.kind {
        ItemKind::MergeRequest => "mr",
        ItemKind::Issue => "issue",
    };
    let by = if item.placed_by_bot { ":bot" } else { "" };
    format!("{kind}:{}{by}", item.number)
}

/// The block as a reader without the store sees it: the items listed (with
/// title and link from the visible lines, placement from the hidden line)
/// and when the downtime warning went out. `None` without a block.
pub fn read_batch_block(description: &str) -> Option<BatchRecord> {
    let (start, end) = block_span(description)?;
    let block = &description[start..end];
    let placed_by_bot: Vec<(ItemKind, ItemNumber)> = block
        .lines()
        .find_map(|line| line.trim().strip_prefix(ITEMS_TAG))
        .map(|rest| {
            rest.trim_end_matches("-->")
                .split_whitespace()
                .filter_map(parse_item_token)
                .filter(|(_, _, bot)| *bot)
                .map(|(kind, number, _)| (kind, number))
                .collect()
        })
        .unwrap_or_default();
    let exceptions: Vec<(ItemKind, ItemNumber, ExceptionNote)> =
        block.lines().filter_map(parse_exception_line).collect();
    let items = block
        .lines()
        .filter_map(parse_item_line)
        .map(|mut item| {
            item.placed_by_bot = placed_by_bot.contains(&(item.kind, item.number));
            item.exception = exceptions
                .iter()
                .find(|(kind, number, _)| (*kind, *number) == (item.kind, item.number))
                .map(|(_, _, note)| note.clone());
            item
        })
        .collect();
    let sending = block.lines().find_map(|line| {
        let line = line.trim();
        match line.strip_prefix(WARNING_SENDING_TAG) {
            Some(rest) => parse_send_record(rest, false),
            None => parse_send_record(line.strip_prefix(WARNING_REFUSED_TAG)?, true),
        }
    });
    Some(BatchRecord {
        items,
        warning_sent: warning_sent_in(description),
        sending,
    })
}

/// A block read back from a milestone description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    pub items: Vec<BlockItem>,
    pub warning_sent: Option<DateTime<Utc>>,
    /// A server-less send begun and not sent (or given up).
    pub sending: Option<SendRecord>,
}

/// The server-less ledger's entry for the milestone's warning, as read
/// from its sending or refused line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRecord {
    /// When the send began, or (given up) when it was given up.
    pub since: DateTime<Utc>,
    pub message_id: String,
    /// Tries the mail server refused for good so far.
    pub refusals: u32,
    /// Read from the refused line: not tried again on its own.
    pub given_up: bool,
}

/// `<since> <message-id> [refusals=N] -->`, the rest of a sending or
/// refused line. Words after the Message-ID are `key=value` fields; unknown
/// ones are skipped, so a later field does not make the line unreadable.
fn parse_send_record(rest: &str, given_up: bool) -> Option<SendRecord> {
    let mut words = rest.split_whitespace().take_while(|w| *w != "-->");
    let since = DateTime::parse_from_rfc3339(words.next()?).ok()?;
    let message_id = words.next()?.to_string();
    let refusals = words
        .filter_map(|word| word.strip_prefix("refusals="))
        .find_map(|count| count.parse().ok())
        .unwrap_or(0);
    Some(SendRecord {
        since: since.with_timezone(&Utc),
        message_id,
        refusals,
        given_up,
    })
}

fn parse_item_token(token: &str) -> Option<(ItemKind, ItemNumber, bool)> {
    let mut parts = token.split(':');
    let kind = match parts.next()? {
        "mr" => ItemKind::MergeRequest,
        "issue" => ItemKind::Issue,
        _ => return None,
    };
    let number = parts.next()?.parse().ok()?;
    let bot = match parts.next() {
        None => false,
        Some("bot") => true,
        Some(_) => return None,
    };
    Some((kind, number, bot))
}

/// `- [Merge request 42](url): title` or `- Issue 12: title`.
fn parse_item_line(line: &str) -> Option<BlockItem> {
    let rest = line.strip_prefix("- ")?;
    let (name, web_url, rest) = match rest.strip_prefix('[') {
        Some(linked) => {
            let (name, after) = linked.split_once("](")?;
            let (url, after) = after.split_once(')')?;
            (name, Some(url.to_string()), after)
        }
        None => {
            let colon = rest.find(':')?;
            (&rest[..colon], None, &rest[colon..])
        }
    };
    let title = rest.strip_prefix(':')?.trim();
    let (kind, number) = if let Some(n) = name.strip_prefix("Merge request ") {
        (ItemKind::MergeRequest, n)
    } else {
        (ItemKind::Issue, name.strip_prefix("Issue ")?)
    };
    Some(BlockItem {
        kind,
        number: number.trim().parse().ok()?,
        title: title.replace("&lt;", "<").replace("&gt;", ">"),
        web_url,
        placed_by_bot: false,
        exception: None,
        conflicts: Vec::new(),
        breaking: Vec::new(),
    })
}

/// `word` with its first letter upper-case.
pub(crate) fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where the bot's block sits: the first end marker and the last start
/// marker before it, so a stray start marker earlier stays untouched.
fn block_span(description: &str) -> Option<(usize, usize)> {
    let end = description.find(BLOCK_END)?;
    let start = description[..end].rfind(BLOCK_START)?;
    Some((start, end + BLOCK_END.len()))
}

/// The description with the block set to `block`: replaced in place,
/// appended after a blank line, or removed (with that blank line) when
/// `None`. Text outside the markers is kept byte for byte, and applying the
/// same block twice gives the same text, so the engine can skip the write.
pub fn apply_batch_block(description: &str, block: Option<&BatchBlock>) -> String {
    let rendered = block.map(render_batch_block);
    match (block_span(description), rendered) {
        (Some((start, end)), Some(text)) => {
            format!("{}{text}{}", &description[..start], &description[end..])
        }
        (Some((start, end)), None) => {
            let before = &description[..start];
            let after = &description[end..];
            let before = if after.is_empty() {
                before.strip_suffix("\n\n").unwrap_or(before)
            } else {
                before
            };
            format!("{before}{after}")
        }
        (None, Some(text)) if description.is_empty() => text,
        (None, Some(text)) => format!("{description}\n\n{text}"),
        (None, None) => description.to_string(),
    }
}

#[cfg(test)]
mod tests;
