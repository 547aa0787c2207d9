//! What a rule pack declares about its framework's order (`[rule.order]`):
//! which files form one sequence, how a file names itself, its parents or
//! its version, whether the tool applies versions below the highest one
//! already applied, and what to do when two migrations collide.

use regex::Regex;

/// How a framework orders its migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Each migration names its parents (Django `dependencies`, Alembic
    /// `down_revision`); two children of one parent leave two leaves.
    Graph,
    /// Each migration has a version (a number or timestamp) that must be
    /// unique in its set and is applied in increasing order.
    Version,
}

impl Scheme {
    pub fn from_name(name: &str) -> Option<Scheme> {
        match name {
            "graph" => Some(Scheme::Graph),
            "version" => Some(Scheme::Version),
            _ => None,
        }
    }
}

/// Whether the tool applies a version lower than one already applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfOrder {
    /// Applied like any pending migration (Rails, sqlx, Diesel, ...).
    Allowed,
    /// Refused or skipped (Flyway by default, golang-migrate, goose).
    Refused,
}

/// A compiled `[rule.order]` table.
#[derive(Debug, Clone)]
pub struct OrderSpec {
    pub scheme: Scheme,
    /// Path regex whose `group` capture names the set a file belongs to;
    /// the file's directory when absent or not matching.
    pub group: Option<Regex>,
    /// Path regex whose `node` capture names the migration (graph).
    pub node: Option<Regex>,
    /// Text regex whose `node` capture names the migration (graph).
    pub node_text: Option<Regex>,
    /// Text regex whose `list` capture holds the parents (graph).
    pub parents: Option<Regex>,
    /// Regex found repeatedly in `list`: each `node` capture is a parent
    /// (which counts where it names a migration of the same set).
    pub parent: Option<Regex>,
    /// Path regex whose `version` capture is the file's version (version
    /// scheme; for a graph, the number that finds the leaf by name alone).
    pub version: Option<Regex>,
    pub out_of_order: OutOfOrder,
    /// Whether two files may not share a version (false where the tool
    /// names a migration by its whole file name, as Laravel and Knex do).
    pub unique: bool,
    /// Text regex: a file that matches takes no place in the order (a
    /// Django squashed migration replaces nodes rather than following one).
    pub ignore_text: Option<Regex>,
    /// What the tool itself says when it meets the conflict.
    pub error: String,
    /// What to do about a conflict, in the framework's own terms.
    pub fix: String,
}

impl OrderSpec {
    /// Whether a file's order can only be known from its text.
    pub fn needs_text(&self) -> bool {
        self.node_text.is_some() || self.parents.is_some()
    }

    /// Whether the files already on a branch must be read to know its
    /// leaves: a graph whose files do not carry a number in their names.
    pub fn target_needs_text(&self) -> bool {
        self.scheme == Scheme::Graph && (self.version.is_none() || self.node.is_none())
    }
}

/// The regexes of an order spec are compiled like content markers:
/// multi-line, bounded in size.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .multi_line(true)
        .size_limit(1 << 20)
        .build()
}
