//! A rule's `[rule.order]` table: the framework's migration order as data
//! (scheme, which files form one set, how a file names itself, its parents
//! or version, out-of-order handling, the tool's error and the fix), every
//! error reported with its key.

use super::parse::{FIX_REGEX, ORDER_KEYS, Walker, join, regex_error_summary};
use crate::core::order::{OrderSpec, OutOfOrder, Scheme, compile_order_regex};
use regex::Regex;
use std::ops::Range;
use toml::de::DeTable;

const FIX_SCHEME: &str =
    "use `graph` (each migration names its parents) or `version` (each file has a version)";

impl Walker<'_, '_> {
    /// The rule's order, when it declares one.
    pub(super) fn order(&mut self, rule: &DeTable<'_>, prefix: &str) -> Option<OrderSpec> {
        let value = rule.get("order")?;
        let prefix = join(prefix, "order");
        let Some(table) = value.get_ref().as_table() else {
            self.error(
                value.span(),
                &prefix,
                "expected a table".into(),
                "write it as a `[rule.order]` section",
            );
            return None;
        };
        let span = value.span();
        self.check_keys(table, &prefix, ORDER_KEYS);
        let scheme = self.scheme(table, &span, &prefix);
        let group = self.order_regex(table, &prefix, "group", &["group"]);
        let node = self.order_regex(table, &prefix, "node", &["node"]);
        let node_text = self.order_regex(table, &prefix, "node_text", &["node"]);
        let parents = self.order_regex(table, &prefix, "parents", &["list"]);
        let parent = self.order_regex(table, &prefix, "parent", &["node"]);
        let version = self.order_regex(table, &prefix, "version", &["version"]);
        let out_of_order = self.out_of_order(table, &prefix);
        let unique = self.flag(table, &prefix, "unique", true);
        let ignore_text = self.order_regex(table, &prefix, "ignore_text", &[]);
        let error = self.string(table, &prefix, "error").map(|(s, _)| s);
        let fix = self.string(table, &prefix, "fix").map(|(s, _)| s);
        let scheme = scheme?;
        let mut missing = |key: &str, why: &str| {
            self.error(
                span.clone(),
                &join(&prefix, key),
                format!("`{key}` is required {why}"),
                "add it (see docs/rules.md, Conflicts)",
            );
        };
        match scheme {
            Scheme::Graph => {
                if node.is_none() && node_text.is_none() {
                    missing(
                        "node",
                        "for a graph: a path regex `node` or a text regex `node_text`",
                    );
                }
                if parents.is_none() {
                    missing(
                        "parents",
                        "for a graph: the text regex whose `list` holds the parents",
                    );
                }
                if parents.is_some() && parent.is_none() {
                    missing(
                        "parent",
                        "with `parents`: the regex of one parent in the list",
                    );
                }
            }
            Scheme::Version => {
                if version.is_none() {
                    missing(
                        "version",
                        "for the version scheme: the path regex of the version",
                    );
                }
            }
        }
        Some(OrderSpec {
            scheme,
            group,
            node,
            node_text,
            parents,
            parent,
            version,
            out_of_order,
            unique,
            ignore_text,
            error: error.unwrap_or_else(|| "two migrations collide".into()),
            fix: fix.unwrap_or_else(|| {
                "rebase and give the migration a place after the branch's latest".into()
            }),
        })
    }

    fn flag(&mut self, table: &DeTable<'_>, prefix: &str, key: &str, default: bool) -> bool {
        let Some(value) = table.get(key) else {
            return default;
        };
        value.get_ref().as_bool().unwrap_or_else(|| {
            let found = value.get_ref().type_str();
            self.error(
                value.span(),
                &join(prefix, key),
                format!("expected true or false, found {found}"),
                "write `true` or `false` without quotes",
            );
            default
        })
    }

    fn scheme(&mut self, table: &DeTable<'_>, span: &Range<usize>, prefix: &str) -> Option<Scheme> {
        let (name, at) = self.required_string(table, span, prefix, "scheme")?;
        let scheme = Scheme::from_name(&name);
        if scheme.is_none() {
            self.error(
                at,
                &join(prefix, "scheme"),
                format!("unknown scheme `{name}`"),
                FIX_SCHEME,
            );
        }
        scheme
    }

    fn out_of_order(&mut self, table: &DeTable<'_>, prefix: &str) -> OutOfOrder {
        match self.string(table, prefix, "out_of_order") {
            None => OutOfOrder::Allowed,
            Some((name, at)) => match name.as_str() {
                "allowed" => OutOfOrder::Allowed,
                "refused" => OutOfOrder::Refused,
                _ => {
                    self.error(
                        at,
                        &join(prefix, "out_of_order"),
                        format!("unknown value `{name}`"),
                        "use `allowed` (the tool applies lower versions) or `refused`",
                    );
                    OutOfOrder::Allowed
                }
            },
        }
    }

    /// A regex of the order table, which must have the named captures.
    fn order_regex(
        &mut self,
        table: &DeTable<'_>,
        prefix: &str,
        key: &str,
        captures: &[&str],
    ) -> Option<Regex> {
        let (pattern, at) = self.string(table, prefix, key)?;
        let path = join(prefix, key);
        match compile_order_regex(&pattern) {
            Ok(regex) => {
                let names: Vec<&str> = regex.capture_names().flatten().collect();
                let absent: Vec<&str> = captures
                    .iter()
                    .copied()
                    .filter(|c| !names.contains(c))
                    .collect();
                if absent.is_empty() {
                    return Some(regex);
                }
                let wanted: Vec<String> = absent.iter().map(|c| format!("(?P<{c}>…)")).collect();
                self.error(
                    at,
                    &path,
                    format!("the regex has no capture named {}", absent.join(", ")),
                    &format!("name the part it takes with {}", wanted.join(", ")),
                );
                None
            }
            Err(e) => {
                let detail = regex_error_summary(&e);
                self.error(
                    at,
                    &path,
                    format!("invalid regex `{pattern}`: {detail}"),
                    FIX_REGEX,
                );
                None
            }
        }
    }
}
