//! Parses rule-pack TOML into a validated [`RulePack`], collecting every error
//! (syntax, unknown keys, wrong types, bad globs and regexes, unknown names)
//! with its key path and line:column instead of stopping at the first.

use super::errors::{ErrorSink, RuleErrors};
use super::glob::compile_glob;
use super::model::{ChangeSet, Marker, Rule, RulePack};
use crate::core::types::ChangeKind;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

const PACK_KEYS: &[&str] = &["name", "title", "description", "priority", "rule"];
pub(super) const RULE_KEYS: &[&str] = &[
    "id",
    "note",
    "paths",
    "exclude",
    "changes",
    "require",
    "class",
    "order",
    "operations",
];
pub(super) const ORDER_KEYS: &[&str] = &[
    "scheme",
    "group",
    "node",
    "node_text",
    "parents",
    "parent",
    "version",
    "out_of_order",
    "unique",
    "ignore_text",
    "error",
    "fix",
];
pub(super) const CLASS_KEYS: &[&str] = &[
    "kind",
    "changes",
    "paths",
    "file_any",
    "file_all",
    "file_none",
    "added_any",
    "added_none",
    "reason",
];

const FIX_GLOB: &str =
    "check `[`/`{` are closed; `*` stays in one directory, `**/` crosses directories";
pub(super) const FIX_REGEX: &str = "escape regex metacharacters like ( [ . + with a backslash; in TOML prefer 'single-quoted' strings so backslashes stay literal";
const FIX_STRING_LIST: &str = "write a list of strings, e.g. [\"a\", \"b\"]";

/// Parses and validates one pack; `origin` names it in errors (`builtin:django`, a file path).
pub fn parse_pack(origin: &str, text: &str) -> Result<RulePack, RuleErrors> {
    let mut sink = ErrorSink::new(origin, text);
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for error in syntax {
            let span = error.span().unwrap_or(0..0);
            let message = error.message().trim().replace('\n', " ");
            sink.push(
                span,
                "",
                format!("TOML syntax error: {message}"),
                "fix the TOML syntax here",
            );
        }
        return Err(sink.into_errors());
    }
    let root_span = root.span();
    let root = root.into_inner();
    let mut walker = Walker { sink: &mut sink };
    let pack = walker.pack(&root, root_span, origin);
    if sink.is_empty() {
        pack.ok_or_else(|| RuleErrors(Vec::new()))
    } else {
        Err(sink.into_errors())
    }
}

pub(super) struct Walker<'s, 't> {
    sink: &'s mut ErrorSink<'t>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Walker<'_, '_> {
    pub(super) fn error(&mut self, span: Range<usize>, key: &str, message: String, fix: &str) {
        self.sink.push(span, key, message, fix);
    }

    pub(super) fn check_keys(&mut self, table: &DeTable<'_>, prefix: &str, allowed: &[&str]) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let path = join(prefix, key.get_ref());
                let fix = format!("remove it or use one of: {}", allowed.join(", "));
                self.error(
                    key.span(),
                    &path,
                    format!("unknown key `{}`", key.get_ref()),
                    &fix,
                );
            }
        }
    }

    pub(super) fn string(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
    ) -> Option<(String, Range<usize>)> {
        let value = table.get(key)?;
        match value.get_ref().as_str() {
            Some(s) => Some((s.to_string(), value.span())),
            None => {
                let found = value.get_ref().type_str();
                self.error(
                    value.span(),
                    &join(prefix, key),
                    format!("expected a string, found {found}"),
                    "put the value in quotes",
                );
                None
            }
        }
    }

    pub(super) fn required_string(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        prefix: &str,
        key: &str,
    ) -> Option<(String, Range<usize>)> {
        if table.get(key).is_none() {
            let path = join(prefix, key);
            self.error(
                span.clone(),
                &path,
                format!("missing required key `{key}`"),
                &format!("add `{key} = \"...\"`"),
            );
            return None;
        }
        self.string(table, prefix, key)
    }

    pub(super) fn string_list(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
    ) -> Vec<(String, Range<usize>, String)> {
        let Some(value) = table.get(key) else {
            return Vec::new();
        };
        let path = join(prefix, key);
        let Some(items) = value.get_ref().as_array() else {
            let found = value.get_ref().type_str();
            self.error(
                value.span(),
                &path,
                format!("expected a list of strings, found {found}"),
                FIX_STRING_LIST,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), item.span(), item_path)),
                None => {
                    let found = item.get_ref().type_str();
                    self.error(
                        item.span(),
                        &item_path,
                        format!("expected a string, found {found}"),
                        FIX_STRING_LIST,
                    );
                }
            }
        }
        out
    }

    pub(super) fn globs(&mut self, table: &DeTable<'_>, prefix: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (pattern, span, path) in self.string_list(table, prefix, key) {
            match compile_glob(&pattern) {
                Ok(_) => out.push(pattern),
                Err(e) => self.error(
                    span,
                    &path,
                    format!("invalid glob `{pattern}`: {}", e.kind()),
                    FIX_GLOB,
                ),
            }
        }
        out
    }

    pub(super) fn markers(&mut self, table: &DeTable<'_>, prefix: &str, key: &str) -> Vec<Marker> {
        let mut out = Vec::new();
        for (pattern, span, path) in self.string_list(table, prefix, key) {
            match Marker::new(&pattern) {
                Ok(marker) => out.push(marker),
                Err(e) => {
                    let detail = regex_error_summary(&e);
                    self.error(
                        span,
                        &path,
                        format!("invalid regex `{pattern}`: {detail}"),
                        FIX_REGEX,
                    );
                }
            }
        }
        out
    }

    pub(super) fn changes(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        default: ChangeSet,
    ) -> ChangeSet {
        if table.get("changes").is_none() {
            return default;
        }
        let mut set = ChangeSet::NONE;
        let names = self.string_list(table, prefix, "changes");
        for (name, span, path) in &names {
            match ChangeKind::from_name(name) {
                Some(kind) => set = set.with(kind),
                None => self.error(
                    span.clone(),
                    path,
                    format!("unknown change `{name}`"),
                    "use added, modified, deleted or renamed",
                ),
            }
        }
        if names.is_empty()
            && let Some(value) = table.get("changes")
            && value.get_ref().as_array().is_some_and(|a| a.is_empty())
        {
            self.error(
                value.span(),
                &join(prefix, "changes"),
                "`changes` is empty, so this never applies".into(),
                "list at least one of added, modified, deleted, renamed, or remove the key",
            );
        }
        set
    }

    fn pack(&mut self, root: &DeTable<'_>, span: Range<usize>, origin: &str) -> Option<RulePack> {
        self.check_keys(root, "", PACK_KEYS);
        let name = self.required_string(root, &span, "", "name");
        if let Some((name, name_span)) = &name
            && !valid_pack_name(name)
        {
            self.error(
                name_span.clone(),
                "name",
                format!("invalid pack name `{name}`"),
                "use lowercase letters, digits, `-` or `_`, starting with a letter or digit",
            );
        }
        let title = self.required_string(root, &span, "", "title");
        let description = self
            .string(root, "", "description")
            .map(|(s, _)| s)
            .unwrap_or_default();
        let priority = self.priority(root);
        let rules = self.rules(root, &span);
        let (name, name_span) = name?;
        let name_position = self.sink.position(name_span.start);
        Some(RulePack {
            name,
            title: title?.0,
            description,
            priority,
            origin: origin.to_string(),
            rules,
            name_position,
        })
    }

    fn priority(&mut self, root: &DeTable<'_>) -> i32 {
        let Some(value) = root.get("priority") else {
            return 0;
        };
        let parsed = value
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
            .and_then(|i| i32::try_from(i).ok());
        parsed.unwrap_or_else(|| {
            self.error(
                value.span(),
                "priority",
                "expected a whole number".into(),
                "write e.g. `priority = 10` (higher wins when packs overlap)",
            );
            0
        })
    }

    fn rules(&mut self, root: &DeTable<'_>, span: &Range<usize>) -> Vec<Rule> {
        let Some(value) = root.get("rule") else {
            self.error(
                span.clone(),
                "rule",
                "the pack has no `[[rule]]`".into(),
                "add at least one `[[rule]]` with `paths = [...]`",
            );
            return Vec::new();
        };
        let mut rules = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, table, span) in self.tables(value, "rule") {
            let prefix = format!("rule[{i}]");
            let Some(rule) = self.rule(table, span.clone(), &prefix, i) else {
                continue;
            };
            if !seen.insert(rule.id.clone()) {
                let at = table.get("id").map_or(span, |v| v.span());
                self.error(
                    at,
                    &join(&prefix, "id"),
                    format!("duplicate rule id `{}`", rule.id),
                    "give every rule a distinct `id`",
                );
            }
            rules.push(rule);
        }
        rules
    }

    pub(super) fn tables<'v, 'i>(
        &mut self,
        value: &'v Value<'i>,
        key: &str,
    ) -> Vec<(usize, &'v DeTable<'i>, Range<usize>)> {
        let Some(items) = value.get_ref().as_array() else {
            self.error(
                value.span(),
                key,
                format!("expected `[[{key}]]` tables"),
                &format!("write each entry as a `[[{key}]]` section"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref().as_table() {
                Some(table) => out.push((i, table, item.span())),
                None => self.error(
                    item.span(),
                    &format!("{key}[{i}]"),
                    "expected a table".into(),
                    &format!("write each entry as a `[[{key}]]` section"),
                ),
            }
        }
        out
    }
}

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn valid_pack_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The regex crate's errors span several lines with a caret diagram; keep the
/// last line, which says what is wrong.
pub(super) fn regex_error_summary(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text);
    last.trim().trim_start_matches("error: ").to_string()
}
