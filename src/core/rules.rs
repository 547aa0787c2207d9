//! Rule packs: data files that say which changed files are database migrations
//! and how each is classified (schema, data, squash, edit).
//!
//! A pack is TOML (`rules/*.toml` built in, or user text); [`parse_pack`]
//! validates it completely and compiles its globs and regexes. The matching of
//! many packs against many paths lives in `core::detect`. Format: `docs/rules.md`.

mod builtin;
mod errors;
mod glob;
mod model;
mod parse;
mod parse_order;
mod parse_rule;

pub use builtin::{BUILTIN_PACK_SOURCES, builtin_packs};
pub use errors::{RuleError, RuleErrors, line_column, write_issue};
pub(crate) use glob::glob_set;
pub use glob::{compile_glob, required_literal, specificity};
pub(crate) use model::Verdict;
pub use model::{ChangeSet, Marker, Outcome, Refinement, Rule, RulePack};
pub use parse::parse_pack;
