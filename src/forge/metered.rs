//! `MeteredForge`: a [`Forge`] around another that counts every call in
//! `schemagate_forge_requests_total{forge, call, outcome}` and remembers
//! whether the forge last answered or could not be reached, so `/healthz`
//! can report it without sending requests of its own.

use super::apply::PostedComment;
use super::{
    ChangedFiles, CommentId, CommitSha, CommitStatus, Forge, ForgeError, ForgeKind, History, Issue,
    ItemKind, ItemNumber, ItemUpdate, MergeRequest, ProjectPath,
};
use crate::core::forge_state::ItemEvent;
use crate::core::types::{Milestone, MilestoneId};
use crate::metric_names::FORGE_REQUESTS;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// What the last calls said about the forge's reachability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForgeHealth {
    /// No call yet: nothing is known (reported as `ok`, see docs/deployment.md).
    Untried,
    /// The last call the forge answered came after the last outage.
    Ok,
    /// The most recent call failed in a way that means the forge is unusable:
    /// unreachable, 5xx after retries, or the token rejected.
    Down { reason: String, since: SystemTime },
}

/// The wrapper; cheap to clone through its `Arc`.
pub struct MeteredForge {
    inner: Arc<dyn Forge>,
    label: &'static str,
    health: Mutex<ForgeHealth>,
}

impl MeteredForge {
    pub fn new(inner: Arc<dyn Forge>) -> MeteredForge {
        let label = inner.kind().name();
        MeteredForge {
            inner,
            label,
            health: Mutex::new(ForgeHealth::Untried),
        }
    }

    pub fn health(&self) -> ForgeHealth {
        self.health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn observe<T>(
        &self,
        call: &'static str,
        result: Result<T, ForgeError>,
    ) -> Result<T, ForgeError> {
        let outcome = outcome_label(&result);
        metrics::counter!(FORGE_REQUESTS, "forge" => self.label, "call" => call, "outcome" => outcome)
            .increment(1);
        let mut health = self
            .health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &result {
            Err(error) if means_down(error) => {
                // Keep the start of an outage, refresh only its reason.
                let since = match &*health {
                    ForgeHealth::Down { since, .. } => *since,
                    _ => SystemTime::now(),
                };
                *health = ForgeHealth::Down {
                    reason: error.to_string(),
                    since,
                };
            }
            // Any other answer (404, 403, 429 included) proves the forge is up.
            _ => *health = ForgeHealth::Ok,
        }
        drop(health);
        result
    }
}

fn outcome_label<T>(result: &Result<T, ForgeError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(ForgeError::NotFound(_)) => "not_found",
        Err(ForgeError::RateLimited { .. }) => "rate_limited",
        Err(ForgeError::Unauthorized) => "unauthorized",
        Err(ForgeError::Forbidden(_)) => "forbidden",
        Err(ForgeError::Transport(_)) => "transport",
        Err(ForgeError::Unexpected { .. }) => "unexpected",
        Err(ForgeError::LeaseLost) => "lease_lost",
    }
}

fn means_down(error: &ForgeError) -> bool {
    match error {
        ForgeError::Transport(_) | ForgeError::Unauthorized => true,
        ForgeError::Unexpected { status, .. } => *status >= 500,
        _ => false,
    }
}

#[async_trait]
impl Forge for MeteredForge {
    fn kind(&self) -> ForgeKind {
        self.inner.kind()
    }

    async fn merge_request(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<MergeRequest, ForgeError> {
        let result = self.inner.merge_request(project, number).await;
        self.observe("merge_request", result)
    }

    async fn changed_files(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<ChangedFiles, ForgeError> {
        let result = self.inner.changed_files(project, number).await;
        self.observe("changed_files", result)
    }

    async fn file_text(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let result = self.inner.file_text(project, sha, path).await;
        self.observe("file_text", result)
    }

    async fn milestones(&self, project: &ProjectPath) -> Result<Vec<Milestone>, ForgeError> {
        let result = self.inner.milestones(project).await;
        self.observe("milestones", result)
    }

    async fn update_item(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        update: &ItemUpdate,
    ) -> Result<(), ForgeError> {
        let result = self.inner.update_item(project, kind, number, update).await;
        self.observe("update_item", result)
    }

    async fn ensure_label(
        &self,
        project: &ProjectPath,
        name: &str,
        color: &str,
    ) -> Result<(), ForgeError> {
        let result = self.inner.ensure_label(project, name, color).await;
        self.observe("ensure_label", result)
    }

    async fn set_milestone_description(
        &self,
        project: &ProjectPath,
        milestone: MilestoneId,
        description: &str,
    ) -> Result<(), ForgeError> {
        let result = self
            .inner
            .set_milestone_description(project, milestone, description)
            .await;
        self.observe("set_milestone_description", result)
    }

    async fn upsert_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<CommentId, ForgeError> {
        let result = self
            .inner
            .upsert_comment(project, kind, number, known, marker, body)
            .await;
        self.observe("upsert_comment", result)
    }

    async fn set_status(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        status: &CommitStatus,
    ) -> Result<(), ForgeError> {
        let result = self.inner.set_status(project, sha, status).await;
        self.observe("set_status", result)
    }

    async fn issue(&self, project: &ProjectPath, number: ItemNumber) -> Result<Issue, ForgeError> {
        let result = self.inner.issue(project, number).await;
        self.observe("issue", result)
    }

    async fn open_merge_requests(
        &self,
        project: &ProjectPath,
    ) -> Result<Vec<MergeRequest>, ForgeError> {
        let result = self.inner.open_merge_requests(project).await;
        self.observe("open_merge_requests", result)
    }

    async fn labelled_issues(
        &self,
        project: &ProjectPath,
        label: &str,
    ) -> Result<Vec<Issue>, ForgeError> {
        let result = self.inner.labelled_issues(project, label).await;
        self.observe("labelled_issues", result)
    }

    async fn item_events(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        wanted: History,
    ) -> Result<Vec<ItemEvent>, ForgeError> {
        let result = self.inner.item_events(project, kind, number, wanted).await;
        self.observe("item_events", result)
    }

    async fn account(&self, project: &ProjectPath) -> Result<String, ForgeError> {
        let result = self.inner.account(project).await;
        self.observe("account", result)
    }

    async fn find_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<PostedComment>, ForgeError> {
        let result = self.inner.find_comment(project, kind, number, marker).await;
        self.observe("find_comment", result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A forge whose every call ends in the error it is given (or succeeds).
    struct Scripted(Mutex<Option<ForgeError>>);

    impl Scripted {
        fn answer<T: Default>(&self) -> Result<T, ForgeError> {
            match self.0.lock().unwrap().clone() {
                Some(error) => Err(error),
                None => Ok(T::default()),
            }
        }
    }

    #[async_trait]
    impl Forge for Scripted {
        fn kind(&self) -> ForgeKind {
            ForgeKind::GitLab
        }
        async fn merge_request(
            &self,
            _: &ProjectPath,
            _: ItemNumber,
        ) -> Result<MergeRequest, ForgeError> {
            Err(ForgeError::NotFound("unused".into()))
        }
        async fn changed_files(
            &self,
            _: &ProjectPath,
            _: ItemNumber,
        ) -> Result<ChangedFiles, ForgeError> {
            self.answer()
        }
        async fn file_text(
            &self,
            _: &ProjectPath,
            _: &CommitSha,
            _: &str,
        ) -> Result<Option<String>, ForgeError> {
            self.answer()
        }
        async fn milestones(&self, _: &ProjectPath) -> Result<Vec<Milestone>, ForgeError> {
            self.answer()
        }
        async fn update_item(
            &self,
            _: &ProjectPath,
            _: ItemKind,
            _: ItemNumber,
            _: &ItemUpdate,
        ) -> Result<(), ForgeError> {
            self.answer()
        }
        async fn ensure_label(&self, _: &ProjectPath, _: &str, _: &str) -> Result<(), ForgeError> {
            self.answer()
        }
        async fn set_milestone_description(
            &self,
            _: &ProjectPath,
            _: MilestoneId,
            _: &str,
        ) -> Result<(), ForgeError> {
            self.answer()
        }
        async fn upsert_comment(
            &self,
            _: &ProjectPath,
            _: ItemKind,
            _: ItemNumber,
            _: Option<CommentId>,
            _: &str,
            _: &str,
        ) -> Result<CommentId, ForgeError> {
            self.answer::<()>().map(|_| CommentId(1))
        }
        async fn set_status(
            &self,
            _: &ProjectPath,
            _: &CommitSha,
            _: &CommitStatus,
        ) -> Result<(), ForgeError> {
            self.answer()
        }
        async fn issue(&self, _: &ProjectPath, _: ItemNumber) -> Result<Issue, ForgeError> {
            Err(ForgeError::NotFound("unused".into()))
        }
        async fn open_merge_requests(
            &self,
            _: &ProjectPath,
        ) -> Result<Vec<MergeRequest>, ForgeError> {
            self.answer()
        }
        async fn labelled_issues(
            &self,
            _: &ProjectPath,
            _: &str,
        ) -> Result<Vec<Issue>, ForgeError> {
            self.answer()
        }
        async fn item_events(
            &self,
            _: &ProjectPath,
            _: ItemKind,
            _: ItemNumber,
            _: History,
        ) -> Result<Vec<ItemEvent>, ForgeError> {
            self.answer()
        }
        async fn account(&self, _: &ProjectPath) -> Result<String, ForgeError> {
            self.answer()
        }
        async fn find_comment(
            &self,
            _: &ProjectPath,
            _: ItemKind,
            _: ItemNumber,
            _: &str,
        ) -> Result<Option<PostedComment>, ForgeError> {
            self.answer()
        }
    }

    fn metered(error: Option<ForgeError>) -> (Arc<Scripted>, MeteredForge) {
        let inner = Arc::new(Scripted(Mutex::new(error)));
        (inner.clone(), MeteredForge::new(inner))
    }

    fn project() -> ProjectPath {
        ProjectPath("lava/lava".into())
    }

    #[tokio::test]
    async fn a_forge_never_called_is_untried() {
        let (_, forge) = metered(None);
        assert_eq!(forge.health(), ForgeHealth::Untried);
    }

    #[tokio::test]
    async fn a_transport_failure_marks_the_forge_down_until_it_answers_again() {
        let (inner, forge) = metered(Some(ForgeError::Transport("connection refused".into())));
        assert!(forge.milestones(&project()).await.is_err());
        let ForgeHealth::Down { reason, .. } = forge.health() else {
            panic!("expected down, got {:?}", forge.health());
        };
        assert!(reason.contains("connection refused"), "{reason}");

        *inner.0.lock().unwrap() = None;
        forge.milestones(&project()).await.unwrap();
        assert_eq!(forge.health(), ForgeHealth::Ok);
    }

    #[tokio::test]
    async fn answers_that_are_errors_still_prove_the_forge_is_up() {
        for error in [
            ForgeError::NotFound("gone".into()),
            ForgeError::Forbidden("read-only".into()),
            ForgeError::RateLimited { retry_after: None },
            ForgeError::Unexpected {
                status: 422,
                body: String::new(),
            },
        ] {
            let (_, forge) = metered(Some(error.clone()));
            assert!(forge.milestones(&project()).await.is_err());
            assert_eq!(forge.health(), ForgeHealth::Ok, "after {error:?}");
        }
    }

    #[tokio::test]
    async fn server_errors_and_a_rejected_token_mean_down() {
        for error in [
            ForgeError::Unexpected {
                status: 502,
                body: "bad gateway".into(),
            },
            ForgeError::Unauthorized,
        ] {
            let (_, forge) = metered(Some(error.clone()));
            assert!(forge.milestones(&project()).await.is_err());
            assert!(
                matches!(forge.health(), ForgeHealth::Down { .. }),
                "after {error:?}"
            );
        }
    }

    #[test]
    fn every_error_kind_has_its_own_outcome_label() {
        let labels = [
            outcome_label::<()>(&Ok(())),
            outcome_label::<()>(&Err(ForgeError::NotFound(String::new()))),
            outcome_label::<()>(&Err(ForgeError::RateLimited { retry_after: None })),
            outcome_label::<()>(&Err(ForgeError::Unauthorized)),
            outcome_label::<()>(&Err(ForgeError::Forbidden(String::new()))),
            outcome_label::<()>(&Err(ForgeError::Transport(String::new()))),
            outcome_label::<()>(&Err(ForgeError::Unexpected {
                status: 500,
                body: String::new(),
            })),
        ];
        let unique: std::collections::BTreeSet<_> = labels.iter().collect();
        assert_eq!(unique.len(), labels.len());
    }
}
