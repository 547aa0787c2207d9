//! Detection over a git range or a path list: asks the rules which files need
//! content, fetches exactly that from git in two batched calls, and classifies.

use crate::core::detect::{FileContent, RuleSet};
use crate::core::types::{ChangeKind, ChangedFile, Match, is_db_change};
use crate::git::diff::{Range, added_lines, changed_files, file_texts};
use crate::git::repo::GitRepo;
use anyhow::Result;
use serde::Serialize;

/// What a scan found; serialises to the JSON shape in docs/commands.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    pub db_change: bool,
    pub migrations: Vec<MigrationEntry>,
}

/// One detected migration as the JSON contract names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationEntry {
    pub path: String,
    pub change: ChangeKind,
    pub framework: String,
    pub kind: crate::core::types::MigrationKind,
    #[serde(skip)]
    pub reason: String,
}

impl ScanReport {
    pub fn from_matches(matches: Vec<Match>) -> ScanReport {
        ScanReport {
            db_change: is_db_change(&matches),
            migrations: matches
                .into_iter()
                .map(|m| MigrationEntry {
                    path: m.path,
                    change: m.change,
                    framework: m.framework,
                    kind: m.kind,
                    reason: m.reason,
                })
                .collect(),
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
