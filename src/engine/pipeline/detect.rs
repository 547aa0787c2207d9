//! Detected migrations of an MR from forge data, as `scan` does from git:
//! the rules say which files need content, and only those are read
//! (`file_text` at the head commit when a rule looks at the whole file or the
//! diff was collapsed). The matches are cached in the item's record per
//! head commit and rules digest, so an event that changes no code reads no files.

use crate::core::detect::{FileContent, RuleSet};
use crate::core::exceptions::{CoveredFile, covered_files_digest};
use crate::core::ids::ProjectKey;
use crate::core::types::{ChangeKind, Match};
use crate::engine::access::forge_error;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::project::ProjectContext;
use crate::forge::{
    ChangedFiles, CommitSha, FileChange, Forge, ForgeError, MergeRequest, ProjectPath,
};
use crate::store::CachedMatches;
use futures_util::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A project's compiled rules and the digest that names them.
pub(crate) struct ProjectRules {
    pub rules: RuleSet,
    pub digest: String,
}

#[derive(Default)]
pub(crate) struct RulesCache {
    compiled: Mutex<HashMap<ProjectKey, Arc<ProjectRules>>>,
}

/// A digest of everything detection depends on: the packs (built-in and
/// user), the project's extra and ignored globs, and the crate version
/// (a new release may change how rules classify).
pub(crate) fn rules_digest(rules: &RuleSet, extra: &[String], ignore: &[String]) -> String {
    let text = format!(
        "{}\n{:?}\n{extra:?}\n{ignore:?}",
        env!("CARGO_PKG_VERSION"),
        rules.packs()
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) fn project_rules(project: &ProjectContext<'_>) -> Step<Arc<ProjectRules>> {
    let key = project.key();
    if let Some(found) = project
        .engine
        .rules
        .compiled
        .lock()
        .expect("rules cache")
        .get(&key)
    {
        return Ok(found.clone());
    }
    let rules = project
        .engine
        .config
        .rule_set(Some(project.config))
        .map_err(|e| Failure::Unrunnable(Unrunnable::Rules(format!("{e:#}"))))?;
    let digest = rules_digest(
        &rules,
        &project.config.extra_paths.patterns,
        &project.config.ignore_paths.patterns,
    );
    let compiled = Arc::new(ProjectRules { rules, digest });
    project
        .engine
        .rules
        .compiled
        .lock()
        .expect("rules cache")
        .insert(key, compiled.clone());
    Ok(compiled)
}

/// The MR's detected migrations: the cached ones when the head commit
/// and rules are unchanged, else read from the forge and classified.
pub(crate) async fn detect(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    cached: Option<&CachedMatches>,
) -> Step<CachedMatches> {
    let rules = project_rules(project)?;
    if let Some(cached) = cached
        && cached.head_sha == mr.head_sha
        && cached.rules_digest == rules.digest
        // Cached before files were digested: read once more.
        && (cached.matches.is_empty() || !cached.migration_files.is_empty())
    {
        return Ok(cached.clone());
    }
    let (matches, migration_files, truncated) =
        classify_from_forge(project.forge.as_ref(), project.path(), mr, &rules.rules)
            .await
            .map_err(|e| {
                forge_error(
                    project,
                    &e,
                    &format!("reading the changes of {}", mr.number),
                )
            })?;
    Ok(CachedMatches {
        head_sha: mr.head_sha.clone(),
        rules_digest: rules.digest.clone(),
        matches,
        truncated,
        migration_files,
    })
}

/// How many file texts are read at once: one wave for any ordinary MR,
/// and no flood of requests for one that touches hundreds of migrations.
const TEXTS_AT_ONCE: usize = 16;

/// Lists the MR's changed files and classifies them, reading a file's text
/// only when its rules need it or its diff was collapsed.
async fn classify_from_forge(
    forge: &dyn Forge,
    project: &ProjectPath,
    mr: &MergeRequest,
    rules: &RuleSet,
) -> Result<(Vec<Match>, Vec<CoveredFile>, bool), ForgeError> {
    let changed = forge.changed_files(project, mr.number).await?;
    let texts = read_texts(forge, project, &mr.head_sha, &changed, rules).await?;
    let matches = classify_listed(rules, &changed, &texts);
    let files = migration_files(&changed, &texts, &matches);
    Ok((matches, files, changed.truncated))
}

/// The matched files, each with a digest of its content as the MR shows
/// it (the lines its diff adds, else the text read), sorted by path: what
/// an approved exception covers. Computed from the same forge data by the
/// server and by `check`, so both bind an exception alike.
pub(crate) fn migration_files(
    changed: &ChangedFiles,
    texts: &[Option<String>],
    matches: &[Match],
) -> Vec<CoveredFile> {
    let mut files: Vec<CoveredFile> = changed
        .files
        .iter()
        .zip(texts)
        .filter(|(change, _)| matches.iter().any(|m| m.path == change.file.path))
        .map(|(change, text)| CoveredFile {
            path: change.file.path.clone(),
            digest: covered_files_digest(
                &change.file.change.to_string(),
                change.file.old_path.as_deref(),
                change.added_lines.as_deref(),
                text.as_deref(),
            ),
        })
        .collect();
    files.sort();
    files.dedup_by(|a, b| a.path == b.path);
    files
}

/// The texts the rules need at `head`, one entry per changed file (`None`
/// where none is needed or the file does not exist there), read at once:
/// no text depends on another.
pub(crate) async fn read_texts(
    forge: &dyn Forge,
    project: &ProjectPath,
    head: &CommitSha,
    changed: &ChangedFiles,
    rules: &RuleSet,
) -> Result<Vec<Option<String>>, ForgeError> {
    let reads: Vec<_> = changed
        .files
        .iter()
        .map(|change| read_text(forge, project, head, change, text_wanted(rules, change)))
        .collect();
    stream::iter(reads)
        .buffered(TEXTS_AT_ONCE)
        .try_collect()
        .await
}

async fn read_text(
    forge: &dyn Forge,
    project: &ProjectPath,
    head: &CommitSha,
    change: &FileChange,
    wanted: bool,
) -> Result<Option<String>, ForgeError> {
    if wanted {
        forge.file_text(project, head, &change.file.path).await
    } else {
        Ok(None)
    }
}

/// Classifies the listed changes with the texts read (one per file).
pub(crate) fn classify_listed(
    rules: &RuleSet,
    changed: &ChangedFiles,
    texts: &[Option<String>],
) -> Vec<Match> {
    let mut matches = Vec::new();
    for (change, text) in changed.files.iter().zip(texts) {
        let file = &change.file;
        if rules.content_needs(file).is_none() {
            continue;
        }
        // A new file's added lines are its whole text.
        let added_lines = change.added_lines.clone().or_else(|| {
            (file.change == ChangeKind::Added)
                .then(|| text.clone())
                .flatten()
        });
        let content = FileContent {
            text: text.as_deref(),
            added_lines: added_lines.as_deref(),
        };
        matches.extend(rules.classify(file, &content));
    }
    matches
}

/// Whether a changed file's text must be read: a rule looks at the whole
/// file, or at added lines the forge did not send.
fn text_wanted(rules: &RuleSet, change: &FileChange) -> bool {
    let file = &change.file;
    let Some(needs) = rules.content_needs(file) else {
        return false;
    };
    let diff_missing = needs.added_lines && change.added_lines.is_none();
    // A deleted file no longer exists at the head commit.
    (needs.text || diff_missing) && file.change != ChangeKind::Deleted
}
