//! The pull request's commits, reviews and requested reviewers: schemagate
//! reads none of them, but danger-js (`danger pr`, the bench's comparison)
//! reads them all before it runs a Dangerfile. One commit (the head), no
//! reviews, nobody requested.

use super::Fake;
use super::render;
use axum::Json;
use axum::extract::{Path, State as AxumState};
use axum::response::{IntoResponse, Response};
use serde_json::json;

type NumberPath = Path<(String, String, u64)>;

/// The head commit of pull request `n`, or `None` when there is no such pull.
fn head_of(fake: &Fake, owner: &str, name: &str, n: u64) -> Option<(String, String)> {
    let state = fake.state.lock().unwrap();
    let repo = state.repo(owner, name)?;
    let issue = repo.issues.get(&n)?;
    Some((issue.pull.as_ref()?.head_sha.clone(), issue.author.clone()))
}

pub async fn list_commits(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
) -> Response {
    let Some((sha, author)) = head_of(&fake, &o, &r, n) else {
        return render::not_found();
    };
    let person = json!({"name": author, "email": format!("{author}@example.org"), "date": "2026-11-02T10:00:00Z"});
    Json(json!([{
        "sha": sha,
        "url": format!("{}/repos/{o}/{r}/commits/{sha}", fake.base_url),
        "commit": {
            "message": "Add a priority",
            "author": person,
            "committer": person,
            "tree": {"sha": sha},
        },
        "author": render::user(&author),
        "committer": render::user(&author),
        "parents": [],
    }]))
    .into_response()
}

pub async fn list_reviews(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
) -> Response {
    match head_of(&fake, &o, &r, n) {
        Some(_) => Json(json!([])).into_response(),
        None => render::not_found(),
    }
}

pub async fn requested_reviewers(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): NumberPath,
) -> Response {
    match head_of(&fake, &o, &r, n) {
        Some(_) => Json(json!({"users": [], "teams": []})).into_response(),
        None => render::not_found(),
    }
}
