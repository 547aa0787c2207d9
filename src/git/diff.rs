//! Reads what changed between two revisions: the changed files with rename
//! detection, file contents at a revision, and the added lines of the diff.

use crate::core::paths::{changed_file, unquote};
use crate::core::types::{ChangeKind, ChangedFile};
use crate::git::objects;
use crate::git::repo::GitRepo;
use anyhow::{Result, bail};
use std::collections::HashMap;

/// A resolved `BASE..HEAD` (or `BASE...HEAD`, diffed from the merge base).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Commit id the diff starts from.
    pub base: String,
    /// Commit id the diff ends at.
    pub head: String,
    /// What BASE names, resolved: the branch a change would land on (for
    /// `BASE...HEAD`, BASE itself rather than the merge base).
    pub target: String,
}

impl Range {
    /// Parses and resolves `A..B` or `A...B` against the repository.
    pub fn resolve(repo: &GitRepo, spec: &str) -> Result<Range> {
        let (base, head, symmetric) = if let Some((a, b)) = spec.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = spec.split_once("..") {
            (a, b, false)
        } else {
            bail!("`{spec}` is not a range; write BASE..HEAD, e.g. origin/main..HEAD");
        };
        let base = if base.is_empty() { "HEAD" } else { base };
        let head = if head.is_empty() { "HEAD" } else { head };
        let head_id = repo.resolve(head)?;
        let target = repo.resolve_base(base)?;
        let base_id = if symmetric {
            repo.merge_base(&repo.resolve(base)?, &head_id)?
        } else {
            target.clone()
        };
        Ok(Range {
            base: base_id,
            head: head_id,
            target,
        })
    }
}

/// The files changed between `range.base` and `range.head`, renames detected.
/// Submodule pointers are not files and are left out.
pub fn changed_files(repo: &GitRepo, range: &Range) -> Result<Vec<ChangedFile>> {
    let out = repo.run(&[
        "diff",
        "--raw",
        "-z",
        "-M",
        "--no-ext-diff",
        "--no-textconv",
        &range.base,
        &range.head,
    ])?;
    Ok(parse_raw_z(&out)?.into_iter().map(|raw| raw.file).collect())
}

/// One entry of `git diff --raw`: the changed file and the blob ids on both
/// sides (the all-zero id where a side has no file), so contents can be read
/// by id without naming the revision again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChange {
    pub file: ChangedFile,
    pub old_blob: String,
    pub new_blob: String,
}

impl RawChange {
    /// The blob holding the file's text as classification reads it: the new
    /// side, or the old one for a deleted file (where it last existed).
    pub fn text_blob(&self) -> &str {
        match self.file.change {
            ChangeKind::Deleted => &self.old_blob,
            _ => &self.new_blob,
        }
    }
}

/// The mode git gives a submodule's commit pointer.
const GITLINK_MODE: &str = "160000";

/// Parses `git diff --raw -z`: `:old_mode new_mode old_id new_id STATUS\0path\0`
/// (two paths for renames and copies).
pub(crate) fn parse_raw_z(out: &[u8]) -> Result<Vec<RawChange>> {
    let mut fields = out
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut files = Vec::new();
    while let Some(header) = fields.next() {
        if header.is_empty() {
            continue;
        }
        let parts: Vec<&str> = header.trim_start_matches(':').split(' ').collect();
        let [old_mode, new_mode, old_blob, new_blob, status] = parts[..] else {
            bail!("unexpected git diff --raw entry `{header}`");
        };
        let path_count = if status.starts_with(['R', 'C']) { 2 } else { 1 };
        let paths: Vec<String> = fields.by_ref().take(path_count).collect();
        if paths.len() != path_count {
            bail!("git diff output ended inside the entry for `{header}`");
        }
        if old_mode == GITLINK_MODE || new_mode == GITLINK_MODE || status.starts_with(['U', 'X']) {
            continue;
        }
        let file = changed_file(status, paths).map_err(|e| anyhow::anyhow!("git diff: {e}"))?;
        files.push(RawChange {
            file,
            old_blob: old_blob.to_string(),
            new_blob: new_blob.to_string(),
        });
    }
    Ok(files)
}

/// Reads files at a revision in one `git cat-file --batch` call; a path that
/// does not exist there, or is not UTF-8 text, maps to `None`.
pub fn file_texts(repo: &GitRepo, rev: &str, paths: &[&str]) -> Result<HashMap<String, String>> {
    let requests: Vec<String> = paths.iter().map(|path| format!("{rev}:{path}")).collect();
    let texts = objects::texts(repo, &requests)?;
    Ok(paths
        .iter()
        .zip(texts)
        .filter_map(|(path, text)| Some((path.to_string(), text?)))
        .collect())
}

/// The added lines of each file's diff (joined by `\n`), for the given paths.
pub fn added_lines(
    repo: &GitRepo,
    range: &Range,
    paths: &[&str],
) -> Result<HashMap<String, String>> {
    if paths.is_empty() {
        return Ok(HashMap::new());
    }
    let mut args = vec![
        "diff",
        "-U0",
        "-M",
        "--no-ext-diff",
        "--no-textconv",
        "--no-prefix",
        range.base.as_str(),
        range.head.as_str(),
        "--",
    ];
    args.extend(paths.iter().copied());
    let out = repo.run(&args)?;
    Ok(parse_added_lines(&String::from_utf8_lossy(&out)))
}

/// Splits a unified diff (made with `--no-prefix`) into added lines per new path.
pub(crate) fn parse_added_lines(diff: &str) -> HashMap<String, String> {
    let mut added: HashMap<String, String> = HashMap::new();
    let mut current: Option<String> = None;
    let mut in_hunk = false;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            current = None;
            in_hunk = false;
        } else if !in_hunk && let Some(path) = line.strip_prefix("+++ ") {
            // Git ends the header with a tab when the path has a space.
            let path = path.strip_suffix('\t').unwrap_or(path);
            current =
                (path != "/dev/null").then(|| unquote(path).unwrap_or_else(|_| path.to_string()));
        } else if line.starts_with("@@") {
            in_hunk = true;
        } else if in_hunk
            && let (Some(text), Some(path)) = (line.strip_prefix('+'), current.as_ref())
        {
            let entry = added.entry(path.clone()).or_default();
            if !entry.is_empty() {
                entry.push('\n');
            }
            entry.push_str(text);
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_z_handles_every_status_and_skips_submodules() {
        let z = "0000000 1111111";
        let raw = format!(
            ":000000 100644 {z} A\0a.py\0:100644 100644 {z} M\0b.py\0:100644 000000 {z} D\0c.py\0\
             :100644 100644 {z} R087\0old.py\0new.py\0:100644 100644 {z} C100\0src.py\0copy.py\0\
             :000000 160000 {z} A\0db/migrate/20240102_sub.rb\0"
        );
        let files: Vec<ChangedFile> = parse_raw_z(raw.as_bytes())
            .unwrap()
            .into_iter()
            .map(|raw| raw.file)
            .collect();
        assert_eq!(
            files,
            vec![
                ChangedFile::new("a.py", ChangeKind::Added),
                ChangedFile::new("b.py", ChangeKind::Modified),
                ChangedFile::new("c.py", ChangeKind::Deleted),
                ChangedFile::renamed("old.py", "new.py"),
                ChangedFile::new("copy.py", ChangeKind::Added),
            ]
        );
    }

    #[test]
    fn truncated_raw_output_is_an_error() {
        assert!(parse_raw_z(b":100644 100644 0 1 R100\0old.py\0").is_err());
    }

    #[test]
    fn added_lines_are_collected_per_new_path_without_headers() {
        let diff = "diff --git a.xml a.xml\nindex 1..2 100644\n--- a.xml\n+++ a.xml\n@@ -3,0 +4,2 @@\n+  <changeSet id=\"2\">\n+++ weird\n-removed\ndiff --git gone.sql gone.sql\n--- gone.sql\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let added = parse_added_lines(diff);
        assert_eq!(added["a.xml"], "  <changeSet id=\"2\">\n++ weird");
        assert!(!added.contains_key("gone.sql"));
    }

    #[test]
    fn a_header_path_with_a_space_loses_the_trailing_tab() {
        let diff = "diff --git my dir/a.xml my dir/a.xml\n--- my dir/a.xml\t\n+++ my dir/a.xml\t\n@@ -1,0 +2 @@\n+<changeSet id=\"2\">\n";
        let added = parse_added_lines(diff);
        assert_eq!(added["my dir/a.xml"], "<changeSet id=\"2\">");
    }
}
