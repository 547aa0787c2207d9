//! The classification's vocabulary: compat classes, operation kinds, readers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether the previous release's code keeps working once a change is
/// applied. Ordered from best to worst: a migration takes its worst
/// operation's class, and `contract` is worse than `unknown` because it is
/// known to break.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Compat {
    /// Old code keeps working: new tables, nullable columns, new indexes…
    Expand,
    /// Not understood (arbitrary code, dynamic SQL, a parse error). The
    /// default, so a record written before classification existed counts
    /// as needing downtime.
    #[default]
    Unknown,
    /// Old code may fail: a dropped or renamed column, NOT NULL added…
    Contract,
}

impl Compat {
    pub const NAMES: [&'static str; 3] = ["expand", "unknown", "contract"];

    pub fn as_str(self) -> &'static str {
        match self {
            Compat::Expand => "expand",
            Compat::Unknown => "unknown",
            Compat::Contract => "contract",
        }
    }

    /// The worst of several classes; `expand` for none (nothing changes).
    pub fn worst(classes: impl IntoIterator<Item = Compat>) -> Compat {
        classes.into_iter().max().unwrap_or(Compat::Expand)
    }
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one operation does, across frameworks (a Django `RemoveField`, an
/// Alembic `op.drop_column` and SQL's `ALTER TABLE … DROP COLUMN` are all
/// [`OpKind::DropColumn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    CreateTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    RenameColumn,
    /// A column's type changed.
    AlterColumnType,
    /// A column altered in a way the text alone does not tell (Django's
    /// `AlterField` without the field's previous definition).
    AlterColumn,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropDefault,
    CreateIndex,
    /// A unique index or constraint.
    AddUnique,
    DropIndex,
    RenameIndex,
    AddCheck,
    AddForeignKey,
    AddPrimaryKey,
    DropConstraint,
    InsertRows,
    UpdateRows,
    DeleteRows,
    Truncate,
    CreateView,
    /// `CREATE OR REPLACE VIEW`: the columns old code reads may change.
    ReplaceView,
    DropView,
    /// A function, procedure or trigger.
    CreateRoutine,
    ReplaceRoutine,
    DropRoutine,
    CreateType,
    /// A type altered: an enum value added, a value renamed…
    AlterType,
    DropType,
    CreateSequence,
    AlterSequence,
    DropSequence,
    CreateExtension,
    DropExtension,
    CreateSchema,
    DropSchema,
    Comment,
    Grant,
    /// A session setting (`SET search_path …`): no schema change.
    Session,
    /// An operation that touches the framework's model state only
    /// (Django's `AlterModelOptions`).
    NoSchemaChange,
    /// Arbitrary code (Django's `RunPython`, statements around Alembic's `op` calls).
    RunCode,
    /// A squash or merge revision: nothing runs on a migrated database.
    Squash,
    /// An existing migration edited or deleted.
    Edit,
    /// Text no reader understood: a parse error, an unknown statement.
    NotUnderstood,
    /// A framework whose migrations schemagate does not read (JavaScript,
    /// PHP, C# code…), or a file whose content was not read.
    NotRead,
}

impl OpKind {
    /// The verb phrase for a sentence ("drops column testjob.foo").
    pub fn verb(self) -> &'static str {
        match self {
            OpKind::CreateTable => "creates table",
            OpKind::DropTable => "drops table",
            OpKind::RenameTable => "renames table",
            OpKind::AddColumn => "adds column",
            OpKind::DropColumn => "drops column",
            OpKind::RenameColumn => "renames column",
            OpKind::AlterColumnType => "changes the type of column",
            OpKind::AlterColumn => "alters column",
            OpKind::SetNotNull => "makes NOT NULL column",
            OpKind::DropNotNull => "makes nullable column",
            OpKind::SetDefault => "sets the default of column",
            OpKind::DropDefault => "drops the default of column",
            OpKind::CreateIndex => "creates an index on",
            OpKind::AddUnique => "adds a unique constraint on",
            OpKind::DropIndex => "drops index",
            OpKind::RenameIndex => "renames index",
            OpKind::AddCheck => "adds a check constraint on",
            OpKind::AddForeignKey => "adds a foreign key on",
            OpKind::AddPrimaryKey => "adds a primary key on",
            OpKind::DropConstraint => "drops a constraint on",
            OpKind::InsertRows => "inserts rows into",
            OpKind::UpdateRows => "updates rows of",
            OpKind::DeleteRows => "deletes rows of",
            OpKind::Truncate => "empties table",
            OpKind::CreateView => "creates view",
            OpKind::ReplaceView => "replaces view",
            OpKind::DropView => "drops view",
            OpKind::CreateRoutine => "creates routine",
            OpKind::ReplaceRoutine => "replaces routine",
            OpKind::DropRoutine => "drops routine",
            OpKind::CreateType => "creates type",
            OpKind::AlterType => "alters type",
            OpKind::DropType => "drops type",
            OpKind::CreateSequence => "creates sequence",
            OpKind::AlterSequence => "alters sequence",
            OpKind::DropSequence => "drops sequence",
            OpKind::CreateExtension => "creates extension",
            OpKind::DropExtension => "drops extension",
            OpKind::CreateSchema => "creates schema",
            OpKind::DropSchema => "drops schema",
            OpKind::Comment => "comments on",
            OpKind::Grant => "changes privileges on",
            OpKind::Session => "sets a session setting",
            OpKind::NoSchemaChange => "changes no schema",
            OpKind::RunCode => "runs code",
            OpKind::Squash => "replaces migrations already applied",
            OpKind::Edit => "edits an existing migration",
            OpKind::NotUnderstood => "was not understood",
            OpKind::NotRead => "was not read",
        }
    }
}

/// One operation of a migration and its class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub op: OpKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub compat: Compat,
    /// Why it has its class when the kind alone does not say (a trap, a
    /// lock, a parse error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Operation {
    pub fn new(op: OpKind, compat: Compat) -> Operation {
        Operation {
            op,
            table: None,
            column: None,
            compat,
            note: None,
        }
    }

    pub fn table(mut self, table: impl Into<String>) -> Operation {
        self.table = Some(table.into());
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Operation {
        self.column = Some(column.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Operation {
        self.note = Some(note.into());
        self
    }

    /// "drops column testjob.foo", with the note in parentheses.
    pub fn describe(&self) -> String {
        self.describe_with(|target| target.to_string(), |note| note.to_string())
    }

    /// [`Operation::describe`] for Markdown: the target as code, the note
    /// without characters Markdown or HTML would read (it may quote the
    /// migration's text).
    pub fn describe_markdown(&self) -> String {
        self.describe_with(
            |target| format!("`{}`", target.replace('`', "'")),
            |note| {
                note.chars()
                    .map(|c| match c {
                        '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' => ' ',
                        c => c,
                    })
                    .collect()
            },
        )
    }

    fn describe_with(
        &self,
        target_text: impl Fn(&str) -> String,
        note_text: impl Fn(&str) -> String,
    ) -> String {
        let target = match (&self.table, &self.column) {
            (Some(table), Some(column)) => format!("{table}.{column}"),
            (Some(table), None) => table.clone(),
            (None, Some(column)) => column.clone(),
            (None, None) => String::new(),
        };
        let mut text = self.op.verb().to_string();
        if !target.is_empty() {
            text.push(' ');
            text.push_str(&target_text(&target));
        }
        if let Some(note) = &self.note {
            text.push_str(&format!(" ({})", note_text(note)));
        }
        text
    }
}

/// A migration's class and the operations that give it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Classification {
    pub compat: Compat,
    pub operations: Vec<Operation>,
}

impl Classification {
    /// Classes a list of operations by the worst of them.
    pub fn of(operations: Vec<Operation>) -> Classification {
        Classification {
            compat: Compat::worst(operations.iter().map(|o| o.compat)),
            operations,
        }
    }

    /// One operation standing for the whole migration.
    pub fn single(operation: Operation) -> Classification {
        Classification::of(vec![operation])
    }
}

/// Which reader understands a rule's migrations (`operations` in a pack
/// rule; `.sql` files default to [`Reader::Sql`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    Sql,
    Django,
    Alembic,
    Rails,
    Liquibase,
}

impl Reader {
    pub const NAMES: [&'static str; 5] = ["sql", "django", "alembic", "rails", "liquibase"];

    pub fn as_str(self) -> &'static str {
        match self {
            Reader::Sql => "sql",
            Reader::Django => "django",
            Reader::Alembic => "alembic",
            Reader::Rails => "rails",
            Reader::Liquibase => "liquibase",
        }
    }

    pub fn from_name(name: &str) -> Option<Reader> {
        [
            Reader::Sql,
            Reader::Django,
            Reader::Alembic,
            Reader::Rails,
            Reader::Liquibase,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }

    /// The reader a file gets when its rule names none: SQL for `.sql`
    /// (and PostgreSQL's `.psql`) files.
    pub fn for_path(path: &str) -> Option<Reader> {
        let lower = path.to_ascii_lowercase();
        (lower.ends_with(".sql") || lower.ends_with(".psql")).then_some(Reader::Sql)
    }
}

/// How [`breaking_operations`] writes each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    Plain,
    Markdown,
}

/// The operations that break or may break the previous release's code,
/// worst first, as "contract: drops column testjob.foo" lines (at most
/// `limit`, then how many more).
pub fn breaking_operations(
    operations: &[Operation],
    limit: usize,
    wording: Wording,
) -> Vec<String> {
    let mut breaking: Vec<&Operation> = operations
        .iter()
        .filter(|o| o.compat != Compat::Expand)
        .collect();
    breaking.sort_by_key(|o| std::cmp::Reverse(o.compat));
    let mut lines: Vec<String> = breaking
        .iter()
        .take(limit)
        .map(|o| match wording {
            Wording::Plain => format!("{}: {}", o.compat, o.describe()),
            Wording::Markdown => format!("{}: {}", o.compat, o.describe_markdown()),
        })
        .collect();
    if breaking.len() > limit {
        lines.push(format!("and {} more", breaking.len() - limit));
    }
    lines
}
