//! An item's label and milestone history on GitHub, from the issue events
//! (`GET /repos/{owner}/{repo}/issues/{number}/events`, which covers pull
//! requests too), and the account GitHub names for the bot's own writes.

use super::app::Credentials;
use super::rest::{self, JSON};
use crate::core::forge_state::{ItemChange, ItemEvent, MilestoneRef};
use crate::forge::{ForgeError, ProjectPath};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The account GitHub attributes writes made with an installation token
/// that cannot look itself up, such as Actions' `GITHUB_TOKEN`.
pub const ACTIONS_ACCOUNT: &str = "github-actions[bot]";

#[derive(Debug, Deserialize)]
struct Login {
    login: String,
}

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Titled {
    title: String,
}

/// One issue event; most kinds (assigned, closed, referenced…) are not ours.
#[derive(Debug, Deserialize)]
pub struct RestIssueEvent {
    event: String,
    created_at: DateTime<Utc>,
    /// Null for a deleted account ("ghost").
    actor: Option<Login>,
    #[serde(default)]
    label: Option<Named>,
    #[serde(default)]
    milestone: Option<Titled>,
}

impl RestIssueEvent {
    pub fn into_neutral(self) -> Option<ItemEvent> {
        let change = match (self.event.as_str(), self.label, self.milestone) {
            ("labeled", Some(label), _) => ItemChange::LabelAdded(label.name),
            ("unlabeled", Some(label), _) => ItemChange::LabelRemoved(label.name),
            ("milestoned", _, Some(m)) => ItemChange::MilestoneSet(MilestoneRef::Title(m.title)),
            ("demilestoned", _, Some(_)) => ItemChange::MilestoneCleared,
            _ => return None,
        };
        Some(ItemEvent {
            at: self.created_at,
            actor: self.actor.map(|a| a.login).unwrap_or_default(),
            change,
        })
    }
}

#[derive(Debug, Deserialize)]
struct RestApp {
    slug: String,
}

impl Credentials {
    /// `{slug}[bot]` for an App; the token's user for a token, or
    /// [`ACTIONS_ACCOUNT`] when GitHub will not say (an installation token
    /// gets 403 from `/user`).
    pub async fn account(&self, project: &ProjectPath) -> Result<String, ForgeError> {
        match self {
            Credentials::App(app) => {
                let reply =
                    rest::send(app.jwt_client(), http::Method::GET, "/app", None, JSON).await?;
                Ok(format!("{}[bot]", reply.json::<RestApp>()?.slug))
            }
            Credentials::Token(_) => {
                let crab = self.client_for(project).await?;
                match rest::send(&crab, http::Method::GET, "/user", None, JSON).await {
                    Ok(reply) => Ok(reply.json::<Login>()?.login),
                    Err(ForgeError::Forbidden(_)) => Ok(ACTIONS_ACCOUNT.to_string()),
                    Err(other) => Err(other),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_and_milestone_events_read_as_changes_by_their_actor() {
        let events: Vec<RestIssueEvent> = serde_json::from_str(
            r#"[
              {"id":1,"event":"labeled","actor":{"login":"schemagate[bot]","type":"Bot"},
               "created_at":"2026-11-02T10:00:00Z","label":{"name":"Database changes","color":"d93f0b"}},
              {"id":2,"event":"milestoned","actor":{"login":"ann"},"created_at":"2026-11-02T10:01:00Z",
               "milestone":{"title":"2026.12"}},
              {"id":3,"event":"demilestoned","actor":null,"created_at":"2026-11-02T10:02:00Z",
               "milestone":{"title":"2026.12"}},
              {"id":4,"event":"closed","actor":{"login":"ann"},"created_at":"2026-11-02T10:03:00Z"}
            ]"#,
        )
        .unwrap();
        let neutral: Vec<ItemEvent> = events
            .into_iter()
            .filter_map(RestIssueEvent::into_neutral)
            .collect();
        assert_eq!(neutral.len(), 3);
        assert_eq!(neutral[0].actor, "schemagate[bot]");
        assert_eq!(
            neutral[0].change,
            ItemChange::LabelAdded("Database changes".into())
        );
        assert_eq!(
            neutral[1].change,
            ItemChange::MilestoneSet(MilestoneRef::Title("2026.12".into()))
        );
        assert_eq!(neutral[2].actor, "");
        assert_eq!(neutral[2].change, ItemChange::MilestoneCleared);
    }
}
