//! The LAVA story's GitHub side: the fake GitHub with a personal token
//! (the gate is a commit status), `pull_request`/`milestone` deliveries, and
//! GitHub's shared numbering of issues and pull requests.

use super::{Item, LABEL, MrSpec, PROJECT, StoryForge, Verdict};
use crate::fake_github::state::{Access, Caller, Flaky, Issue, PrFile};
use crate::fake_github::{FakeGitHub, PullSeed};
use crate::support::serve::{fast_retry, github_client_retrying};
use crate::support::webhooks::Delivery;
use crate::support::webhooks::github::{self as hooks, IssueAction, MilestoneAction, PrAction};
use chrono::NaiveDate;
use schemagate::engine::Forges;
use schemagate::forge::STATUS_NAME;
use schemagate::forge::retry::RetryPolicy;

const TOKEN: &str = "ghp_e2e_read_write";
/// The token `schemagate check` runs with: its writes would get 403.
const READ_ONLY_TOKEN: &str = "ghp_e2e_read_only";

pub struct GitHubStory {
    fake: FakeGitHub,
    /// The server's retry policy: the tests' quick one, or as deployed when flaky.
    retry: RetryPolicy,
}

impl GitHubStory {
    pub async fn start() -> GitHubStory {
        Self::start_with(None).await
    }

    /// The story against the fake's seeded flaky mode; `schemagate check`'s
    /// read-only token is spared (see `flaky.rs`).
    pub async fn start_flaky(seed: u64) -> GitHubStory {
        Self::start_with(Some(seed)).await
    }

    async fn start_with(flaky: Option<u64>) -> GitHubStory {
        let fake = FakeGitHub::start().await;
        if let Some(seed) = flaky {
            fake.set_flaky(Flaky::new(seed).sparing(READ_ONLY_TOKEN));
        }
        let (owner, name) = PROJECT.split_once('/').unwrap();
        fake.add_repo(owner, name);
        fake.add_token(TOKEN, Access::ReadWrite);
        fake.add_token(READ_ONLY_TOKEN, Access::ReadOnly);
        GitHubStory {
            fake,
            retry: flaky.map_or_else(fast_retry, |_| RetryPolicy::default()),
        }
    }

    fn files(files: &[(String, String)]) -> Vec<PrFile> {
        files
            .iter()
            .map(|(path, text)| {
                let lines: String = text.lines().map(|l| format!("+{l}\n")).collect();
                PrFile {
                    filename: path.clone(),
                    status: "added".into(),
                    previous_filename: None,
                    patch: Some(format!("@@ -0,0 +1,{} @@\n{lines}", text.lines().count())),
                }
            })
            .collect()
    }

    fn seed_contents(&self, sha: &str, files: &[(String, String)]) {
        for (path, text) in files {
            self.fake.set_content(PROJECT, sha, path, text);
        }
    }

    fn is_pull(&self, number: u64) -> bool {
        self.fake.issue(PROJECT, number).pull.is_some()
    }
}

/// `/repos/o/r/issues/comments/12?x` → the number after `segment`.
fn number_after(path: &str, segment: &str) -> Option<u64> {
    let path = path.split('?').next()?;
    let mut parts = path.split('/');
    parts.find(|p| *p == segment)?;
    parts.next()?.parse().ok()
}

impl StoryForge for GitHubStory {
    fn name(&self) -> &'static str {
        "GitHub"
    }

    fn config_word(&self) -> &'static str {
        "github"
    }

    fn config(&self) -> String {
        format!(
            "[server]\nsync_interval = \"1w\"\n\n[github]\napi_url = \"{}\"\n",
            self.fake.base_url()
        )
    }

    fn forges(&self) -> Forges {
        Forges {
            gitlab: None,
            github: Some(github_client_retrying(
                self.fake.base_url(),
                TOKEN,
                self.retry,
            )),
        }
    }

    fn auth_header(&self) -> &'static str {
        "X-Hub-Signature-256"
    }

    fn check_setup(&self) -> (String, Vec<(&'static str, &'static str)>) {
        (
            format!(
                "[github]\napi_url = \"{}\"\ntoken_env = \"CHECK_TOKEN\"\n",
                self.fake.base_url()
            ),
            vec![("CHECK_TOKEN", READ_ONLY_TOKEN)],
        )
    }

    fn person_describes_milestone(&self, milestone: u64, text: &str) {
        self.fake
            .set_milestone_description(PROJECT, milestone, text);
    }

    fn add_milestone(&self, title: &str, due: NaiveDate) -> u64 {
        // GitHub stores the chosen day at 07:00 or 08:00 UTC.
        let due = format!("{}T08:00:00Z", due.format("%Y-%m-%d"));
        self.fake.add_milestone(PROJECT, title, "open", Some(&due))
    }

    fn milestone_created(&self, milestone: u64) -> Delivery {
        hooks::milestone(&self.fake, PROJECT, milestone, MilestoneAction::Created)
    }

    fn add_issue(&self, number: u64, title: &str) {
        self.fake.with_state(|s| {
            let id = s.fresh_id();
            let repo = s.repos.get_mut(PROJECT).unwrap();
            assert!(
                !repo.issues.contains_key(&number),
                "issue #{number} is taken"
            );
            repo.issues.insert(
                number,
                Issue {
                    id,
                    number,
                    title: title.into(),
                    body: Some("Scheduling needs priorities.".into()),
                    state: "open".into(),
                    labels: Vec::new(),
                    milestone: None,
                    author: "reporter".into(),
                    pull: None,
                },
            );
        });
    }

    fn open_mr(&self, spec: &MrSpec<'_>) -> (u64, Delivery) {
        self.seed_contents(spec.sha, &spec.files);
        let number = self.fake.add_pull(
            PROJECT,
            PullSeed {
                title: spec.title,
                body: spec.description,
                head_sha: spec.sha,
                labels: &[],
                milestone: spec.milestone,
            },
        );
        self.fake
            .set_files(PROJECT, number, Self::files(&spec.files));
        (
            number,
            hooks::pull_request(&self.fake, PROJECT, number, PrAction::Opened),
        )
    }

    fn push(&self, number: u64, sha: &str, files: Vec<(String, String)>) -> Delivery {
        self.seed_contents(sha, &files);
        let before = self.fake.push(PROJECT, number, sha, Self::files(&files));
        hooks::pull_request(
            &self.fake,
            PROJECT,
            number,
            PrAction::Synchronize { before },
        )
    }

    fn person_removes_label(&self, number: u64, label: &str) -> Delivery {
        let before = self.fake.labels_of(PROJECT, number);
        let after: Vec<&str> = before
            .iter()
            .map(String::as_str)
            .filter(|l| *l != label)
            .collect();
        self.fake.person_sets_labels(PROJECT, number, &after);
        hooks::pull_request(
            &self.fake,
            PROJECT,
            number,
            PrAction::Unlabeled(label.into()),
        )
    }

    fn close_milestone(&self, milestone: u64) -> Delivery {
        self.fake.set_milestone_state(PROJECT, milestone, "closed");
        hooks::milestone(&self.fake, PROJECT, milestone, MilestoneAction::Closed)
    }

    fn merge_mr(&self, number: u64) -> Delivery {
        self.fake.close_pull(PROJECT, number, true);
        hooks::pull_request(&self.fake, PROJECT, number, PrAction::Closed)
    }

    fn unchanged_update(&self, number: u64) -> Delivery {
        let body = self.fake.issue(PROJECT, number).body;
        hooks::pull_request(
            &self.fake,
            PROJECT,
            number,
            PrAction::Edited { body_before: body },
        )
    }

    fn mark(&self) -> usize {
        self.fake.request_mark()
    }

    fn writes_since(&self, mark: usize) -> Vec<String> {
        self.fake.writes_since(mark)
    }

    fn bot_calls(&self) -> usize {
        let bot = Some(Caller::Personal(Access::ReadWrite));
        self.fake
            .with_state(|s| s.requests.iter().filter(|r| r.caller == bot).count())
    }

    fn flaky_tally(&self) -> Option<crate::fake_gitlab::flaky::Tally> {
        self.fake.flaky_tally()
    }

    /// GitHub sends `pull_request`/`issues` `labeled` or `milestoned` for
    /// the bot's edits, `issue_comment` for its comment, and
    /// `milestone.edited` for its description edit. Statuses and label
    /// creation send events the bot does not subscribe to. Writes a flaky fake
    /// refused before serving changed nothing and send none.
    fn echoes_since(&self, mark: usize) -> Vec<Delivery> {
        let writes: Vec<(String, String, String)> = self.fake.with_state(|s| {
            s.requests
                .iter()
                .skip(mark)
                .filter(|r| r.method != "GET" && r.served())
                .map(|r| (r.method.clone(), r.route.clone(), r.path_and_query.clone()))
                .collect()
        });
        let mut echoes = Vec::new();
        for (method, route, path) in writes {
            match (method.as_str(), route.as_str()) {
                ("PATCH", "/repos/{owner}/{repo}/issues/{number}") => {
                    let Some(number) = number_after(&path, "issues") else {
                        continue;
                    };
                    let labelled = self
                        .fake
                        .labels_of(PROJECT, number)
                        .iter()
                        .any(|l| l == LABEL);
                    let milestoned = self.fake.issue(PROJECT, number).milestone.is_some();
                    if self.is_pull(number) {
                        let action = if labelled {
                            PrAction::Labeled(LABEL.into())
                        } else {
                            PrAction::Unlabeled(LABEL.into())
                        };
                        echoes.push(hooks::pull_request(&self.fake, PROJECT, number, action));
                        if milestoned {
                            echoes.push(hooks::pull_request(
                                &self.fake,
                                PROJECT,
                                number,
                                PrAction::Milestoned,
                            ));
                        }
                    } else {
                        let action = if labelled {
                            IssueAction::Labeled(LABEL.into())
                        } else {
                            IssueAction::Unlabeled(LABEL.into())
                        };
                        echoes.push(hooks::issues(&self.fake, PROJECT, number, action));
                        if milestoned {
                            echoes.push(hooks::issues(
                                &self.fake,
                                PROJECT,
                                number,
                                IssueAction::Milestoned,
                            ));
                        }
                    }
                }
                ("POST", "/repos/{owner}/{repo}/issues/{number}/comments") => {
                    let Some(number) = number_after(&path, "issues") else {
                        continue;
                    };
                    if let Some(comment) = self.fake.bot_comments_on(PROJECT, number).last() {
                        echoes.push(hooks::issue_comment(
                            &self.fake, PROJECT, comment.id, "created",
                        ));
                    }
                }
                ("PATCH", "/repos/{owner}/{repo}/issues/comments/{id}") => {
                    if let Some(id) = number_after(&path, "comments") {
                        echoes.push(hooks::issue_comment(&self.fake, PROJECT, id, "edited"));
                    }
                }
                ("PATCH", "/repos/{owner}/{repo}/milestones/{number}") => {
                    if let Some(number) = number_after(&path, "milestones") {
                        echoes.push(hooks::milestone(
                            &self.fake,
                            PROJECT,
                            number,
                            MilestoneAction::Edited {
                                description_before: None,
                            },
                        ));
                    }
                }
                _ => {}
            }
        }
        echoes
    }

    fn labels(&self, item: Item) -> Vec<String> {
        let (Item::Mr(n) | Item::Issue(n)) = item;
        self.fake.labels_of(PROJECT, n)
    }

    fn milestone_of(&self, item: Item) -> Option<String> {
        let (Item::Mr(n) | Item::Issue(n)) = item;
        self.fake.milestone_title_of(PROJECT, n)
    }

    fn bot_comments(&self, item: Item) -> Vec<String> {
        let (Item::Mr(n) | Item::Issue(n)) = item;
        self.fake
            .bot_comments_on(PROJECT, n)
            .into_iter()
            .map(|c| c.body)
            .collect()
    }

    fn head_status(&self, number: u64) -> Option<Verdict> {
        let sha = self.fake.issue(PROJECT, number).pull?.head_sha;
        let status = self.fake.latest_status(PROJECT, &sha, STATUS_NAME)?;
        Some(Verdict {
            state: status.state,
            description: status.description.unwrap_or_default(),
        })
    }

    fn milestone_state(&self, milestone: u64) -> (String, bool) {
        let milestone = self.fake.milestone(PROJECT, milestone);
        (milestone.title, milestone.state == "open")
    }

    fn milestone_description(&self, milestone: u64) -> String {
        self.fake
            .milestone(PROJECT, milestone)
            .description
            .unwrap_or_default()
    }

    fn grant(&self, user: &str, can_merge: bool) {
        self.fake
            .set_role(PROJECT, user, if can_merge { "write" } else { "read" });
    }

    fn person_comments(&self, number: u64, author: &str, body: &str) -> (u64, Delivery) {
        let id = self.fake.add_comment(PROJECT, number, author, body);
        (id, hooks::issue_comment(&self.fake, PROJECT, id, "created"))
    }

    fn reactions_on(&self, comment: u64) -> Vec<&'static str> {
        self.fake
            .reactions_on(PROJECT, comment)
            .iter()
            .map(|(content, _)| if content == "+1" { "up" } else { "down" })
            .collect()
    }

    fn silently_set_milestone(&self, number: u64, milestone: u64) {
        self.fake
            .person_sets_milestone(PROJECT, number, Some(milestone));
    }
}

#[test]
fn numbers_are_read_from_request_paths() {
    assert_eq!(
        number_after("/repos/lava/lava/issues/comments/1012", "comments"),
        Some(1012)
    );
    assert_eq!(
        number_after("/repos/lava/lava/issues/13?x=1", "issues"),
        Some(13)
    );
    assert_eq!(
        number_after("/repos/lava/lava/milestones/2", "milestones"),
        Some(2)
    );
}
