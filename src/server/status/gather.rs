//! Reads what the store recorded about a project, in one round of queries
//! run together, and builds its status through `core::status`. No forge
//! request: the milestones are the list the bot last read, the forge's
//! health what its last calls said.

use crate::config::{Config, ProjectConfig};
use crate::core::ids::ProjectKey;
use crate::core::status::{MailRecord, ProjectStatus, Recorded, StatusReport, build};
use crate::store::{Announcement, Store, StoreError};
use chrono::{DateTime, Utc};

/// What the page needs besides the store: the configuration, whether the
/// server observes, the forges' health and the time.
pub struct Surroundings<'a> {
    pub config: &'a Config,
    pub observe: bool,
    /// A forge's health in words (`None` when no server process is asked).
    pub health: &'a (dyn Fn(crate::forge::ForgeKind) -> Option<String> + Sync),
    pub now: DateTime<Utc>,
}

/// The project page's path on this server: `/projects/gitlab/lava/lava`.
pub fn page_path(project: &ProjectConfig) -> String {
    format!("/projects/{}/{}", project.forge.name(), project.path)
}

/// One project's status.
pub async fn project_status(
    store: &Store,
    project: &ProjectConfig,
    around: &Surroundings<'_>,
) -> Result<ProjectStatus, StoreError> {
    let (forge, path) = (project.forge, project.path.as_str());
    let key = ProjectKey::new(forge, path);
    let (record, state, items, ledger, observed, dead_jobs) = tokio::try_join!(
        store.project_record(forge, path),
        store.project_state(forge, path),
        store.item_views(forge, path),
        store.announcements(forge, path),
        store.observed(forge, path),
        store.dead_jobs_of(&key),
    )?;
    let milestones = record.milestones.unwrap_or_default();
    let mails: Vec<MailRecord> = ledger.iter().map(mail_record).collect();
    let policy = project.policy();
    let page_path = page_path(project);
    let recorded = Recorded {
        forge,
        path,
        project_url: around.config.project_web_url(project),
        policy: &policy,
        announces: project.announce.is_some() && around.config.mail.is_some(),
        milestones: &milestones,
        milestones_read_at: record.milestones_read_at,
        state: &state,
        items: &items,
        mails: &mails,
        observed: &observed,
        last_sync: record.last_sync,
        forge_health: (around.health)(forge),
        dead_jobs,
        page_path: &page_path,
        now: around.now,
    };
    Ok(build(&recorded))
}

/// Every configured project's status, in the configuration's order.
pub async fn status_report(
    store: &Store,
    around: &Surroundings<'_>,
) -> Result<StatusReport, StoreError> {
    let mut projects = Vec::with_capacity(around.config.projects.len());
    for project in &around.config.projects {
        projects.push(project_status(store, project, around).await?);
    }
    Ok(StatusReport {
        observe: around.observe,
        projects,
    })
}

fn mail_record(row: &Announcement) -> MailRecord {
    MailRecord {
        milestone: row.milestone,
        kind: row.kind,
        sequence: row.sequence,
        state: row.state.word(),
        sent_at: row.sent_at_ms.and_then(DateTime::from_timestamp_millis),
        error: row.last_error.clone(),
    }
}
