//! Collects issues while a configuration is checked: turns key paths into
//! `line:column`, drops follow-on noise, and returns them in file order.

use crate::config::document::Document;
use crate::config::errors::ConfigIssue;
use std::collections::HashSet;

pub struct Report<'d> {
    document: &'d Document<'d>,
    issues: Vec<ConfigIssue>,
    /// Lines holding a syntax error: anything else said about them is a consequence.
    syntax_lines: HashSet<usize>,
    /// Lists that lost an element to a type error: the later elements of the
    /// deserialized list no longer sit at their written index, so semantic
    /// issues inside them would point at the wrong element and are held back.
    shifted_lists: Vec<String>,
}

impl<'d> Report<'d> {
    pub fn new(document: &'d Document<'d>) -> Self {
        Report {
            document,
            issues: Vec::new(),
            syntax_lines: HashSet::new(),
            shifted_lists: Vec::new(),
        }
    }

    /// A TOML syntax error at a byte offset.
    pub fn syntax(&mut self, key_path: String, offset: usize, message: String, fix: String) {
        let (line, column) = self.document.line_column(offset);
        self.syntax_lines.insert(line);
        self.issues.push(ConfigIssue {
            key_path,
            line,
            column,
            message,
            fix,
        });
    }

    /// An issue at a byte offset found while deserializing; the entry is dropped.
    pub fn at_offset(&mut self, key_path: String, offset: usize, message: String, fix: String) {
        let (line, column) = self.document.line_column(offset);
        if key_path.ends_with(']')
            && let Some(open) = key_path.rfind('[')
        {
            self.shifted_lists.push(key_path[..open].to_string());
        }
        self.push(key_path, line, column, message, fix);
    }

    /// An issue about a value: points at the value, or at the nearest
    /// enclosing table when the key is missing.
    pub fn value(&mut self, key_path: &str, message: impl Into<String>, fix: impl Into<String>) {
        if self.in_shifted_list(key_path) {
            return;
        }
        let (line, column) = self.document.position_of_value(key_path);
        self.push(
            key_path.to_string(),
            line,
            column,
            message.into(),
            fix.into(),
        );
    }

    /// An issue found inside another file a value names (a rule pack): points
    /// at that value (`anchor`), reported under `key_path`. Such issues are
    /// never merged with one another: each names its own place in that file.
    pub fn in_named_file(
        &mut self,
        anchor: &str,
        key_path: String,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        if self.in_shifted_list(anchor) {
            return;
        }
        let (line, column) = self.document.position_of_value(anchor);
        self.issues.push(ConfigIssue {
            key_path,
            line,
            column,
            message: message.into(),
            fix: fix.into(),
        });
    }

    /// An issue about a key itself (it should not be there, or clashes): points at the key.
    pub fn key(&mut self, key_path: &str, message: impl Into<String>, fix: impl Into<String>) {
        if self.in_shifted_list(key_path) {
            return;
        }
        let (line, column) = self.document.position_of_key(key_path);
        self.push(
            key_path.to_string(),
            line,
            column,
            message.into(),
            fix.into(),
        );
    }

    /// The line a key path's value starts on, for messages that refer to it.
    pub fn line_of(&self, key_path: &str) -> usize {
        self.document.position_of_value(key_path).0
    }

    pub fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    /// Every issue, sorted by position in the file.
    pub fn finish(mut self) -> Vec<ConfigIssue> {
        self.issues
            .sort_by(|a, b| (a.line, a.column, &a.key_path).cmp(&(b.line, b.column, &b.key_path)));
        self.issues
    }

    fn push(&mut self, key_path: String, line: usize, column: usize, message: String, fix: String) {
        if self.syntax_lines.contains(&line) || self.already_covered(&key_path) {
            return;
        }
        self.issues.push(ConfigIssue {
            key_path,
            line,
            column,
            message,
            fix,
        });
    }

    fn in_shifted_list(&self, key_path: &str) -> bool {
        self.shifted_lists.iter().any(|list| {
            key_path
                .strip_prefix(list.as_str())
                .is_some_and(|rest| rest.starts_with('['))
        })
    }

    /// True when an issue was already reported at this path or an enclosing one
    /// (a value dropped for its type would otherwise also be reported missing).
    fn already_covered(&self, key_path: &str) -> bool {
        self.issues.iter().any(|issue| {
            let known = issue.key_path.as_str();
            !known.is_empty()
                && key_path.starts_with(known)
                && matches!(
                    key_path.as_bytes().get(known.len()),
                    None | Some(b'.' | b'[')
                )
        })
    }
}
