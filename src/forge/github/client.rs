//! [`GitHubClient`]: the [`Forge`] trait over GitHub's REST API, through
//! octocrab with a personal token or as a GitHub App. Every call goes
//! through the shared retry helper (429 and 5xx, honouring `Retry-After`);
//! creating a comment or a check run looks for it before a retry instead of
//! posting again, as a lost answer may hide one GitHub made. Each request
//! goes through the client's [`Layers`] (rate budget, write fence), and
//! each call is counted there under its method's name.

use super::app::Credentials;
use super::history::RestIssueEvent;
use super::model::{RestFile, RestIssue, RestMilestone, RestPull};
use super::rest::{self, JSON, PER_PAGE};
use crate::core::forge_state::ItemEvent;
use crate::core::types::{Milestone, MilestoneId};
use crate::forge::apply::PostedComment;
use crate::forge::layers::Layers;
use crate::forge::metered::ForgeHealth;
use crate::forge::retry::RetryPolicy;
use crate::forge::write_fence::WriteFence;
use crate::forge::{
    Access, ChangedFiles, CommentId, CommentRef, CommitSha, CommitStatus, Forge, ForgeError,
    ForgeKind, History, Issue, ItemComment, ItemKind, ItemNumber, ItemUpdate, MergeRequest,
    MilestoneUpdate, ProjectPath, Reaction, STATUS_NAME, StatusState, TreeListing,
};
use async_trait::async_trait;
use http::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// GitHub lists at most this many files of a pull request.
pub const MAX_LISTED_FILES: usize = 3000;

/// GitHub cuts status descriptions longer than this.
const MAX_STATUS_DESCRIPTION: usize = 140;

/// The GitHub side of the [`Forge`] trait. Cheap to clone: a job's fenced
/// copy shares the credentials (and their token caches) and the caches.
#[derive(Clone)]
pub struct GitHubClient {
    pub(super) credentials: Arc<Credentials>,
    pub(super) retry: RetryPolicy,
    /// The bot's check run on each (repository, head commit), so a new
    /// verdict edits it instead of adding another.
    pub(super) check_runs: Arc<Mutex<HashMap<(String, String), u64>>>,
    /// The credential's rate-limit budget, the metering and, for a job, its fence.
    layers: Layers,
    /// The login GitHub names as the author of this client's comments.
    pub(super) account: Arc<tokio::sync::OnceCell<String>>,
}

impl GitHubClient {
    /// A client acting with a personal or fine-grained token; the gate is a commit status.
    pub fn with_token(api_url: &str, token: &str) -> Result<GitHubClient, ForgeError> {
        Credentials::token(api_url, token).map(GitHubClient::acting_with)
    }

    /// A client acting as a GitHub App installation; the gate is a check run.
    pub fn as_app(
        api_url: &str,
        app_id: u64,
        private_key_pem: &[u8],
    ) -> Result<GitHubClient, ForgeError> {
        Credentials::app(api_url, app_id, private_key_pem).map(GitHubClient::acting_with)
    }

    fn acting_with(credentials: Credentials) -> GitHubClient {
        GitHubClient {
            credentials: Arc::new(credentials),
            retry: RetryPolicy::default(),
            check_runs: Arc::default(),
            layers: Layers::new(ForgeKind::GitHub),
            account: Arc::default(),
        }
    }

    /// Replaces the retry policy (tests use short waits).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> GitHubClient {
        self.retry = retry;
        self
    }

    /// One request, retried per the policy.
    pub(super) async fn call(
        &self,
        project: &ProjectPath,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: &str,
    ) -> Result<rest::Reply, ForgeError> {
        self.call_with(&self.retry, project, method, path, body, accept)
            .await
    }

    /// A creating POST, tried once: it must not be repeated blindly
    /// ([`RetryPolicy::run_or_find`] decides on a retry).
    pub(super) async fn create(
        &self,
        project: &ProjectPath,
        path: &str,
        body: &Value,
    ) -> Result<rest::Reply, ForgeError> {
        let once = RetryPolicy::none();
        self.call_with(&once, project, Method::POST, path, Some(body), JSON)
            .await
    }

    async fn call_with(
        &self,
        retry: &RetryPolicy,
        project: &ProjectPath,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accept: &str,
    ) -> Result<rest::Reply, ForgeError> {
        let write = method != Method::GET;
        retry
            .run(|| async {
                let crab = self.credentials.client_for(project).await?;
                let budget = self.layers.budget();
                let reply = rest::send_paced(&crab, method.clone(), path, body, accept, budget);
                self.layers.request(write, reply).await
            })
            .await
    }

    pub(super) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        project: &ProjectPath,
        path: &str,
    ) -> Result<T, ForgeError> {
        self.call(project, Method::GET, path, None, JSON)
            .await?
            .json()
    }

    /// Every page of a list; each page retried on its own.
    pub(super) async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        project: &ProjectPath,
        path: &str,
    ) -> Result<Vec<T>, ForgeError> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}per_page={PER_PAGE}"));
        let mut items = Vec::new();
        while let Some(page) = next {
            let reply = self.call(project, Method::GET, &page, None, JSON).await?;
            items.extend(reply.json::<Vec<T>>()?);
            next = reply.next_page();
        }
        Ok(items)
    }
}

fn status_words(state: StatusState) -> (&'static str, &'static str) {
    // (commit status state, check run conclusion)
    match state {
        StatusState::Pending => ("pending", ""),
        StatusState::Success => ("success", "success"),
        StatusState::Failure => ("failure", "failure"),
    }
}

fn one_line(text: &str, limit: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= limit {
        line
    } else {
        let cut: String = line.chars().take(limit - 1).collect();
        format!("{cut}…")
    }
}

#[async_trait]
impl Forge for GitHubClient {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitHub
    }

    fn fenced(&self, fence: WriteFence) -> Arc<dyn Forge> {
        Arc::new(GitHubClient {
            layers: self.layers.fenced(fence),
            ..self.clone()
        })
    }

    fn health(&self) -> ForgeHealth {
        self.layers.health()
    }

    async fn merge_request(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<MergeRequest, ForgeError> {
        self.layers
            .call("merge_request", async {
                let path = format!("/repos/{}/pulls/{number}", project.0);
                let pull: RestPull = self.get_json(project, &path).await?;
                Ok(pull.into_merge_request())
            })
            .await
    }

    async fn changed_files(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<ChangedFiles, ForgeError> {
        self.layers
            .call("changed_files", async {
                let path = format!("/repos/{}/pulls/{number}/files", project.0);
                let listed: Vec<RestFile> = self.get_all(project, &path).await?;
                // GitHub stops listing at 3,000 files; only the PR itself knows the real count.
                let truncated = if listed.len() >= MAX_LISTED_FILES {
                    let pull_path = format!("/repos/{}/pulls/{number}", project.0);
                    let pull: RestPull = self.get_json(project, &pull_path).await?;
                    pull.changed_files
                        .is_some_and(|count| count > listed.len() as u64)
                } else {
                    false
                };
                Ok(ChangedFiles {
                    files: listed
                        .into_iter()
                        .filter_map(RestFile::into_change)
                        .collect(),
                    truncated,
                })
            })
            .await
    }

    async fn file_text(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let text = self.raw_file(project, sha, path);
        self.layers.call("file_text", text).await
    }

    async fn branch_head(
        &self,
        project: &ProjectPath,
        branch: &str,
    ) -> Result<CommitSha, ForgeError> {
        let head = self.head_of(project, branch);
        self.layers.call("branch_head", head).await
    }

    async fn list_tree(
        &self,
        project: &ProjectPath,
        commit: &CommitSha,
        dirs: &[String],
    ) -> Result<TreeListing, ForgeError> {
        let tree = self.tree_under(project, commit, dirs);
        self.layers.call("list_tree", tree).await
    }

    async fn milestones(&self, project: &ProjectPath) -> Result<Vec<Milestone>, ForgeError> {
        self.layers
            .call("milestones", async {
                let path = format!("/repos/{}/milestones?state=all", project.0);
                let listed: Vec<RestMilestone> = self.get_all(project, &path).await?;
                Ok(listed
                    .into_iter()
                    .map(RestMilestone::into_milestone)
                    .collect())
            })
            .await
    }

    /// One `PATCH /issues/{n}` for labels and milestone together. GitHub's
    /// `labels` replaces the whole set, so label changes read the current set first.
    async fn update_item(
        &self,
        project: &ProjectPath,
        _kind: ItemKind,
        number: ItemNumber,
        update: &ItemUpdate,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("update_item", async {
                if update.is_empty() {
                    return Ok(());
                }
                let path = format!("/repos/{}/issues/{number}", project.0);
                let mut body = json!({});
                if !update.add_labels.is_empty() || !update.remove_labels.is_empty() {
                    let current: RestIssue = self.get_json(project, &path).await?;
                    let mut labels: Vec<String> = current
                        .labels
                        .into_iter()
                        .map(|l| l.name)
                        .filter(|name| {
                            !update
                                .remove_labels
                                .iter()
                                .any(|r| r.eq_ignore_ascii_case(name))
                        })
                        .collect();
                    for added in &update.add_labels {
                        if !labels.iter().any(|l| l.eq_ignore_ascii_case(added)) {
                            labels.push(added.clone());
                        }
                    }
                    body["labels"] = json!(labels);
                }
                match update.milestone {
                    Some(MilestoneUpdate::Set(MilestoneId(milestone))) => {
                        body["milestone"] = json!(milestone)
                    }
                    Some(MilestoneUpdate::Clear) => body["milestone"] = Value::Null,
                    None => {}
                }
                self.call(project, Method::PATCH, &path, Some(&body), JSON)
                    .await?;
                Ok(())
            })
            .await
    }

    async fn ensure_label(
        &self,
        project: &ProjectPath,
        name: &str,
        color: &str,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("ensure_label", async {
                let path = format!("/repos/{}/labels", project.0);
                let body = json!({"name": name, "color": color.trim_start_matches('#')});
                match self
                    .call(project, Method::POST, &path, Some(&body), JSON)
                    .await
                {
                    Ok(_) => Ok(()),
                    // 422 with code already_exists: the label is there, which is all we want.
                    Err(ForgeError::Unexpected { status: 422, body })
                        if body.contains("already_exists") =>
                    {
                        Ok(())
                    }
                    Err(other) => Err(other),
                }
            })
            .await
    }

    async fn set_milestone_description(
        &self,
        project: &ProjectPath,
        milestone: MilestoneId,
        description: &str,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("set_milestone_description", async {
                let path = format!("/repos/{}/milestones/{milestone}", project.0);
                let body = json!({"description": description});
                self.call(project, Method::PATCH, &path, Some(&body), JSON)
                    .await?;
                Ok(())
            })
            .await
    }

    async fn upsert_comment(
        &self,
        project: &ProjectPath,
        _kind: ItemKind,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<CommentId, ForgeError> {
        self.layers
            .call(
                "upsert_comment",
                self.upsert_marked_comment(project, number, known, marker, body),
            )
            .await
    }

    /// A check run when acting as an App (they need one), else a commit status.
    async fn set_status(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        status: &CommitStatus,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("set_status", async {
                let description = one_line(&status.description, MAX_STATUS_DESCRIPTION);
                let (state, conclusion) = status_words(status.state);
                if self.credentials.is_app() {
                    let mut body = json!({
                        "name": STATUS_NAME,
                        "head_sha": sha.0,
                        "output": {"title": description, "summary": status.description},
                    });
                    if status.state == StatusState::Pending {
                        body["status"] = json!("in_progress");
                    } else {
                        body["status"] = json!("completed");
                        body["conclusion"] = json!(conclusion);
                    }
                    if let Some(url) = &status.target_url {
                        body["details_url"] = json!(url);
                    }
                    return self.write_check_run(project, sha, &body).await;
                }
                let body = json!({
                    "state": state,
                    "context": STATUS_NAME,
                    "description": description,
                    "target_url": status.target_url,
                });
                let path = format!("/repos/{}/statuses/{sha}", project.0);
                self.call(project, Method::POST, &path, Some(&body), JSON)
                    .await?;
                Ok(())
            })
            .await
    }

    async fn issue(&self, project: &ProjectPath, number: ItemNumber) -> Result<Issue, ForgeError> {
        self.layers
            .call("issue", async {
                let path = format!("/repos/{}/issues/{number}", project.0);
                let issue: RestIssue = self.get_json(project, &path).await?;
                Ok(issue.into_issue())
            })
            .await
    }

    async fn open_merge_requests(
        &self,
        project: &ProjectPath,
    ) -> Result<Vec<MergeRequest>, ForgeError> {
        self.layers
            .call("open_merge_requests", async {
                let path = format!("/repos/{}/pulls?state=open", project.0);
                let pulls: Vec<RestPull> = self.get_all(project, &path).await?;
                Ok(pulls
                    .into_iter()
                    .map(RestPull::into_merge_request)
                    .collect())
            })
            .await
    }

    /// The Issues API lists pull requests too; those are left out.
    async fn labelled_issues(
        &self,
        project: &ProjectPath,
        label: &str,
    ) -> Result<Vec<Issue>, ForgeError> {
        self.layers
            .call("labelled_issues", async {
                let label: String =
                    url::form_urlencoded::byte_serialize(label.as_bytes()).collect();
                let path = format!("/repos/{}/issues?labels={label}&state=all", project.0);
                let issues: Vec<RestIssue> = self.get_all(project, &path).await?;
                Ok(issues
                    .into_iter()
                    .filter(|i| !i.is_pull_request())
                    .map(RestIssue::into_issue)
                    .collect())
            })
            .await
    }

    async fn item_events(
        &self,
        project: &ProjectPath,
        _kind: ItemKind,
        number: ItemNumber,
        _wanted: History,
    ) -> Result<Vec<ItemEvent>, ForgeError> {
        self.layers
            .call("item_events", async {
                // One list holds labels and milestones alike, for issues and PRs.
                let path = format!("/repos/{}/issues/{number}/events", project.0);
                let events: Vec<RestIssueEvent> = self.get_all(project, &path).await?;
                Ok(events
                    .into_iter()
                    .filter_map(RestIssueEvent::into_neutral)
                    .collect())
            })
            .await
    }

    async fn account(&self, project: &ProjectPath) -> Result<String, ForgeError> {
        self.layers
            .call("account", async {
                self.bot_account(project).await.map(str::to_string)
            })
            .await
    }

    async fn find_comment(
        &self,
        project: &ProjectPath,
        _kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<PostedComment>, ForgeError> {
        self.layers
            .call("find_comment", async {
                let found = self.find_marked(project, number, None, marker).await?;
                Ok(found.map(|c| PostedComment {
                    id: CommentId(c.id),
                    body: c.body.unwrap_or_default(),
                }))
            })
            .await
    }

    async fn access(&self, project: &ProjectPath, user: &str) -> Result<Access, ForgeError> {
        self.layers
            .call("access", self.repository_access(project, user))
            .await
    }

    async fn in_group(&self, group: &str, user: &str) -> Result<bool, ForgeError> {
        self.layers
            .call("in_group", self.team_member(group, user))
            .await
    }

    async fn react(
        &self,
        project: &ProjectPath,
        target: CommentRef,
        reaction: Reaction,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("react", self.leave_reaction(project, target, reaction))
            .await
    }

    /// Issues and pull requests share one comment list on GitHub.
    async fn comments(
        &self,
        project: &ProjectPath,
        _kind: ItemKind,
        number: ItemNumber,
    ) -> Result<Vec<ItemComment>, ForgeError> {
        self.layers
            .call("comments", self.item_comments(project, number))
            .await
    }
}
