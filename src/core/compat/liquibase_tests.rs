//! The Liquibase reader: each change type in XML, YAML, JSON and formatted
//! SQL changelogs, appended change sets, malformed documents.

use super::read;
use crate::core::compat::{Classification, Compat, OpKind, Operation};
use Compat::{Contract, Expand, Unknown};
use OpKind::*;
use proptest::prelude::*;
use proptest::test_runner::Config;

type Row = (OpKind, Option<String>, Option<String>, Compat);

fn rows(operations: &[Operation]) -> Vec<Row> {
    operations
        .iter()
        .map(|o| (o.op, o.table.clone(), o.column.clone(), o.compat))
        .collect()
}

fn row(op: OpKind, table: &str, column: &str, compat: Compat) -> Row {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    (op, some(table), some(column), compat)
}

fn note(operation: &Operation) -> &str {
    operation.note.as_deref().unwrap_or("")
}

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog
    xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
        http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">
    <preConditions><dbms type="postgresql"/></preConditions>
    <changeSet id="1" author="ana">
        <comment>people</comment>
        <createTable tableName="person" schemaName="app">
            <column name="id" type="bigint" autoIncrement="true">
                <constraints primaryKey="true" nullable="false"/>
            </column>
            <column name="name" type="varchar(100)"/>
        </createTable>
        <rollback><dropTable tableName="person" schemaName="app"/></rollback>
    </changeSet>
    <changeSet id="2" author="ana">
        <preConditions onFail="MARK_RAN"><tableExists tableName="person"/></preConditions>
        <addColumn tableName="person">
            <column name="nickname" type="varchar(50)"/>
            <column name="country" type="char(2)" defaultValue="FR">
                <constraints nullable="false"/>
            </column>
            <column name="email" type="varchar(320)">
                <constraints nullable="false"/>
            </column>
            <column name="handle" type="varchar(50)">
                <constraints unique="true"/>
            </column>
        </addColumn>
        <validCheckSum>ANY</validCheckSum>
    </changeSet>
    <changeSet id="3" author="bo">
        <dropColumn tableName="person" columnName="legacy"/>
        <dropColumn tableName="person">
            <column name="a"/>
            <column name="b"/>
        </dropColumn>
        <renameColumn tableName="person" oldColumnName="name" newColumnName="full_name" columnDataType="varchar(100)"/>
        <renameTable oldTableName="person" newTableName="people"/>
        <modifyDataType tableName="people" columnName="nickname" newDataType="varchar(80)"/>
        <addNotNullConstraint tableName="people" columnName="nickname" defaultNullValue="?"/>
        <dropNotNullConstraint tableName="people" columnName="country"/>
        <addDefaultValue tableName="people" columnName="country" defaultValue="US"/>
        <dropDefaultValue tableName="people" columnName="country"/>
    </changeSet>
    <changeSet id="4" author="bo">
        <createIndex indexName="people_email" tableName="people">
            <column name="email"/>
        </createIndex>
        <createIndex indexName="people_handle" tableName="people" unique="true">
            <column name="handle"/>
        </createIndex>
        <dropIndex indexName="people_old" tableName="people"/>
        <addUniqueConstraint tableName="people" columnNames="email" constraintName="people_email_key"/>
        <addForeignKeyConstraint baseTableName="people" baseColumnNames="org_id" constraintName="people_org_fk" referencedTableName="org" referencedColumnNames="id"/>
        <dropForeignKeyConstraint baseTableName="people" constraintName="people_org_fk"/>
        <dropUniqueConstraint tableName="people" constraintName="people_email_key"/>
        <dropPrimaryKey tableName="people"/>
        <addPrimaryKey tableName="people" columnNames="id, org_id"/>
        <addCheckConstraint tableName="people" constraintName="age_positive" checkCondition="age &gt; 0"/>
    </changeSet>
    <changeSet id="5" author="cy">
        <insert tableName="people"><column name="full_name" value="root"/></insert>
        <loadData tableName="country" file="countries.csv"/>
        <update tableName="people"><column name="country" value="FR"/><where>country IS NULL</where></update>
        <delete tableName="people"><where>full_name = 'root'</where></delete>
        <sql dbms="postgresql"><comment>backfill</comment>UPDATE people SET handle = lower(full_name);</sql>
        <sql><![CDATA[ALTER TABLE people DROP COLUMN tmp;]]></sql>
        <sqlFile path="db/backfill.sql"/>
        <customChange class="com.example.Backfill"/>
    </changeSet>
    <changeSet id="6" author="cy">
        <createView viewName="adults">SELECT * FROM people WHERE age &gt;= 18</createView>
        <createView viewName="adults" replaceIfExists="true">SELECT id FROM people</createView>
        <dropView viewName="minors"/>
        <createSequence sequenceName="invoice_no" startValue="1000"/>
        <dropSequence sequenceName="old_seq"/>
        <createProcedure procedureName="archive">CREATE PROCEDURE archive() ...</createProcedure>
        <tagDatabase tag="v1"/>
        <output>done</output>
        <empty/>
        <mergeColumns tableName="people" column1Name="first" column2Name="last" finalColumnName="name" finalColumnType="text"/>
        <renameView oldViewName="adults" newViewName="grownups"/>
        <addLookupTable existingTableName="people" existingColumnName="country" newTableName="countries" newColumnName="code"/>
    </changeSet>
    <include file="db/changelog/more.xml"/>
</databaseChangeLog>
"#;

#[test]
fn an_xml_changelog_classes_each_change() {
    let operations = read("db/changelog/db.changelog-master.xml", XML, None);
    assert_eq!(
        rows(&operations),
        vec![
            row(CreateTable, "app.person", "", Expand),
            row(AddColumn, "person", "nickname", Expand),
            row(AddColumn, "person", "country", Expand),
            row(AddColumn, "person", "email", Contract),
            row(AddColumn, "person", "handle", Contract),
            row(DropColumn, "person", "legacy", Contract),
            row(DropColumn, "person", "a", Contract),
            row(DropColumn, "person", "b", Contract),
            row(RenameColumn, "person", "name", Contract),
            row(RenameTable, "person", "", Contract),
            row(AlterColumnType, "people", "nickname", Contract),
            row(SetNotNull, "people", "nickname", Contract),
            row(DropNotNull, "people", "country", Expand),
            row(SetDefault, "people", "country", Expand),
            row(DropDefault, "people", "country", Contract),
            row(CreateIndex, "people", "email", Expand),
            row(AddUnique, "people", "handle", Contract),
            row(DropIndex, "people_old", "", Expand),
            row(AddUnique, "people", "email", Contract),
            row(AddForeignKey, "people", "org_id", Expand),
            row(DropConstraint, "people", "", Expand),
            row(DropConstraint, "people", "", Expand),
            row(DropConstraint, "people", "", Expand),
            row(AddPrimaryKey, "people", "", Contract),
            row(AddCheck, "people", "", Contract),
            row(InsertRows, "people", "", Expand),
            row(InsertRows, "country", "", Expand),
            row(UpdateRows, "people", "", Expand),
            row(DeleteRows, "people", "", Contract),
            row(UpdateRows, "people", "", Expand),
            row(DropColumn, "people", "tmp", Contract),
            row(NotRead, "", "", Unknown),
            row(RunCode, "", "", Unknown),
            row(CreateView, "adults", "", Expand),
            row(ReplaceView, "adults", "", Unknown),
            row(DropView, "minors", "", Contract),
            row(CreateSequence, "invoice_no", "", Expand),
            row(DropSequence, "old_seq", "", Contract),
            row(CreateRoutine, "archive", "", Expand),
            row(DropColumn, "people", "first", Contract),
            row(DropColumn, "people", "last", Contract),
            row(RenameTable, "adults", "", Contract),
            row(AddForeignKey, "people", "country", Expand),
        ]
    );
    let by = |kind: OpKind, column: &str| {
        operations
            .iter()
            .find(|o| o.op == kind && o.column.as_deref().unwrap_or("") == column)
            .map(note)
            .unwrap_or("")
    };
    assert_eq!(
        by(AddColumn, "email"),
        "NOT NULL without a database default: old inserts that omit it fail"
    );
    assert_eq!(by(CreateIndex, "email"), "locks writes while it builds");
    assert_eq!(
        by(AddForeignKey, "org_id"),
        "old writes must reference existing rows"
    );
    assert_eq!(by(NotRead, ""), "sqlFile: the file it names is not read");
    assert_eq!(by(RenameColumn, "name"), "renamed to full_name");
    assert_eq!(Classification::of(operations).compat, Contract);
}

#[test]
fn a_column_needs_a_database_default_not_a_fill_value() {
    let changelog = |column: &str| {
        format!(
            r#"<databaseChangeLog><changeSet id="1" author="a"><addColumn tableName="t">{column}</addColumn></changeSet></databaseChangeLog>"#
        )
    };
    let table: &[(&str, Compat, &str)] = &[
        (
            r#"<column name="c" type="int"><constraints nullable="false"/></column>"#,
            Contract,
            "NOT NULL without a database default",
        ),
        (
            r#"<column name="c" type="int" defaultValueNumeric="0"><constraints nullable="false"/></column>"#,
            Expand,
            "",
        ),
        (
            r#"<column name="c" type="timestamp" defaultValueComputed="now()"><constraints nullable="false"/></column>"#,
            Expand,
            "",
        ),
        (
            r#"<column name="c" type="boolean" defaultValueBoolean="false"><constraints nullable="false"/></column>"#,
            Expand,
            "",
        ),
        (
            r#"<column name="c" type="int" autoIncrement="true"><constraints nullable="false"/></column>"#,
            Expand,
            "",
        ),
        (
            r#"<column name="c" type="int" value="0"><constraints nullable="false"/></column>"#,
            Contract,
            "value= fills existing rows, it is no database default",
        ),
        (
            r#"<column name="c" type="int"><constraints nullable="true"/></column>"#,
            Expand,
            "",
        ),
        (
            r#"<column name="c" type="int"><constraints primaryKey="true"/></column>"#,
            Contract,
            "a primary key",
        ),
        (
            r#"<column name="c" type="int"><constraints unique="true"/></column>"#,
            Contract,
            "unique",
        ),
        (
            r#"<column name="c" type="int"><constraints checkConstraint="c &gt; 0"/></column>"#,
            Contract,
            "check constraint",
        ),
        (
            r#"<column name="c" type="int"><constraints references="u(id)" foreignKeyName="fk"/></column>"#,
            Expand,
            "",
        ),
    ];
    for (column, compat, expected) in table {
        let operations = read("c.xml", &changelog(column), None);
        assert_eq!(operations.len(), 1, "{column}");
        assert_eq!(operations[0].compat, *compat, "{column}");
        assert!(
            note(&operations[0]).contains(expected),
            "{column}: {operations:?}"
        );
    }
}

const YAML: &str = r#"
databaseChangeLog:
  - include:
      file: db/changelog/base.yaml
  - changeSet:
      id: 1
      author: ana
      changes:
        - createTable:
            tableName: person
            columns:
              - column:
                  name: id
                  type: bigint
                  constraints:
                    primaryKey: true
                    nullable: false
      rollback:
        - dropTable:
            tableName: person
  - changeSet:
      id: add-contact
      author: ana
      comment: contact columns
      changes:
        - addColumn:
            tableName: person
            columns:
              - column:
                  name: email
                  type: varchar(320)
                  constraints:
                    nullable: false
              - column:
                  name: phone
                  type: varchar(20)
              - column:
                  name: active
                  type: boolean
                  defaultValueBoolean: true
                  constraints:
                    nullable: false
        - createIndex:
            indexName: person_email
            tableName: person
            unique: true
            columns:
              - column:
                  name: email
        - sql:
            dbms: postgresql
            sql: ALTER TABLE person ALTER COLUMN phone SET NOT NULL;
        - dropDefaultValue:
            tableName: person
            columnName: active
        - customChange:
            class: com.example.Fix
        - tagDatabase:
            tag: v2
        - frobnicate:
            tableName: person
"#;

#[test]
fn a_yaml_changelog_classes_each_change() {
    let operations = read("db/changelog/changes.yaml", YAML, None);
    assert_eq!(
        rows(&operations),
        vec![
            row(CreateTable, "person", "", Expand),
            row(AddColumn, "person", "email", Contract),
            row(AddColumn, "person", "phone", Expand),
            row(AddColumn, "person", "active", Expand),
            row(AddUnique, "person", "email", Contract),
            row(SetNotNull, "person", "phone", Contract),
            row(DropDefault, "person", "active", Contract),
            row(RunCode, "", "", Unknown),
            row(NotUnderstood, "", "", Unknown),
        ]
    );
    assert_eq!(
        note(&operations[8]),
        "change type not classified: frobnicate"
    );
    // `.yml` reads the same.
    assert_eq!(read("changes.yml", YAML, None), operations);
}

const JSON: &str = r#"{
  "databaseChangeLog": [
    {"changeSet": {
      "id": "1",
      "author": "ana",
      "changes": [
        {"createTable": {"tableName": "person", "columns": [
          {"column": {"name": "id", "type": "int", "constraints": {"primaryKey": true}}}
        ]}},
        {"addColumn": {"tableName": "person", "schemaName": "app", "columns": [
          {"column": {"name": "age", "type": "int", "defaultValueNumeric": 0, "constraints": {"nullable": false}}}
        ]}}
      ]
    }},
    {"changeSet": {
      "id": 2,
      "author": "ana",
      "changes": [
        {"renameColumn": {"tableName": "person", "oldColumnName": "age", "newColumnName": "years"}},
        {"createView": {"viewName": "adults", "replaceIfExists": true, "selectQuery": "SELECT 1"}},
        {"sqlFile": {"path": "x.sql"}},
        {"delete": {"tableName": "person", "where": "years < 0"}}
      ]
    }}
  ]
}"#;

#[test]
fn a_json_changelog_classes_each_change() {
    assert_eq!(
        rows(&read("changelog.json", JSON, None)),
        vec![
            row(CreateTable, "person", "", Expand),
            row(AddColumn, "app.person", "age", Expand),
            row(RenameColumn, "person", "age", Contract),
            row(ReplaceView, "adults", "", Unknown),
            row(NotRead, "", "", Unknown),
            row(DeleteRows, "person", "", Contract),
        ]
    );
}

const FORMATTED: &str = "--liquibase formatted sql

--changeset ana:1
CREATE TABLE person (id int PRIMARY KEY, name text);
--rollback DROP TABLE person;

--changeset ana:2 runOnChange:true
ALTER TABLE person ADD COLUMN email text NOT NULL DEFAULT '';
CREATE INDEX CONCURRENTLY person_email ON person (email);
--rollback ALTER TABLE person DROP COLUMN email;

--changeset \"bo b\":drop-name
ALTER TABLE person DROP COLUMN name;
";

#[test]
fn a_formatted_sql_changelog_is_read_as_sql() {
    assert_eq!(
        rows(&read("db/changelog/001.sql", FORMATTED, None)),
        vec![
            row(CreateTable, "person", "", Expand),
            row(AddColumn, "person", "email", Expand),
            row(CreateIndex, "person", "email", Expand),
            row(DropColumn, "person", "name", Contract),
        ]
    );
}

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
    let table: &[(&str, &str)] = &[
        (
            "bad.xml",
            "<databaseChangeLog><changeSet id=\"1\"></databaseChangeLog>",
        ),
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

fn config() -> Config {
    let cases = std::env::var("SCHEMAGATE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
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
