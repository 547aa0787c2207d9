//! Reads what changed between two revisions: the changed files with rename
//! detection, file contents at a revision, and the added lines of the diff.

use crate::core::types::{ChangeKind, ChangedFile};
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
        let base_id = repo.resolve(base)?;
        let base_id = if symmetric {
            repo.merge_base(&base_id, &head_id)?
        } else {
            base_id
        };
        Ok(Range {
            base: base_id,
            head: head_id,
        })
    }
}

/// The files changed between `range.base` and `range.head`, renames detected.
pub fn changed_files(repo: &GitRepo, range: &Range) -> Result<Vec<ChangedFile>> {
    let out = repo.run(&[
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        "--no-textconv",
        &range.base,
        &range.head,
    ])?;
    parse_name_status_z(&out)
}

/// Parses `git diff --name-status -z` output.
fn parse_name_status_z(out: &[u8]) -> Result<Vec<ChangedFile>> {
    let mut fields = out
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut files = Vec::new();
    while let Some(status) = fields.next() {
        if status.is_empty() {
            continue;
        }
        let mut next_path = || {
            fields
                .next()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| anyhow::anyhow!("git diff output ended after status `{status}`"))
        };
        let file = match status.as_bytes()[0] {
            b'A' => ChangedFile::new(next_path()?, ChangeKind::Added),
            b'M' | b'T' => ChangedFile::new(next_path()?, ChangeKind::Modified),
            b'D' => ChangedFile::new(next_path()?, ChangeKind::Deleted),
            b'R' => {
                let old = next_path()?;
                ChangedFile::renamed(old, next_path()?)
            }
            // A copy leaves the source in place: the destination is a new file.
            b'C' => {
                let _source = next_path()?;
                ChangedFile::new(next_path()?, ChangeKind::Added)
            }
            _ => {
                // Unmerged or unknown entries carry one path; skip them.
                next_path()?;
                continue;
            }
        };
        files.push(file);
    }
    Ok(files)
}

/// Reads files at a revision in one `git cat-file --batch` call; a path that
/// does not exist there, or is not UTF-8 text, maps to `None`.
pub fn file_texts(repo: &GitRepo, rev: &str, paths: &[&str]) -> Result<HashMap<String, String>> {
    let mut texts = HashMap::new();
    if paths.is_empty() {
        return Ok(texts);
    }
    let mut request = String::new();
    for path in paths {
        request.push_str(rev);
        request.push(':');
        request.push_str(path);
        request.push('\n');
    }
    let out = repo.run_with_input(&["cat-file", "--batch"], Some(request.as_bytes()))?;
    let mut rest: &[u8] = &out;
    for path in paths {
        let Some(newline) = rest.iter().position(|b| *b == b'\n') else {
            bail!("git cat-file answered fewer objects than asked");
        };
        let header = String::from_utf8_lossy(&rest[..newline]).into_owned();
        rest = &rest[newline + 1..];
        let mut parts = header.split(' ');
        let (_id, kind, size) = (parts.next(), parts.next(), parts.next());
        // `<name> missing` (or `ambiguous`) has no body; a found object has
        // `<id> <type> <size>` and then exactly `size` bytes and a newline.
        if let (Some(kind), Some(size)) = (kind, size.and_then(|s| s.parse::<usize>().ok())) {
            if rest.len() < size + 1 {
                bail!("git cat-file output was cut short");
            }
            if kind == "blob"
                && let Ok(text) = std::str::from_utf8(&rest[..size])
            {
                texts.insert(path.to_string(), text.to_string());
            }
            rest = &rest[size + 1..];
        }
    }
    Ok(texts)
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
fn parse_added_lines(diff: &str) -> HashMap<String, String> {
    let mut added: HashMap<String, String> = HashMap::new();
    let mut current: Option<String> = None;
    let mut in_hunk = false;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            current = None;
            in_hunk = false;
        } else if !in_hunk && let Some(path) = line.strip_prefix("+++ ") {
            current = (path != "/dev/null").then(|| unquote(path));
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

/// Git quotes paths with unusual characters; with `core.quotepath=off` only
/// quotes and control characters remain escaped.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_z_handles_every_status() {
        let raw = b"A\0a.py\0M\0b.py\0D\0c.py\0R087\0old.py\0new.py\0C100\0src.py\0copy.py\0";
        let files = parse_name_status_z(raw).unwrap();
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
    fn truncated_name_status_is_an_error() {
        assert!(parse_name_status_z(b"R100\0old.py\0").is_err());
    }

    #[test]
    fn added_lines_are_collected_per_new_path_without_headers() {
        let diff = "diff --git a.xml a.xml\nindex 1..2 100644\n--- a.xml\n+++ a.xml\n@@ -3,0 +4,2 @@\n+  <changeSet id=\"2\">\n+++ weird\n-removed\ndiff --git gone.sql gone.sql\n--- gone.sql\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let added = parse_added_lines(diff);
        assert_eq!(added["a.xml"], "  <changeSet id=\"2\">\n++ weird");
        assert!(!added.contains_key("gone.sql"));
    }
}
