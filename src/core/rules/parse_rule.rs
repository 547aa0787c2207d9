//! One rule of a pack and its classes, read from their TOML tables: the
//! rule's paths, exclusions, counted changes and requirements, and each
//! class's kind, markers and reason, every error reported.

use super::glob::glob_set;
use super::model::{ChangeSet, Outcome, Refinement, Rule};
use super::parse::{CLASS_KEYS, RULE_KEYS, Walker, join};
use crate::core::compat::Reader;
use crate::core::types::{ChangeKind, MigrationKind};
use std::ops::Range;
use toml::de::DeTable;

impl Walker<'_, '_> {
    pub(super) fn rule(
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
        let order = self.order(table, prefix);
        let reader = self.reader(table, prefix);
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
            order,
            reader,
        })
    }

    /// `operations`: which reader classes the rule's migrations expand or
    /// contract (absent: by the file's extension, see [`Reader::for_path`]).
    fn reader(&mut self, table: &DeTable<'_>, prefix: &str) -> Option<Reader> {
        let (name, span) = self.string(table, prefix, "operations")?;
        let reader = Reader::from_name(&name);
        if reader.is_none() {
            self.error(
                span,
                &join(prefix, "operations"),
                format!("unknown operations reader `{name}`"),
                &format!("use one of {}", Reader::NAMES.join(", ")),
            );
        }
        reader
    }

    fn refinement(
        &mut self,
        table: &DeTable<'_>,
        span: Range<usize>,
        prefix: &str,
        rule_changes: ChangeSet,
    ) -> Option<Refinement> {
        self.check_keys(table, prefix, CLASS_KEYS);
        let kind = self.class_kind(table, &span, prefix);
        let changes = self.changes(table, prefix, rule_changes);
        self.check_within(table, prefix, changes, rule_changes);
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

    /// A class's `kind`: a migration class, or `none` for "not a migration".
    fn class_kind(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        prefix: &str,
    ) -> Option<Outcome> {
        let (name, kind_span) = self.required_string(table, span, prefix, "kind")?;
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
    }

    /// A class counts only changes its rule counts.
    fn check_within(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        changes: ChangeSet,
        rule_changes: ChangeSet,
    ) {
        if changes.is_subset_of(rule_changes) {
            return;
        }
        let Some(value) = table.get("changes") else {
            return;
        };
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
}
