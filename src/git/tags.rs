//! Release tags of a local repository: `git tag --list`, kept when they parse
//! under the project's version scheme.

use crate::core::release::{Scheme, Version};
use crate::git::repo::GitRepo;

/// Every tag name in `repo`, as git lists them.
pub fn list_tags(repo: &GitRepo) -> anyhow::Result<Vec<String>> {
    let out = repo.run(&["tag", "--list"])?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect())
}

/// The release tags of `repo` in version order; tags that do not parse under
/// `scheme` (`latest`, `deploy-2024`) are not releases and are left out.
pub fn release_tags(repo: &GitRepo, scheme: &Scheme) -> anyhow::Result<Vec<Version>> {
    let mut versions: Vec<Version> = list_tags(repo)?
        .iter()
        .filter_map(|tag| scheme.parse(tag))
        .collect();
    versions.sort();
    Ok(versions)
}
