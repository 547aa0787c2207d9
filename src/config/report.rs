//! Collects issues while a configuration is checked: each comes with the span
//! it is about, becomes `line:column` here, and follow-on noise is dropped.
//! Also where wrong types and unknown keys are put into words.

use crate::config::checks::Problem;
use crate::config::errors::ConfigIssue;
use crate::config::raw::{Expect, Field};
use crate::core::rules::line_column;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub struct Report<'t> {
    text: &'t str,
    issues: Vec<ConfigIssue>,
    /// Lines holding a syntax error: anything else said about them is a consequence.
    syntax_lines: HashSet<usize>,
}

impl<'t> Report<'t> {
    pub fn new(text: &'t str) -> Self {
        let (issues, syntax_lines) = Default::default();
        Report {
            text,
            issues,
            syntax_lines,
        }
    }

    /// A TOML syntax error; its key path is the entry the error sits in.
    pub fn syntax(&mut self, tree: &DeTable<'_>, span: Range<usize>, message: &str, fix: &str) {
        let root = tree
            .iter()
            .map(|(k, v)| (join("", k.get_ref()), Some(k.span()), v));
        let path = path_at(root.collect(), span.start);
        let issue = self.issue(&span, path.unwrap_or_default(), message.into(), fix.into());
        self.syntax_lines.insert(issue.line);
        self.issues.push(issue);
    }

    /// An issue about the text at `span`, unless a syntax error on its line
    /// or an issue at `path` or around it already explains it.
    pub fn at(
        &mut self,
        span: &Range<usize>,
        path: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let issue = self.issue(span, path.to_string(), message.into(), fix.into());
        if !self.syntax_lines.contains(&issue.line) && !self.covered(path) {
            self.issues.push(issue);
        }
    }

    /// An issue found inside another file the config names: never merged with others.
    pub fn in_named_file(
        &mut self,
        span: &Range<usize>,
        path: String,
        message: String,
        fix: String,
    ) {
        let issue = self.issue(span, path, message, fix);
        self.issues.push(issue);
    }

    /// The value of `field` when it has the expected type; a wrong type is reported.
    pub fn get<'a, T: Expect>(
        &mut self,
        field: impl Into<Option<&'a Field<T>>>,
        path: &str,
    ) -> Option<&'a T> {
        let field = field.into()?;
        match &field.value {
            Ok(value) => Some(value),
            Err(found) => {
                let (message, fix) = wrong_type(path, T::EXPECTED, found);
                self.at(&field.span, path, message, fix);
                None
            }
        }
    }

    /// Like [`Report::get`] for a table, also reporting its unknown keys.
    pub fn table<'a, T: Expect>(
        &mut self,
        field: impl Into<Option<&'a Field<T>>>,
        path: &str,
    ) -> Option<(&'a T, &'a Field<T>)> {
        let field = field.into()?;
        for key in field
            .keys
            .iter()
            .filter(|key| !T::KEYS.contains(&key.get_ref().as_str()))
        {
            let message = format!("unknown key `{}`", key.get_ref());
            self.at(
                &key.span(),
                &join(path, key.get_ref()),
                message,
                unknown_key_fix(key.get_ref(), T::KEYS),
            );
        }
        Some((self.get(field, path)?, field))
    }

    /// A list of strings as (key path, element, text); `None` when absent or
    /// when any element has the wrong type (each is reported, and nothing
    /// more is said about the others).
    pub fn list<'a>(
        &mut self,
        field: &'a Option<Field<Vec<Field<String>>>>,
        path: &str,
    ) -> Option<Vec<(String, &'a Field<String>, &'a str)>> {
        let items = self.get(field, path)?.iter().enumerate();
        let typed: Vec<_> = items
            .map(|(i, item)| {
                let path = format!("{path}[{i}]");
                self.get(item, &path)
                    .map(|text| (path, item, text.as_str()))
            })
            .collect();
        typed.into_iter().collect()
    }

    /// A value checked by `check`; the problem, if any, is reported at the value.
    pub fn parse<'a, T: Expect + 'a, U>(
        &mut self,
        field: impl Into<Option<&'a Field<T>>>,
        path: &str,
        check: impl FnOnce(&T) -> Result<U, Problem>,
    ) -> Option<U> {
        let field = field.into()?;
        let value = self.get(field, path)?;
        check(value)
            .map_err(|problem| self.at(&field.span, path, problem.message, problem.fix))
            .ok()
    }

    /// Like [`Report::parse`], with `default` for an absent key.
    pub fn parse_or<T: Expect, U>(
        &mut self,
        field: &Option<Field<T>>,
        path: &str,
        default: U,
        check: impl FnOnce(&T) -> Result<U, Problem>,
    ) -> Option<U> {
        match field {
            None => Some(default),
            Some(field) => self.parse(field, path, check),
        }
    }

    /// Reports a key the table must have, at the table, when it is absent.
    pub fn required<T>(
        &mut self,
        field: &Option<Field<T>>,
        path: &str,
        table: &Range<usize>,
        fix: &str,
    ) {
        if field.is_none() {
            self.at(table, path, format!("missing key `{}`", leaf(path)), fix);
        }
    }

    pub fn line_of(&self, span: &Range<usize>) -> usize {
        line_column(self.text, span.start).0
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

    fn issue(
        &self,
        span: &Range<usize>,
        key_path: String,
        message: String,
        fix: String,
    ) -> ConfigIssue {
        let (line, column) = line_column(self.text, span.start);
        ConfigIssue {
            key_path,
            line,
            column,
            message,
            fix,
        }
    }

    /// True when an issue was already reported at this path or an enclosing one
    /// (a value of the wrong type would otherwise also be reported missing).
    fn covered(&self, path: &str) -> bool {
        self.issues.iter().any(|issue| {
            let known = issue.key_path.as_str();
            !known.is_empty()
                && path.starts_with(known)
                && matches!(path.as_bytes().get(known.len()), None | Some(b'.' | b'['))
        })
    }
}

/// `prefix.key`, quoting keys that are not bare, as TOML would.
pub fn join(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    };
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

fn leaf(path: &str) -> &str {
    let path = path.trim_end_matches(|c: char| c == ']' || c == '[' || c.is_ascii_digit());
    path.rsplit('.').next().unwrap_or(path)
}

type Entry<'a, 'i> = (String, Option<Range<usize>>, &'a Spanned<DeValue<'i>>);

/// The entries of a table (with key spans) or array, with their key paths.
fn entries<'a, 'i>(path: &str, value: &'a DeValue<'i>) -> Vec<Entry<'a, 'i>> {
    match value {
        DeValue::Table(table) => table
            .iter()
            .map(|(k, v)| (join(path, k.get_ref()), Some(k.span()), v))
            .collect(),
        DeValue::Array(array) => array
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{path}[{i}]"), None, v))
            .collect(),
        _ => Vec::new(),
    }
}

/// The deepest entry whose key or value holds `offset`, as a key path.
fn path_at(entries: Vec<Entry<'_, '_>>, offset: usize) -> Option<String> {
    let holds = |span: &Range<usize>| span.start <= offset && offset <= span.end;
    entries.into_iter().find_map(|(path, key, value)| {
        let inner = path_at(self::entries(&path, value.get_ref()), offset);
        inner.or_else(|| (key.as_ref().is_some_and(holds) || holds(&value.span())).then_some(path))
    })
}

/// What is wrong and the fix for a value of the wrong type.
fn wrong_type(path: &str, expected: &str, found: &str) -> (String, String) {
    let leaf = leaf(path);
    if leaf == "project" && expected == "a list" {
        let fix = "write each project as a [[project]] table (double brackets)";
        return (
            format!("expected a list of project tables, found {found}"),
            fix.to_string(),
        );
    }
    let example = example(leaf)
        .map(|example| format!(", e.g. `{leaf} = {example}`"))
        .unwrap_or_default();
    (
        format!("expected {expected}, found {found}"),
        format!("write {expected}{example}"),
    )
}

/// A key's value as `config/example.toml` shows it (commented out or not),
/// when that is a single-line value.
fn example(leaf: &str) -> Option<&'static str> {
    include_str!("../../config/example.toml")
        .lines()
        .find_map(|line| {
            let value = line
                .trim_start_matches(['#', ' '])
                .strip_prefix(leaf)?
                .strip_prefix(" = ")?;
            let value = value.split("  ").next()?.trim_end();
            let parses = value != "[]" && format!("v = {value}").parse::<toml::Table>().is_ok();
            parses.then_some(value)
        })
}

/// The fix for a key that has no meaning here. Keys that look like inline
/// secrets get pointed at their `_env`/`_file` counterpart.
fn unknown_key_fix(unknown: &str, expected: &[&str]) -> String {
    if looks_like_secret(unknown) {
        let counterpart = [format!("{unknown}_env"), format!("{unknown}_file")]
            .into_iter()
            .find(|name| expected.contains(&name.as_str()));
        let counterpart = counterpart.or_else(|| {
            expected
                .iter()
                .find(|name| name.ends_with("_env"))
                .map(|name| name.to_string())
        });
        return match counterpart {
            Some(name) => format!("secrets never go in the config text: remove this key, put the value in an environment variable (or file) and name it with `{name}`"),
            None => "secrets never go in the config text: remove this key and provide the value through the environment".to_string(),
        };
    }
    let valid = format!("valid keys here: {}", expected.join(", "));
    let closest = expected
        .iter()
        .map(|candidate| (strsim::levenshtein(unknown, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance);
    match closest {
        Some((_, suggestion)) => format!("did you mean `{suggestion}`? {valid}"),
        None => format!("remove it or fix its name; {valid}"),
    }
}

fn looks_like_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "private_key",
        "api_key",
    ]
    .iter()
    .any(|word| key.contains(word))
        || matches!(key.as_str(), "user" | "username" | "pass" | "key")
}
