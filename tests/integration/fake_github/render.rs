//! JSON in GitHub's REST shapes for the fake's objects (the fields clients
//! read, with their real names and types), and GitHub's error bodies.

use super::state::{CheckRun, Comment, Issue, Label, Milestone, Repo, Status};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const CREATED_AT: &str = "2026-01-05T10:00:00Z";

pub fn user(login: &str) -> Value {
    json!({
        "login": login,
        "id": login.len() as u64 * 7919,
        "node_id": format!("U_{login}"),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
        "site_admin": false,
    })
}

pub fn label(base: &str, repo: &Repo, label: &Label) -> Value {
    json!({
        "id": label.id,
        "node_id": format!("LA_{}", label.id),
        "url": format!("{base}/repos/{}/labels/{}", repo.full_name(), label.name),
        "name": label.name,
        "color": label.color,
        "default": false,
        "description": label.description,
    })
}

pub fn milestone(base: &str, repo: &Repo, milestone: &Milestone) -> Value {
    let open = repo
        .issues
        .values()
        .filter(|i| i.milestone == Some(milestone.number) && i.state == "open")
        .count();
    let closed = repo
        .issues
        .values()
        .filter(|i| i.milestone == Some(milestone.number) && i.state == "closed")
        .count();
    json!({
        "url": format!("{base}/repos/{}/milestones/{}", repo.full_name(), milestone.number),
        "html_url": format!("https://github.example/{}/milestone/{}", repo.full_name(), milestone.number),
        "labels_url": format!("{base}/repos/{}/milestones/{}/labels", repo.full_name(), milestone.number),
        "id": milestone.id,
        "node_id": format!("MI_{}", milestone.id),
        "number": milestone.number,
        "title": milestone.title,
        "description": milestone.description,
        "creator": user("octocat"),
        "open_issues": open,
        "closed_issues": closed,
        "state": milestone.state,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "due_on": milestone.due_on,
        "closed_at": if milestone.state == "closed" { Some(CREATED_AT) } else { None },
    })
}

fn labels_of(base: &str, repo: &Repo, issue: &Issue) -> Vec<Value> {
    issue
        .labels
        .iter()
        .filter_map(|name| repo.label(name))
        .map(|l| label(base, repo, l))
        .collect()
}

fn milestone_of(base: &str, repo: &Repo, issue: &Issue) -> Value {
    issue
        .milestone
        .and_then(|n| repo.milestone(n))
        .map(|m| milestone(base, repo, m))
        .unwrap_or(Value::Null)
}

/// An entry of the Issues API (pull requests carry a `pull_request` key there).
pub fn issue(base: &str, repo: &Repo, issue: &Issue) -> Value {
    let full = repo.full_name();
    let mut value = json!({
        "url": format!("{base}/repos/{full}/issues/{}", issue.number),
        "html_url": format!("https://github.example/{full}/issues/{}", issue.number),
        "id": issue.id,
        "node_id": format!("I_{}", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": user(&issue.author),
        "labels": labels_of(base, repo, issue),
        "state": issue.state,
        "locked": false,
        "assignee": null,
        "assignees": [],
        "milestone": milestone_of(base, repo, issue),
        "comments": repo.comments.iter().filter(|c| c.issue_number == issue.number).count(),
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "closed_at": null,
        "author_association": "MEMBER",
        "body": issue.body,
    });
    if issue.pull.is_some() {
        value["pull_request"] = json!({
            "url": format!("{base}/repos/{full}/pulls/{}", issue.number),
            "html_url": format!("https://github.example/{full}/pull/{}", issue.number),
        });
    }
    value
}

/// A pull request as the Pulls API returns it; `changed_files` is the true count.
pub fn pull(base: &str, repo: &Repo, issue: &Issue) -> Value {
    let full = repo.full_name();
    let pull = issue
        .pull
        .as_ref()
        .expect("only pull requests are rendered as pulls");
    let changed_files = repo.files.get(&issue.number).map_or(0, Vec::len);
    let branch = |reference: &str, sha: &str| {
        json!({
            "label": format!("{}:{reference}", repo.owner),
            "ref": reference,
            "sha": sha,
            "user": user(&repo.owner),
            "repo": {"id": repo.id, "name": repo.name, "full_name": full, "owner": user(&repo.owner)},
        })
    };
    json!({
        "url": format!("{base}/repos/{full}/pulls/{}", issue.number),
        "id": issue.id,
        "node_id": format!("PR_{}", issue.id),
        "html_url": format!("https://github.example/{full}/pull/{}", issue.number),
        "issue_url": format!("{base}/repos/{full}/issues/{}", issue.number),
        "number": issue.number,
        "state": issue.state,
        "locked": false,
        "title": issue.title,
        "user": user(&issue.author),
        "body": issue.body,
        "labels": labels_of(base, repo, issue),
        "milestone": milestone_of(base, repo, issue),
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "closed_at": null,
        "merged_at": if pull.merged { Some(CREATED_AT) } else { None },
        "merge_commit_sha": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "head": branch(&pull.head_ref, &pull.head_sha),
        "base": branch(&pull.base_ref, "0000000000000000000000000000000000000000"),
        "author_association": "MEMBER",
        "draft": pull.draft,
        "merged": pull.merged,
        "mergeable": null,
        "comments": repo.comments.iter().filter(|c| c.issue_number == issue.number).count(),
        "commits": 1,
        "additions": changed_files,
        "deletions": 0,
        "changed_files": changed_files,
    })
}

/// GitHub's timestamps: UTC to the second.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn comment(base: &str, repo: &Repo, comment: &Comment) -> Value {
    let full = repo.full_name();
    json!({
        "url": format!("{base}/repos/{full}/issues/comments/{}", comment.id),
        "html_url": format!("https://github.example/{full}/issues/{}#issuecomment-{}", comment.issue_number, comment.id),
        "issue_url": format!("{base}/repos/{full}/issues/{}", comment.issue_number),
        "id": comment.id,
        "node_id": format!("IC_{}", comment.id),
        "user": user(&comment.author),
        "created_at": timestamp(comment.created_at),
        "updated_at": timestamp(comment.updated_at),
        "author_association": "NONE",
        "body": comment.body,
    })
}

pub fn status(base: &str, repo: &Repo, status: &Status, creator: &str) -> Value {
    json!({
        "url": format!("{base}/repos/{}/statuses/{}", repo.full_name(), status.sha),
        "id": status.id,
        "node_id": format!("SC_{}", status.id),
        "state": status.state,
        "description": status.description,
        "target_url": status.target_url,
        "context": status.context,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "creator": user(creator),
    })
}

pub fn check_run(base: &str, repo: &Repo, run: &CheckRun) -> Value {
    json!({
        "id": run.id,
        "node_id": format!("CR_{}", run.id),
        "head_sha": run.head_sha,
        "external_id": "",
        "url": format!("{base}/repos/{}/check-runs/{}", repo.full_name(), run.id),
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": CREATED_AT,
        "completed_at": if run.status == "completed" { Some(CREATED_AT) } else { None },
        "output": {"title": run.title, "summary": run.summary, "text": null, "annotations_count": 0},
        "name": run.name,
        "app": {"id": 1, "slug": "schemagate", "name": "schemagate"},
        "pull_requests": [],
    })
}

/// GitHub's error body: `{"message", "documentation_url", "status"}`.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.as_u16().to_string(),
    });
    (status, Json(body)).into_response()
}

/// 422 "Validation Failed" with one entry in `errors`.
pub fn validation_failed(resource: &str, field: &str, code: &str) -> Response {
    let body = json!({
        "message": "Validation Failed",
        "errors": [{"resource": resource, "code": code, "field": field}],
        "documentation_url": "https://docs.github.com/rest",
        "status": "422",
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}
