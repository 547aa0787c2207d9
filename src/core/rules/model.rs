//! The compiled rule-pack model and how one rule classifies one changed file.

use crate::core::compat::Reader;
use crate::core::order::OrderSpec;
use crate::core::types::{ChangeKind, MigrationKind};
use globset::GlobSet;
use regex::Regex;

/// A set of change kinds (added, modified, deleted, renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeSet(u8);

impl ChangeSet {
    pub const ALL: ChangeSet = ChangeSet(0b1111);
    pub const NONE: ChangeSet = ChangeSet(0);

    fn bit(kind: ChangeKind) -> u8 {
        1 << (kind as u8)
    }

    pub fn with(self, kind: ChangeKind) -> ChangeSet {
        ChangeSet(self.0 | Self::bit(kind))
    }

    pub fn contains(self, kind: ChangeKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset_of(self, other: ChangeSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn kinds(self) -> impl Iterator<Item = ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }

    /// The lowercase names, for listings and error messages.
    pub fn names(self) -> Vec<&'static str> {
        self.kinds().map(ChangeKind::as_str).collect()
    }
}

/// A content marker: a regex compiled in multi-line mode (`^`/`$` match at lines).
#[derive(Debug, Clone)]
pub struct Marker {
    pub pattern: String,
    pub(crate) regex: Regex,
}

impl Marker {
    pub fn new(pattern: &str) -> Result<Marker, regex::Error> {
        let regex = regex::RegexBuilder::new(pattern)
            .multi_line(true)
            .size_limit(1 << 20)
            .build()?;
        Ok(Marker {
            pattern: pattern.to_string(),
            regex,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// What a refinement decides: a class, or "not a migration after all".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Migration(MigrationKind),
    NotMigration,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Migration(kind) => kind.as_str(),
            Outcome::NotMigration => "none",
        }
    }
}

/// One `[[rule.class]]`: a class that applies when all its conditions hold.
#[derive(Debug, Clone)]
pub struct Refinement {
    pub kind: Outcome,
    /// Change kinds this refinement applies to (default: all the rule counts).
    pub changes: ChangeSet,
    /// Extra path globs the file must match (default: any path of the rule).
    pub paths: Vec<String>,
    pub(crate) path_set: GlobSet,
    pub file_any: Vec<Marker>,
    pub file_all: Vec<Marker>,
    pub file_none: Vec<Marker>,
    pub added_any: Vec<Marker>,
    pub added_none: Vec<Marker>,
    /// Human wording for the match reason; generated from the conditions when absent.
    pub reason: Option<String>,
}

impl Refinement {
    pub fn needs_text(&self) -> bool {
        !(self.file_any.is_empty() && self.file_all.is_empty() && self.file_none.is_empty())
    }

    pub fn needs_added_lines(&self) -> bool {
        !(self.added_any.is_empty() && self.added_none.is_empty())
    }

    /// Whether every condition holds; a condition on content that is unknown
    /// does not hold. Returns the reason wording when it does.
    pub(crate) fn holds(
        &self,
        path: &str,
        change: ChangeKind,
        text: Option<&str>,
        added: Option<&str>,
    ) -> Option<String> {
        if !self.changes.contains(change) {
            return None;
        }
        if !self.paths.is_empty() && !self.path_set.is_match(path) {
            return None;
        }
        let mut why = Vec::new();
        if self.needs_text() {
            let text = text?;
            check_markers(
                text,
                &self.file_any,
                &self.file_all,
                &self.file_none,
                "file",
                &mut why,
            )?;
        }
        if self.needs_added_lines() {
            let added = added?;
            check_markers(
                added,
                &self.added_any,
                &[],
                &self.added_none,
                "added lines",
                &mut why,
            )?;
        }
        if !self.paths.is_empty() {
            why.push(format!("path matches `{}`", self.paths.join("`, `")));
        }
        Some(match &self.reason {
            Some(reason) => reason.clone(),
            None if why.is_empty() => {
                format!("{} (class rule for {change} files)", self.kind.name())
            }
            None => why.join(", "),
        })
    }
}

fn check_markers(
    text: &str,
    any: &[Marker],
    all: &[Marker],
    none: &[Marker],
    what: &str,
    why: &mut Vec<String>,
) -> Option<()> {
    if !any.is_empty() {
        let hit = any.iter().find(|m| m.is_match(text))?;
        why.push(format!("{what} matches `{}`", hit.pattern));
    }
    if !all.iter().all(|m| m.is_match(text)) {
        return None;
    }
    if !all.is_empty() {
        why.push(format!("{what} matches all of {} markers", all.len()));
    }
    if none.iter().any(|m| m.is_match(text)) {
        return None;
    }
    if !none.is_empty() {
        why.push(format!(
            "{what} has none of {} excluded markers",
            none.len()
        ));
    }
    Some(())
}

/// One `[[rule]]` of a pack.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `id` from the pack, or `rule[N]`.
    pub id: String,
    /// Extra wording for every match of this rule (e.g. "post-deployment migration").
    pub note: Option<String>,
    pub paths: Vec<String>,
    pub exclude: Vec<String>,
    pub(crate) exclude_set: GlobSet,
    pub changes: ChangeSet,
    pub require: Vec<Marker>,
    pub classes: Vec<Refinement>,
    /// The framework's migration order (`[rule.order]`), for conflicts.
    pub order: Option<OrderSpec>,
    /// `operations`: the reader that classes its migrations expand or
    /// contract; `None` reads by the file's extension.
    pub reader: Option<Reader>,
}

/// The result of applying one rule whose paths matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Known content has none of the `require` markers: another rule may claim the file.
    Skip,
    Classified(Outcome, String),
}

impl Rule {
    /// Whether a path the rule's globs matched is still out: wrong change kind or excluded.
    pub(crate) fn rejects(&self, path: &str, change: ChangeKind) -> bool {
        !self.changes.contains(change)
            || (!self.exclude.is_empty() && self.exclude_set.is_match(path))
    }

    pub(crate) fn classify(
        &self,
        path: &str,
        change: ChangeKind,
        text: Option<&str>,
        added: Option<&str>,
    ) -> Verdict {
        if let Some(text) = text
            && !self.require.is_empty()
            && !self.require.iter().any(|m| m.is_match(text))
        {
            return Verdict::Skip;
        }
        for refinement in &self.classes {
            if let Some(why) = refinement.holds(path, change, text, added) {
                return Verdict::Classified(refinement.kind, why);
            }
        }
        if change.brings_new_file() {
            Verdict::Classified(
                Outcome::Migration(MigrationKind::Schema),
                format!("new migration ({change})"),
            )
        } else {
            Verdict::Classified(
                Outcome::Migration(MigrationKind::Edit),
                format!("existing migration {change}"),
            )
        }
    }

    /// The reader for one of the rule's files: the rule's own, else by extension.
    pub fn reader_for(&self, path: &str) -> Option<Reader> {
        self.reader.or_else(|| Reader::for_path(path))
    }

    /// What content this rule would look at for a change of this kind.
    pub(crate) fn needs(&self, path: &str, change: ChangeKind) -> (bool, bool) {
        let applicable = self.classes.iter().filter(|r| r.changes.contains(change));
        // A new migration's place in a graph is in its text.
        let order_text =
            change.brings_new_file() && self.order.as_ref().is_some_and(OrderSpec::needs_text);
        // What a migration does to the schema is in its text; a changelog
        // that grows by appending is read with its added lines.
        let appends = change == ChangeKind::Modified
            && self.classes.iter().any(|r| {
                r.changes.contains(change)
                    && matches!(r.kind, Outcome::Migration(k) if k.is_db_change())
            });
        let compat_text = (change.brings_new_file() || appends) && self.reader_for(path).is_some();
        let (mut text, mut added) = (
            !self.require.is_empty() || order_text || compat_text,
            appends && compat_text,
        );
        for refinement in applicable {
            text |= refinement.needs_text();
            added |= refinement.needs_added_lines();
        }
        (text, added)
    }
}

/// A parsed and validated rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// The id used in config `rule_packs` and reported as a match's framework.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Higher wins when several packs match one path (default 0).
    pub priority: i32,
    /// Where the pack came from: `builtin:django` or a file path.
    pub origin: String,
    pub rules: Vec<Rule>,
    /// Position of the `name` value, for errors found across packs.
    pub(crate) name_position: (usize, usize),
}
