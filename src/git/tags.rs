//! Release tags of a local repository: `git tag --list`, kept when they parse
//! under the project's version scheme.

use crate::core::release::{Scheme, Version};
use crate::git::repo::GitRepo;

/// Every tag in `repo` that names a commit (directly or through an annotated
/// tag); a tag of a tree or blob cannot be a release and is left out.
pub fn list_tags(repo: &GitRepo) -> anyhow::Result<Vec<String>> {
    let out = repo.run(&[
        "for-each-ref",
        "refs/tags",
        "--format=%(objecttype) %(*objecttype) %(refname:strip=2)",
    ])?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            let (kind, rest) = line.split_once(' ')?;
            let (peeled, name) = rest.split_once(' ')?;
            (kind == "commit" || peeled == "commit").then(|| name.to_string())
        })
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
