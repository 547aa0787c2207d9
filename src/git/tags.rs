//! The tags of a local repository that name commits (release candidates;
//! which are releases is decided by the version scheme).

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
