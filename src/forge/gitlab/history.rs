//! An item's label and milestone history on GitLab, from the resource label
//! and milestone events (docs.gitlab.com/api/resource_label_events and
//! /api/resource_milestone_events), as the neutral `ItemEvent`s.

use super::client::GitLabClient;
use super::endpoints::ResourceEvents;
use crate::core::forge_state::{ItemChange, ItemEvent, MilestoneRef};
use crate::core::types::MilestoneId;
use crate::forge::{ForgeError, History, ItemKind, ItemNumber, ProjectPath};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct EventUser {
    username: String,
}

#[derive(Debug, Deserialize)]
struct EventLabel {
    name: String,
}

#[derive(Debug, Deserialize)]
struct EventMilestone {
    id: u64,
}

/// One resource event; `label` is null when the label was deleted since,
/// `user` when the account was.
#[derive(Debug, Deserialize)]
struct GlResourceEvent {
    created_at: DateTime<Utc>,
    user: Option<EventUser>,
    action: String,
    #[serde(default)]
    label: Option<EventLabel>,
    #[serde(default)]
    milestone: Option<EventMilestone>,
}

impl GlResourceEvent {
    fn into_neutral(self) -> Option<ItemEvent> {
        let change = match (self.action.as_str(), self.label, self.milestone) {
            ("add", Some(label), _) => ItemChange::LabelAdded(label.name),
            ("remove", Some(label), _) => ItemChange::LabelRemoved(label.name),
            ("add", None, Some(m)) => ItemChange::MilestoneSet(MilestoneRef::Id(MilestoneId(m.id))),
            ("remove", None, Some(_)) => ItemChange::MilestoneCleared,
            _ => return None,
        };
        Some(ItemEvent {
            at: self.created_at,
            actor: self.user.map(|u| u.username).unwrap_or_default(),
            change,
        })
    }
}

impl GitLabClient {
    pub(super) async fn history(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        wanted: History,
    ) -> Result<Vec<ItemEvent>, ForgeError> {
        let items = match kind {
            ItemKind::MergeRequest => "merge_requests",
            ItemKind::Issue => "issues",
        };
        let read = |wanted: bool, events: &'static str| async move {
            if !wanted {
                return Ok(Vec::new());
            }
            let endpoint = ResourceEvents {
                project: project.0.as_str().into(),
                items,
                number: number.0,
                events,
            };
            let page: Vec<GlResourceEvent> = self.query_all(endpoint).await?;
            Ok::<_, ForgeError>(page)
        };
        // Two lists that do not depend on each other: one round trip, not two.
        let (labels, milestones) = tokio::try_join!(
            read(wanted.labels, "resource_label_events"),
            read(wanted.milestones, "resource_milestone_events"),
        )?;
        let events: Vec<ItemEvent> = labels
            .into_iter()
            .chain(milestones)
            .filter_map(GlResourceEvent::into_neutral)
            .collect();
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_and_milestone_events_read_as_changes_by_their_user() {
        let label: GlResourceEvent = serde_json::from_str(
            r##"{"id":142,"user":{"id":1,"username":"root"},"created_at":"2018-08-20T13:38:20.077Z",
                "resource_type":"MergeRequest","resource_id":253,
                "label":{"id":73,"name":"Database changes","color":"#428BCA"},"action":"add"}"##,
        )
        .unwrap();
        let event = label.into_neutral().unwrap();
        assert_eq!(event.actor, "root");
        assert_eq!(
            event.change,
            ItemChange::LabelAdded("Database changes".into())
        );
        let milestone: GlResourceEvent = serde_json::from_str(
            r#"{"id":143,"user":{"id":1,"username":"ann"},"created_at":"2018-08-21T14:38:20.077Z",
                "resource_type":"MergeRequest","resource_id":253,
                "milestone":{"id":61,"iid":9,"title":"v1.2"},"action":"remove","state":"active"}"#,
        )
        .unwrap();
        assert_eq!(
            milestone.into_neutral().unwrap().change,
            ItemChange::MilestoneCleared
        );
        // A deleted label's events carry no label: they say nothing.
        let deleted: GlResourceEvent = serde_json::from_str(
            r#"{"user":null,"created_at":"2018-08-21T14:38:20Z","label":null,"action":"add"}"#,
        )
        .unwrap();
        assert_eq!(deleted.into_neutral(), None);
    }
}
