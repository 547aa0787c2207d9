//! GitLab webhook deliveries (`Merge Request Hook`, `Issue Hook`,
//! `Milestone Hook`, `Note Hook`) rendered from the fake GitLab's state,
//! in the shape GitLab documents: `object_kind`, `user`, `project`,
//! `object_attributes`, `labels`, `changes`, `repository`.

use super::{Delivery, GITLAB_SECRET, fresh_uuid};
use crate::fake_gitlab::FakeGitLab;
use crate::fake_gitlab::state::{Noteable, State};
use serde_json::{Value, json};

const TIMESTAMP: &str = "2026-11-02 09:30:00 UTC";

/// What happened to a merge request.
#[derive(Debug, Clone)]
pub enum MrAction {
    Open,
    Reopen,
    /// An edit, a push (`oldrev` set), or both.
    Update(MrChanges),
    Close,
    Merge,
}

/// What an `update` changed; `None` fields did not change.
#[derive(Debug, Clone, Default)]
pub struct MrChanges {
    /// The head before a push: GitLab sends `oldrev` only when code changed.
    pub oldrev: Option<String>,
    pub labels_before: Option<Vec<String>>,
    pub milestone_before: Option<Option<u64>>,
    pub description_before: Option<String>,
}

/// Wraps a payload in GitLab's headers.
fn deliver(event: &str, body: &Value) -> Delivery {
    let id = fresh_uuid();
    Delivery {
        path: "/webhooks/gitlab",
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), "GitLab/18.2.1".into()),
            ("X-Gitlab-Event".into(), event.into()),
            ("X-Gitlab-Token".into(), GITLAB_SECRET.into()),
            (
                "X-Gitlab-Instance".into(),
                "https://gitlab.example.org".into(),
            ),
            ("X-Gitlab-Webhook-UUID".into(), id.clone()),
            ("X-Gitlab-Event-UUID".into(), id.clone()),
            ("Idempotency-Key".into(), id),
        ],
        body: serde_json::to_vec(body).expect("JSON"),
    }
}

fn base(s: &State) -> String {
    s.base_url.clone().unwrap_or_default()
}

fn user(username: &str) -> Value {
    json!({
        "id": 7, "name": username, "username": username,
        "avatar_url": null, "email": "[REDACTED]",
    })
}

fn project(s: &State, project_id: u64) -> Value {
    let project = s
        .projects
        .iter()
        .find(|p| p.id == project_id)
        .expect("seeded project");
    let web = format!("{}/{}", base(s), project.path);
    let name = project.path.rsplit('/').next().unwrap_or_default();
    let namespace = project.path.rsplit_once('/').map_or("", |(n, _)| n);
    json!({
        "id": project.id, "name": name, "description": null, "web_url": web,
        "avatar_url": null, "git_ssh_url": format!("git@127.0.0.1:{}.git", project.path),
        "git_http_url": format!("{web}.git"), "namespace": namespace,
        "visibility_level": 20, "path_with_namespace": project.path,
        "default_branch": "main", "ci_config_path": null, "homepage": web,
        "url": format!("{web}.git"), "ssh_url": format!("git@127.0.0.1:{}.git", project.path),
        "http_url": format!("{web}.git"),
    })
}

fn repository(s: &State, project_id: u64) -> Value {
    let p = project(s, project_id);
    json!({
        "name": p["name"], "url": p["url"], "description": null, "homepage": p["homepage"],
    })
}

/// Label objects as hooks carry them (`title`, not `name`).
fn labels(s: &State, project_id: u64, names: &[String]) -> Value {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let known = s
                .labels
                .iter()
                .find(|l| l.project_id == project_id && &l.name == name);
            json!({
                "id": known.map_or(90_000 + i as u64, |l| l.id),
                "title": name,
                "color": known.map_or("#428bca", |l| l.color.as_str()),
                "project_id": project_id,
                "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
                "template": false, "description": null,
                "type": "ProjectLabel", "group_id": null,
            })
        })
        .collect()
}

fn change<T: serde::Serialize>(previous: T, current: T) -> Value {
    json!({ "previous": previous, "current": current })
}

/// A `Merge Request Hook` for the MR as the fake holds it now.
pub fn merge_request(fake: &FakeGitLab, project_id: u64, iid: u64, action: MrAction) -> Delivery {
    let s = fake.state();
    let mr = s
        .merge_requests
        .iter()
        .find(|m| m.project_id == project_id && m.iid == iid)
        .expect("seeded MR")
        .clone();
    let web = format!("{}/{}", base(&s), fake_path(&s, project_id));
    let (word, state) = match &action {
        MrAction::Open => ("open", "opened"),
        MrAction::Reopen => ("reopen", "opened"),
        MrAction::Update(_) => ("update", mr.state.as_str()),
        MrAction::Close => ("close", "closed"),
        MrAction::Merge => ("merge", "merged"),
    };
    let current_labels = labels(&s, project_id, &mr.labels);
    let mut attributes = json!({
        "id": mr.id, "iid": mr.iid, "target_branch": mr.target_branch,
        "source_branch": mr.source_branch, "source_project_id": project_id,
        "author_id": 7, "assignee_ids": [], "assignee_id": null, "reviewer_ids": [],
        "title": mr.title, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        "milestone_id": mr.milestone_id, "state": state, "state_id": 1,
        "blocking_discussions_resolved": true, "work_in_progress": mr.draft,
        "draft": mr.draft, "first_contribution": false, "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable", "target_project_id": project_id,
        "description": mr.description,
        "url": format!("{web}/-/merge_requests/{}", mr.iid),
        "source": project(&s, project_id), "target": project(&s, project_id),
        "last_commit": {
            "id": mr.sha, "message": format!("{}\n", mr.title), "title": mr.title,
            "timestamp": "2026-11-02T09:29:00+00:00",
            "url": format!("{web}/-/commit/{}", mr.sha),
            "author": { "name": mr.author, "email": "[REDACTED]" },
        },
        "labels": current_labels, "action": word,
        "system": false, "system_action": null,
    });
    let mut changes = json!({ "updated_at": change("2026-11-02 09:00:00 UTC", TIMESTAMP) });
    if let MrAction::Update(update) = &action {
        if let Some(oldrev) = &update.oldrev {
            attributes["oldrev"] = json!(oldrev);
        }
        if let Some(before) = &update.labels_before {
            changes["labels"] = change(labels(&s, project_id, before), current_labels.clone());
        }
        if let Some(before) = update.milestone_before {
            changes["milestone_id"] = change(before, mr.milestone_id);
        }
        if let Some(before) = &update.description_before {
            changes["description"] = change(before.as_str(), mr.description.as_str());
        }
    }
    if matches!(action, MrAction::Close | MrAction::Merge) {
        changes["state_id"] = change(1, if word == "merge" { 3 } else { 2 });
    }
    let body = json!({
        "object_kind": "merge_request", "event_type": "merge_request",
        "user": user(&mr.author),
        "project": project(&s, project_id),
        "object_attributes": attributes,
        "labels": current_labels,
        "changes": changes,
        "repository": repository(&s, project_id),
        "assignees": [], "reviewers": [],
    });
    deliver("Merge Request Hook", &body)
}

fn fake_path(s: &State, project_id: u64) -> String {
    s.projects
        .iter()
        .find(|p| p.id == project_id)
        .map(|p| p.path.clone())
        .expect("seeded project")
}

/// What happened to an issue: `open`, `update`, `close` or `reopen`.
/// For `update`, the labels and milestone before it (when they changed).
#[derive(Debug, Clone, Default)]
pub struct IssueChanges {
    pub labels_before: Option<Vec<String>>,
    pub milestone_before: Option<Option<u64>>,
}

/// An `Issue Hook` for the issue as the fake holds it now.
pub fn issue(
    fake: &FakeGitLab,
    project_id: u64,
    iid: u64,
    action: &str,
    changes: IssueChanges,
) -> Delivery {
    let s = fake.state();
    let issue = s
        .issues
        .iter()
        .find(|i| i.project_id == project_id && i.iid == iid)
        .expect("seeded issue")
        .clone();
    let web = format!("{}/{}", base(&s), fake_path(&s, project_id));
    let current_labels = labels(&s, project_id, &issue.labels);
    let mut change_set = json!({ "updated_at": change("2026-11-02 09:00:00 UTC", TIMESTAMP) });
    if let Some(before) = &changes.labels_before {
        change_set["labels"] = change(labels(&s, project_id, before), current_labels.clone());
    }
    if let Some(before) = changes.milestone_before {
        change_set["milestone_id"] = change(before, issue.milestone_id);
    }
    let body = json!({
        "object_kind": "issue", "event_type": "issue",
        "user": user("alice"),
        "project": project(&s, project_id),
        "object_attributes": {
            "id": issue.id, "iid": issue.iid, "title": issue.title,
            "assignee_ids": [], "assignee_id": null, "author_id": 7,
            "project_id": project_id, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
            "updated_by_id": 7, "description": issue.description,
            "milestone_id": issue.milestone_id,
            "state_id": if issue.state == "closed" { 2 } else { 1 },
            "confidential": false, "discussion_locked": null, "due_date": null,
            "time_estimate": 0, "total_time_spent": 0, "weight": null,
            "url": format!("{web}/-/issues/{}", issue.iid),
            "state": issue.state, "action": action, "type": "Issue",
            "severity": "unknown", "labels": current_labels,
        },
        "repository": repository(&s, project_id),
        "assignees": [],
        "labels": current_labels,
        "changes": change_set,
    });
    deliver("Issue Hook", &body)
}

/// A `Milestone Hook` (GitLab 18.2+: `action` at the top level) for a
/// project or group milestone as the fake holds it now. `action` is
/// `create`, `close`, `reopen` or `delete`.
pub fn milestone(fake: &FakeGitLab, milestone_id: u64, action: &str) -> Delivery {
    let s = fake.state();
    let m = s.milestone(milestone_id).expect("seeded milestone").clone();
    let mut body = json!({
        "object_kind": "milestone", "event_type": "milestone",
        "object_attributes": {
            "id": m.id, "iid": m.iid, "title": m.title, "description": m.description,
            "state": m.state, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
            "due_date": m.due_date, "start_date": m.start_date,
            "group_id": m.group_id, "project_id": m.project_id,
        },
        "action": action,
    });
    if let Some(project_id) = m.project_id {
        body["project"] = project(&s, project_id);
    }
    if let Some(group_id) = m.group_id {
        let path = s.group_path(group_id).expect("seeded group").to_string();
        let name = path.rsplit('/').next().unwrap_or_default().to_string();
        body["group"] = json!({
            "group_id": group_id, "group_name": name, "group_path": name, "full_path": path,
        });
    }
    deliver("Milestone Hook", &body)
}

/// A `Note Hook` for a note the fake holds (`action` `create` or `update`).
pub fn note(fake: &FakeGitLab, note_id: u64, action: &str) -> Delivery {
    let s = fake.state();
    let note = s
        .notes
        .iter()
        .find(|n| n.id == note_id)
        .expect("seeded note")
        .clone();
    let web = format!("{}/{}", base(&s), fake_path(&s, note.project_id));
    let (noteable_type, noteable_id, item, url) = match note.noteable {
        Noteable::MergeRequest => {
            let mr = s
                .merge_requests
                .iter()
                .find(|m| m.project_id == note.project_id && m.iid == note.iid)
                .expect("seeded MR");
            let item = json!({
                "id": mr.id, "iid": mr.iid, "title": mr.title, "description": mr.description,
                "state": mr.state, "source_branch": mr.source_branch,
                "target_branch": mr.target_branch, "milestone_id": mr.milestone_id,
                "labels": labels(&s, note.project_id, &mr.labels),
                "last_commit": { "id": mr.sha },
                "url": format!("{web}/-/merge_requests/{}", mr.iid),
            });
            let url = format!("{web}/-/merge_requests/{}#note_{}", mr.iid, note.id);
            ("MergeRequest", mr.id, ("merge_request", item), url)
        }
        Noteable::Issue => {
            let issue = s
                .issues
                .iter()
                .find(|i| i.project_id == note.project_id && i.iid == note.iid)
                .expect("seeded issue");
            let item = json!({
                "id": issue.id, "iid": issue.iid, "title": issue.title,
                "description": issue.description, "state": issue.state,
                "milestone_id": issue.milestone_id,
                "labels": labels(&s, note.project_id, &issue.labels),
                "url": format!("{web}/-/issues/{}", issue.iid),
            });
            let url = format!("{web}/-/issues/{}#note_{}", issue.iid, note.id);
            ("Issue", issue.id, ("issue", item), url)
        }
    };
    let mut body = json!({
        "object_kind": "note", "event_type": "note",
        "user": user(&note.author),
        "project_id": note.project_id,
        "project": project(&s, note.project_id),
        "object_attributes": {
            "id": note.id, "note": note.body, "noteable_type": noteable_type,
            "author_id": 7, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
            "project_id": note.project_id, "attachment": null, "line_code": null,
            "commit_id": "", "noteable_id": noteable_id, "system": note.system,
            "st_diff": null, "action": action, "url": url,
        },
        "repository": repository(&s, note.project_id),
    });
    body[item.0] = item.1;
    deliver("Note Hook", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_gitlab::Diff;
    use crate::fake_gitlab::state::Note;
    use schemagate::forge::gitlab::webhook::parse;
    use schemagate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
    use schemagate::work::{MilestoneAction, MilestoneScope, Translated, Work};

    const SHA: &str = "1111111111111111111111111111111111111111";

    async fn seeded() -> (FakeGitLab, u64) {
        let fake = FakeGitLab::start().await;
        fake.add_group("lava");
        let project = fake.add_project("lava/lava");
        fake.add_merge_request(project, 5, SHA, vec![Diff::added("a.py", &["x = 1"])]);
        fake.add_issue(project, 12, &["bug"]);
        (fake, project)
    }

    fn parsed(delivery: &Delivery) -> Translated {
        assert_eq!(delivery.path, "/webhooks/gitlab");
        assert_eq!(delivery.header("X-Gitlab-Token"), Some(GITLAB_SECRET));
        assert!(delivery.header("X-Gitlab-Webhook-UUID").is_some());
        parse(delivery.event(), &delivery.body).expect("the bot parses our delivery")
    }

    fn evaluate(kind: ItemKind, number: u64) -> Translated {
        Translated::Queue(Work::Evaluate {
            forge: ForgeKind::GitLab,
            project: ProjectPath("lava/lava".into()),
            kind,
            number: ItemNumber(number),
        })
    }

    #[tokio::test]
    async fn merge_request_open_and_reopen_re_evaluate_it() {
        let (fake, project) = seeded().await;
        let open = merge_request(&fake, project, 5, MrAction::Open);
        assert_eq!(parsed(&open), evaluate(ItemKind::MergeRequest, 5));
        let reopen = merge_request(&fake, project, 5, MrAction::Reopen);
        assert_eq!(parsed(&reopen), evaluate(ItemKind::MergeRequest, 5));
        assert_ne!(open.delivery_id(), reopen.delivery_id());
    }

    #[tokio::test]
    async fn merge_request_push_carries_oldrev_and_the_new_head() {
        let (fake, project) = seeded().await;
        let new = "2222222222222222222222222222222222222222";
        let old = fake.push(project, 5, new, vec![]);
        let delivery = merge_request(
            &fake,
            project,
            5,
            MrAction::Update(MrChanges {
                oldrev: Some(old.clone()),
                ..MrChanges::default()
            }),
        );
        assert_eq!(delivery.json()["object_attributes"]["oldrev"], old);
        assert_eq!(parsed(&delivery), evaluate(ItemKind::MergeRequest, 5));
    }

    #[tokio::test]
    async fn merge_request_label_and_milestone_edits_re_evaluate_it() {
        let (fake, project) = seeded().await;
        let milestone = fake.add_milestone(Some(project), None, "2026.12", "active", None);
        let labels_before = fake.person_sets_labels(project, 5, &["Database changes"]);
        let milestone_before = fake.person_sets_milestone(project, 5, Some(milestone));
        let delivery = merge_request(
            &fake,
            project,
            5,
            MrAction::Update(MrChanges {
                labels_before: Some(labels_before),
                milestone_before: Some(milestone_before),
                ..MrChanges::default()
            }),
        );
        let body = delivery.json();
        assert_eq!(
            body["changes"]["labels"]["current"][0]["title"],
            "Database changes"
        );
        assert_eq!(body["changes"]["milestone_id"]["current"], milestone);
        assert_eq!(body["object_attributes"]["milestone_id"], milestone);
        assert!(body["object_attributes"].get("oldrev").is_none());
        assert_eq!(parsed(&delivery), evaluate(ItemKind::MergeRequest, 5));
    }

    #[tokio::test]
    async fn merge_request_close_and_merge_re_evaluate_it() {
        let (fake, project) = seeded().await;
        let closed = |_merged: bool| evaluate(ItemKind::MergeRequest, 5);
        fake.set_merge_request_state(project, 5, "closed");
        assert_eq!(
            parsed(&merge_request(&fake, project, 5, MrAction::Close)),
            closed(false)
        );
        fake.set_merge_request_state(project, 5, "merged");
        assert_eq!(
            parsed(&merge_request(&fake, project, 5, MrAction::Merge)),
            closed(true)
        );
    }

    #[tokio::test]
    async fn issue_hooks_re_evaluate_the_issue() {
        let (fake, project) = seeded().await;
        for word in ["open", "update", "close", "reopen"] {
            let delivery = issue(&fake, project, 12, word, IssueChanges::default());
            assert_eq!(parsed(&delivery), evaluate(ItemKind::Issue, 12), "{word}");
        }
    }

    #[tokio::test]
    async fn milestone_hooks_for_project_and_group_milestones() {
        let (fake, project) = seeded().await;
        let own = fake.add_milestone(Some(project), None, "2026.11", "active", Some("2026-11-30"));
        let group = fake.state().groups[0].id;
        let shared = fake.add_milestone(None, Some(group), "2026.12", "active", None);
        for (word, action) in [
            ("create", MilestoneAction::Created),
            ("close", MilestoneAction::Closed),
            ("reopen", MilestoneAction::Reopened),
        ] {
            assert_eq!(
                parsed(&milestone(&fake, own, word)),
                Translated::Queue(Work::MilestoneChanged {
                    forge: ForgeKind::GitLab,
                    scope: MilestoneScope::Project(ProjectPath("lava/lava".into())),
                    title: "2026.11".into(),
                    action,
                }),
                "{word}"
            );
        }
        assert_eq!(
            parsed(&milestone(&fake, shared, "close")),
            Translated::Queue(Work::MilestoneChanged {
                forge: ForgeKind::GitLab,
                scope: MilestoneScope::Group("lava".into()),
                title: "2026.12".into(),
                action: MilestoneAction::Closed,
            })
        );
    }

    #[tokio::test]
    async fn note_hooks_on_merge_requests_and_issues() {
        let (fake, project) = seeded().await;
        for (noteable, iid, kind) in [
            (Noteable::MergeRequest, 5, ItemKind::MergeRequest),
            (Noteable::Issue, 12, ItemKind::Issue),
        ] {
            let id = {
                let mut s = fake.state();
                let id = s.next_id();
                s.notes.push(Note {
                    id,
                    project_id: project,
                    noteable,
                    iid,
                    body: "Please rebase".into(),
                    author: "bob".into(),
                    system: false,
                    created_at: chrono::Utc::now(),
                    updated_at: chrono::Utc::now(),
                });
                id
            };
            assert_eq!(
                parsed(&note(&fake, id, "update")),
                Translated::Queue(Work::Comment {
                    forge: ForgeKind::GitLab,
                    project: ProjectPath("lava/lava".into()),
                    kind,
                    number: ItemNumber(iid),
                    author: "bob".into(),
                    body: "Please rebase".into(),
                    edited: true,
                    comment_id: Some(CommentId(id)),
                })
            );
        }
    }
}
