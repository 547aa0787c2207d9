//! The ids of the change sets a diff appends, found in its added lines
//! whatever the changelog's format: only those sets are then classed.

use super::Format;
use super::formatted_sql::changeset_id;

/// The change set ids the diff's added lines hold.
pub(super) fn added_ids(format: Format, added: &str) -> Vec<String> {
    match format {
        Format::Xml => xml_change_set_ids(added),
        Format::Json => json_ids(added),
        Format::Yaml => added.lines().filter_map(yaml_id).collect(),
        Format::Sql => added.lines().filter_map(changeset_id).collect(),
    }
}

/// The `id` attributes of the `<changeSet` tags in a fragment of XML.
fn xml_change_set_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<changeSet") {
        let tag = rest.get(at + "<changeSet".len()..).unwrap_or("");
        let end = tag.find('>').unwrap_or(tag.len());
        if let Some(id) = tag.get(..end).and_then(|t| xml_attribute(t, "id")) {
            ids.push(id);
        }
        rest = tag;
    }
    ids
}

/// An attribute's value in a tag's text (`id = "x"` or `id='x'`).
fn xml_attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest.get(..at).and_then(|b| b.chars().last());
        let after = rest.get(at + name.len()..).unwrap_or("");
        rest = after;
        if !before.is_some_and(char::is_whitespace) {
            continue; // part of another attribute's name (`changeSetId`)
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        return value
            .get(1..)?
            .split_once(quote)
            .map(|(v, _)| v.to_string());
    }
    None
}

/// A YAML `id:` line's value (`id: 42`, `- id: "a-1"  # comment`).
fn yaml_id(line: &str) -> Option<String> {
    let line = line.trim_start();
    let line = line.strip_prefix('+').unwrap_or(line).trim_start();
    let line = line.strip_prefix('-').map_or(line, str::trim_start);
    let value = line.strip_prefix("id:")?.trim();
    let value = match value.chars().next()? {
        quote @ ('"' | '\'') => value.get(1..)?.split_once(quote)?.0,
        _ => value.split(" #").next()?.trim(),
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// The values of the `"id":` entries in a fragment of JSON.
fn json_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\"id\"") {
        rest = rest.get(at + 4..).unwrap_or("");
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        let id = match value.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').map(|(v, _)| v),
            None => value
                .split(|c: char| c == ',' || c == '}' || c.is_whitespace())
                .next(),
        };
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            ids.push(id.to_string());
        }
    }
    ids
}
