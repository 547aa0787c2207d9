//! Detection over a git range or a path list: asks the rules which files need
//! content, fetches exactly that from git in two batched calls, and classifies.

use crate::core::compat::{Compat, Operation, rolling};
use crate::core::detect::{FileContent, RuleSet};
use crate::core::order::{
    Conflict, branch_file_needs_text, branch_files, change_files, find_conflicts, listing_dirs,
    sets_of,
};
use crate::core::types::{ChangeKind, ChangedFile, Match, is_db_change};
use crate::git::diff::{Range, added_lines, changed_files, file_texts};
use crate::git::repo::GitRepo;
use crate::git::tree::files_under;
use anyhow::{Context, Result};
use serde::Serialize;

/// What a scan found; serialises to the JSON shape in docs/commands.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    pub db_change: bool,
    /// Whether the previous release's code keeps working beside these
    /// migrations: true when every one is expand, false when one is
    /// contract, null when one is unknown.
    pub rolling: Option<bool>,
    pub migrations: Vec<MigrationEntry>,
    /// Migrations that collide with the base's (range scans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<Conflict>>,
}

/// One detected migration as the JSON contract names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationEntry {
    pub path: String,
    pub change: ChangeKind,
    pub framework: String,
    pub kind: crate::core::types::MigrationKind,
    pub compat: Compat,
    pub operations: Vec<Operation>,
    #[serde(skip)]
    pub reason: String,
}

impl ScanReport {
    pub fn from_matches(matches: Vec<Match>) -> ScanReport {
        ScanReport {
            db_change: is_db_change(&matches),
            rolling: rolling(&matches),
            migrations: matches
                .into_iter()
                .map(|m| MigrationEntry {
                    path: m.path,
                    change: m.change,
                    framework: m.framework,
                    kind: m.kind,
                    compat: m.compat,
                    operations: m.operations,
                    reason: m.reason,
                })
                .collect(),
            conflicts: None,
        }
    }
}

/// Classifies a path list by path alone (no content is available).
pub fn scan_files(files: &[ChangedFile], rules: &RuleSet) -> ScanReport {
    let matches = files
        .iter()
        .filter_map(|f| rules.classify_path(f))
        .collect();
    ScanReport::from_matches(matches)
}

/// Classifies what changed in `range`, reading file contents and added lines
/// only for the files whose rules use content markers.
pub fn scan_range(repo: &GitRepo, range: &Range, rules: &RuleSet) -> Result<ScanReport> {
    let files = changed_files(repo, range)?;
    Ok(ScanReport::from_matches(classify_with_git(
        repo, range, rules, &files,
    )?))
}

/// [`scan_range`] plus the conflicts between what HEAD adds and what the
/// range's BASE holds (see [`range_conflicts`]).
pub fn scan_range_with_conflicts(
    repo: &GitRepo,
    range: &Range,
    rules: &RuleSet,
) -> Result<ScanReport> {
    let files = changed_files(repo, range)?;
    let matches = classify_with_git(repo, range, rules, &files)?;
    let conflicts = range_conflicts(repo, range, rules, &matches)?;
    let mut report = ScanReport::from_matches(matches);
    report.conflicts = Some(conflicts);
    Ok(report)
}

/// The migrations HEAD adds (since it forked from BASE) that collide with
/// the ones BASE holds: what a forge would find between an MR and its
/// target branch. `matches` are the range's own detections, reused when
/// the range starts where HEAD forked.
pub fn range_conflicts(
    repo: &GitRepo,
    range: &Range,
    rules: &RuleSet,
    matches: &[Match],
) -> Result<Vec<Conflict>> {
    // BASE as a tree (the empty tree) has no history: the range is all of
    // HEAD. A commit without a common ancestor is a shallow clone, where
    // what BASE gained would look deleted: say so rather than miss it.
    let fork = match repo.resolve(&range.target) {
        Err(_) => None,
        Ok(commit) => Some(repo.merge_base(&commit, &range.head).with_context(|| {
            "finding where HEAD forked from BASE for the conflict check; in a shallow clone, fetch more history (`git fetch --unshallow`)"
        })?),
    };
    let own;
    let matches = match fork {
        Some(fork) if fork != range.base => {
            let since_fork = Range {
                base: fork.clone(),
                head: range.head.clone(),
                target: fork,
            };
            own = classify_with_git(repo, &since_fork, rules, &changed_files(repo, &since_fork)?)?;
            &own
        }
        _ => matches,
    };
    let (added, removed) = change_files(matches);
    if added.is_empty() {
        return Ok(Vec::new());
    }
    let sets = sets_of(&added);
    let listed = files_under(repo, &range.target, &listing_dirs(&added))?;
    let to_read: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|p| branch_file_needs_text(rules, p, &sets))
        .collect();
    let texts = file_texts(repo, &range.target, &to_read)?;
    let on_branch = branch_files(
        rules,
        listed
            .iter()
            .map(|p| (p.as_str(), texts.get(p).map(String::as_str))),
        &sets,
    );
    Ok(find_conflicts(&on_branch, &removed, &added, &|framework| {
        rules.order_spec(framework)
    }))
}

/// Classifies `files` (changed in `range`) with the content the rules need.
pub fn classify_with_git(
    repo: &GitRepo,
    range: &Range,
    rules: &RuleSet,
    files: &[ChangedFile],
) -> Result<Vec<Match>> {
    let candidates: Vec<(&ChangedFile, _)> = files
        .iter()
        .filter_map(|f| rules.content_needs(f).map(|needs| (f, needs)))
        .collect();

    // A deleted file's text is read where it last existed: at the base.
    let text_at = |deleted: bool| -> Vec<&str> {
        candidates
            .iter()
            .filter(|(f, needs)| needs.text && (f.change == ChangeKind::Deleted) == deleted)
            .map(|(f, _)| f.path.as_str())
            .collect()
    };
    let mut texts = file_texts(repo, &range.head, &text_at(false))?;
    texts.extend(file_texts(repo, &range.base, &text_at(true))?);
    let diff_paths: Vec<&str> = candidates
        .iter()
        .filter(|(_, needs)| needs.added_lines)
        .map(|(f, _)| f.path.as_str())
        .collect();
    let mut added = added_lines(repo, range, &diff_paths)?;
    // A requested diff with no added lines is known to add nothing, which is
    // different from a diff we could not read.
    for path in &diff_paths {
        added.entry(path.to_string()).or_default();
    }

    Ok(candidates
        .iter()
        .filter_map(|(file, _)| {
            let content = FileContent {
                text: texts.get(&file.path).map(String::as_str),
                added_lines: added.get(&file.path).map(String::as_str),
            };
            rules.classify(file, &content)
        })
        .collect())
}
