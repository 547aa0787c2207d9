//! The configuration file as toml parsed it: a tree of spanned values that
//! validation reads key by key. Every value arrives with its key path and
//! span, and reading never stops at a wrong type or an unknown key, so one
//! pass over the tree finds every problem.

use crate::config::report::join;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// One value of the file: its key path (`project[0].batch.lead_time`), its
/// span in the text, and what was written.
#[derive(Clone)]
pub struct Field<'a> {
    pub path: String,
    pub span: Range<usize>,
    pub value: &'a DeValue<'a>,
}

/// A table of the file that validation reads, already checked for unknown keys.
#[derive(Clone)]
pub struct Table<'a> {
    pub path: String,
    pub span: Range<usize>,
    pub entries: &'a DeTable<'a>,
}

impl<'a> Table<'a> {
    /// The value written at `key`, if any.
    pub fn get(&self, key: &str) -> Option<Field<'a>> {
        let (_, value) = self.entry(key)?;
        Some(Field {
            path: self.path_of(key),
            span: value.span(),
            value: value.get_ref(),
        })
    }

    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// Where `key` is written in this table, else where the table is.
    pub fn key_span(&self, key: &str) -> Range<usize> {
        self.entry(key).map_or(self.span.clone(), |(k, _)| k.span())
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn entry(&self, key: &str) -> Option<(&'a Spanned<DeString<'a>>, &'a Spanned<DeValue<'a>>)> {
        self.entries.iter().find(|(k, _)| k.get_ref() == key)
    }
}

/// A scalar type a value may be read as, named as messages name it.
pub trait Kind<'a>: Sized {
    const EXPECTED: &'static str;
    fn read(value: &'a DeValue<'a>) -> Option<Self>;
}

impl<'a> Kind<'a> for &'a str {
    const EXPECTED: &'static str = "a string";
    fn read(value: &'a DeValue<'a>) -> Option<Self> {
        value.as_str()
    }
}

impl Kind<'_> for i64 {
    const EXPECTED: &'static str = "an integer";
    fn read(value: &DeValue<'_>) -> Option<Self> {
        let integer = value.as_integer()?;
        i64::from_str_radix(integer.as_str(), integer.radix()).ok()
    }
}

impl Kind<'_> for bool {
    const EXPECTED: &'static str = "a boolean";
    fn read(value: &DeValue<'_>) -> Option<Self> {
        value.as_bool()
    }
}

/// The texts of a list read with their fields, owned.
pub fn texts(items: &[(Field<'_>, &str)]) -> Vec<String> {
    items.iter().map(|(_, text)| text.to_string()).collect()
}

/// What was written instead of the expected type, e.g. integer `14`.
pub fn found(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("string {text:?}"),
        DeValue::Integer(integer) => match i64::read(value) {
            Some(number) => format!("integer `{number}`"),
            None => format!("integer `{}`, too large", integer.as_str()),
        },
        // Beyond f64 (`1e400`) it is shown as written, not as `inf`.
        DeValue::Float(float) => match float.as_str().parse::<f64>() {
            Ok(number) if number.is_infinite() && !float.as_str().contains("inf") => {
                format!("floating point `{}`", float.as_str())
            }
            Ok(number) => format!("floating point `{number}`"),
            Err(_) => format!("floating point `{}`", float.as_str()),
        },
        DeValue::Boolean(value) => format!("boolean `{value}`"),
        DeValue::Datetime(value) => format!("datetime `{value}`"),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}
