//! Migration order: where each migration sits in its framework's sequence
//! (a graph of parents, or a version per file), as a rule pack declares it,
//! and the conflicts two sets of migrations make when both are applied.
//!
//! A pack's `[rule.order]` table compiles to an [`OrderSpec`]; detection
//! derives an [`OrderKey`] per matched file from its path and text; the
//! pure [`find_conflicts`] compares a target's keys with what a change adds.
//! Format: `docs/rules.md`, "Conflicts".

mod conflicts;
mod key;
mod sets;
mod spec;
#[cfg(test)]
mod tests;
mod version;

pub use conflicts::{Conflict, ConflictKind, OrderedFile, find_conflicts, pairwise_conflicts};
pub use key::OrderKey;
pub use sets::{
    branch_file_needs_text, branch_files, change_files, in_sets, listing_dirs, sets_of,
};
pub use spec::{OrderSpec, OutOfOrder, Scheme, compile as compile_order_regex};
pub use version::Version;
