//! Collects issues while a configuration is checked: each comes with the span
//! it is about, becomes `line:column` here, and follow-on noise is dropped.
//! Also where wrong types and unknown keys are put into words.

use crate::config::checks::Problem;
use crate::config::errors::ConfigIssue;
use crate::config::tree::{Field, Kind, Table, found};
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
    pub fn syntax(&mut self, root: &Table<'_>, span: Range<usize>, message: &str, fix: &str) {
        let path = path_in(&root.path, root.entries, span.start).unwrap_or_default();
        let issue = self.issue(&span, path, message.into(), fix.into());
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

    /// An issue about the value of `field`.
    pub fn at_field(
        &mut self,
        field: &Field<'_>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.at(&field.span, &field.path, message, fix);
    }

    /// An issue about `key` of `table`, where the key is written (else at the table).
    pub fn at_key(&mut self, table: &Table<'_>, key: &str, message: &str, fix: &str) {
        self.at(&table.key_span(key), &table.path_of(key), message, fix);
    }

    /// An issue found inside another file the config names: never merged with others.
    pub fn in_named_file(
        &mut self,
        span: &Range<usize>,
        path: String,
        message: String,
        fix: String,
    ) {
        self.issues.push(self.issue(span, path, message, fix));
    }

    /// The value of `field` read as `T`; a wrong type is reported.
    pub fn get<'a, T: Kind<'a>>(&mut self, field: Option<Field<'a>>) -> Option<T> {
        self.typed(&field?)
    }

    fn typed<'a, T: Kind<'a>>(&mut self, field: &Field<'a>) -> Option<T> {
        let value = T::read(field.value);
        if value.is_none() {
            self.wrong_type(field, T::EXPECTED);
        }
        value
    }

    fn wrong_type(&mut self, field: &Field<'_>, expected: &str) {
        let (message, fix) = wrong_type(&field.path, expected, &found(field.value));
        self.at_field(field, message, fix);
    }

    /// `field` as a table taking `keys`; its unknown keys and a wrong type are reported.
    pub fn table<'a>(&mut self, field: Option<Field<'a>>, keys: &[&str]) -> Option<Table<'a>> {
        let field = field?;
        let Some(entries) = field.value.as_table() else {
            self.wrong_type(&field, "a table");
            return None;
        };
        let table = Table {
            path: field.path,
            span: field.span,
            entries,
        };
        self.unknown_keys(&table, keys);
        Some(table)
    }

    /// Reports each key of `table` that is not one of `keys`.
    pub fn unknown_keys(&mut self, table: &Table<'_>, keys: &[&str]) {
        let unknown = table.entries.iter().map(|(key, _)| key);
        for key in unknown.filter(|key| !keys.contains(&key.get_ref().as_ref())) {
            let message = format!("unknown key `{}`", key.get_ref());
            let fix = unknown_key_fix(key.get_ref(), keys);
            self.at(&key.span(), &table.path_of(key.get_ref()), message, fix);
        }
    }

    /// The elements of a list, keyed `path[i]`; a wrong type is reported.
    pub fn items<'a>(&mut self, field: Option<Field<'a>>) -> Option<Vec<Field<'a>>> {
        let field = field?;
        let Some(array) = field.value.as_array() else {
            self.wrong_type(&field, "a list");
            return None;
        };
        let items = array.iter().enumerate().map(|(i, item)| Field {
            path: format!("{}[{i}]", field.path),
            span: item.span(),
            value: item.get_ref(),
        });
        Some(items.collect())
    }

    /// A list of strings with their fields; `None` when absent or when any
    /// element has the wrong type (each is reported, and nothing more is said
    /// about the others).
    pub fn strings<'a>(&mut self, field: Option<Field<'a>>) -> Option<Vec<(Field<'a>, &'a str)>> {
        let items = self.items(field)?.into_iter();
        let typed: Vec<_> = items
            .map(|item| self.typed(&item).map(|text| (item, text)))
            .collect();
        typed.into_iter().collect()
    }

    /// A value checked by `check`; the problem, if any, is reported at the value.
    pub fn parse<'a, T: Kind<'a>, U>(
        &mut self,
        field: Option<Field<'a>>,
        check: impl FnOnce(T) -> Result<U, Problem>,
    ) -> Option<U> {
        let field = field?;
        let value = self.typed(&field)?;
        self.check(&field, check(value))
    }

    /// Like [`Report::parse`], with `default` for an absent key.
    pub fn parse_or<'a, T: Kind<'a>, U>(
        &mut self,
        field: Option<Field<'a>>,
        default: U,
        check: impl FnOnce(T) -> Result<U, Problem>,
    ) -> Option<U> {
        match field {
            None => Some(default),
            field => self.parse(field, check),
        }
    }

    /// Like [`Report::parse_or`], with `default` for an invalid value too:
    /// for a table that is built either way (the report refuses the file).
    pub fn value<'a, T: Kind<'a>, U: Clone>(
        &mut self,
        field: Option<Field<'a>>,
        default: U,
        check: impl FnOnce(T) -> Result<U, Problem>,
    ) -> U {
        let value = self.parse_or(field, default.clone(), check);
        value.unwrap_or(default)
    }

    /// The value of a check's result; a problem is reported at `field`.
    pub fn check<U>(&mut self, field: &Field<'_>, result: Result<U, Problem>) -> Option<U> {
        result
            .map_err(|problem| self.at_field(field, problem.message, problem.fix))
            .ok()
    }

    /// Reports a key `table` must have, at the table, when it is absent.
    pub fn required(&mut self, table: &Table<'_>, key: &str, fix: &str) {
        if !table.has(key) {
            let message = format!("missing key `{key}`");
            self.at(&table.span, &table.path_of(key), message, fix);
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
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
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

/// The key path of the deepest entry of `table` whose key or value holds `offset`.
fn path_in(path: &str, table: &DeTable<'_>, offset: usize) -> Option<String> {
    let mut entries = table.iter();
    entries
        .find_map(|(key, value)| inside(join(path, key.get_ref()), Some(key.span()), value, offset))
}

fn inside(
    path: String,
    key: Option<Range<usize>>,
    value: &Spanned<DeValue<'_>>,
    offset: usize,
) -> Option<String> {
    let holds = |span: Range<usize>| span.start <= offset && offset <= span.end;
    let deeper = match value.get_ref() {
        DeValue::Table(table) => path_in(&path, table, offset),
        DeValue::Array(array) => (array.iter().enumerate())
            .find_map(|(i, item)| inside(format!("{path}[{i}]"), None, item, offset)),
        _ => None,
    };
    deeper.or_else(|| (key.is_some_and(holds) || holds(value.span())).then_some(path))
}

/// What is wrong and the fix for a value of the wrong type.
fn wrong_type(path: &str, expected: &str, found: &str) -> (String, String) {
    let leaf = leaf(path);
    if leaf == "project" && expected == "a list" {
        let fix = "write each project as a [[project]] table (double brackets)";
        return (
            format!("expected a list of project tables, found {found}"),
            fix.into(),
        );
    }
    let example = example(path).map(|example| format!(", e.g. `{leaf} = {example}`"));
    let fix = format!("write {expected}{}", example.unwrap_or_default());
    (format!("expected {expected}, found {found}"), fix)
}

/// A key's value as `config/example.toml` shows it (commented out or not),
/// when that is a single-line value: from the key's own table when the
/// example has it there (`github.token_env` is not `gitlab.token_env`),
/// else from wherever the key first appears.
fn example(path: &str) -> Option<&'static str> {
    let leaf = leaf(path);
    let table = table_of(path);
    let mut header = String::new();
    let mut anywhere = None;
    for line in include_str!("../../config/example.toml").lines() {
        if let Some(name) = line.strip_prefix('[') {
            header = name.trim_matches(['[', ']']).to_string();
        }
        let Some(value) = example_value(line, leaf) else {
            continue;
        };
        if header == table {
            return Some(value);
        }
        anywhere = anywhere.or(Some(value));
    }
    anywhere
}

/// `project[0].batch.lead_time` is in the table `project.batch`.
fn table_of(path: &str) -> String {
    let mut segments: Vec<&str> = path
        .split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect();
    segments.pop();
    segments.join(".")
}

/// The value `line` gives `leaf`, if it is one that parses.
fn example_value<'l>(line: &'l str, leaf: &str) -> Option<&'l str> {
    let value = line
        .trim_start_matches(['#', ' '])
        .strip_prefix(leaf)?
        .strip_prefix(" = ")?;
    let value = value.split("  ").next()?.trim_end();
    let parses = value != "[]" && format!("v = {value}").parse::<toml::Table>().is_ok();
    parses.then_some(value)
}

/// The fix for a key that has no meaning here. A secret written inline
/// (`token` beside `token_env`) is pointed at its `_env`/`_file` key; a
/// near miss of a valid key gets "did you mean" even when it looks like a
/// secret (`token_envv`); other secret-looking keys are told where secrets go.
fn unknown_key_fix(unknown: &str, expected: &[&str]) -> String {
    let counterpart = [format!("{unknown}_env"), format!("{unknown}_file")]
        .into_iter()
        .find(|name| expected.contains(&name.as_str()));
    let closest = expected
        .iter()
        .map(|candidate| (strsim::levenshtein(unknown, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance);
    let secret = looks_like_secret(unknown);
    if secret && (counterpart.is_some() || closest.is_none()) {
        let any_env = || expected.iter().find(|name| name.ends_with("_env"));
        let counterpart = counterpart.or_else(|| any_env().map(|name| name.to_string()));
        return match counterpart {
            Some(name) => format!("secrets never go in the config text: remove this key, put the value in an environment variable (or file) and name it with `{name}`"),
            None => "secrets never go in the config text: remove this key and provide the value through the environment".to_string(),
        };
    }
    let valid = format!("valid keys here: {}", expected.join(", "));
    match closest {
        Some((_, suggestion)) => format!("did you mean `{suggestion}`? {valid}"),
        None => format!("remove it or fix its name; {valid}"),
    }
}

fn looks_like_secret(key: &str) -> bool {
    const WORDS: [&str; 6] = [
        "token",
        "secret",
        "password",
        "passwd",
        "private_key",
        "api_key",
    ];
    let key = key.to_ascii_lowercase();
    WORDS.iter().any(|word| key.contains(word))
        || matches!(key.as_str(), "user" | "username" | "pass" | "key")
}
