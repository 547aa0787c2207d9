//! Whether an exception still covers the MR: the migration files it was
//! approved for, compared with the MR's migration files now.

use super::{CoveredFile, Exception};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// An exception held against the MR's migration files now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    Holds,
    /// The files changed since the approval; `why` says how, in words.
    Lapsed {
        why: String,
    },
}

/// The digest of one migration file's content as the MR shows it: the
/// change (added, modified, renamed from) and the lines its diff adds, or
/// its text where the forge gave no diff. Equal content gives equal
/// digests on both forges and in every run.
pub fn covered_files_digest(
    change: &str,
    old_path: Option<&str>,
    added_lines: Option<&str>,
    text: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        change,
        old_path.unwrap_or(""),
        added_lines.or(text).unwrap_or(""),
    ] {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Compares what `exception` covers with `current` (the MR's migration
/// files now): any file added, removed or edited since lapses it.
pub fn binding(exception: &Exception, current: &[CoveredFile]) -> Binding {
    let then: BTreeMap<&str, &str> = exception
        .covers
        .iter()
        .map(|f| (f.path.as_str(), f.digest.as_str()))
        .collect();
    let now: BTreeMap<&str, &str> = current
        .iter()
        .map(|f| (f.path.as_str(), f.digest.as_str()))
        .collect();
    let added: Vec<&str> = now
        .keys()
        .filter(|p| !then.contains_key(*p))
        .copied()
        .collect();
    let removed: Vec<&str> = then
        .keys()
        .filter(|p| !now.contains_key(*p))
        .copied()
        .collect();
    let edited: Vec<&str> = now
        .iter()
        .filter(|(path, digest)| then.get(*path).is_some_and(|d| d != *digest))
        .map(|(path, _)| *path)
        .collect();
    let mut parts = Vec::new();
    for (verb, paths) in [("added", added), ("removed", removed), ("edited", edited)] {
        if !paths.is_empty() {
            parts.push(format!("{verb} {}", paths.join(", ")));
        }
    }
    if parts.is_empty() {
        Binding::Holds
    } else {
        Binding::Lapsed {
            why: format!(
                "the migration files changed since the approval ({})",
                parts.join("; ")
            ),
        }
    }
}
