//! The sql reader (being written).

use super::{Compat, OpKind, Operation};

pub(crate) fn read(text: &str) -> Vec<Operation> {
    let _ = text;
    vec![Operation::new(OpKind::NotRead, Compat::Unknown)]
}
