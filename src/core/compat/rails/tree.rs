//! The Ruby syntax tree's shape around the migration: where a parse
//! failed, which classes are migrations (and of which Rails version), and
//! which body belongs to which heredoc.

use super::{not_understood, snippet, text_of};
use crate::core::compat::Operation;
use std::collections::HashMap;
use tree_sitter::Node;

/// One `NotUnderstood` operation naming the first ERROR or MISSING node.
pub(super) fn parse_error(root: Node, src: &str) -> Operation {
    let mut cursor = root.walk();
    let found = 'search: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            break Some(node);
        }
        // Only subtrees holding an error are worth descending into.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'search None;
            }
        }
    };
    match found {
        Some(node) if node.is_missing() => not_understood(format!(
            "parse error: missing `{}` at line {}",
            node.kind(),
            node.start_position().row + 1
        )),
        // An error running to the end of the text is something left open
        // (a block without `end`, a string without its quote).
        Some(node) if node.end_byte() >= src.trim_end().len() => not_understood(format!(
            "parse error at line {}: `{}` is not closed",
            node.start_position().row + 1,
            snippet(src, node)
        )),
        Some(node) => not_understood(format!(
            "parse error at line {}: unexpected `{}`",
            node.start_position().row + 1,
            snippet(src, node)
        )),
        None => not_understood("parse error"),
    }
}

/// The classes deriving from a `Migration` (`ActiveRecord::Migration[7.1]`,
/// `Gitlab::Database::Migration[2.2]`…), at the top level or in modules.
pub(super) fn migration_classes<'t>(root: Node<'t>, src: &str) -> Vec<Node<'t>> {
    let mut classes = Vec::new();
    let mut containers = vec![root];
    while let Some(container) = containers.pop() {
        let mut cursor = container.walk();
        for child in container.named_children(&mut cursor) {
            match child.kind() {
                "class" if superclass(child, src).is_some() => classes.push(child),
                "module" => {
                    if let Some(body) = child.child_by_field_name("body") {
                        containers.push(body);
                    }
                }
                _ => {}
            }
        }
    }
    // The stack visits modules last-first; keep the file's order.
    classes.sort_by_key(|c| c.start_byte());
    classes
}

/// A migration superclass's name and version (`ActiveRecord::Migration`,
/// `Some(4)` for `[4.2]`); `None` for any other superclass.
pub(super) fn superclass<'t>(class: Node, src: &'t str) -> Option<(&'t str, Option<u32>)> {
    let expr = class.child_by_field_name("superclass")?.named_child(0)?;
    let (name_node, version) = if expr.kind() == "element_reference" {
        let object = expr.child_by_field_name("object")?;
        let mut cursor = expr.walk();
        let version = expr
            .named_children(&mut cursor)
            .find(|c| c.id() != object.id())
            .and_then(|v| text_of(src, v).split('.').next()?.trim().parse().ok());
        (object, version)
    } else {
        (expr, None)
    };
    let name = text_of(src, name_node).trim_start_matches("::");
    let last = name.rsplit("::").next().unwrap_or(name);
    last.eq_ignore_ascii_case("migration")
        .then_some((name, version))
}

/// Pairs each heredoc's opening (`<<~SQL`) with its body, which tree-sitter
/// places after the statement: the bodies follow in the order the openings
/// appear.
pub(super) fn heredocs(root: Node) -> HashMap<usize, Node> {
    let mut openings = Vec::new();
    let mut bodies = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        match node.kind() {
            "heredoc_beginning" => openings.push(node.start_byte()),
            "heredoc_body" => bodies.push(node),
            _ => {}
        }
        if node.kind() != "heredoc_body" && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    openings.into_iter().zip(bodies).collect()
}
