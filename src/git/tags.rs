//! The tags of a local repository that name commits (release candidates;
//! which are releases is decided by the version scheme).

use crate::git::repo::GitRepo;

/// A tag and the commit it names (through an annotated tag if need be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub commit: String,
}

/// Every tag in `repo` that names a commit (directly or through an annotated
/// tag); a tag of a tree or blob cannot be a release and is left out.
pub fn list_tags(repo: &GitRepo) -> anyhow::Result<Vec<String>> {
    Ok(list_tag_commits(repo)?
        .into_iter()
        .map(|tag| tag.name)
        .collect())
}

/// [`list_tags`] with the commit each tag names, from the same one call.
pub fn list_tag_commits(repo: &GitRepo) -> anyhow::Result<Vec<Tag>> {
    let out = repo.run(&[
        "for-each-ref",
        "refs/tags",
        "--format=%(objecttype) %(*objecttype) %(objectname) %(*objectname) %(refname:strip=2)",
    ])?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            // A lightweight tag has empty peeled fields: `commit  <id>  <name>`.
            let mut fields = line.splitn(5, ' ');
            let (kind, peeled_kind) = (fields.next()?, fields.next()?);
            let (id, peeled_id, name) = (fields.next()?, fields.next()?, fields.next()?);
            let commit = match (kind, peeled_kind) {
                ("commit", _) => id,
                (_, "commit") => peeled_id,
                _ => return None,
            };
            Some(Tag {
                name: name.to_string(),
                commit: commit.to_string(),
            })
        })
        .collect())
}
