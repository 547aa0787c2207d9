//! What an announcement template can read: the project, the milestone, every
//! database change in the batch, the upgrade steps and path. Plain data, built
//! by the engine and serialized for minijinja; titles are forced onto one line
//! here so that no forge text can shape a header or the layout.

use serde::Serialize;

/// Everything a warning, update or release template is rendered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailContext {
    pub project: ProjectInfo,
    pub milestone: MilestoneInfo,
    /// One sentence: why upgrading to this release needs downtime.
    pub downtime_reason: String,
    /// Every database change in the batch now.
    pub changes: Vec<ChangeInfo>,
    /// Update mails: changes that joined since the last mail.
    pub added: Vec<ChangeInfo>,
    /// Update mails: changes that left since the last mail.
    pub removed: Vec<ChangeInfo>,
    /// false in an update when the batch no longer holds any database change.
    pub downtime_expected: bool,
    pub upgrade_steps: Vec<String>,
    /// Ready sentences, e.g. "From 2026.09 or older, upgrade to 2026.10 first." (may be empty)
    pub upgrade_path: Vec<String>,
    pub reply_to: Option<String>,
    /// "YYYY-MM-DD" when the warning went out (update and release mails).
    pub warning_sent_on: Option<String>,
    /// The announce list, for the text ("sent to …").
    pub to: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInfo {
    /// `group/project` or `owner/repo`.
    pub path: String,
    /// "GitLab" or "GitHub", for the text.
    pub forge: String,
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneInfo {
    pub title: String,
    pub web_url: Option<String>,
    /// "YYYY-MM-DD".
    pub due_date: Option<String>,
    /// "YYYY-MM-DD".
    pub start_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeInfo {
    /// "merge request", "pull request" or "issue".
    pub kind: String,
    /// "!12" or "#12".
    pub reference: String,
    pub number: u64,
    pub title: String,
    pub web_url: Option<String>,
    pub migrations: Vec<MigrationInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationInfo {
    pub path: String,
    /// schema, data, squash or edit.
    pub class: String,
    /// The rule pack's framework, e.g. "django".
    pub framework: String,
    /// expand, contract or unknown, for a migration that changes the
    /// database (`None` for a squash or an edit).
    pub compat: Option<String>,
    /// Its operations that break or may break the previous release's code:
    /// "contract: drops column testjob.foo".
    pub breaking: Vec<String>,
}

/// Forge text on one line: CR, LF, tabs and other control characters become
/// spaces, runs of spaces collapse, the ends are trimmed.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl MilestoneInfo {
    pub fn new(
        title: impl AsRef<str>,
        web_url: Option<String>,
        due_date: Option<String>,
        start_date: Option<String>,
    ) -> MilestoneInfo {
        MilestoneInfo {
            title: one_line(title.as_ref()),
            web_url: web_url.map(|url| one_line(&url)),
            due_date,
            start_date,
        }
    }
}

impl ChangeInfo {
    pub fn new(
        kind: impl Into<String>,
        reference: impl Into<String>,
        number: u64,
        title: impl AsRef<str>,
        web_url: Option<String>,
        migrations: Vec<MigrationInfo>,
    ) -> ChangeInfo {
        ChangeInfo {
            kind: kind.into(),
            reference: reference.into(),
            number,
            title: one_line(title.as_ref()),
            web_url: web_url.map(|url| one_line(&url)),
            migrations,
        }
    }
}

impl MigrationInfo {
    pub fn new(
        path: impl AsRef<str>,
        class: impl Into<String>,
        framework: impl Into<String>,
    ) -> MigrationInfo {
        MigrationInfo {
            path: one_line(path.as_ref()),
            class: class.into(),
            framework: framework.into(),
            compat: None,
            breaking: Vec::new(),
        }
    }

    /// With its expand/contract class and the lines of its breaking operations.
    pub fn classed(mut self, compat: impl Into<String>, breaking: Vec<String>) -> MigrationInfo {
        self.compat = Some(compat.into());
        self.breaking = breaking.iter().map(|line| one_line(line)).collect();
        self
    }
}

impl MailContext {
    /// A realistic LAVA-like context: release 2026.12 with two merge requests
    /// carrying migrations, the four usual upgrade steps and one path
    /// sentence. `config check` renders every template against it, and the
    /// preview snapshots use it, so it fills every field a template may read.
    pub fn sample() -> MailContext {
        let priority = sample_priority_change();
        let health = sample_health_history_change();
        let dropped = sample_dropped_change();
        MailContext {
            project: ProjectInfo {
                path: "lava/lava".to_string(),
                forge: "GitLab".to_string(),
                web_url: Some("https://gitlab.com/lava/lava".to_string()),
            },
            milestone: MilestoneInfo::new(
                "2026.12",
                Some("https://gitlab.com/lava/lava/-/milestones/42".to_string()),
                Some("2026-12-15".to_string()),
                Some("2026-11-03".to_string()),
            ),
            downtime_reason: "it runs 3 database migrations (2 schema, 1 data) that need the \
                              service stopped while they run."
                .to_string(),
            changes: vec![priority, health.clone()],
            added: vec![health],
            removed: vec![dropped],
            downtime_expected: true,
            upgrade_steps: vec![
                "Put the instance in maintenance mode".to_string(),
                "Back up the database".to_string(),
                "Upgrade the packages and run `lava-server manage migrate`".to_string(),
                "Back up the database again and leave maintenance mode".to_string(),
            ],
            upgrade_path: vec!["From 2026.09 or older, upgrade to 2026.10 first.".to_string()],
            reply_to: Some("lava-devel@lists.example.org".to_string()),
            warning_sent_on: Some("2026-11-03".to_string()),
            to: vec!["lava-announce@lists.example.org".to_string()],
        }
    }
}

/// The sample's change with a schema and a data migration.
fn sample_priority_change() -> ChangeInfo {
    ChangeInfo::new(
        "merge request",
        "!2714",
        2714,
        "Scheduler: add job priorities",
        Some("https://gitlab.com/lava/lava/-/merge_requests/2714".to_string()),
        vec![
            MigrationInfo::new(
                "lava_scheduler_app/migrations/0062_testjob_priority.py",
                "schema",
                "django",
            )
            .classed(
                "contract",
                vec![
                    "contract: adds column testjob.priority (default= is not a database default: Django drops it after filling existing rows)".into(),
                ],
            ),
            MigrationInfo::new(
                "lava_scheduler_app/migrations/0063_backfill_priority.py",
                "data",
                "django",
            )
            .classed("unknown", vec!["unknown: runs code (arbitrary code)".into()]),
        ],
    )
}

/// The sample's change added to the release since the warning.
fn sample_health_history_change() -> ChangeInfo {
    ChangeInfo::new(
        "merge request",
        "!2731",
        2731,
        "Keep a history of device health changes",
        Some("https://gitlab.com/lava/lava/-/merge_requests/2731".to_string()),
        vec![
            MigrationInfo::new(
                "lava_scheduler_app/migrations/0064_devicehealthhistory.py",
                "schema",
                "django",
            )
            .classed("expand", Vec::new()),
        ],
    )
}

/// The sample's change removed from the release since the warning.
fn sample_dropped_change() -> ChangeInfo {
    ChangeInfo::new(
        "merge request",
        "!2702",
        2702,
        "Rename worker columns",
        Some("https://gitlab.com/lava/lava/-/merge_requests/2702".to_string()),
        vec![MigrationInfo::new(
            "lava_scheduler_app/migrations/0061_rename_worker_columns.py",
            "schema",
            "django",
        )],
    )
}

impl MailContext {
    /// The context as a template value. minijinja reads it through its own
    /// value type; going through serde_json keeps `MailContext` a plain
    /// `Serialize` struct without minijinja's optional serde feature.
    pub(crate) fn template_value(&self) -> minijinja::Value {
        let json = serde_json::to_value(self).expect("a MailContext always serializes");
        json_to_value(json)
    }
}

fn json_to_value(json: serde_json::Value) -> minijinja::Value {
    use minijinja::Value;
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(flag) => Value::from(flag),
        serde_json::Value::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(unsigned), _) => Value::from(unsigned),
            (None, Some(signed)) => Value::from(signed),
            (None, None) => Value::from(number.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(text) => Value::from(text),
        serde_json::Value::Array(items) => {
            Value::from(items.into_iter().map(json_to_value).collect::<Vec<_>>())
        }
        serde_json::Value::Object(map) => Value::from(
            map.into_iter()
                .map(|(key, value)| (key, json_to_value(value)))
                .collect::<std::collections::BTreeMap<String, Value>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_forced_onto_one_line() {
        let change = ChangeInfo::new(
            "merge request",
            "!1",
            1,
            "  Fix\r\nBcc: evil@example.org\tnow ",
            None,
            vec![],
        );
        assert_eq!(change.title, "Fix Bcc: evil@example.org now");
        let milestone = MilestoneInfo::new("2026.12\nSubject: x", None, None, None);
        assert_eq!(milestone.title, "2026.12 Subject: x");
    }

    #[test]
    fn the_template_value_holds_every_field_with_none_for_absent_values() {
        let mut sample = MailContext::sample();
        sample.reply_to = None;
        let value = sample.template_value();
        let milestone = value.get_attr("milestone").unwrap();
        assert_eq!(
            milestone.get_attr("title").unwrap().as_str(),
            Some("2026.12")
        );
        assert!(value.get_attr("reply_to").unwrap().is_none());
        let changes = value.get_attr("changes").unwrap();
        assert_eq!(changes.len(), Some(2));
        let first = changes.get_item_by_index(0).unwrap();
        assert_eq!(
            u64::try_from(first.get_attr("number").unwrap()).unwrap(),
            2714
        );
        assert!(value.get_attr("downtime_expected").unwrap().is_true());
    }

    #[test]
    fn the_sample_fills_every_list() {
        let sample = MailContext::sample();
        assert!(!sample.changes.is_empty());
        assert!(!sample.added.is_empty());
        assert!(!sample.removed.is_empty());
        assert!(!sample.upgrade_steps.is_empty());
        assert!(!sample.upgrade_path.is_empty());
        assert!(sample.changes.iter().all(|c| !c.migrations.is_empty()));
    }
}
