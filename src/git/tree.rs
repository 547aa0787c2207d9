//! The files under some directories at one revision (`git ls-tree`), the
//! offline counterpart of a forge's tree listing.

use crate::git::repo::GitRepo;
use anyhow::Result;

/// Every file under `dirs` at `rev`, recursively ("" is the whole tree).
/// A directory absent there lists nothing.
pub fn files_under(repo: &GitRepo, rev: &str, dirs: &[String]) -> Result<Vec<String>> {
    if dirs.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--full-tree",
        rev,
        "--",
    ];
    if !dirs.iter().any(String::is_empty) {
        args.extend(dirs.iter().map(String::as_str));
    }
    let out = repo.run(&args)?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}
