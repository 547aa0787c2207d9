//! `GitLabClient`: the `Forge` trait over GitLab's REST API, through the
//! `gitlab` crate's `AsyncGitlab` (crate endpoints where they exist, ours in
//! `endpoints.rs` where they do not). Every call is retried on 429/5xx except
//! creating a note, which must not be sent twice (`comments.rs`), and
//! counted by the client's [`Layers`] under its method's name.

use super::endpoints::{EditMilestoneDescription, MilestoneOwner, ProjectMilestones};
use super::model::{GlDiff, GlIssue, GlMergeRequest, GlMilestone};
use super::transport::{Api, Transport, map_api_error};
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
    ProjectPath, Reaction, STATUS_NAME, StatusState, TreeListing, cause_chain,
};
use async_trait::async_trait;
use gitlab::api::projects::{issues, merge_requests, repository};
use gitlab::api::{Endpoint, Pageable};
use gitlab::{AsyncGitlab, GitlabBuilder, GitlabError, ImpersonationClient};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Connection settings; the connection itself is made on first use, so a
/// GitLab that is down at start-up does not stop the bot (docs/deployment.md).
#[derive(Debug, Clone)]
pub struct GitLabSettings {
    /// `https://gitlab.example.org` (or `http://127.0.0.1:PORT` in tests).
    pub url: String,
    pub token: String,
    pub retry: RetryPolicy,
}

/// Cheap to clone: a job's fenced copy shares the connection and the caches.
#[derive(Clone)]
pub struct GitLabClient {
    settings: Arc<GitLabSettings>,
    api: Arc<OnceCell<AsyncGitlab>>,
    /// Owner of each milestone seen, so a group milestone's edits go to its group.
    milestone_owners: Arc<Mutex<HashMap<MilestoneId, MilestoneOwner>>>,
    /// The token's user, whose notes are the bot's own.
    pub(super) bot_username: Arc<OnceCell<String>>,
    /// The token's rate-limit budget, the metering and, for a job, its fence.
    layers: Layers,
}

impl std::fmt::Debug for GitLabClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of logs.
        f.debug_struct("GitLabClient")
            .field("url", &self.settings.url)
            .finish()
    }
}

/// GitLab's commit-status description limit.
const DESCRIPTION_LIMIT: usize = 255;

impl GitLabClient {
    pub fn new(settings: GitLabSettings) -> Result<Self, ForgeError> {
        split_url(&settings.url)?;
        Ok(GitLabClient {
            settings: Arc::new(settings),
            api: Arc::default(),
            milestone_owners: Arc::default(),
            bot_username: Arc::default(),
            layers: Layers::new(ForgeKind::GitLab),
        })
    }

    /// Checks the token now, with `GET /api/v4/user` (whose answer names
    /// the bot's account, kept for later).
    pub async fn connect(&self) -> Result<(), ForgeError> {
        self.bot_username().await.map(|_| ())
    }

    /// The crate's client, built without a token: built with one, the crate
    /// checks it with `GET /user` first, a round trip before every process's
    /// first call (`check` is a fresh process each time). The token goes on
    /// each request instead ([`Self::transport`]); a bad one is refused
    /// (401) by the first real call.
    async fn api(&self) -> Result<&AsyncGitlab, ForgeError> {
        self.api
            .get_or_try_init(|| async {
                let (secure, host) = split_url(&self.settings.url)?;
                let mut builder = GitlabBuilder::new_unauthenticated(host);
                if !secure {
                    builder.insecure();
                }
                builder.build_async().await.map_err(map_gitlab_error)
            })
            .await
    }

    /// The client with this token on every request.
    async fn authenticated(&self) -> Result<Api<'_>, ForgeError> {
        Ok(ImpersonationClient::new(
            self.api().await?,
            self.settings.token.clone(),
        ))
    }

    pub(super) async fn transport(&self) -> Result<Transport<'_>, ForgeError> {
        Ok(Transport {
            client: self.authenticated().await?,
            retry: &self.settings.retry,
            layers: &self.layers,
        })
    }

    pub(super) async fn query<T, E>(&self, endpoint: E) -> Result<T, ForgeError>
    where
        T: serde::de::DeserializeOwned,
        E: Endpoint + Sync,
    {
        self.transport().await?.json(&endpoint).await
    }

    pub(super) async fn query_all<T, E>(&self, endpoint: E) -> Result<Vec<T>, ForgeError>
    where
        T: serde::de::DeserializeOwned,
        E: Endpoint + Pageable + Sync,
    {
        self.transport().await?.all(&endpoint).await
    }

    /// [`Self::query`] tried once: for creating calls, which must not be
    /// repeated blindly ([`RetryPolicy::run_or_find`] decides on a retry).
    pub(super) async fn query_once<T, E>(&self, endpoint: E) -> Result<T, ForgeError>
    where
        T: serde::de::DeserializeOwned,
        E: Endpoint + Sync,
    {
        let once = RetryPolicy::none();
        let transport = Transport {
            client: self.authenticated().await?,
            retry: &once,
            layers: &self.layers,
        };
        transport.json(&endpoint).await
    }

    pub(super) fn retry_policy(&self) -> &RetryPolicy {
        &self.settings.retry
    }

    pub(super) async fn write<E>(&self, endpoint: E) -> Result<(), ForgeError>
    where
        E: Endpoint + Sync,
    {
        self.transport()
            .await?
            .send(&endpoint, None)
            .await
            .map(|_| ())
    }

    async fn milestone_owner(
        &self,
        project: &ProjectPath,
        id: MilestoneId,
    ) -> Result<MilestoneOwner, ForgeError> {
        let known = self
            .milestone_owners
            .lock()
            .expect("lock")
            .get(&id)
            .copied();
        if let Some(owner) = known {
            return Ok(owner);
        }
        // Not seen yet (created since the last listing): list once more.
        self.list_milestones(project).await?;
        let owners = self.milestone_owners.lock().expect("lock");
        Ok(owners.get(&id).copied().unwrap_or(MilestoneOwner::Project))
    }

    /// [`Forge::milestones`], also read inside another call (which counts
    /// as that call alone); notes each milestone's owner.
    async fn list_milestones(&self, project: &ProjectPath) -> Result<Vec<Milestone>, ForgeError> {
        let endpoint = ProjectMilestones {
            project: project.0.as_str().into(),
            include_ancestors: true,
        };
        let found: Vec<GlMilestone> = self.query_all(endpoint).await?;
        let mut owners = self.milestone_owners.lock().expect("lock");
        for milestone in &found {
            let owner = milestone
                .group_id
                .map_or(MilestoneOwner::Project, MilestoneOwner::Group);
            owners.insert(MilestoneId(milestone.id), owner);
        }
        Ok(found.iter().map(GlMilestone::to_neutral).collect())
    }
}

#[async_trait]
impl Forge for GitLabClient {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitLab
    }

    fn fenced(&self, fence: WriteFence) -> Arc<dyn Forge> {
        Arc::new(GitLabClient {
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
                let endpoint = merge_requests::MergeRequest::builder()
                    .project(project.0.as_str())
                    .merge_request(number.0)
                    .build()
                    .map_err(builder_error)?;
                let mr: GlMergeRequest = self.query(endpoint).await?;
                Ok(mr.into_neutral())
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
                let endpoint = merge_requests::MergeRequestDiffs::builder()
                    .project(project.0.as_str())
                    .merge_request(number.0)
                    .build()
                    .map_err(builder_error)?;
                let diffs: Vec<GlDiff> = self.query_all(endpoint).await?;
                Ok(ChangedFiles {
                    files: diffs.into_iter().map(GlDiff::into_neutral).collect(),
                    truncated: false,
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
            .call("milestones", self.list_milestones(project))
            .await
    }

    async fn update_item(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        update: &ItemUpdate,
    ) -> Result<(), ForgeError> {
        self.layers
            .call(
                "update_item",
                self.edit_labels_and_milestone(project, kind, number, update),
            )
            .await
    }

    async fn ensure_label(
        &self,
        project: &ProjectPath,
        name: &str,
        color: &str,
    ) -> Result<(), ForgeError> {
        self.layers
            .call(
                "ensure_label",
                self.create_label_if_missing(project, name, color),
            )
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
                let owner = self.milestone_owner(project, milestone).await?;
                self.write(EditMilestoneDescription {
                    project: project.0.as_str().into(),
                    owner,
                    milestone: milestone.0,
                    description: description.into(),
                })
                .await
            })
            .await
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
        self.layers
            .call(
                "upsert_comment",
                self.upsert_note(project, kind, number, known, marker, body),
            )
            .await
    }

    async fn set_status(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        status: &CommitStatus,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("set_status", async {
                let state = match status.state {
                    StatusState::Pending => repository::commits::CommitStatusState::Pending,
                    StatusState::Success => repository::commits::CommitStatusState::Success,
                    StatusState::Failure => repository::commits::CommitStatusState::Failed,
                };
                let description = truncate(&status.description, DESCRIPTION_LIMIT);
                let mut builder = repository::commits::CreateCommitStatus::builder();
                builder
                    .project(project.0.as_str())
                    .commit(sha.0.as_str())
                    .state(state)
                    .name(STATUS_NAME)
                    .description(description);
                if let Some(url) = &status.target_url {
                    builder.target_url(url.as_str());
                }
                match self.write(builder.build().map_err(builder_error)?).await {
                    // GitLab refuses to move a status to the state it is already in.
                    Err(ForgeError::Unexpected { status: 400, body })
                        if body.contains("Cannot transition status") =>
                    {
                        Ok(())
                    }
                    other => other,
                }
            })
            .await
    }

    async fn issue(&self, project: &ProjectPath, number: ItemNumber) -> Result<Issue, ForgeError> {
        self.layers
            .call("issue", async {
                let endpoint = issues::Issue::builder()
                    .project(project.0.as_str())
                    .issue(number.0)
                    .build()
                    .map_err(builder_error)?;
                let issue: GlIssue = self.query(endpoint).await?;
                Ok(issue.into_neutral())
            })
            .await
    }

    async fn open_merge_requests(
        &self,
        project: &ProjectPath,
    ) -> Result<Vec<MergeRequest>, ForgeError> {
        self.layers
            .call("open_merge_requests", async {
                let endpoint = merge_requests::MergeRequests::builder()
                    .project(project.0.as_str())
                    .state(merge_requests::MergeRequestState::Opened)
                    .build()
                    .map_err(builder_error)?;
                let found: Vec<GlMergeRequest> = self.query_all(endpoint).await?;
                Ok(found
                    .into_iter()
                    .map(GlMergeRequest::into_neutral)
                    .collect())
            })
            .await
    }

    async fn labelled_issues(
        &self,
        project: &ProjectPath,
        label: &str,
    ) -> Result<Vec<Issue>, ForgeError> {
        self.layers
            .call("labelled_issues", async {
                let endpoint = issues::Issues::builder()
                    .project(project.0.as_str())
                    .label(label)
                    .build()
                    .map_err(builder_error)?;
                let found: Vec<GlIssue> = self.query_all(endpoint).await?;
                Ok(found.into_iter().map(GlIssue::into_neutral).collect())
            })
            .await
    }

    async fn item_events(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        wanted: History,
    ) -> Result<Vec<ItemEvent>, ForgeError> {
        self.layers
            .call("item_events", self.history(project, kind, number, wanted))
            .await
    }

    async fn account(&self, _project: &ProjectPath) -> Result<String, ForgeError> {
        self.layers
            .call("account", async {
                self.bot_username().await.map(str::to_string)
            })
            .await
    }

    async fn find_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<PostedComment>, ForgeError> {
        self.layers
            .call("find_comment", async {
                let note = self.find_note(project, kind, number, marker).await?;
                Ok(note.map(|note| PostedComment {
                    id: CommentId(note.id),
                    body: note.body,
                }))
            })
            .await
    }

    async fn access(&self, project: &ProjectPath, user: &str) -> Result<Access, ForgeError> {
        self.layers
            .call("access", self.project_access(project, user))
            .await
    }

    async fn in_group(&self, group: &str, user: &str) -> Result<bool, ForgeError> {
        self.layers
            .call("in_group", self.group_member(group, user))
            .await
    }

    async fn react(
        &self,
        project: &ProjectPath,
        target: CommentRef,
        reaction: Reaction,
    ) -> Result<(), ForgeError> {
        self.layers
            .call("react", self.award(project, target, reaction))
            .await
    }

    async fn comments(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
    ) -> Result<Vec<ItemComment>, ForgeError> {
        self.layers
            .call("comments", self.item_comments(project, kind, number))
            .await
    }
}

/// Splits `https://host[:port][/prefix]` into (is https, `host[:port][/prefix]`).
fn split_url(url: &str) -> Result<(bool, String), ForgeError> {
    let invalid = || ForgeError::Transport(format!("GitLab URL {url:?} is not http(s)://host"));
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(invalid());
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(invalid());
    }
    Ok((secure, host.to_string()))
}

pub(super) fn parse_color(color: &str) -> Option<(u8, u8, u8)> {
    let hex = color.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

fn truncate(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

pub(super) fn builder_error(error: impl std::fmt::Display) -> ForgeError {
    ForgeError::Unexpected {
        status: 0,
        body: format!("could not build the GitLab request: {error}"),
    }
}

fn map_gitlab_error(error: GitlabError) -> ForgeError {
    match error {
        GitlabError::Api { source } => map_api_error(source),
        GitlabError::Communication { source } => ForgeError::Transport(cause_chain(&source)),
        GitlabError::Http { status } => ForgeError::from_status(status.as_u16(), "", None),
        other => ForgeError::Transport(cause_chain(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_scheme_and_host_with_port_and_prefix() {
        assert_eq!(
            split_url("https://gitlab.example.org/").unwrap(),
            (true, "gitlab.example.org".to_string())
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080/gitlab").unwrap(),
            (false, "127.0.0.1:8080/gitlab".to_string())
        );
        assert!(split_url("gitlab.example.org").is_err());
        assert!(split_url("https://").is_err());
    }

    #[test]
    fn label_colours_parse_from_hex() {
        assert_eq!(parse_color("#cc338b"), Some((0xcc, 0x33, 0x8b)));
        assert_eq!(parse_color("cc338b"), None);
        assert_eq!(parse_color("#zz0000"), None);
    }

    #[test]
    fn status_descriptions_are_cut_to_gitlabs_limit() {
        assert_eq!(
            truncate(&"é".repeat(300), DESCRIPTION_LIMIT)
                .chars()
                .count(),
            255
        );
    }
}
