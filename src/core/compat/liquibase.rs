//! The Liquibase reader (being written).

use super::{Compat, OpKind, Operation};

pub(crate) fn read(path: &str, text: &str, added: Option<&str>) -> Vec<Operation> {
    let _ = (path, text, added);
    vec![Operation::new(OpKind::NotRead, Compat::Unknown)]
}
