//! GitLab's repository reads: a file at a commit (`GET …/repository/files/:path/raw`),
//! the commit a branch points at (`GET …/repository/branches/:branch`), and
//! the files under directories, per directory one recursive
//! `GET …/repository/tree`, every page of it.

use super::client::{GitLabClient, builder_error};
use super::endpoints::RepositoryTree;
use super::model::{GlBranch, GlTreeEntry};
use crate::forge::trees::{covering, listing};
use crate::forge::{CommitSha, ForgeError, ProjectPath, TreeListing};
use futures_util::future::try_join_all;
use gitlab::api::projects::repository::branches::Branch;
use gitlab::api::projects::repository::files::FileRaw;

impl GitLabClient {
    /// [`Forge::file_text`](crate::forge::Forge::file_text): `None` for a 404.
    pub(super) async fn raw_file(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        let endpoint = FileRaw::builder()
            .project(project.0.as_str())
            .file_path(path)
            .ref_(sha.0.as_str())
            .build()
            .map_err(builder_error)?;
        match self.transport().await?.send(&endpoint, None).await {
            Ok(answer) => Ok(Some(String::from_utf8_lossy(&answer.body).into_owned())),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// [`Forge::branch_head`](crate::forge::Forge::branch_head): GitLab answers
    /// `404 Branch Not Found` for a branch it does not have.
    pub(super) async fn head_of(
        &self,
        project: &ProjectPath,
        branch: &str,
    ) -> Result<CommitSha, ForgeError> {
        let endpoint = Branch::builder()
            .project(project.0.as_str())
            .branch(branch)
            .build()
            .map_err(builder_error)?;
        let found: GlBranch = self.query(endpoint).await?;
        Ok(CommitSha(found.commit.id))
    }

    /// [`Forge::list_tree`](crate::forge::Forge::list_tree): the directories
    /// no other one covers, listed at once, each page after page. Only the
    /// transport's page bound (100,000 entries a directory) can cut one short.
    pub(super) async fn tree_under(
        &self,
        project: &ProjectPath,
        commit: &CommitSha,
        dirs: &[String],
    ) -> Result<TreeListing, ForgeError> {
        let listings = try_join_all(
            covering(dirs)
                .into_iter()
                .map(|dir| self.tree_of(project, commit, dir)),
        )
        .await?;
        let truncated = listings.iter().any(|(_, cut)| *cut);
        let blobs = listings
            .into_iter()
            .flat_map(|(entries, _)| entries)
            .filter(|entry| entry.kind == "blob")
            .map(|entry| (entry.path, entry.id));
        Ok(listing(blobs, truncated))
    }

    /// Every entry under `dir` at `commit`, and whether the pages were cut short.
    async fn tree_of(
        &self,
        project: &ProjectPath,
        commit: &CommitSha,
        dir: String,
    ) -> Result<(Vec<GlTreeEntry>, bool), ForgeError> {
        let endpoint = RepositoryTree {
            project: project.0.as_str().into(),
            path: (!dir.is_empty()).then(|| dir.as_str().into()),
            reference: commit.0.as_str().into(),
            recursive: true,
        };
        match self.transport().await?.pages(&endpoint).await {
            // A path missing at the commit: `404 invalid revision or path Not
            // Found` since GitLab 16.6, an empty list before. A missing
            // commit is `404 Tree Not Found`, which some versions also say
            // of a missing path, so only the whole repository's listing
            // (whose path always exists) makes it an error.
            Err(ForgeError::NotFound(message))
                if !dir.is_empty() && !message.contains("Project Not Found") =>
            {
                Ok((Vec::new(), false))
            }
            other => other,
        }
    }
}
