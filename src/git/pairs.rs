//! Many tree-to-tree diffs in one process: `git diff-tree --stdin` reads one
//! `<to> <from>` line per pair and diffs each as if `from` were the parent
//! of `to`. A non-commit line is echoed to the output unchanged, which marks
//! where each pair's answer starts (a pair with no changes prints nothing).

use crate::git::diff::{RawChange, parse_added_lines, parse_raw_z};
use crate::git::repo::GitRepo;
use anyhow::Result;
use std::collections::HashMap;

/// Two commits to compare: the release before and the release after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitPair {
    pub from: String,
    pub to: String,
}

/// The files changed in each pair (renames detected, submodules left out),
/// in the order of `pairs`, from one `git diff-tree --stdin` call.
///
/// Should the answer not split into one chunk per pair (a git that stops
/// echoing the marker lines), each pair is diffed on its own instead: slower,
/// the same answer.
pub fn changes_of_pairs(repo: &GitRepo, pairs: &[CommitPair]) -> Result<Vec<Vec<RawChange>>> {
    let chunks = match run_marked(repo, pairs, &["--raw", "-z"], &[])? {
        Some(chunks) => chunks,
        None => pairs
            .iter()
            .map(|pair| {
                let args = ["diff-tree", "-r", "-M", "--raw", "-z", &pair.from, &pair.to];
                repo.run(&args)
            })
            .collect::<Result<_>>()?,
    };
    chunks.iter().map(|chunk| parse_raw_z(chunk)).collect()
}

/// The added lines of `paths[i]` in pair `i` (joined by `\n`), from one
/// `git diff-tree --stdin -p -U0` call limited to the paths asked for. A
/// pair with no paths is answered empty without asking git about it.
pub fn added_lines_of_pairs(
    repo: &GitRepo,
    pairs: &[CommitPair],
    paths: &[Vec<&str>],
) -> Result<Vec<HashMap<String, String>>> {
    let mut all: Vec<&str> = paths.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let asked: Vec<usize> = (0..pairs.len()).filter(|i| !paths[*i].is_empty()).collect();
    let mut answers = vec![HashMap::new(); pairs.len()];
    if asked.is_empty() {
        return Ok(answers);
    }
    let asked_pairs: Vec<CommitPair> = asked.iter().map(|i| pairs[*i].clone()).collect();
    let options = ["-p", "-U0", "--no-ext-diff", "--no-textconv", "--no-prefix"];
    let chunks = match run_marked(repo, &asked_pairs, &options, &all)? {
        Some(chunks) => chunks,
        // As for the file lists: one diff per pair when the markers fail.
        None => asked_pairs
            .iter()
            .map(|pair| {
                let mut args = vec!["diff-tree", "-r", "-M"];
                args.extend_from_slice(&options);
                args.extend([pair.from.as_str(), pair.to.as_str(), "--"]);
                args.extend_from_slice(&all);
                repo.run(&args)
            })
            .collect::<Result<_>>()?,
    };
    for (i, chunk) in asked.into_iter().zip(chunks) {
        let mut added = parse_added_lines(&String::from_utf8_lossy(&chunk));
        // The pathspec is the union over all pairs: keep this pair's own.
        added.retain(|path, _| paths[i].contains(&path.as_str()));
        answers[i] = added;
    }
    Ok(answers)
}

/// The marker line written before each pair; it cannot start with a hex
/// object id, so diff-tree echoes it instead of reading it as a commit.
fn marker(index: usize) -> String {
    format!("schemagate pair {index}\n")
}

/// Runs `git diff-tree --stdin -r -M ARGS -- PATHS` over `pairs` and splits
/// the output into one chunk per pair at the echoed markers; `None` when
/// the markers do not come back one per pair, in order.
fn run_marked(
    repo: &GitRepo,
    pairs: &[CommitPair],
    args: &[&str],
    paths: &[&str],
) -> Result<Option<Vec<Vec<u8>>>> {
    if pairs.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut input = String::new();
    for (i, pair) in pairs.iter().enumerate() {
        input.push_str(&marker(i));
        input.push_str(&format!("{} {}\n", pair.to, pair.from));
    }
    let mut command = vec!["diff-tree", "--stdin", "--no-commit-id", "-r", "-M"];
    command.extend_from_slice(args);
    if !paths.is_empty() {
        command.push("--");
        command.extend_from_slice(paths);
    }
    let out = repo.run_with_input(&command, Some(input.as_bytes()))?;
    Ok(split_at_markers(&out, pairs.len()))
}

/// Cuts diff-tree's output at the `schemagate pair N` lines. A marker is recognised
/// only where an entry may begin (the start, or right after a NUL or a
/// newline), and they must come back in order, every one of them.
fn split_at_markers(out: &[u8], count: usize) -> Option<Vec<Vec<u8>>> {
    let mut chunks: Vec<Vec<u8>> = Vec::with_capacity(count);
    let mut rest = out;
    let mut at_boundary = true;
    while !rest.is_empty() {
        let expected = marker(chunks.len());
        if at_boundary && chunks.len() < count && rest.starts_with(expected.as_bytes()) {
            chunks.push(Vec::new());
            rest = &rest[expected.len()..];
            continue;
        }
        // A diff before the first marker: the markers are not echoed.
        let current = chunks.last_mut()?;
        // Copy up to and including the next separator, then look for a marker.
        let end = rest
            .iter()
            .position(|b| *b == 0 || *b == b'\n')
            .map_or(rest.len(), |p| p + 1);
        current.extend_from_slice(&rest[..end]);
        at_boundary = end > 0 && matches!(rest[end - 1], 0 | b'\n');
        rest = &rest[end..];
    }
    (chunks.len() == count).then_some(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_split_per_pair_including_empty_ones() {
        let out = b"schemagate pair 0\n:100644 100644 a b M\0x.py\0schemagate pair 1\n\
                    schemagate pair 2\n:000000 100644 0 c A\0schemagate pair 3\0";
        let chunks = split_at_markers(out, 3).unwrap();
        assert_eq!(chunks[0], b":100644 100644 a b M\0x.py\0");
        assert!(chunks[1].is_empty());
        // A path that looks like a marker is not one: pair 3 was never asked.
        assert_eq!(chunks[2], b":000000 100644 0 c A\0schemagate pair 3\0");
    }

    #[test]
    fn missing_markers_are_no_answer() {
        assert!(split_at_markers(b"schemagate pair 0\n", 2).is_none());
        assert!(split_at_markers(b":100644 x\0", 1).is_none());
    }
}
