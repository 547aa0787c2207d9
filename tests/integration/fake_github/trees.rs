//! The fake GitHub's branches, refs and trees: `GET …/git/ref/heads/{branch}`,
//! `GET …/branches/{branch}` and `GET …/git/trees/{tree-ish}` over the files
//! seeded per commit (`set_content`) and the branches (`set_branch`), in
//! GitHub's shapes: git's blob and tree ids, `recursive` (any value) for
//! the whole tree, `truncated` past the entry limit (`set_tree_limit`),
//! 404 for what is not there and 409 for a repository without a commit.

use super::Fake;
use super::render;
use super::routes::with_repo;
use super::state::Repo;
use crate::fake_gitlab::git_objects::{Node, listing};
use axum::Json;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// GitHub's limit on a recursive tree's entries.
pub const TREE_LIMIT: usize = 100_000;

type RefPath = Path<(String, String, String)>;

impl Repo {
    /// The commit `reference` names: a branch's head, else itself.
    pub fn resolve(&self, reference: &str) -> String {
        self.branches
            .get(reference)
            .cloned()
            .unwrap_or_else(|| reference.to_string())
    }

    /// The text of `path` at `reference` (seeded under it, else under the
    /// commit a branch of that name points at).
    pub fn file_at(&self, reference: &str, path: &str) -> Option<&String> {
        let key = |r: String| (r, path.to_string());
        self.contents
            .get(&key(reference.into()))
            .or_else(|| self.contents.get(&key(self.resolve(reference))))
    }

    /// Every file at the commit `sha`, path → text.
    pub fn files_at(&self, sha: &str) -> BTreeMap<String, String> {
        self.contents
            .iter()
            .filter(|((at, _), _)| at == sha)
            .map(|((_, path), text)| (path.clone(), text.clone()))
            .collect()
    }

    /// Whether the repository has the commit `sha`: one with files, a
    /// branch head, or a pull request's head (the fake keeps no history).
    pub fn has_commit(&self, sha: &str) -> bool {
        self.contents.keys().any(|(at, _)| at == sha)
            || self.branches.values().any(|head| head == sha)
            || self
                .issues
                .values()
                .any(|i| i.pull.as_ref().is_some_and(|p| p.head_sha == sha))
    }

    /// No commit at all: GitHub answers git data reads with 409.
    pub fn is_empty(&self) -> bool {
        self.contents.is_empty()
            && self.branches.is_empty()
            && self.issues.values().all(|i| i.pull.is_none())
    }
}

fn empty_repository() -> Response {
    render::error(StatusCode::CONFLICT, "Git Repository is empty.")
}

/// `GET /repos/{o}/{r}/git/ref/{ref}`: exactly `heads/<branch>`, else 404.
pub async fn get_ref(AxumState(fake): AxumState<Fake>, Path((o, r, name)): RefPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        if repo.is_empty() {
            return empty_repository();
        }
        let head = name
            .strip_prefix("heads/")
            .and_then(|branch| repo.branches.get(branch));
        let Some(sha) = head else {
            return render::not_found();
        };
        let api = format!("{}/repos/{key}", fake.base_url);
        Json(json!({
            "ref": format!("refs/{name}"),
            "node_id": format!("REF_{name}"),
            "url": format!("{api}/git/refs/{name}"),
            "object": { "type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}") },
        }))
        .into_response()
    })
}

/// `GET /repos/{o}/{r}/branches/{branch}`: the branch with its head commit.
pub async fn get_branch(AxumState(fake): AxumState<Fake>, Path((o, r, name)): RefPath) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let Some(sha) = repo.branches.get(&name) else {
            return render::error(StatusCode::NOT_FOUND, "Branch not found");
        };
        let (tree, _) = listing(&repo.files_at(sha));
        let api = format!("{}/repos/{key}", fake.base_url);
        let html = format!("https://github.example/{key}");
        let person = json!({ "name": "Alice", "email": "alice@example.org", "date": "2026-11-02T10:00:00Z" });
        Json(json!({
            "name": name,
            "commit": {
                "sha": sha,
                "node_id": format!("C_{sha}"),
                "commit": {
                    "author": person, "committer": person, "message": "Update the schema",
                    "tree": { "sha": tree, "url": format!("{api}/git/trees/{tree}") },
                    "url": format!("{api}/git/commits/{sha}"), "comment_count": 0,
                    "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null },
                },
                "url": format!("{api}/commits/{sha}"),
                "html_url": format!("{html}/commit/{sha}"),
                "comments_url": format!("{api}/commits/{sha}/comments"),
                "author": render::user("alice"), "committer": render::user("alice"),
                "parents": [],
            },
            "_links": { "self": format!("{api}/branches/{name}"), "html": format!("{html}/tree/{name}") },
            "protected": name == "main",
            "protection": { "enabled": false, "required_status_checks": { "enforcement_level": "off", "contexts": [], "checks": [] } },
            "protection_url": format!("{api}/branches/{name}/protection"),
        }))
        .into_response()
    })
}

fn entry_json(api: &str, node: &Node) -> Value {
    let (kind, objects) = if node.is_tree {
        ("tree", "trees")
    } else {
        ("blob", "blobs")
    };
    let mut entry = json!({
        "path": node.path, "mode": node.mode(), "type": kind, "sha": node.id,
        "url": format!("{api}/git/{objects}/{}", node.id),
    });
    if let Some(size) = node.size {
        entry["size"] = json!(size);
    }
    entry
}

/// `GET /repos/{o}/{r}/git/trees/{tree-ish}[?recursive=…]`: a commit sha or
/// branch name; with `recursive` (whatever its value, as GitHub reads it)
/// every entry in git's order, else the top level only.
pub async fn get_tree(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, tree_ish)): RefPath,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    with_repo(&fake, &o, &r, |state, key| {
        let limit = state.tree_limit.unwrap_or(TREE_LIMIT);
        let repo = &state.repos[key];
        if repo.is_empty() {
            return empty_repository();
        }
        let sha = repo.resolve(&tree_ish);
        if !repo.has_commit(&sha) {
            return render::not_found();
        }
        let (root, nodes) = listing(&repo.files_at(&sha));
        let recursive = q.contains_key("recursive");
        let listed: Vec<&Node> = nodes
            .iter()
            .filter(|n| recursive || !n.path.contains('/'))
            .collect();
        let api = format!("{}/repos/{key}", fake.base_url);
        Json(json!({
            "sha": root,
            "url": format!("{api}/git/trees/{root}"),
            "tree": listed.iter().take(limit).map(|n| entry_json(&api, n)).collect::<Vec<_>>(),
            "truncated": listed.len() > limit,
        }))
        .into_response()
    })
}
