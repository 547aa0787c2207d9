//! The Liquibase reader: appended change sets, master changelogs,
//! malformed documents, format sniffing, and the property that no text
//! makes it panic.

use super::read;
use super::tests::{FORMATTED, JSON, XML, YAML, note, row, rows};
use crate::core::compat::test_support::config;
use crate::core::compat::{Compat, OpKind};
use Compat::{Contract, Unknown};
use OpKind::*;
use proptest::prelude::*;

#[test]
fn appended_change_sets_are_classed_alone() {
    // XML: the diff adds change set 6 only.
    let added = "    <changeSet id=\"6\"\n        author=\"cy\">\n        <dropView viewName=\"minors\"/>\n";
    let operations = read("master.xml", XML, Some(added));
    assert_eq!(operations.len(), 10, "{operations:?}");
    assert_eq!(operations[0].op, CreateView);
    // YAML, with the diff's leading `+`.
    let added = "+  - changeSet:\n+      id: add-contact\n+      author: ana\n";
    let operations = read("c.yaml", YAML, Some(added));
    assert_eq!(operations.first().map(|o| o.op), Some(AddColumn));
    assert_eq!(operations.len(), 8);
    // JSON: a number id matches too.
    let added = "    {\"changeSet\": {\n      \"id\": 2,\n";
    assert_eq!(read("c.json", JSON, Some(added)).len(), 4);
    // Formatted SQL: the earlier change sets are not read.
    let added = "\n--changeset \"bo b\":drop-name\nALTER TABLE person DROP COLUMN name;\n";
    assert_eq!(
        rows(&read("001.sql", FORMATTED, Some(added))),
        vec![row(DropColumn, "person", "name", Contract)]
    );
}

#[test]
fn an_edit_without_a_new_change_set_classes_the_whole_file() {
    let added = "            <column name=\"nickname\" type=\"varchar(60)\"/>\n";
    assert_eq!(
        read("master.xml", XML, Some(added)),
        read("master.xml", XML, None)
    );
    // An id the file does not hold matches nothing either.
    assert_eq!(
        read("c.yaml", YAML, Some("      id: 99\n")),
        read("c.yaml", YAML, None)
    );
    assert_eq!(
        read("001.sql", FORMATTED, Some("-- a comment\n")),
        read("001.sql", FORMATTED, None)
    );
}

#[test]
fn a_master_changelog_of_includes_has_no_operation() {
    let xml = r#"<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
        <include file="db/changelog/001.xml"/>
        <includeAll path="db/changelog/releases/"/>
    </databaseChangeLog>"#;
    assert_eq!(read("master.xml", xml, None), vec![]);
    let yaml =
        "databaseChangeLog:\n  - include:\n      file: a.yaml\n  - includeAll:\n      path: b/\n";
    assert_eq!(read("master.yaml", yaml, None), vec![]);
}

#[test]
fn malformed_changelogs_are_unknown_with_the_parser_error() {
    #[rustfmt::skip]
    let table: &[(&str, &str)] = &[
        ("bad.xml", "<databaseChangeLog><changeSet id=\"1\"></databaseChangeLog>"),
        ("bad.xml", "<notAChangeLog/>"),
        ("bad.yaml", "databaseChangeLog:\n  - changeSet: [\n"),
        ("bad.yaml", "just: a map\n"),
        ("bad.yaml", "databaseChangeLog: 3\n"),
        ("bad.json", "{\"databaseChangeLog\": [ {\"changeSet\": "),
        ("bad.json", ""),
    ];
    for (path, text) in table {
        let operations = read(path, text, None);
        assert_eq!(
            rows(&operations),
            vec![row(NotUnderstood, "", "", Unknown)],
            "{path}: {text}"
        );
        assert!(
            note(&operations[0]).starts_with("parse error: "),
            "{operations:?}"
        );
    }
}

#[test]
fn the_format_is_sniffed_when_the_extension_does_not_tell() {
    assert_eq!(read("changelog", XML, None), read("c.xml", XML, None));
    assert_eq!(
        read("changelog.txt", JSON, None),
        read("c.json", JSON, None)
    );
    assert_eq!(
        read("changelog", FORMATTED, None),
        read("c.sql", FORMATTED, None)
    );
    assert_eq!(read("changelog", YAML, None), read("c.yaml", YAML, None));
}

const PATHS: &[&str] = &["c.xml", "c.yaml", "c.json", "c.sql", "changelog"];
const TEXTS: &[&str] = &[XML, YAML, JSON, FORMATTED];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_reads_without_panicking(
        path in prop::sample::select(PATHS),
        text in any::<String>(),
        added in proptest::option::of(any::<String>()),
    ) {
        let _ = read(path, &text, added.as_deref());
    }

    /// Real changelogs cut anywhere, with characters swapped and any
    /// slice of them as the added lines, never panic the reader.
    #[test]
    fn mangled_changelogs_read_without_panicking(
        path in prop::sample::select(PATHS),
        text in prop::sample::select(TEXTS),
        cut in any::<prop::sample::Index>(),
        swaps in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..4),
        added in any::<prop::sample::Index>(),
    ) {
        let mut chars: Vec<char> = text.chars().collect();
        chars.truncate(cut.index(chars.len() + 1));
        for (at, c) in swaps {
            if !chars.is_empty() {
                let i = at.index(chars.len());
                chars[i] = c;
            }
        }
        let mangled: String = chars.into_iter().collect();
        let from = added.index(text.len() + 1);
        let added = text.get(from..).unwrap_or("");
        let _ = read(path, &mangled, Some(added));
    }

    /// An XML or JSON changelog cut before its end is malformed: unknown,
    /// with the parser's error.
    #[test]
    fn truncated_documents_are_unknown_with_the_parse_error(
        json in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (path, text, end) = if json {
            ("c.json", JSON, JSON.rfind('}').unwrap_or(0))
        } else {
            ("c.xml", XML, XML.rfind("</databaseChangeLog>").unwrap_or(0))
        };
        let at = cut.index(end);
        let Some(truncated) = text.get(..at) else {
            return Ok(()); // not a character boundary
        };
        let operations = read(path, truncated, None);
        prop_assert_eq!(operations.len(), 1);
        prop_assert_eq!(operations[0].op, NotUnderstood);
        prop_assert_eq!(operations[0].compat, Unknown);
        prop_assert!(note(&operations[0]).starts_with("parse error: "));
    }
}
