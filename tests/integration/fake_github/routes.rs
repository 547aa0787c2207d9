//! The fake's REST routes: the endpoints schemagate's GitHub client calls,
//! with GitHub's paths, status codes, error bodies and `Link` pagination.

use super::Fake;
use super::gate::gatekeeper;
use super::history;
use super::members;
use super::render;
use super::reviews;
use super::state::{Caller, CheckRun, Comment, Label, Milestone, State, Status};
use super::trees;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router, middleware};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// GitHub serves at most this many files of a pull request.
pub const MAX_PULL_FILES: usize = 3000;

type Params = Query<BTreeMap<String, String>>;
type RepoPath = Path<(String, String)>;
type NumberPath = Path<(String, String, u64)>;

pub fn router(fake: Fake) -> Router {
    Router::new()
        .route("/repos/{owner}/{repo}/pulls", get(list_pulls))
        .route("/repos/{owner}/{repo}/pulls/{number}", get(get_pull))
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/files",
            get(list_files),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/commits",
            get(reviews::list_commits),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/reviews",
            get(reviews::list_reviews),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers",
            get(reviews::requested_reviewers),
        )
        .route("/repos/{owner}/{repo}/contents/{*path}", get(get_contents))
        .route("/repos/{owner}/{repo}/git/ref/{*ref}", get(trees::get_ref))
        .route(
            "/repos/{owner}/{repo}/git/trees/{sha}",
            get(trees::get_tree),
        )
        .route(
            "/repos/{owner}/{repo}/branches/{*branch}",
            get(trees::get_branch),
        )
        .route("/repos/{owner}/{repo}/issues", get(list_issues))
        .route(
            "/repos/{owner}/{repo}/issues/{number}",
            get(get_issue).patch(update_issue),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments",
            get(list_comments).post(create_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            get(get_comment).patch(update_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
            post(members::create_reaction),
        )
        .route(
            "/repos/{owner}/{repo}/collaborators/{username}/permission",
            get(members::collaborator_permission),
        )
        .route(
            "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            get(members::team_membership),
        )
        .route("/orgs/{org}/installation", get(members::org_installation))
        .route(
            "/repos/{owner}/{repo}/labels",
            get(list_labels).post(create_label),
        )
        .route(
            "/repos/{owner}/{repo}/milestones",
            get(list_milestones).post(create_milestone),
        )
        .route(
            "/repos/{owner}/{repo}/milestones/{number}",
            get(get_milestone).patch(update_milestone),
        )
        .route("/repos/{owner}/{repo}/statuses/{sha}", post(create_status))
        .route(
            "/repos/{owner}/{repo}/commits/{sha}/statuses",
            get(list_statuses),
        )
        .route("/repos/{owner}/{repo}/check-runs", post(create_check_run))
        .route(
            "/repos/{owner}/{repo}/check-runs/{id}",
            patch(update_check_run),
        )
        .route(
            "/repos/{owner}/{repo}/commits/{sha}/check-runs",
            get(list_check_runs),
        )
        .route("/repos/{owner}/{repo}/installation", get(get_installation))
        .route(
            "/repos/{owner}/{repo}/issues/{number}/events",
            get(history::list_events),
        )
        .route("/user", get(history::current_user))
        .route("/app", get(history::current_app))
        .route(
            "/app/installations/{installation_id}/access_tokens",
            post(create_installation_token),
        )
        .route_layer(middleware::from_fn_with_state(fake.clone(), gatekeeper))
        .fallback(|| async { render::not_found() })
        .with_state(fake)
}

/// Serves one page of `items` with GitHub's `Link` header (`per_page` defaults
/// to 30 and is capped at 100; pages count from 1).
pub fn paginate(
    fake: &Fake,
    path: &str,
    params: &BTreeMap<String, String>,
    items: Vec<Value>,
) -> Response {
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let body: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let link_to = |target: usize| {
        let mut query = params.clone();
        query.insert("per_page".into(), per_page.to_string());
        query.insert("page".into(), target.to_string());
        let query = serde_urlencoded::to_string(&query).expect("string pairs encode");
        format!("<{}{path}?{query}>", fake.base_url)
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
        links.push(format!("{}; rel=\"last\"", link_to(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link_to(1)));
        links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
    }
    let mut response = Json(body).into_response();
    if !links.is_empty() {
        let header = HeaderValue::from_str(&links.join(", ")).expect("ASCII link header");
        response.headers_mut().insert("link", header);
    }
    response
}

/// Runs `f` on the repository, or answers 404 when it does not exist.
pub fn with_repo<F>(fake: &Fake, owner: &str, name: &str, f: F) -> Response
where
    F: FnOnce(&mut State, &str) -> Response,
{
    let mut state = fake.state.lock().unwrap();
    if state.repo(owner, name).is_none() {
        return render::not_found();
    }
    f(&mut state, &format!("{owner}/{name}"))
}

async fn get_pull(AxumState(fake): AxumState<Fake>, Path((o, r, n)): NumberPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        match repo.issues.get(&n).filter(|i| i.pull.is_some()) {
            Some(issue) => Json(render::pull(&fake.base_url, repo, issue)).into_response(),
            None => render::not_found(),
        }
    })
}

async fn list_pulls(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Query(q): Params,
) -> Response {
    let wanted = q.get("state").cloned().unwrap_or_else(|| "open".into());
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let items = repo
            .issues
            .values()
            .filter(|i| i.pull.is_some() && (wanted == "all" || i.state == wanted))
            .map(|i| render::pull(&fake.base_url, repo, i))
            .collect();
        paginate(&fake, &format!("/repos/{key}/pulls"), &q, items)
    })
}

async fn list_files(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
    Query(q): Params,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        if repo.issues.get(&n).is_none_or(|i| i.pull.is_none()) {
            return render::not_found();
        }
        let items = repo
            .files
            .get(&n)
            .into_iter()
            .flatten()
            .take(MAX_PULL_FILES)
            .map(|f| {
                let mut entry = json!({
                    "sha": format!("{:040x}", f.filename.len()),
                    "filename": f.filename,
                    "status": f.status,
                    "additions": f.patch.as_deref().map_or(0, |p| p.lines().filter(|l| l.starts_with('+')).count()),
                    "deletions": 0,
                    "changes": 0,
                    "blob_url": format!("https://github.example/{key}/blob/HEAD/{}", f.filename),
                    "raw_url": format!("https://github.example/{key}/raw/HEAD/{}", f.filename),
                    "contents_url": format!("{}/repos/{key}/contents/{}", fake.base_url, f.filename),
                });
                if let Some(patch) = &f.patch {
                    entry["patch"] = json!(patch);
                }
                if let Some(previous) = &f.previous_filename {
                    entry["previous_filename"] = json!(previous);
                }
                entry
            })
            .collect();
        paginate(&fake, &format!("/repos/{key}/pulls/{n}/files"), &q, items)
    })
}

async fn get_contents(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, path)): Path<(String, String, String)>,
    Query(q): Params,
    headers: HeaderMap,
) -> Response {
    let raw = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("raw"));
    with_repo(&fake, &o, &r, |state, key| {
        let reference = q.get("ref").cloned().unwrap_or_else(|| "HEAD".into());
        let Some(text) = state.repos[key].file_at(&reference, &path) else {
            return render::not_found();
        };
        if raw {
            return text.clone().into_response();
        }
        Json(json!({
            "type": "file",
            "encoding": "base64",
            "size": text.len(),
            "name": path.rsplit('/').next().unwrap_or(&path),
            "path": path,
            "content": base64::engine::general_purpose::STANDARD.encode(text),
        }))
        .into_response()
    })
}

async fn list_issues(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Query(q): Params,
) -> Response {
    let wanted = q.get("state").cloned().unwrap_or_else(|| "open".into());
    let labels: Vec<String> = q
        .get("labels")
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let items = repo
            .issues
            .values()
            .filter(|i| wanted == "all" || i.state == wanted)
            .filter(|i| {
                labels
                    .iter()
                    .all(|want| i.labels.iter().any(|l| l.eq_ignore_ascii_case(want)))
            })
            .map(|i| render::issue(&fake.base_url, repo, i))
            .collect();
        paginate(&fake, &format!("/repos/{key}/issues"), &q, items)
    })
}

async fn get_issue(AxumState(fake): AxumState<Fake>, Path((o, r, n)): NumberPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        match repo.issues.get(&n) {
            Some(issue) => Json(render::issue(&fake.base_url, repo, issue)).into_response(),
            None => render::not_found(),
        }
    })
}

/// `PATCH /issues/{n}`: `labels` replaces the whole set (unknown labels are
/// created, as GitHub does), `milestone` takes a number or null.
async fn update_issue(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        if !state.repos[key].issues.contains_key(&n) {
            return render::not_found();
        }
        if let Some(milestone) = body.get("milestone") {
            let valid = milestone.is_null()
                || milestone
                    .as_u64()
                    .is_some_and(|m| state.repos[key].milestone(m).is_some());
            if !valid {
                return render::validation_failed("Issue", "milestone", "invalid");
            }
        }
        let mut new_labels = None;
        if let Some(labels) = body.get("labels").and_then(Value::as_array) {
            let names: Vec<String> = labels
                .iter()
                .filter_map(|l| l.as_str().or_else(|| l.get("name").and_then(Value::as_str)))
                .map(str::to_string)
                .collect();
            for name in &names {
                if state.repos[key].label(name).is_none() {
                    let id = state.fresh_id();
                    state.repos.get_mut(key).unwrap().labels.push(Label {
                        id,
                        name: name.clone(),
                        color: "ededed".into(),
                        description: None,
                    });
                }
            }
            new_labels = Some(names);
        }
        let before = {
            let issue = &state.repos[key].issues[&n];
            (issue.labels.clone(), issue.milestone)
        };
        let repo = state.repos.get_mut(key).unwrap();
        let issue = repo.issues.get_mut(&n).unwrap();
        if let Some(names) = new_labels {
            issue.labels = names;
        }
        if let Some(milestone) = body.get("milestone") {
            issue.milestone = milestone.as_u64();
        }
        if let Some(title) = body.get("title").and_then(Value::as_str) {
            issue.title = title.to_string();
        }
        if let Some(state_name) = body.get("state").and_then(Value::as_str) {
            issue.state = state_name.to_string();
        }
        let after = {
            let issue = &state.repos[key].issues[&n];
            (issue.labels.clone(), issue.milestone)
        };
        let bot = state.bot_login.clone();
        let repo_key = key.to_string();
        state.record_events(&repo_key, n, &before, &after, &bot);
        let repo = &state.repos[key];
        Json(render::issue(&fake.base_url, repo, &repo.issues[&n])).into_response()
    })
}

async fn list_comments(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
    Query(q): Params,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        if !repo.issues.contains_key(&n) {
            return render::not_found();
        }
        let items = repo
            .comments
            .iter()
            .filter(|c| c.issue_number == n)
            .map(|c| render::comment(&fake.base_url, repo, c))
            .collect();
        paginate(
            &fake,
            &format!("/repos/{key}/issues/{n}/comments"),
            &q,
            items,
        )
    })
}

fn body_text(body: &Value) -> Option<String> {
    body.get("body").and_then(Value::as_str).map(str::to_string)
}

async fn create_comment(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let Some(text) = body_text(&body) else {
            return render::validation_failed("IssueComment", "body", "missing_field");
        };
        if !state.repos[key].issues.contains_key(&n) {
            return render::not_found();
        }
        let comment = Comment::new(state.fresh_id(), n, &state.bot_login.clone(), &text);
        let repo = state.repos.get_mut(key).unwrap();
        repo.comments.push(comment.clone());
        (
            StatusCode::CREATED,
            Json(render::comment(&fake.base_url, repo, &comment)),
        )
            .into_response()
    })
}

async fn get_comment(AxumState(fake): AxumState<Fake>, Path((o, r, id)): NumberPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        match repo.comments.iter().find(|c| c.id == id) {
            Some(comment) => Json(render::comment(&fake.base_url, repo, comment)).into_response(),
            None => render::not_found(),
        }
    })
}

async fn update_comment(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, id)): NumberPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let Some(text) = body_text(&body) else {
            return render::validation_failed("IssueComment", "body", "missing_field");
        };
        let repo = state.repos.get_mut(key).unwrap();
        let Some(comment) = repo.comments.iter_mut().find(|c| c.id == id) else {
            return render::not_found();
        };
        comment.body = text;
        comment.updated_at = chrono::Utc::now();
        let comment = comment.clone();
        Json(render::comment(&fake.base_url, repo, &comment)).into_response()
    })
}

async fn list_labels(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Query(q): Params,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let items = repo
            .labels
            .iter()
            .map(|l| render::label(&fake.base_url, repo, l))
            .collect();
        paginate(&fake, &format!("/repos/{key}/labels"), &q, items)
    })
}

async fn create_label(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let Some(name) = body.get("name").and_then(Value::as_str) else {
            return render::validation_failed("Label", "name", "missing_field");
        };
        if state.repos[key].label(name).is_some() {
            return render::validation_failed("Label", "name", "already_exists");
        }
        let label = Label {
            id: state.fresh_id(),
            name: name.to_string(),
            color: body
                .get("color")
                .and_then(Value::as_str)
                .unwrap_or("ededed")
                .to_string(),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let repo = state.repos.get_mut(key).unwrap();
        repo.labels.push(label.clone());
        (
            StatusCode::CREATED,
            Json(render::label(&fake.base_url, repo, &label)),
        )
            .into_response()
    })
}

async fn list_milestones(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Query(q): Params,
) -> Response {
    let wanted = q.get("state").cloned().unwrap_or_else(|| "open".into());
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let items = repo
            .milestones
            .iter()
            .filter(|m| wanted == "all" || m.state == wanted)
            .map(|m| render::milestone(&fake.base_url, repo, m))
            .collect();
        paginate(&fake, &format!("/repos/{key}/milestones"), &q, items)
    })
}

async fn create_milestone(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let Some(title) = body.get("title").and_then(Value::as_str) else {
            return render::validation_failed("Milestone", "title", "missing_field");
        };
        if state.repos[key].milestones.iter().any(|m| m.title == title) {
            return render::validation_failed("Milestone", "title", "already_exists");
        }
        let number = state.repos[key]
            .milestones
            .iter()
            .map(|m| m.number)
            .max()
            .unwrap_or(0)
            + 1;
        let milestone = Milestone {
            id: state.fresh_id(),
            number,
            title: title.to_string(),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            state: body
                .get("state")
                .and_then(Value::as_str)
                .unwrap_or("open")
                .to_string(),
            due_on: body
                .get("due_on")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let repo = state.repos.get_mut(key).unwrap();
        repo.milestones.push(milestone.clone());
        (
            StatusCode::CREATED,
            Json(render::milestone(&fake.base_url, repo, &milestone)),
        )
            .into_response()
    })
}

async fn get_milestone(AxumState(fake): AxumState<Fake>, Path((o, r, n)): NumberPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        match repo.milestone(n) {
            Some(m) => Json(render::milestone(&fake.base_url, repo, m)).into_response(),
            None => render::not_found(),
        }
    })
}

async fn update_milestone(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = state.repos.get_mut(key).unwrap();
        let Some(milestone) = repo.milestones.iter_mut().find(|m| m.number == n) else {
            return render::not_found();
        };
        if let Some(title) = body.get("title").and_then(Value::as_str) {
            milestone.title = title.to_string();
        }
        if let Some(description) = body.get("description") {
            milestone.description = description.as_str().map(str::to_string);
        }
        if let Some(state_name) = body.get("state").and_then(Value::as_str) {
            milestone.state = state_name.to_string();
        }
        if let Some(due_on) = body.get("due_on") {
            milestone.due_on = due_on.as_str().map(str::to_string);
        }
        let milestone = milestone.clone();
        Json(render::milestone(&fake.base_url, repo, &milestone)).into_response()
    })
}

async fn create_status(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, sha)): Path<(String, String, String)>,
    Json(body): Json<Value>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let status_state = body
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !["error", "failure", "pending", "success"].contains(&status_state) {
            return render::validation_failed("Status", "state", "invalid");
        }
        let status = Status {
            id: state.fresh_id(),
            sha,
            state: status_state.to_string(),
            context: body
                .get("context")
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_string(),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            target_url: body
                .get("target_url")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let creator = state.bot_login.clone();
        let repo = state.repos.get_mut(key).unwrap();
        repo.statuses.push(status.clone());
        (
            StatusCode::CREATED,
            Json(render::status(&fake.base_url, repo, &status, &creator)),
        )
            .into_response()
    })
}

async fn list_statuses(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, sha)): Path<(String, String, String)>,
    Query(q): Params,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        // Newest first, as GitHub lists them.
        let items = repo
            .statuses
            .iter()
            .rev()
            .filter(|s| s.sha == sha)
            .map(|s| render::status(&fake.base_url, repo, s, &state.bot_login))
            .collect();
        paginate(
            &fake,
            &format!("/repos/{key}/commits/{sha}/statuses"),
            &q,
            items,
        )
    })
}

fn check_run_fields(run: &mut CheckRun, body: &Value) {
    if let Some(status) = body.get("status").and_then(Value::as_str) {
        run.status = status.to_string();
    }
    if let Some(conclusion) = body.get("conclusion").and_then(Value::as_str) {
        run.conclusion = Some(conclusion.to_string());
        run.status = "completed".to_string();
    }
    if let Some(output) = body.get("output") {
        run.title = output
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string);
        run.summary = output
            .get("summary")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
}

/// Check runs can only be written by a GitHub App installation.
async fn create_check_run(
    AxumState(fake): AxumState<Fake>,
    Path((o, r)): RepoPath,
    Extension(caller): Extension<Caller>,
    Json(body): Json<Value>,
) -> Response {
    if !matches!(caller, Caller::Installation(_)) {
        return render::error(
            StatusCode::FORBIDDEN,
            "You must authenticate via a GitHub App.",
        );
    }
    with_repo(&fake, &o, &r, |state, key| {
        let (Some(name), Some(head_sha)) = (
            body.get("name").and_then(Value::as_str),
            body.get("head_sha").and_then(Value::as_str),
        ) else {
            return render::validation_failed("CheckRun", "head_sha", "missing_field");
        };
        let mut run = CheckRun {
            id: state.fresh_id(),
            head_sha: head_sha.to_string(),
            name: name.to_string(),
            status: "queued".to_string(),
            conclusion: None,
            title: None,
            summary: None,
        };
        check_run_fields(&mut run, &body);
        let repo = state.repos.get_mut(key).unwrap();
        repo.check_runs.push(run.clone());
        (
            StatusCode::CREATED,
            Json(render::check_run(&fake.base_url, repo, &run)),
        )
            .into_response()
    })
}

async fn update_check_run(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, id)): NumberPath,
    Extension(caller): Extension<Caller>,
    Json(body): Json<Value>,
) -> Response {
    if !matches!(caller, Caller::Installation(_)) {
        return render::error(
            StatusCode::FORBIDDEN,
            "You must authenticate via a GitHub App.",
        );
    }
    with_repo(&fake, &o, &r, |state, key| {
        let repo = state.repos.get_mut(key).unwrap();
        let Some(run) = repo.check_runs.iter_mut().find(|c| c.id == id) else {
            return render::not_found();
        };
        check_run_fields(run, &body);
        let run = run.clone();
        Json(render::check_run(&fake.base_url, repo, &run)).into_response()
    })
}

async fn list_check_runs(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, sha)): Path<(String, String, String)>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let runs: Vec<Value> = repo
            .check_runs
            .iter()
            .filter(|c| c.head_sha == sha)
            .map(|c| render::check_run(&fake.base_url, repo, c))
            .collect();
        Json(json!({"total_count": runs.len(), "check_runs": runs})).into_response()
    })
}

async fn get_installation(AxumState(fake): AxumState<Fake>, Path((o, r)): RepoPath) -> Response {
    with_repo(&fake, &o, &r, |state, _| {
        let Some(app) = &state.app else {
            return render::not_found();
        };
        Json(json!({
            "id": app.installation_id,
            "app_id": app.app_id,
            "account": render::user(&o),
            "target_type": "Organization",
            "permissions": {"checks": "write", "issues": "write", "pull_requests": "write", "statuses": "write", "metadata": "read"},
            "events": ["pull_request", "issues", "milestone", "issue_comment"],
            "repository_selection": "selected",
            "access_tokens_url": format!("{}/app/installations/{}/access_tokens", fake.base_url, app.installation_id),
        }))
        .into_response()
    })
}

async fn create_installation_token(
    AxumState(fake): AxumState<Fake>,
    Path(id): Path<u64>,
) -> Response {
    let mut state = fake.state.lock().unwrap();
    let Some(app) = state.app.clone().filter(|a| a.installation_id == id) else {
        return render::not_found();
    };
    let token = format!("ghs_fake{:032}", state.installation_tokens.len() + 1);
    state.installation_tokens.push(token.clone());
    let expires_at = (chrono::Utc::now() + app.token_lifetime)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (
        StatusCode::CREATED,
        Json(json!({
            "token": token,
            "expires_at": expires_at,
            "permissions": {"checks": "write", "issues": "write", "pull_requests": "write", "statuses": "write"},
            "repository_selection": "selected",
        })),
    )
        .into_response()
}
