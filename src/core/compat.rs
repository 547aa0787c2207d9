//! Expand or contract: whether a migration keeps the previous release's code
//! working on the migrated schema, read from the migration's own text.
//!
//! Each reader turns one family's migration text into [`Operation`]s, each
//! classed on its own; the worst operation classes the migration
//! ([`Compat::worst`]). What a reader does not understand is `unknown`,
//! never guessed as `expand`. Readers are pure: text in, operations out.

mod alembic;
mod django;
mod downtime;
mod liquibase;
mod model;
mod python;
mod rails;
mod sql;
#[cfg(test)]
mod test_support;

pub use downtime::{Downtime, rolling};
pub use model::{Classification, Compat, OpKind, Operation, Reader, Wording, breaking_operations};

/// The largest migration text a reader parses; a longer one is `unknown`
/// (a generated dump, not a hand-written migration), so no input can make
/// the classification run long.
pub const MAX_TEXT: usize = 1 << 20;

/// How many breaking operations a comment, block or mail shows per
/// migration before "and N more".
pub const MAX_OPERATIONS_SHOWN: usize = 8;

/// Reads a migration's operations. `added` is the diff's added lines where
/// known: a changelog that grows by appending (Liquibase) is classed by the
/// change sets those lines add, not by the whole file.
pub fn classify(reader: Reader, path: &str, text: &str, added: Option<&str>) -> Classification {
    if text.len() > MAX_TEXT {
        return Classification::of(vec![
            Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(format!(
                "{} bytes: larger than the {} bytes schemagate reads",
                text.len(),
                MAX_TEXT
            )),
        ]);
    }
    let operations = match reader {
        Reader::Sql => sql::read(text),
        Reader::Django => django::read(text),
        Reader::Alembic => alembic::read(text),
        Reader::Rails => rails::read(text),
        Reader::Liquibase => liquibase::read(path, text, added),
    };
    Classification::of(operations)
}
