//! The fake GitLab's branches and trees: `GET …/repository/branches/:branch`
//! and `GET …/repository/tree` over the files seeded per commit
//! (`add_file`) and the branches (`set_branch`), with GitLab's shapes and
//! 404 messages, offset paging and keyset paging (`pagination=keyset`, the
//! next page's `page_token` in the `Link` header only).

use super::git_objects::{Node, listing};
use super::routes::{Params, Shared, base, message, not_found, paginate};
use super::state::{Project, State};
use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State as AxumState};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// The branch a tree read without `ref` lists (the fake's default branch).
pub const DEFAULT_BRANCH: &str = "main";

impl State {
    /// The commit `reference` names in the project: a branch's head, else itself.
    pub fn resolve(&self, project_id: u64, reference: &str) -> String {
        self.branches
            .get(&(project_id, reference.to_string()))
            .cloned()
            .unwrap_or_else(|| reference.to_string())
    }

    /// The text of `path` at `reference`: files seeded under that very
    /// reference first, else under the commit a branch of that name points at.
    pub fn file_at(&self, project_id: u64, reference: &str, path: &str) -> Option<&String> {
        let key = |r: String| (project_id, r, path.to_string());
        self.files
            .get(&key(reference.into()))
            .or_else(|| self.files.get(&key(self.resolve(project_id, reference))))
    }

    /// Every file at `reference` (looked up as [`Self::file_at`] does), path → text.
    pub fn files_at(&self, project_id: u64, reference: &str) -> BTreeMap<String, String> {
        let under = |r: &str| -> BTreeMap<String, String> {
            self.files
                .iter()
                .filter(|((p, at, _), _)| *p == project_id && at == r)
                .map(|((_, _, path), text)| (path.clone(), text.clone()))
                .collect()
        };
        let direct = under(reference);
        if direct.is_empty() {
            under(&self.resolve(project_id, reference))
        } else {
            direct
        }
    }

    /// Whether the project has the commit `reference`: one with files, a
    /// branch head, or a merge request's head (the fake keeps no history).
    pub fn has_commit(&self, project_id: u64, reference: &str) -> bool {
        let sha = self.resolve(project_id, reference);
        self.files
            .keys()
            .any(|(p, at, _)| *p == project_id && (*at == sha || at == reference))
            || self
                .branches
                .iter()
                .any(|((p, _), head)| *p == project_id && *head == sha)
            || self
                .merge_requests
                .iter()
                .any(|mr| mr.project_id == project_id && mr.sha == sha)
    }
}

fn branch_json(state: &State, project: &Project, name: &str, sha: &str) -> Value {
    let web = format!("{}/{}", base(state), project.path);
    let at = "2026-11-02T10:00:00.000+00:00";
    json!({
        "name": name, "merged": false, "protected": name == DEFAULT_BRANCH,
        "default": name == DEFAULT_BRANCH, "developers_can_push": false,
        "developers_can_merge": false, "can_push": true,
        "web_url": format!("{web}/-/tree/{name}"),
        "commit": {
            "id": sha, "short_id": &sha[..8.min(sha.len())], "created_at": at,
            "parent_ids": [], "title": "Update the schema", "message": "Update the schema\n",
            "author_name": "Alice", "author_email": "alice@example.org", "authored_date": at,
            "committer_name": "Alice", "committer_email": "alice@example.org",
            "committed_date": at, "trailers": {}, "extended_trailers": {},
            "web_url": format!("{web}/-/commit/{sha}"),
        },
    })
}

/// `GET /projects/:id/repository/branches/:branch` (the name URL-encoded).
pub async fn get_branch(
    AxumState(s): AxumState<Shared>,
    Path((id, branch)): Path<(String, String)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(project) = s.project(&id).cloned() else {
        return not_found("Project");
    };
    match s.branches.get(&(project.id, branch.clone())) {
        Some(sha) => Json(branch_json(&s, &project, &branch, sha)).into_response(),
        None => not_found("Branch"),
    }
}

fn node_json(node: &Node) -> Value {
    json!({
        "id": node.id, "name": node.name(), "type": if node.is_tree { "tree" } else { "blob" },
        "path": node.path, "mode": node.mode(),
    })
}

/// `GET /projects/:id/repository/tree?path=&ref=&recursive=`: directories
/// first, then files (GitLab's `sorted_entries`), each in git's order.
/// A ref the project does not have is `404 Tree Not Found`; a path that is
/// no directory there, `404 invalid revision or path Not Found` (GitLab 16.6+).
pub async fn list_tree(
    AxumState(s): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = s.project(&id).map(|p| p.id) else {
        return not_found("Project");
    };
    let reference = q.get("ref").map_or(DEFAULT_BRANCH, String::as_str);
    if !s.has_commit(pid, reference) {
        return not_found("Tree");
    }
    let (_, nodes) = listing(&s.files_at(pid, reference));
    let dir = q.get("path").map_or("", |p| p.trim_matches('/'));
    if !dir.is_empty() && !nodes.iter().any(|n| n.is_tree && n.path == dir) {
        return message(
            StatusCode::NOT_FOUND,
            "404 invalid revision or path Not Found",
        );
    }
    let recursive = q.get("recursive").is_some_and(|v| v == "true" || v == "1");
    let depth = if dir.is_empty() {
        1
    } else {
        dir.split('/').count() + 1
    };
    let (trees, blobs): (Vec<Node>, Vec<Node>) = nodes
        .into_iter()
        .filter(|n| dir.is_empty() || n.path.starts_with(&format!("{dir}/")))
        .filter(|n| recursive || n.path.split('/').count() == depth)
        .partition(|n| n.is_tree);
    let items: Vec<Value> = trees.iter().chain(&blobs).map(node_json).collect();
    if q.get("pagination").is_some_and(|p| p == "keyset") {
        keyset(items, &q, &uri, &base(&s))
    } else {
        paginate(items, &q, &uri, &base(&s))
    }
}

/// The opaque cursor GitLab's keyset pages carry (Gitaly's, base64 JSON).
fn token_for(path: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(json!({ "file_name": path }).to_string())
}

fn path_of(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.get("file_name")?.as_str().map(str::to_string)
}

/// Keyset paging: the entries after `page_token`'s, `per_page` of them
/// (default 20, at most 100), and a `Link: <…>; rel="next"` while more remain;
/// none of the offset headers.
fn keyset(items: Vec<Value>, q: &HashMap<String, String>, uri: &Uri, base: &str) -> Response {
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let start = match q.get("page_token") {
        None => 0,
        Some(token) => {
            let after = path_of(token);
            match items
                .iter()
                .position(|i| after.as_deref() == i["path"].as_str())
            {
                Some(at) => at + 1,
                None => {
                    return message(
                        StatusCode::BAD_REQUEST,
                        "400 Bad request - page_token is invalid",
                    );
                }
            }
        }
    };
    let page: Vec<Value> = items.iter().skip(start).take(per_page).cloned().collect();
    let more = start + page.len() < items.len();
    let last = page.last().and_then(|i| i["path"].as_str()).map(token_for);
    let mut response = Json(Value::Array(page)).into_response();
    if let Some(token) = last.filter(|_| more) {
        let mut query: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "page_token")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        query.sort();
        query.push(("page_token".into(), token));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        let link = format!("<{base}{}?{encoded}>; rel=\"next\"", uri.path());
        response
            .headers_mut()
            .insert("Link", HeaderValue::from_str(&link).unwrap());
    }
    response
}
