//! GitHub webhook deliveries (`pull_request`, `issues`, `milestone`,
//! `issue_comment`, `ping`) rendered from the fake GitHub's state: the
//! pull request, issue and milestone objects are the fake's REST renderings,
//! as on GitHub, where a webhook carries the same object the API returns.

use super::{Delivery, GITHUB_SECRET, fresh_uuid};
use crate::fake_github::FakeGitHub;
use crate::fake_github::render;
use crate::fake_github::state::Repo;
use serde_json::{Value, json};

/// What happened to a pull request.
#[derive(Debug, Clone)]
pub enum PrAction {
    Opened,
    Reopened,
    /// A push: the head before it.
    Synchronize {
        before: String,
    },
    /// The title or body changed: the body before it.
    Edited {
        body_before: Option<String>,
    },
    Labeled(String),
    Unlabeled(String),
    /// The pull request's current milestone was set.
    Milestoned,
    /// The milestone (by number) that was removed.
    Demilestoned(u64),
    Closed,
}

/// What happened to an issue.
#[derive(Debug, Clone)]
pub enum IssueAction {
    Opened,
    Edited,
    Labeled(String),
    Unlabeled(String),
    Milestoned,
    Closed,
    Reopened,
}

/// What happened to a milestone (`Opened` is GitHub's word for reopened).
#[derive(Debug, Clone)]
pub enum MilestoneAction {
    Created,
    Closed,
    Opened,
    Edited { description_before: Option<String> },
    Deleted,
}

/// Wraps a payload in GitHub's headers, signed with the test secret.
fn deliver(event: &str, body: &Value) -> Delivery {
    let bytes = serde_json::to_vec(body).expect("JSON");
    let signature = schemagate::forge::github::sign(GITHUB_SECRET.as_bytes(), &bytes);
    Delivery {
        path: "/webhooks/github",
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), "GitHub-Hookshot/5f3a1c2".into()),
            ("X-GitHub-Event".into(), event.into()),
            ("X-GitHub-Delivery".into(), fresh_uuid()),
            ("X-GitHub-Hook-ID".into(), "480012345".into()),
            (
                "X-GitHub-Hook-Installation-Target-Type".into(),
                "repository".into(),
            ),
            ("X-Hub-Signature-256".into(), signature),
        ],
        body: bytes,
    }
}

fn repository(base: &str, repo: &Repo) -> Value {
    let full = repo.full_name();
    json!({
        "id": repo.id, "node_id": format!("R_{}", repo.id), "name": repo.name,
        "full_name": full, "private": false, "owner": render::user(&repo.owner),
        "html_url": format!("https://github.example/{full}"),
        "url": format!("{base}/repos/{full}"),
        "default_branch": "main", "fork": false, "archived": false,
    })
}

fn sender() -> Value {
    render::user("octocat")
}

fn milestone_json(fake: &FakeGitHub, repo: &Repo, number: Option<u64>) -> Value {
    number
        .and_then(|n| repo.milestone(n))
        .map_or(Value::Null, |m| render::milestone(fake.base_url(), repo, m))
}

fn label_json(fake: &FakeGitHub, repo: &Repo, name: &str) -> Value {
    match repo.label(name) {
        Some(label) => render::label(fake.base_url(), repo, label),
        None => json!({ "name": name, "color": "ededed", "default": false }),
    }
}

/// A `pull_request` delivery for the pull request as the fake holds it now.
pub fn pull_request(fake: &FakeGitHub, repo: &str, number: u64, action: PrAction) -> Delivery {
    let body = fake.with_state(|s| {
        let repo = &s.repos[repo];
        let issue = repo.issues.get(&number).expect("seeded pull request");
        let pull = render::pull(fake.base_url(), repo, issue);
        let word = match &action {
            PrAction::Opened => "opened",
            PrAction::Reopened => "reopened",
            PrAction::Synchronize { .. } => "synchronize",
            PrAction::Edited { .. } => "edited",
            PrAction::Labeled(_) => "labeled",
            PrAction::Unlabeled(_) => "unlabeled",
            PrAction::Milestoned => "milestoned",
            PrAction::Demilestoned(_) => "demilestoned",
            PrAction::Closed => "closed",
        };
        let mut body = json!({
            "action": word,
            "number": number,
            "pull_request": pull,
            "repository": repository(fake.base_url(), repo),
            "sender": sender(),
        });
        match &action {
            PrAction::Synchronize { before } => {
                body["before"] = json!(before);
                body["after"] = body["pull_request"]["head"]["sha"].clone();
            }
            PrAction::Edited { body_before } => {
                body["changes"] = json!({ "body": { "from": body_before } });
            }
            PrAction::Labeled(name) | PrAction::Unlabeled(name) => {
                body["label"] = label_json(fake, repo, name);
            }
            PrAction::Milestoned => {
                body["milestone"] = milestone_json(fake, repo, issue.milestone);
            }
            PrAction::Demilestoned(previous) => {
                body["milestone"] = milestone_json(fake, repo, Some(*previous));
            }
            _ => {}
        }
        body
    });
    deliver("pull_request", &body)
}

/// An `issues` delivery for the issue as the fake holds it now.
pub fn issues(fake: &FakeGitHub, repo: &str, number: u64, action: IssueAction) -> Delivery {
    let body = fake.with_state(|s| {
        let repo = &s.repos[repo];
        let issue = repo.issues.get(&number).expect("seeded issue");
        let word = match &action {
            IssueAction::Opened => "opened",
            IssueAction::Edited => "edited",
            IssueAction::Labeled(_) => "labeled",
            IssueAction::Unlabeled(_) => "unlabeled",
            IssueAction::Milestoned => "milestoned",
            IssueAction::Closed => "closed",
            IssueAction::Reopened => "reopened",
        };
        let mut body = json!({
            "action": word,
            "issue": render::issue(fake.base_url(), repo, issue),
            "repository": repository(fake.base_url(), repo),
            "sender": sender(),
        });
        match &action {
            IssueAction::Labeled(name) | IssueAction::Unlabeled(name) => {
                body["label"] = label_json(fake, repo, name);
            }
            IssueAction::Milestoned => {
                body["milestone"] = milestone_json(fake, repo, issue.milestone);
            }
            IssueAction::Edited => body["changes"] = json!({}),
            _ => {}
        }
        body
    });
    deliver("issues", &body)
}

/// A `milestone` delivery for the milestone as the fake holds it now.
pub fn milestone(fake: &FakeGitHub, repo: &str, number: u64, action: MilestoneAction) -> Delivery {
    let body = fake.with_state(|s| {
        let repo = &s.repos[repo];
        let word = match &action {
            MilestoneAction::Created => "created",
            MilestoneAction::Closed => "closed",
            MilestoneAction::Opened => "opened",
            MilestoneAction::Edited { .. } => "edited",
            MilestoneAction::Deleted => "deleted",
        };
        let mut body = json!({
            "action": word,
            "milestone": milestone_json(fake, repo, Some(number)),
            "repository": repository(fake.base_url(), repo),
            "sender": sender(),
        });
        if let MilestoneAction::Edited { description_before } = &action {
            body["changes"] = json!({ "description": { "from": description_before } });
        }
        body
    });
    deliver("milestone", &body)
}

/// An `issue_comment` delivery (`created` or `edited`) for a comment the fake holds.
pub fn issue_comment(fake: &FakeGitHub, repo: &str, comment_id: u64, action: &str) -> Delivery {
    let body = fake.with_state(|s| {
        let repo = &s.repos[repo];
        let comment = repo
            .comments
            .iter()
            .find(|c| c.id == comment_id)
            .expect("seeded comment");
        let issue = &repo.issues[&comment.issue_number];
        json!({
            "action": action,
            "issue": render::issue(fake.base_url(), repo, issue),
            "comment": render::comment(fake.base_url(), repo, comment),
            "repository": repository(fake.base_url(), repo),
            "sender": render::user(&comment.author),
        })
    });
    deliver("issue_comment", &body)
}

/// The `ping` GitHub sends when a repository webhook is created.
pub fn ping(fake: &FakeGitHub, repo: &str) -> Delivery {
    let body = fake.with_state(|s| {
        let repo = &s.repos[repo];
        json!({
            "zen": "Design for failure.",
            "hook_id": 480012345,
            "hook": {
                "type": "Repository", "id": 480012345, "name": "web", "active": true,
                "events": ["issues", "milestone", "pull_request", "issue_comment"],
                "config": {
                    "content_type": "json", "insecure_ssl": "0",
                    "url": "http://127.0.0.1/webhooks/github",
                },
            },
            "repository": repository(fake.base_url(), repo),
            "sender": sender(),
        })
    });
    deliver("ping", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_github::PullSeed;
    use crate::fake_github::state::Comment;
    use schemagate::forge::github::{parse_event, verify_signature};
    use schemagate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
    use schemagate::work::{MilestoneAction as Milestone, MilestoneScope, Translated, Work};

    const REPO: &str = "lava/lava";
    const SHA: &str = "3333333333333333333333333333333333333333";

    async fn seeded() -> (FakeGitHub, u64, u64, u64) {
        let fake = FakeGitHub::start().await;
        fake.add_repo("lava", "lava");
        let milestone = fake.add_milestone(REPO, "2026.12", "open", Some("2026-12-31T00:00:00Z"));
        let seed = |title| PullSeed {
            title,
            body: "Closes #2",
            head_sha: SHA,
            labels: &[],
            milestone: None,
        };
        let pull = fake.add_pull(REPO, seed("Add field"));
        let issue = fake.add_issue(REPO, seed("Needs a field"));
        (fake, milestone, pull, issue)
    }

    fn parsed(delivery: &Delivery) -> Translated {
        assert_eq!(delivery.path, "/webhooks/github");
        verify_signature(
            GITHUB_SECRET.as_bytes(),
            &delivery.body,
            delivery.header("X-Hub-Signature-256"),
        )
        .expect("signed with the test secret");
        parse_event(delivery.event(), &delivery.body).expect("the bot parses our delivery")
    }

    fn project() -> ProjectPath {
        ProjectPath(REPO.into())
    }

    fn evaluate(kind: ItemKind, number: u64) -> Translated {
        Translated::Queue(Work::Evaluate {
            forge: ForgeKind::GitHub,
            project: project(),
            kind,
            number: ItemNumber(number),
        })
    }

    #[tokio::test]
    async fn pull_request_opened_reopened_and_synchronize_re_evaluate_it() {
        let (fake, _, pull, _) = seeded().await;
        let opened = pull_request(&fake, REPO, pull, PrAction::Opened);
        assert_eq!(opened.json()["pull_request"]["body"], "Closes #2");
        assert_eq!(parsed(&opened), evaluate(ItemKind::MergeRequest, pull));
        assert_eq!(
            parsed(&pull_request(&fake, REPO, pull, PrAction::Reopened)),
            evaluate(ItemKind::MergeRequest, pull)
        );
        let new = "4444444444444444444444444444444444444444";
        let before = fake.push(REPO, pull, new, vec![]);
        let push = pull_request(&fake, REPO, pull, PrAction::Synchronize { before });
        assert_eq!(push.json()["before"], SHA);
        assert_eq!(push.json()["after"], new);
        assert_eq!(parsed(&push), evaluate(ItemKind::MergeRequest, pull));
    }

    #[tokio::test]
    async fn pull_request_edits_labels_and_milestones_re_evaluate_it() {
        let (fake, milestone, pull, _) = seeded().await;
        fake.person_sets_labels(REPO, pull, &["Database changes"]);
        fake.person_sets_milestone(REPO, pull, Some(milestone));
        for action in [
            PrAction::Edited {
                body_before: Some("old".into()),
            },
            PrAction::Labeled("Database changes".into()),
            PrAction::Unlabeled("Database changes".into()),
            PrAction::Milestoned,
            PrAction::Demilestoned(milestone),
        ] {
            let delivery = pull_request(&fake, REPO, pull, action.clone());
            assert_eq!(
                parsed(&delivery),
                evaluate(ItemKind::MergeRequest, pull),
                "{action:?}"
            );
        }
        let labeled = pull_request(
            &fake,
            REPO,
            pull,
            PrAction::Labeled("Database changes".into()),
        );
        assert_eq!(labeled.json()["label"]["name"], "Database changes");
        let milestoned = pull_request(&fake, REPO, pull, PrAction::Milestoned);
        assert_eq!(milestoned.json()["milestone"]["title"], "2026.12");
        assert_eq!(
            milestoned.json()["pull_request"]["milestone"]["number"],
            milestone
        );
    }

    #[tokio::test]
    async fn pull_request_closed_or_merged_re_evaluates_it() {
        let (fake, _, pull, _) = seeded().await;
        let closed = |_merged: bool| evaluate(ItemKind::MergeRequest, pull);
        fake.close_pull(REPO, pull, false);
        assert_eq!(
            parsed(&pull_request(&fake, REPO, pull, PrAction::Closed)),
            closed(false)
        );
        fake.close_pull(REPO, pull, true);
        assert_eq!(
            parsed(&pull_request(&fake, REPO, pull, PrAction::Closed)),
            closed(true)
        );
    }

    #[tokio::test]
    async fn issues_deliveries_re_evaluate_the_issue() {
        let (fake, _, _, issue) = seeded().await;
        for action in [
            IssueAction::Opened,
            IssueAction::Edited,
            IssueAction::Labeled("bug".into()),
            IssueAction::Unlabeled("bug".into()),
            IssueAction::Milestoned,
            IssueAction::Closed,
            IssueAction::Reopened,
        ] {
            assert_eq!(
                parsed(&issues(&fake, REPO, issue, action.clone())),
                evaluate(ItemKind::Issue, issue),
                "{action:?}"
            );
        }
    }

    #[tokio::test]
    async fn milestone_deliveries_carry_the_title_and_action() {
        let (fake, milestone_number, _, _) = seeded().await;
        for (action, expected) in [
            (MilestoneAction::Created, Milestone::Created),
            (MilestoneAction::Closed, Milestone::Closed),
            (MilestoneAction::Opened, Milestone::Reopened),
            (
                MilestoneAction::Edited {
                    description_before: None,
                },
                Milestone::Edited,
            ),
            (MilestoneAction::Deleted, Milestone::Deleted),
        ] {
            assert_eq!(
                parsed(&milestone(&fake, REPO, milestone_number, action.clone())),
                Translated::Queue(Work::MilestoneChanged {
                    forge: ForgeKind::GitHub,
                    scope: MilestoneScope::Project(project()),
                    title: "2026.12".into(),
                    action: expected,
                }),
                "{action:?}"
            );
        }
    }

    #[tokio::test]
    async fn comments_on_pull_requests_and_issues_and_the_ping() {
        let (fake, _, pull, issue) = seeded().await;
        for (number, kind) in [(pull, ItemKind::MergeRequest), (issue, ItemKind::Issue)] {
            let id = fake.with_state(|s| {
                let id = s.fresh_id();
                s.repos
                    .get_mut(REPO)
                    .unwrap()
                    .comments
                    .push(Comment::new(id, number, "bob", "LGTM"));
                id
            });
            assert_eq!(
                parsed(&issue_comment(&fake, REPO, id, "created")),
                Translated::Queue(Work::Comment {
                    forge: ForgeKind::GitHub,
                    project: project(),
                    kind,
                    number: ItemNumber(number),
                    author: "bob".into(),
                    body: "LGTM".into(),
                    edited: false,
                    comment_id: Some(CommentId(id)),
                })
            );
        }
        assert_eq!(parsed(&ping(&fake, REPO)), Translated::Pong);
    }
}
