//! Finding files by content at several revisions in one `git grep` call
//! (the squashed migrations beside the migrations a release deletes).

use crate::git::repo::GitRepo;
use anyhow::Result;

/// The files under `dirs` that have a line matching the extended regex
/// `pattern`, at each of `revs` (commit ids): `(rev, path)` pairs.
pub fn files_matching(
    repo: &GitRepo,
    revs: &[&str],
    dirs: &[&str],
    pattern: &str,
) -> Result<Vec<(String, String)>> {
    if revs.is_empty() || dirs.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec!["grep", "-l", "-z", "-I", "-E", "-e", pattern];
    args.extend_from_slice(revs);
    args.push("--");
    args.extend_from_slice(dirs);
    // `git grep` exits 1 when nothing matches: an answer, not a failure.
    let out = repo.run_accepting(&args, None, &[1])?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            // `<rev>:<path>`; a commit id has no colon, a path may.
            let (rev, path) = entry.split_once(':')?;
            Some((rev.to_string(), path.to_string()))
        })
        .collect())
}
