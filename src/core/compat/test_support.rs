//! Helpers the readers' tests share: assertions on operations, table
//! rows, and the property-test settings and input shapes.

use super::{Compat, OpKind, Operation};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config;

/// Asserts an operation's kind, table, column and class.
pub(super) fn is(
    op: &Operation,
    kind: OpKind,
    table: Option<&str>,
    column: Option<&str>,
    compat: Compat,
) {
    assert_eq!(
        (op.op, op.table.as_deref(), op.column.as_deref(), op.compat),
        (kind, table, column, compat),
        "{op:#?}"
    );
}

/// An operation's note, or "" without one.
pub(super) fn note(op: &Operation) -> &str {
    op.note.as_deref().unwrap_or("")
}

/// An operation as a row of a test table: kind, table, column, class.
pub(super) type Row = (OpKind, Option<String>, Option<String>, Compat);

pub(super) fn rows(operations: &[Operation]) -> Vec<Row> {
    operations
        .iter()
        .map(|o| (o.op, o.table.clone(), o.column.clone(), o.compat))
        .collect()
}

/// A row; an empty table or column stands for none.
pub(super) fn row(op: OpKind, table: &str, column: &str, compat: Compat) -> Row {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    (op, some(table), some(column), compat)
}

/// Cases per property: 256, `SCHEMAGATE_PROPTEST_CASES` for more.
pub(super) fn config() -> Config {
    let cases = std::env::var("SCHEMAGATE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// One of `texts` cut short, with a range deleted, with junk inserted or
/// with a range repeated: the shapes an edited or truncated file takes.
pub(super) fn mangled(texts: Vec<String>) -> impl Strategy<Value = String> {
    (
        select(texts),
        0..4u8,
        any::<Index>(),
        any::<Index>(),
        "\\PC{0,8}",
    )
        .prop_map(|(text, how, a, b, junk)| {
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let (i, j) = (bounds[a.index(bounds.len())], bounds[b.index(bounds.len())]);
            let (lo, hi) = (i.min(j), i.max(j));
            match how {
                0 => text[..hi].to_string(),
                1 => format!("{}{}", &text[..lo], &text[hi..]),
                2 => format!("{}{junk}{}", &text[..lo], &text[lo..]),
                _ => format!("{}{}", &text[..hi], &text[lo..]),
            }
        })
}

/// Texts made of `tokens`: reach deeper into a reader than random
/// characters do.
pub(super) fn token_soup(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(select(tokens), 0..80).prop_map(|t| t.concat())
}
