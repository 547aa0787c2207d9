//! The TOML text as a spanned tree: key paths such as `project[1].batch.lead_time`,
//! the byte span of every key and value, and `line:column` for any offset.
//!
//! Parsing keeps going past syntax errors (`DeTable::parse_recoverable`), so a
//! typo in one table does not hide the problems in the others.

use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Renders segments as `server.listen`, `project[0].announce.to[2]`.
pub fn render_path(path: &[Segment]) -> String {
    let mut text = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                if is_bare_key(key) {
                    text.push_str(key);
                } else {
                    text.push_str(&format!("{key:?}"));
                }
            }
            Segment::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Where a key path sits in the text.
#[derive(Debug, Clone)]
pub struct Located {
    /// The key itself; `None` for array elements.
    pub key: Option<Range<usize>>,
    /// The value: for `[table]` headers and `[[array]]` elements, the header.
    pub value: Range<usize>,
}

/// A syntax error the TOML parser recovered from.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// A parsed document: the tree with spans, an index from key path to span,
/// and the line starts for turning offsets into `line:column`.
pub struct Document<'i> {
    text: &'i str,
    pub tree: Spanned<DeTable<'i>>,
    index: HashMap<String, Located>,
    line_starts: Vec<usize>,
}

impl<'i> Document<'i> {
    /// Parses `text`, returning whatever tree could be recovered and every syntax error.
    pub fn parse(text: &'i str) -> (Document<'i>, Vec<SyntaxError>) {
        let (tree, errors) = DeTable::parse_recoverable(text);
        let syntax = errors
            .into_iter()
            .map(|error| SyntaxError {
                span: error.span().unwrap_or(0..0),
                message: error.message().to_string(),
            })
            .collect();
        let mut index = HashMap::new();
        index_table(tree.get_ref(), &mut Vec::new(), &mut index);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        let document = Document {
            text,
            tree,
            index,
            line_starts,
        };
        (document, syntax)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line, column)
    }

    /// The span of a key path, if the text has it.
    #[cfg(test)]
    pub fn get(&self, key_path: &str) -> Option<&Located> {
        self.index.get(key_path)
    }

    /// The best location for an issue at `key_path`: the value when present,
    /// else the nearest enclosing table or array element that the text has,
    /// else the start of the file.
    pub fn position_of_value(&self, key_path: &str) -> (usize, usize) {
        match self.nearest(key_path) {
            Some(located) => self.line_column(located.value.start),
            None => (1, 1),
        }
    }

    /// Like [`Document::position_of_value`] but points at the key when there is one.
    pub fn position_of_key(&self, key_path: &str) -> (usize, usize) {
        match self.nearest(key_path) {
            Some(located) => {
                let span = located.key.clone().unwrap_or(located.value.clone());
                self.line_column(span.start)
            }
            None => (1, 1),
        }
    }

    fn nearest(&self, key_path: &str) -> Option<&Located> {
        let mut path = key_path;
        loop {
            if let Some(located) = self.index.get(path) {
                return Some(located);
            }
            path = parent_path(path)?;
        }
    }
}

/// `project[1].batch` for `project[1].batch.lead_time`, `project` for `project[1]`.
pub fn parent_path(path: &str) -> Option<&str> {
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

fn index_table(table: &DeTable<'_>, path: &mut Vec<Segment>, index: &mut HashMap<String, Located>) {
    for (key, value) in table.iter() {
        path.push(Segment::Key(key.get_ref().to_string()));
        index.insert(
            render_path(path),
            Located {
                key: Some(key.span()),
                value: value.span(),
            },
        );
        index_value(value.get_ref(), path, index);
        path.pop();
    }
}

fn index_value(value: &DeValue<'_>, path: &mut Vec<Segment>, index: &mut HashMap<String, Located>) {
    match value {
        DeValue::Table(table) => index_table(table, path, index),
        DeValue::Array(array) => {
            for (position, item) in array.iter().enumerate() {
                path.push(Segment::Index(position));
                index.insert(
                    render_path(path),
                    Located {
                        key: None,
                        value: item.span(),
                    },
                );
                index_value(item.get_ref(), path, index);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The deepest key or value whose span is exactly `span` (or, failing that,
/// the deepest value containing it). Returns its path; empty for the root.
pub fn find_by_span(table: &DeTable<'_>, span: &Range<usize>) -> Vec<Segment> {
    let mut exact = None;
    let mut containing = Vec::new();
    search_table(table, span, &mut Vec::new(), &mut exact, &mut containing);
    exact.unwrap_or(containing)
}

fn search_table(
    table: &DeTable<'_>,
    span: &Range<usize>,
    path: &mut Vec<Segment>,
    exact: &mut Option<Vec<Segment>>,
    containing: &mut Vec<Segment>,
) {
    for (key, value) in table.iter() {
        path.push(Segment::Key(key.get_ref().to_string()));
        if key.span() == *span {
            keep_deepest(exact, path);
        }
        search_value(value, span, path, exact, containing);
        path.pop();
    }
}

fn search_value(
    value: &Spanned<DeValue<'_>>,
    span: &Range<usize>,
    path: &mut Vec<Segment>,
    exact: &mut Option<Vec<Segment>>,
    containing: &mut Vec<Segment>,
) {
    let value_span = value.span();
    if value_span == *span {
        keep_deepest(exact, path);
    }
    if value_span.start <= span.start && span.end <= value_span.end && path.len() > containing.len()
    {
        *containing = path.clone();
    }
    match value.get_ref() {
        DeValue::Table(table) => search_table(table, span, path, exact, containing),
        DeValue::Array(array) => {
            for (position, item) in array.iter().enumerate() {
                path.push(Segment::Index(position));
                search_value(item, span, path, exact, containing);
                path.pop();
            }
        }
        _ => {}
    }
}

fn keep_deepest(best: &mut Option<Vec<Segment>>, path: &[Segment]) {
    if best.as_ref().is_none_or(|found| path.len() > found.len()) {
        *best = Some(path.to_vec());
    }
}

/// Removes the entry at `path` from the tree; `false` when there is none.
pub fn remove_at(table: &mut DeTable<'_>, path: &[Segment]) -> bool {
    match path {
        [] => false,
        [Segment::Key(key)] => table.remove(key.as_str()).is_some(),
        [Segment::Key(key), rest @ ..] => match table.get_mut(key.as_str()) {
            Some(value) => remove_in_value(value.get_mut(), rest),
            None => false,
        },
        [Segment::Index(_), ..] => false,
    }
}

fn remove_in_value(value: &mut DeValue<'_>, path: &[Segment]) -> bool {
    match (value, path) {
        (DeValue::Table(table), _) => remove_at(table, path),
        (DeValue::Array(array), [Segment::Index(position)]) => {
            if *position >= array.len() {
                return false;
            }
            // DeArray has no `remove`; rebuild it without the element.
            let mut kept = DeArray::new();
            for (at, item) in array.iter().enumerate() {
                if at != *position {
                    kept.push(item.clone());
                }
            }
            *array = kept;
            true
        }
        (DeValue::Array(array), [Segment::Index(position), rest @ ..]) => {
            match array.get_mut(*position) {
                Some(item) => remove_in_value(item.get_mut(), rest),
                None => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[server]\nlisten = 5\n\n[[project]]\nforge = \"gitlab\"\nbatch = { lead_time = \"x\", max_open_batches = 0 }\n\n[[project]]\nforge = \"github\"\n";

    #[test]
    fn index_knows_nested_paths_with_array_positions() {
        let (document, syntax) = Document::parse(TEXT);
        assert!(syntax.is_empty());
        assert_eq!(document.position_of_value("server.listen"), (2, 10));
        assert_eq!(document.position_of_key("server.listen"), (2, 1));
        assert_eq!(
            document.position_of_value("project[0].batch.lead_time"),
            (6, 23)
        );
        assert_eq!(document.position_of_value("project[1].forge"), (9, 9));
    }

    #[test]
    fn missing_paths_fall_back_to_the_enclosing_table() {
        let (document, _) = Document::parse(TEXT);
        assert_eq!(document.position_of_value("project[1].path"), (8, 1));
        assert_eq!(document.position_of_value("mail.from"), (1, 1));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (document, _) = Document::parse("label = \"Daten änderung\"\nx = 1\n");
        assert_eq!(document.position_of_value("x"), (2, 5));
        assert_eq!(document.line_column(13), (1, 14));
    }

    #[test]
    fn find_by_span_prefers_the_deepest_exact_match() {
        let (document, _) = Document::parse(TEXT);
        let lead_time = document.get("project[0].batch.lead_time").unwrap();
        let path = find_by_span(document.tree.get_ref(), &lead_time.value.clone());
        assert_eq!(render_path(&path), "project[0].batch.lead_time");
        let key = lead_time.key.clone().unwrap();
        assert_eq!(
            render_path(&find_by_span(document.tree.get_ref(), &key)),
            "project[0].batch.lead_time"
        );
    }

    #[test]
    fn remove_at_drops_table_entries_and_array_elements() {
        let (mut document, _) = Document::parse("to = [\"a\", \"b\", \"c\"]\n[t]\nk = 1\nj = 2\n");
        let tree = document.tree.get_mut();
        assert!(remove_at(
            tree,
            &[Segment::Key("to".into()), Segment::Index(1)]
        ));
        assert!(remove_at(
            tree,
            &[Segment::Key("t".into()), Segment::Key("k".into())]
        ));
        assert!(!remove_at(tree, &[Segment::Key("nope".into())]));
        let to = tree.get("to").unwrap().get_ref().as_array().unwrap();
        let kept: Vec<_> = to.iter().map(|v| v.get_ref().as_str().unwrap()).collect();
        assert_eq!(kept, ["a", "c"]);
        let t = tree.get("t").unwrap().get_ref().as_table().unwrap();
        assert!(t.get("k").is_none() && t.get("j").is_some());
    }

    #[test]
    fn syntax_errors_are_all_reported_and_the_rest_is_kept() {
        let (document, syntax) =
            Document::parse("[server]\nlisten = \"x\nbogus =\n[[project]]\nforge = \"gitlab\"\n");
        assert_eq!(syntax.len(), 2);
        assert!(document.get("project[0].forge").is_some());
    }

    #[test]
    fn paths_render_unusual_keys_quoted() {
        let path = [
            Segment::Key("project".into()),
            Segment::Index(2),
            Segment::Key("a.b".into()),
        ];
        assert_eq!(render_path(&path), "project[2].\"a.b\"");
        assert_eq!(parent_path("project[2].batch"), Some("project[2]"));
        assert_eq!(parent_path("project[2]"), Some("project"));
        assert_eq!(parent_path("project"), None);
    }
}
