//! Parses rule-pack TOML into a validated [`RulePack`], collecting every error
//! (syntax, unknown keys, wrong types, bad globs and regexes, unknown names)
//! with its key path and line:column instead of stopping at the first.

use super::errors::{ErrorSink, RuleErrors};
use super::glob::{compile_glob, glob_set};
use super::model::{ChangeSet, Marker, Outcome, Refinement, Rule, RulePack};
use crate::core::types::{ChangeKind, MigrationKind};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

const PACK_KEYS: &[&str] = &["name", "title", "description", "priority", "rule"];
const RULE_KEYS: &[&str] = &[
    "id", "note", "paths", "exclude", "changes", "require", "class",
];
const CLASS_KEYS: &[&str] = &[
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
const FIX_REGEX: &str = "escape regex metacharacters like ( [ . + with a backslash; in TOML prefer 'single-quoted' strings so backslashes stay literal";
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

struct Walker<'s, 't> {
    sink: &'s mut ErrorSink<'t>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Walker<'_, '_> {
    fn error(&mut self, span: Range<usize>, key: &str, message: String, fix: &str) {
        self.sink.push(span, key, message, fix);
    }

    fn check_keys(&mut self, table: &DeTable<'_>, prefix: &str, allowed: &[&str]) {
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

    fn string(
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

    fn required_string(
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

    fn string_list(
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

    fn globs(&mut self, table: &DeTable<'_>, prefix: &str, key: &str) -> Vec<String> {
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

    fn markers(&mut self, table: &DeTable<'_>, prefix: &str, key: &str) -> Vec<Marker> {
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

    fn changes(&mut self, table: &DeTable<'_>, prefix: &str, default: ChangeSet) -> ChangeSet {
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

    fn tables<'v, 'i>(
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

    fn rule(
        &mut self,
        table: &DeTable<'_>,
        span: Range<usize>,
        prefix: &str,
        index: usize,
    ) -> Option<Rule> {
        self.check_keys(table, prefix, RULE_KEYS);
        let id = self
            .string(table, prefix, "id")
            .map_or_else(|| format!("rule[{index}]"), |(s, _)| s);
        let note = self.string(table, prefix, "note").map(|(s, _)| s);
        let paths = self.globs(table, prefix, "paths");
        if paths.is_empty()
            && table
                .get("paths")
                .is_none_or(|v| v.get_ref().as_array().is_some_and(|a| a.is_empty()))
        {
            let at = table.get("paths").map_or(span.clone(), |v| v.span());
            self.error(
                at,
                &join(prefix, "paths"),
                "`paths` must list at least one glob".into(),
                "add e.g. `paths = [\"**/migrations/*.sql\"]`",
            );
        }
        let exclude = self.globs(table, prefix, "exclude");
        let changes = self.changes(table, prefix, ChangeSet::ALL);
        let require = self.markers(table, prefix, "require");
        let mut classes = Vec::new();
        if let Some(value) = table.get("class") {
            let class_prefix = join(prefix, "class");
            for (i, class_table, class_span) in self.tables(value, &class_prefix) {
                let p = format!("{class_prefix}[{i}]");
                if let Some(refinement) = self.refinement(class_table, class_span, &p, changes) {
                    classes.push(refinement);
                }
            }
        }
        let exclude_set = glob_set(&exclude);
        Some(Rule {
            id,
            note,
            paths,
            exclude,
            exclude_set,
            changes,
            require,
            classes,
        })
    }

    fn refinement(
        &mut self,
        table: &DeTable<'_>,
        span: Range<usize>,
        prefix: &str,
        rule_changes: ChangeSet,
    ) -> Option<Refinement> {
        self.check_keys(table, prefix, CLASS_KEYS);
        let kind =
            self.required_string(table, &span, prefix, "kind")
                .and_then(|(name, kind_span)| {
                    let outcome = match name.as_str() {
                        "none" => Some(Outcome::NotMigration),
                        other => MigrationKind::from_name(other).map(Outcome::Migration),
                    };
                    if outcome.is_none() {
                        self.error(
                            kind_span,
                            &join(prefix, "kind"),
                            format!("unknown kind `{name}`"),
                            "use schema, data, squash, edit, or none (not a migration)",
                        );
                    }
                    outcome
                });
        let changes = self.changes(table, prefix, rule_changes);
        if !changes.is_subset_of(rule_changes)
            && let Some(value) = table.get("changes")
        {
            let extra: Vec<_> = changes
                .kinds()
                .filter(|k| !rule_changes.contains(*k))
                .map(ChangeKind::as_str)
                .collect();
            self.error(
                value.span(),
                &join(prefix, "changes"),
                format!("the rule does not count {} changes", extra.join(", ")),
                "add them to the rule's `changes` or remove them here",
            );
        }
        let paths = self.globs(table, prefix, "paths");
        // Parse every field before giving up on a bad `kind`, so all errors are reported.
        let file_any = self.markers(table, prefix, "file_any");
        let file_all = self.markers(table, prefix, "file_all");
        let file_none = self.markers(table, prefix, "file_none");
        let added_any = self.markers(table, prefix, "added_any");
        let added_none = self.markers(table, prefix, "added_none");
        let reason = self.string(table, prefix, "reason").map(|(s, _)| s);
        let refinement = Refinement {
            kind: kind?,
            changes,
            path_set: glob_set(&paths),
            paths,
            file_any,
            file_all,
            file_none,
            added_any,
            added_none,
            reason,
        };
        Some(refinement)
    }
}

fn join(prefix: &str, key: &str) -> String {
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
fn regex_error_summary(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text);
    last.trim().trim_start_matches("error: ").to_string()
}
