//! The LAVA story's GitLab side: the fake GitLab, `Merge Request Hook`s
//! and friends, and GitLab's words for states (`failed`, `active`).

use super::{Item, MrSpec, PROJECT, StoryForge, Verdict};
use crate::fake_gitlab::state::{Flaky, Noteable};
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use crate::support::serve::{fast_retry, gitlab_client_retrying};
use crate::support::webhooks::Delivery;
use crate::support::webhooks::gitlab::{self as hooks, IssueChanges, MrAction, MrChanges};
use chrono::NaiveDate;
use schemagate::engine::Forges;
use schemagate::forge::STATUS_NAME;
use schemagate::forge::retry::RetryPolicy;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct GitLabStory {
    fake: FakeGitLab,
    /// The server's retry policy: the tests' quick one, or as deployed when flaky.
    retry: RetryPolicy,
    project: u64,
    next_iid: AtomicU64,
}

impl GitLabStory {
    pub async fn start() -> GitLabStory {
        Self::start_with(None).await
    }

    /// The story against the fake's seeded flaky mode; `schemagate check`'s
    /// read-only token is spared (see `flaky.rs`).
    pub async fn start_flaky(seed: u64) -> GitLabStory {
        Self::start_with(Some(seed)).await
    }

    async fn start_with(flaky: Option<u64>) -> GitLabStory {
        let fake = FakeGitLab::start().await;
        if let Some(seed) = flaky {
            fake.set_flaky(Flaky::new(seed).sparing(crate::fake_gitlab::READ_ONLY_TOKEN));
        }
        fake.add_group("lava");
        let project = fake.add_project(PROJECT);
        GitLabStory {
            fake,
            retry: flaky.map_or_else(fast_retry, |_| RetryPolicy::default()),
            project,
            next_iid: AtomicU64::new(1),
        }
    }

    fn diffs(files: Vec<(String, String)>) -> Vec<Diff> {
        files
            .iter()
            .map(|(path, text)| Diff::added(path, &text.lines().collect::<Vec<_>>()))
            .collect()
    }

    fn seed_files(&self, sha: &str, files: &[(String, String)]) {
        for (path, text) in files {
            self.fake.add_file(self.project, sha, path, text);
        }
    }

    /// Sets a milestone's start date on the forge, with no webhook (as when
    /// a date written long ago comes round).
    pub fn set_start_date(&self, milestone: u64, start: NaiveDate) {
        let mut state = self.fake.state();
        let found = state
            .milestones
            .iter_mut()
            .find(|m| m.id == milestone)
            .expect("a seeded milestone");
        found.start_date = Some(start.format("%Y-%m-%d").to_string());
    }

    fn update(&self, number: u64, changes: MrChanges) -> Delivery {
        hooks::merge_request(&self.fake, self.project, number, MrAction::Update(changes))
    }
}

/// `.../merge_requests/7/notes/12?x` → the number after `segment`.
fn number_after(uri: &str, segment: &str) -> Option<u64> {
    let path = uri.split('?').next()?;
    let mut parts = path.split('/');
    parts.find(|p| *p == segment)?;
    parts.next()?.parse().ok()
}

impl StoryForge for GitLabStory {
    fn name(&self) -> &'static str {
        "GitLab"
    }

    fn config_word(&self) -> &'static str {
        "gitlab"
    }

    fn config(&self) -> String {
        format!(
            "[server]\nsync_interval = \"1w\"\n\n[gitlab]\nurl = \"{}\"\n",
            self.fake.url
        )
    }

    fn forges(&self) -> Forges {
        Forges {
            gitlab: Some(gitlab_client_retrying(&self.fake.url, TOKEN, self.retry)),
            github: None,
        }
    }

    fn auth_header(&self) -> &'static str {
        "X-Gitlab-Token"
    }

    fn check_setup(&self) -> (String, Vec<(&'static str, &'static str)>) {
        (
            format!(
                "[gitlab]\nurl = \"{}\"\ntoken_env = \"CHECK_TOKEN\"\n",
                self.fake.url
            ),
            vec![("CHECK_TOKEN", crate::fake_gitlab::READ_ONLY_TOKEN)],
        )
    }

    fn person_describes_milestone(&self, milestone: u64, text: &str) {
        self.fake.set_milestone_description(milestone, text);
    }

    fn add_milestone(&self, title: &str, due: NaiveDate) -> u64 {
        let due = due.format("%Y-%m-%d").to_string();
        self.fake
            .add_milestone(Some(self.project), None, title, "active", Some(&due))
    }

    fn milestone_created(&self, milestone: u64) -> Delivery {
        hooks::milestone(&self.fake, milestone, "create")
    }

    fn add_issue(&self, number: u64, title: &str) {
        self.fake.add_issue(self.project, number, &[]);
        self.fake
            .set_issue_text(self.project, number, title, "Scheduling needs priorities.");
    }

    fn open_mr(&self, spec: &MrSpec<'_>) -> (u64, Delivery) {
        let iid = self.next_iid.fetch_add(1, Ordering::Relaxed);
        self.seed_files(spec.sha, &spec.files);
        self.fake
            .add_merge_request(self.project, iid, spec.sha, Self::diffs(spec.files.clone()));
        self.fake
            .set_merge_request_text(self.project, iid, spec.title, spec.description);
        self.fake
            .person_sets_milestone(self.project, iid, spec.milestone);
        let delivery = hooks::merge_request(&self.fake, self.project, iid, MrAction::Open);
        (iid, delivery)
    }

    fn push(&self, number: u64, sha: &str, files: Vec<(String, String)>) -> Delivery {
        self.seed_files(sha, &files);
        let oldrev = self
            .fake
            .push(self.project, number, sha, Self::diffs(files));
        self.update(
            number,
            MrChanges {
                oldrev: Some(oldrev),
                ..MrChanges::default()
            },
        )
    }

    fn person_removes_label(&self, number: u64, label: &str) -> Delivery {
        let before = self.fake.mr_labels(self.project, number);
        let after: Vec<&str> = before
            .iter()
            .map(String::as_str)
            .filter(|l| *l != label)
            .collect();
        self.fake.person_sets_labels(self.project, number, &after);
        self.update(
            number,
            MrChanges {
                labels_before: Some(before),
                ..MrChanges::default()
            },
        )
    }

    fn close_milestone(&self, milestone: u64) -> Delivery {
        self.fake.set_milestone_state(milestone, "closed");
        hooks::milestone(&self.fake, milestone, "close")
    }

    fn merge_mr(&self, number: u64) -> Delivery {
        self.fake
            .set_merge_request_state(self.project, number, "merged");
        hooks::merge_request(&self.fake, self.project, number, MrAction::Merge)
    }

    fn unchanged_update(&self, number: u64) -> Delivery {
        self.update(number, MrChanges::default())
    }

    fn mark(&self) -> usize {
        self.fake.request_mark()
    }

    fn writes_since(&self, mark: usize) -> Vec<String> {
        self.fake.writes_since(mark)
    }

    fn bot_calls(&self) -> usize {
        let state = self.fake.state();
        let bot = |r: &&crate::fake_gitlab::state::Request| r.token.as_deref() == Some(TOKEN);
        state.requests.iter().filter(bot).count()
    }

    fn flaky_tally(&self) -> Option<crate::fake_gitlab::flaky::Tally> {
        self.fake.flaky_tally()
    }

    /// GitLab sends an MR or issue hook when the bot edits labels or the
    /// milestone, and a note hook for the bot's own comment. Commit statuses,
    /// labels and milestone descriptions send none the bot subscribes to.
    /// Writes a flaky fake refused before serving changed nothing and send none.
    fn echoes_since(&self, mark: usize) -> Vec<Delivery> {
        let writes: Vec<(String, String, String)> = self
            .fake
            .state()
            .requests
            .iter()
            .skip(mark)
            .filter(|r| r.method != "GET" && r.served())
            .map(|r| (r.method.clone(), r.route.clone(), r.uri.clone()))
            .collect();
        let mut echoes = Vec::new();
        for (method, route, uri) in writes {
            let route = route.trim_start_matches("/api/v4");
            match (method.as_str(), route) {
                ("PUT", "/projects/{id}/merge_requests/{iid}") => {
                    if let Some(iid) = number_after(&uri, "merge_requests") {
                        echoes.push(self.update(iid, MrChanges::default()));
                    }
                }
                ("PUT", "/projects/{id}/issues/{iid}") => {
                    if let Some(iid) = number_after(&uri, "issues") {
                        echoes.push(hooks::issue(
                            &self.fake,
                            self.project,
                            iid,
                            "update",
                            IssueChanges::default(),
                        ));
                    }
                }
                ("POST" | "PUT", r) if r.contains("/notes") => {
                    let (kind, segment) = if r.contains("merge_requests") {
                        (Noteable::MergeRequest, "merge_requests")
                    } else {
                        (Noteable::Issue, "issues")
                    };
                    let Some(iid) = number_after(&uri, segment) else {
                        continue;
                    };
                    let note = number_after(&uri, "notes").or_else(|| {
                        self.fake
                            .bot_notes_on(self.project, kind, iid)
                            .last()
                            .map(|n| n.id)
                    });
                    if let Some(note) = note {
                        let action = if method == "POST" { "create" } else { "update" };
                        echoes.push(hooks::note(&self.fake, note, action));
                    }
                }
                _ => {}
            }
        }
        echoes
    }

    fn labels(&self, item: Item) -> Vec<String> {
        match item {
            Item::Mr(n) => self.fake.mr_labels(self.project, n),
            Item::Issue(n) => self.fake.issue_labels(self.project, n),
        }
    }

    fn milestone_of(&self, item: Item) -> Option<String> {
        match item {
            Item::Mr(n) => self.fake.mr_milestone_title(self.project, n),
            Item::Issue(n) => self.fake.issue_milestone_title(self.project, n),
        }
    }

    fn bot_comments(&self, item: Item) -> Vec<String> {
        let (kind, n) = match item {
            Item::Mr(n) => (Noteable::MergeRequest, n),
            Item::Issue(n) => (Noteable::Issue, n),
        };
        self.fake
            .bot_notes_on(self.project, kind, n)
            .into_iter()
            .map(|note| note.body)
            .collect()
    }

    fn head_status(&self, number: u64) -> Option<Verdict> {
        let sha = self.fake.merge_request(self.project, number).sha;
        let status = self.fake.latest_status(self.project, &sha, STATUS_NAME)?;
        let state = match status.state.as_str() {
            "failed" => "failure".to_string(),
            "running" => "pending".to_string(),
            other => other.to_string(),
        };
        Some(Verdict {
            state,
            description: status.description.unwrap_or_default(),
        })
    }

    fn milestone_description(&self, milestone: u64) -> String {
        self.fake.milestone(milestone).description
    }

    fn milestone_state(&self, milestone: u64) -> (String, bool) {
        let milestone = self.fake.milestone(milestone);
        (milestone.title, milestone.state == "active")
    }

    fn grant(&self, user: &str, can_merge: bool) {
        self.fake
            .add_project_member(self.project, user, if can_merge { 40 } else { 30 });
    }

    fn person_comments(&self, number: u64, author: &str, body: &str) -> (u64, Delivery) {
        let id = self.fake.add_note(
            self.project,
            Noteable::MergeRequest,
            number,
            author,
            body,
            false,
        );
        (id, hooks::note(&self.fake, id, "create"))
    }

    fn reactions_on(&self, comment: u64) -> Vec<&'static str> {
        self.fake
            .awards_on(comment)
            .iter()
            .map(|(name, _)| if name == "thumbsup" { "up" } else { "down" })
            .collect()
    }

    fn silently_set_milestone(&self, number: u64, milestone: u64) {
        self.fake
            .person_sets_milestone(self.project, number, Some(milestone));
    }
}

#[test]
fn numbers_are_read_from_request_paths() {
    let uri = "/api/v4/projects/lava%2Flava/merge_requests/7/notes/1012?x=1";
    assert_eq!(number_after(uri, "merge_requests"), Some(7));
    assert_eq!(number_after(uri, "notes"), Some(1012));
    assert_eq!(
        number_after("/api/v4/projects/1/issues/12", "issues"),
        Some(12)
    );
    assert_eq!(number_after("/api/v4/projects/1/issues", "issues"), None);
}
