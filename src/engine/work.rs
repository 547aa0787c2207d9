//! The unit of queued work and its serial key: jobs with the same key never
//! run at once, so one MR's work is serialised on every replica.

use crate::core::announcements::AnnouncementKind;
use crate::core::ids::{ProjectKey, path_key};
use crate::core::types::MilestoneId;
use crate::forge::event::Event;
use crate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};
use serde::{Deserialize, Serialize};

/// One job's work, stored as JSON in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "work")]
pub enum Work {
    /// A webhook delivery, already translated at the edge.
    Event { forge: ForgeKind, event: Event },
    /// Re-evaluate one MR or issue.
    Evaluate {
        forge: ForgeKind,
        project: ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
    },
    /// Re-evaluate every open MR and labelled issue of a project whose
    /// verdict may have changed (after a milestone event).
    Reevaluate {
        forge: ForgeKind,
        project: ProjectPath,
    },
    /// Re-render one milestone's description block from the store.
    RenderBlock {
        forge: ForgeKind,
        project: ProjectPath,
        milestone: MilestoneId,
    },
    /// The periodic incremental sync of one project.
    Sync {
        forge: ForgeKind,
        project: ProjectPath,
    },
    /// Send the `kind` mail of a milestone if it is (still) due.
    Announce {
        forge: ForgeKind,
        project: ProjectPath,
        milestone: MilestoneId,
        kind: AnnouncementKind,
    },
}

fn item_key(forge: ForgeKind, project: &ProjectPath, kind: ItemKind, number: ItemNumber) -> String {
    let kind = match kind {
        ItemKind::MergeRequest => "mr",
        ItemKind::Issue => "issue",
    };
    project_key(forge, project, &format!("{kind}:{number}"))
}

fn project_key(forge: ForgeKind, project: &ProjectPath, what: &str) -> String {
    format!("{}:{what}", ProjectKey::new(forge, &project.0))
}

impl Work {
    /// The key that serialises this work against other work on the same thing.
    pub fn serial_key(&self) -> String {
        use crate::forge::event::{Event as E, MilestoneScope};
        match self {
            Work::Event { forge, event } => match event {
                E::MergeRequestChanged {
                    project, number, ..
                }
                | E::MergeRequestClosed {
                    project, number, ..
                } => item_key(*forge, project, ItemKind::MergeRequest, *number),
                E::IssueChanged {
                    project, number, ..
                } => item_key(*forge, project, ItemKind::Issue, *number),
                E::CommentAdded {
                    project,
                    kind,
                    number,
                    ..
                } => item_key(*forge, project, *kind, *number),
                E::MilestoneChanged { scope, .. } => match scope {
                    MilestoneScope::Project(project) => project_key(*forge, project, "milestones"),
                    MilestoneScope::Group(group) => {
                        format!("{}:group:{}:milestones", forge.name(), path_key(group))
                    }
                },
                E::Ping { .. } | E::Installation { .. } | E::Ignored { .. } => {
                    format!("{}:misc", forge.name())
                }
            },
            Work::Evaluate {
                forge,
                project,
                kind,
                number,
            } => item_key(*forge, project, *kind, *number),
            Work::Reevaluate { forge, project } => project_key(*forge, project, "reevaluate"),
            Work::RenderBlock {
                forge,
                project,
                milestone,
            } => project_key(*forge, project, &format!("milestone:{}", milestone.0)),
            Work::Sync { forge, project } => project_key(*forge, project, "sync"),
            // One key per milestone's mails: a warning and its update never race.
            Work::Announce {
                forge,
                project,
                milestone,
                ..
            } => project_key(*forge, project, &format!("announce:{}", milestone.0)),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("work serialises")
    }

    pub fn from_json(text: &str) -> Result<Work, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::event::MergeRequestAction;

    #[test]
    fn an_mr_event_and_its_re_evaluation_share_one_serial_key() {
        let project = ProjectPath("Lava/Lava".into());
        let event = Work::Event {
            forge: ForgeKind::GitLab,
            event: Event::MergeRequestChanged {
                project: project.clone(),
                number: ItemNumber(7),
                action: MergeRequestAction::Updated,
                code_changed: true,
                head_sha: None,
            },
        };
        let evaluate = Work::Evaluate {
            forge: ForgeKind::GitLab,
            project: ProjectPath("lava/lava".into()),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(7),
        };
        assert_eq!(event.serial_key(), evaluate.serial_key());
        assert_eq!(event.serial_key(), "gitlab:lava/lava:mr:7");
    }

    #[test]
    fn the_same_number_on_two_forges_or_kinds_gets_different_keys() {
        let work = |forge, kind| Work::Evaluate {
            forge,
            project: ProjectPath("o/r".into()),
            kind,
            number: ItemNumber(1),
        };
        let keys = [
            work(ForgeKind::GitLab, ItemKind::MergeRequest).serial_key(),
            work(ForgeKind::GitHub, ItemKind::MergeRequest).serial_key(),
            work(ForgeKind::GitLab, ItemKind::Issue).serial_key(),
        ];
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2]);
    }

    #[test]
    fn work_round_trips_through_json() {
        let work = Work::RenderBlock {
            forge: ForgeKind::GitHub,
            project: ProjectPath("o/r".into()),
            milestone: MilestoneId(3),
        };
        assert_eq!(Work::from_json(&work.to_json()).unwrap(), work);
    }
}
