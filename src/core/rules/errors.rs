//! Rule-pack validation errors: every problem at once, each with its key path,
//! line:column in the pack text and a short fix.

use std::fmt;
use std::ops::Range;

/// One problem found in a rule pack (or in user globs handed to the rule set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// Where the text came from: `builtin:django`, a file path, `config`.
    pub origin: String,
    /// Dotted key path, e.g. `rule[1].class[0].file_any[2]`; empty for syntax errors.
    pub key: String,
    /// 1-based line; 0 when the position is unknown (globs from a config file).
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            origin,
            key,
            line,
            column,
            message,
            fix,
        } = self;
        write_issue(f, origin, (*line, *column), key, message, fix)
    }
}

/// The one format of config and rule-pack issues: `origin:line:col: key.path:
/// what — fix`, leaving out an unknown position (line 0), an empty key or fix.
pub fn write_issue(
    f: &mut fmt::Formatter<'_>,
    origin: &str,
    (line, column): (usize, usize),
    key: &str,
    message: &str,
    fix: &str,
) -> fmt::Result {
    write!(f, "{origin}")?;
    if line > 0 {
        write!(f, ":{line}:{column}")?;
    }
    if !key.is_empty() {
        write!(f, ": {key}")?;
    }
    write!(f, ": {message}")?;
    if !fix.is_empty() {
        write!(f, " — {fix}")?;
    }
    Ok(())
}

/// All problems of one or more rule packs, in text order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleErrors(pub Vec<RuleError>);

impl RuleErrors {
    pub fn errors(&self) -> &[RuleError] {
        &self.0
    }
}

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} rule pack error{}",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

/// Collects errors against one pack text, turning byte spans into line:column.
pub(crate) struct ErrorSink<'t> {
    origin: &'t str,
    text: &'t str,
    errors: Vec<RuleError>,
}

impl<'t> ErrorSink<'t> {
    pub(crate) fn new(origin: &'t str, text: &'t str) -> Self {
        ErrorSink {
            origin,
            text,
            errors: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, span: Range<usize>, key: &str, message: String, fix: &str) {
        let (line, column) = line_column(self.text, span.start);
        self.errors.push(RuleError {
            origin: self.origin.to_string(),
            key: key.to_string(),
            line,
            column,
            message,
            fix: fix.to_string(),
        });
    }

    /// Line and column of a byte offset in this sink's text.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        line_column(self.text, offset)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn into_errors(mut self) -> RuleErrors {
        self.errors.sort_by_key(|e| (e.line, e.column));
        RuleErrors(self.errors)
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_lines_and_characters_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 3));
    }
}
