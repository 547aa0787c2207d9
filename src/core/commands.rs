//! Reads `/schemagate` commands from a comment: the commands to act on and the problems to answer, as data.
//!
//! Who may give which command, and what each does, is the handler's; this
//! module only reads the text. The bot's own comments are never read for
//! commands (the handler skips them by [`crate::core::comment::is_bot_comment`]).
//!
//! # Syntax (draft for the commands page)
//!
//! | command | what |
//! | --- | --- |
//! | `/schemagate recheck` | evaluate the item again now |
//! | `/schemagate approve <reason>` | approve an exception for this merge request; the reason is required |
//! | `/schemagate unapprove` | withdraw it |
//! | `/schemagate help` | list the commands |
//!
//! - **Where.** One command per line, at the start of the line: up to three
//!   spaces may come first, as Markdown allows before a paragraph. A line
//!   indented four columns or more (a tab counts to the next multiple of
//!   four) is an indented code block, or continues the paragraph above and
//!   renders inside its line, so it is not read. Lines are read in
//!   Markdown's terms, so that a command shown or quoted never runs: not in
//!   a quote (a line starting with `>`), not in a fenced code block (```` ``` ````
//!   or `~~~`, with or without an info string, closed by a fence of the same
//!   character at least as long; an unclosed fence runs to the end of the
//!   comment), not in an HTML comment (`<!-- … -->`, which renders as
//!   nothing, so a command there would run unseen; unclosed, to the end). A
//!   fence or HTML comment opened in a list item (after `- ` or `1. `) ends
//!   with the item. A command inside a list item (`- /schemagate recheck`) is not
//!   at the start of its line and is not read. Each line is judged on its
//!   own: a command on the line after a quote runs, although Markdown would
//!   render it inside the quote as a lazy continuation, because the writer
//!   wrote it outside the quote. Lines end at `\n`, `\r\n` or a lone `\r`.
//! - **Spelling.** `/schemagate` and the command word are matched without
//!   regard to ASCII case (`/SchemaGate RECHECK`), and are separated from
//!   each other and from the reason by spaces or tabs. `/schemagate` must be
//!   followed by a space, a tab or the line's end: `/schemagate-bot` and
//!   `/schemagate.toml` are other words, not commands.
//! - **Arguments.** `approve` takes the rest of its line as the reason,
//!   trimmed of whitespace and invisible characters. A missing (or blank)
//!   reason is answered; so is a reason longer than [`MAX_REASON_CHARS`]
//!   characters, which is refused rather than cut, so the record never
//!   carries words the approver did not write. `recheck`, `unapprove` and
//!   `help` take nothing: text after them is answered and the command does
//!   not run, because it usually means the writer expected something the
//!   command does not do (`/schemagate unapprove !12` would otherwise
//!   withdraw this merge request's exception, not !12's).
//! - **Answers, never silence.** A bare `/schemagate`, an unknown command
//!   word (`/schemagate frobnicate`), a missing or over-long reason and
//!   unexpected text are returned as [`Problem`]s with the line they are on,
//!   each with a one-sentence [`Display`](std::fmt::Display) the bot answers
//!   with.
//! - **Look-alikes.** A line that only looks like a command, `/schemagate` or
//!   the command word written with a fullwidth slash (`／`, what CJK input
//!   methods type), another slash (`∕`, `⁄`), Cyrillic, Greek or
//!   mathematical letters, an invisible character inside (a zero-width
//!   space, a soft hyphen), or a no-break or ideographic space as separator,
//!   never runs. It is answered ([`Problem::LookAlike`]), because a reader of
//!   the thread sees a command and would otherwise believe it ran.
//! - **Bounds.** At most [`MAX_COMMANDS`] lines of a comment are taken as
//!   commands (problems included, since each is answered); the next one is
//!   reported once as [`Problem::TooManyCommands`] and reading stops there.
//!   An unknown command word is kept to [`MAX_WORD_CHARS`] characters. A
//!   comment with no `/schemagate` and no character outside ASCII is settled
//!   by one scan of its bytes; any other is read line by line in one pass,
//!   with no copy of a line that is not a command, looking at each byte a
//!   bounded number of times, so the work is linear in the comment's length
//!   whatever it holds (a megabyte of unclosed fences, invisible characters
//!   or list markers included).
//!   Repeated commands are all returned, in order; acting on a repeat once
//!   is the handler's choice.

mod lookalike;
mod markdown;

use markdown::{Lines, Scanner};
use std::fmt;

/// The word every command starts with.
pub const PREFIX: &str = "/schemagate";

/// The most lines of one comment read as commands; the first line past it is
/// answered as [`Problem::TooManyCommands`] and the rest are not read. Ten
/// covers any real use (a recheck and an approval, say) many times over,
/// while a comment of a thousand commands costs ten answers.
pub const MAX_COMMANDS: usize = 10;

/// The longest reason `approve` takes, in characters: enough for a sentence
/// or two and a link, short enough to show in the bot's comment, the status
/// and the milestone's block without burying them.
pub const MAX_REASON_CHARS: usize = 500;

/// How much of an unknown command word is kept to show in the answer.
pub const MAX_WORD_CHARS: usize = 32;

/// A command word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Recheck,
    Approve,
    Unapprove,
    Help,
}

impl Verb {
    pub const ALL: [Verb; 4] = [Verb::Recheck, Verb::Approve, Verb::Unapprove, Verb::Help];

    /// The word as written after `/schemagate`, lowercase.
    pub fn word(self) -> &'static str {
        match self {
            Verb::Recheck => "recheck",
            Verb::Approve => "approve",
            Verb::Unapprove => "unapprove",
            Verb::Help => "help",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A command to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Evaluate the item again now.
    Recheck,
    /// Approve an exception for this merge request, for `reason`: trimmed,
    /// not blank, at most [`MAX_REASON_CHARS`] characters.
    Approve { reason: String },
    /// Withdraw the exception.
    Unapprove,
    /// List the commands.
    Help,
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::Recheck => Verb::Recheck,
            Command::Approve { .. } => Verb::Approve,
            Command::Unapprove => Verb::Unapprove,
            Command::Help => Verb::Help,
        }
    }
}

/// One line of a comment read as a command: the command, or the problem to
/// answer. `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Command { line: usize, command: Command },
    Invalid { line: usize, problem: Problem },
}

impl Parsed {
    /// The line of the comment it was read on, from 1.
    pub fn line(&self) -> usize {
        match self {
            Parsed::Command { line, .. } | Parsed::Invalid { line, .. } => *line,
        }
    }
}

/// Why a line that starts like a command is not one to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `/schemagate` alone.
    MissingCommand,
    /// A word that is no command, at most [`MAX_WORD_CHARS`] characters of
    /// it (cut words end in `…`), invisible and control characters shown as
    /// `�`.
    UnknownCommand(String),
    /// `approve` without a reason, or with only blanks.
    MissingReason,
    /// `approve` with a reason longer than `limit` characters.
    ReasonTooLong { limit: usize },
    /// Text after a command that takes none.
    UnexpectedText { verb: Verb },
    /// `/schemagate` or the command word written with characters that only
    /// look like it.
    LookAlike,
    /// More than `limit` commands in one comment; said once, on the first
    /// line past the limit.
    TooManyCommands { limit: usize },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingCommand => write!(
                f,
                "`{PREFIX}` needs a command after it: `recheck`, `approve <reason>`, `unapprove` or `help`."
            ),
            Problem::UnknownCommand(word) => write!(
                f,
                "{} is not a command; the commands are `recheck`, `approve <reason>`, `unapprove` and `help`.",
                code_span(&format!("{PREFIX} {word}"))
            ),
            Problem::MissingReason => write!(
                f,
                "`{PREFIX} approve` needs a reason: `{PREFIX} approve <why this may ship now>`."
            ),
            Problem::ReasonTooLong { limit } => write!(
                f,
                "The reason given to `{PREFIX} approve` is longer than {limit} characters; say it in fewer and link to the details."
            ),
            Problem::UnexpectedText { verb } => write!(
                f,
                "`{PREFIX} {verb}` takes nothing after it, so it did not run; write it alone on its line."
            ),
            Problem::LookAlike => write!(
                f,
                "This line looks like a `{PREFIX}` command but is written with characters that only look like it (a fullwidth slash, a Cyrillic letter, an invisible character or a no-break space), so it did not run; type it again in plain text."
            ),
            Problem::TooManyCommands { limit } => write!(
                f,
                "Only the first {limit} commands of a comment are read, so this one and any after it did not run; give them in a new comment."
            ),
        }
    }
}

/// The Markdown list of commands the bot's help answer shows.
pub fn help_text() -> String {
    format!(
        "One command per line, at the start of the line, outside quotes and code blocks:\n\
         \n\
         - `{PREFIX} recheck`: evaluate this item again now.\n\
         - `{PREFIX} approve <reason>`: approve an exception to the gate's placement rules for this merge request (approvers only); the reason is required, at most {MAX_REASON_CHARS} characters, and goes on the record.\n\
         - `{PREFIX} unapprove`: withdraw this merge request's exception (approvers only).\n\
         - `{PREFIX} help`: show this list.\n"
    )
}

/// The commands a comment gives and the problems to answer, in line order:
/// at most [`MAX_COMMANDS`] of them, then one [`Problem::TooManyCommands`]
/// if more follow. Empty when the comment gives none.
pub fn parse_commands(body: &str) -> Vec<Parsed> {
    let mut found = Vec::new();
    if !may_hold_command(body) {
        return found;
    }
    let mut scanner = Scanner::default();
    for (line, text) in Lines::new(body) {
        let Some(text) = scanner.command_text(text) else {
            continue;
        };
        let Some(outcome) = read_line(text) else {
            continue;
        };
        if found.len() == MAX_COMMANDS {
            found.push(Parsed::Invalid {
                line,
                problem: Problem::TooManyCommands {
                    limit: MAX_COMMANDS,
                },
            });
            break;
        }
        found.push(match outcome {
            Ok(command) => Parsed::Command { line, command },
            Err(problem) => Parsed::Invalid { line, problem },
        });
    }
    found
}

/// The fast path: one scan of the bytes. Only a body holding `/schemagate`
/// (any ASCII case) can give a command, and only one with a character
/// outside ASCII can hold a look-alike; any other gives nothing.
fn may_hold_command(body: &str) -> bool {
    let bytes = body.as_bytes();
    let word = &PREFIX.as_bytes()[1..];
    bytes.iter().enumerate().any(|(at, &byte)| {
        !byte.is_ascii()
            || (byte == b'/'
                && bytes
                    .get(at + 1..at + 1 + word.len())
                    .is_some_and(|next| next.eq_ignore_ascii_case(word)))
    })
}

/// What a line a command may stand on says: `None` when it is no command
/// at all, else the command or its problem.
fn read_line(text: &str) -> Option<Result<Command, Problem>> {
    match strip_prefix(text) {
        Some(rest) => Some(read_command(rest)),
        None => lookalike::reads_as(text, PREFIX).then_some(Err(Problem::LookAlike)),
    }
}

/// The text after `/schemagate` when the line starts with it, in any ASCII
/// case, followed by a space, a tab or the end.
fn strip_prefix(text: &str) -> Option<&str> {
    let head = text.get(..PREFIX.len())?;
    let rest = &text[PREFIX.len()..];
    (head.eq_ignore_ascii_case(PREFIX) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(rest)
}

fn read_command(rest: &str) -> Result<Command, Problem> {
    let rest = rest.trim_start_matches([' ', '\t']);
    if is_blank(rest) {
        return Err(Problem::MissingCommand);
    }
    let (word, arguments) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
    let Some(verb) = Verb::ALL
        .into_iter()
        .find(|verb| word.eq_ignore_ascii_case(verb.word()))
    else {
        return Err(unknown(rest, word));
    };
    match verb {
        Verb::Approve => approval(arguments),
        _ if !is_blank(arguments) => Err(Problem::UnexpectedText { verb }),
        Verb::Recheck => Ok(Command::Recheck),
        Verb::Unapprove => Ok(Command::Unapprove),
        Verb::Help => Ok(Command::Help),
    }
}

/// The problem with a word that is no command: a look-alike of one (judged
/// on the rest of the line, since a no-break space is not a separator and
/// stays inside `word`), or an unknown word, cut to [`MAX_WORD_CHARS`].
fn unknown(rest: &str, word: &str) -> Problem {
    if Verb::ALL
        .into_iter()
        .any(|verb| lookalike::reads_as(rest, verb.word()))
    {
        return Problem::LookAlike;
    }
    // Invisible and control characters are shown as U+FFFD: a direction
    // override copied into the bot's answer would reorder the text around
    // it, and a zero-width one would make the word look known.
    let mut chars = word.chars();
    let mut kept: String = chars
        .by_ref()
        .take(MAX_WORD_CHARS)
        .map(|c| {
            if c.is_control() || lookalike::is_invisible(c) {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    if chars.next().is_some() {
        kept.push('…');
    }
    Problem::UnknownCommand(kept)
}

fn approval(arguments: &str) -> Result<Command, Problem> {
    let reason = arguments.trim_matches(|c: char| c.is_whitespace() || lookalike::is_invisible(c));
    if reason.is_empty() {
        return Err(Problem::MissingReason);
    }
    // Counting stops one past the limit: a reason of a megabyte is not
    // counted to its end.
    if reason.chars().nth(MAX_REASON_CHARS).is_some() {
        return Err(Problem::ReasonTooLong {
            limit: MAX_REASON_CHARS,
        });
    }
    Ok(Command::Approve {
        reason: reason.to_owned(),
    })
}

/// Whether `text` holds nothing visible.
fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || lookalike::is_invisible(c))
}

/// `text` as a Markdown code span, whatever backticks it holds: the fence is
/// one backtick longer than the longest run inside, padded when the text
/// starts or ends with one. Inside a code span, a quoted `@name` mentions no
/// one and Markdown does nothing.
fn code_span(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests;
