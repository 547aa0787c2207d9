//! The Liquibase reader: each change type in XML, YAML, JSON and formatted
//! SQL changelogs.

use super::read;
pub(super) use crate::core::compat::test_support::{note, row, rows};
use crate::core::compat::{Classification, Compat, OpKind};
use Compat::{Contract, Expand, Unknown};
use OpKind::*;

pub(super) const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
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
    #[rustfmt::skip]
    let table: &[(&str, Compat, &str)] = &[
        (r#"<column name="c" type="int"><constraints nullable="false"/></column>"#, Contract, "NOT NULL without a database default"),
        (r#"<column name="c" type="int" defaultValueNumeric="0"><constraints nullable="false"/></column>"#, Expand, ""),
        (r#"<column name="c" type="timestamp" defaultValueComputed="now()"><constraints nullable="false"/></column>"#, Expand, ""),
        (r#"<column name="c" type="boolean" defaultValueBoolean="false"><constraints nullable="false"/></column>"#, Expand, ""),
        (r#"<column name="c" type="int" autoIncrement="true"><constraints nullable="false"/></column>"#, Expand, ""),
        (r#"<column name="c" type="int" value="0"><constraints nullable="false"/></column>"#, Contract, "value= fills existing rows, it is no database default"),
        (r#"<column name="c" type="int"><constraints nullable="true"/></column>"#, Expand, ""),
        (r#"<column name="c" type="int"><constraints primaryKey="true"/></column>"#, Contract, "a primary key"),
        (r#"<column name="c" type="int"><constraints unique="true"/></column>"#, Contract, "unique"),
        (r#"<column name="c" type="int"><constraints checkConstraint="c &gt; 0"/></column>"#, Contract, "check constraint"),
        (r#"<column name="c" type="int"><constraints references="u(id)" foreignKeyName="fk"/></column>"#, Expand, ""),
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

pub(super) const YAML: &str = r#"
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

pub(super) const JSON: &str = r#"{
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

pub(super) const FORMATTED: &str = "--liquibase formatted sql

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
