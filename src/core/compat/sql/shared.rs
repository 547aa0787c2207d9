//! What every statement's operation is built from: names as written, the
//! note of a statement not classified, and a change of owner (which
//! `ALTER TABLE`, `ALTER VIEW` and `ALTER SCHEMA` all have).

use crate::core::compat::{Compat, OpKind, Operation};
use sqlparser::ast::{ObjectName, ObjectNamePart};

pub(super) fn op(kind: OpKind, compat: Compat) -> Operation {
    Operation::new(kind, compat)
}

/// A name as written, unquoted, its parts joined by dots.
pub(super) fn name(object: &ObjectName) -> String {
    object
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.clone(),
            ObjectNamePart::Function(_) => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The keywords a statement starts with, for the note of one not classified.
pub(super) fn first_keywords(display: &str) -> String {
    let keywords: Vec<&str> = display
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .take(4)
        .collect();
    if keywords.is_empty() {
        display.split_whitespace().next().unwrap_or("").to_string()
    } else {
        keywords.join(" ")
    }
}

pub(super) fn not_classified(what: String) -> Operation {
    op(OpKind::NotUnderstood, Compat::Unknown).note(format!("statement not classified: {what}"))
}

pub(super) fn owner_change(object: String) -> Operation {
    op(OpKind::Grant, Compat::Unknown)
        .table(object)
        .note("a new owner: the old owner loses its privileges")
}
