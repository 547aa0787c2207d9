//! GitHub's repository reads: a file at a commit (the contents API, raw),
//! the commit a branch points at (`GET …/git/ref/heads/{branch}`), and the
//! files under directories from ONE recursive `GET …/git/trees/{commit}`.

use super::client::GitHubClient;
use super::model::{RestRef, RestTree};
use super::rest::{self, RAW};
use crate::forge::trees::{covering, listing, under};
use crate::forge::{CommitSha, ForgeError, ProjectPath, TreeListing};
use http::Method;

impl GitHubClient {
    /// [`Forge::file_text`](crate::forge::Forge::file_text): `None` for a 404.
    pub(super) async fn raw_file(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let route = format!(
            "/repos/{}/contents/{}?ref={sha}",
            project.0,
            rest::slashed(path)
        );
        match self.call(project, Method::GET, &route, None, RAW).await {
            Ok(reply) => Ok(Some(String::from_utf8_lossy(&reply.body).into_owned())),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// [`Forge::branch_head`](crate::forge::Forge::branch_head) from the
    /// branch's ref rather than `GET …/branches/{branch}`: the same one
    /// request and permission (contents: read), a far smaller answer (no
    /// commit, author, verification or protection), and the exact name
    /// only, where the branches endpoint redirects a renamed branch to its
    /// new name. A ref missing is 404; an empty repository, which has no
    /// branch at all, answers 409.
    pub(super) async fn head_of(
        &self,
        project: &ProjectPath,
        branch: &str,
    ) -> Result<CommitSha, ForgeError> {
        let route = format!(
            "/repos/{}/git/ref/heads/{}",
            project.0,
            rest::slashed(branch)
        );
        let found: RestRef = empty_is_missing(self.get_json(project, &route).await)?;
        Ok(CommitSha(found.object.sha))
    }

    /// [`Forge::list_tree`](crate::forge::Forge::list_tree): the whole tree
    /// at the commit (a commit is a tree-ish) in one request whatever the
    /// directories, the blobs under them kept. A commit GitHub does not
    /// have is [`ForgeError::NotFound`]; GitHub's `truncated` (past 100,000
    /// entries or 7 MB) is the listing's.
    pub(super) async fn tree_under(
        &self,
        project: &ProjectPath,
        commit: &CommitSha,
        dirs: &[String],
    ) -> Result<TreeListing, ForgeError> {
        let dirs = covering(dirs);
        if dirs.is_empty() {
            return Ok(TreeListing::default());
        }
        let route = format!(
            "/repos/{}/git/trees/{}?recursive=1",
            project.0,
            rest::segment(&commit.0)
        );
        let tree: RestTree = empty_is_missing(self.get_json(project, &route).await)?;
        let blobs = tree
            .tree
            .into_iter()
            .filter(|entry| entry.kind == "blob")
            .filter(|entry| dirs.iter().any(|dir| under(&entry.path, dir)))
            .map(|entry| (entry.path, entry.sha));
        Ok(listing(blobs, tree.truncated))
    }
}

/// GitHub's 409 "Git Repository is empty.": a repository without a commit
/// has no branch and no tree, so whatever was asked for is not there.
fn empty_is_missing<T>(answer: Result<T, ForgeError>) -> Result<T, ForgeError> {
    match answer {
        Err(ForgeError::Unexpected { status: 409, body }) => Err(ForgeError::NotFound(body)),
        other => other,
    }
}
