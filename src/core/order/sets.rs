//! From detected migrations and a branch's file list to the ordered files
//! `find_conflicts` compares, and the directories worth listing: only the
//! sets a change adds to are read on the branch.

use super::conflicts::OrderedFile;
use super::spec::OrderSpec;
use crate::core::detect::RuleSet;
use crate::core::types::{ChangeKind, Match};
use std::collections::BTreeSet;

/// A change's ordered files and the paths it deletes.
pub fn change_files(matches: &[Match]) -> (Vec<OrderedFile>, Vec<String>) {
    let ordered = matches
        .iter()
        .filter_map(|m| {
            Some(OrderedFile {
                path: m.path.clone(),
                framework: m.framework.clone(),
                key: m.order.clone()?,
            })
        })
        .collect();
    let removed = matches
        .iter()
        .filter(|m| m.change == ChangeKind::Deleted)
        .map(|m| m.path.clone())
        .collect();
    (ordered, removed)
}

/// The directories to list on a branch for `files`' sets: the set itself
/// when it is a directory its files sit under, else each file's directory.
pub fn listing_dirs(files: &[OrderedFile]) -> Vec<String> {
    let dirs: BTreeSet<String> = files
        .iter()
        .map(|f| {
            let group = f.key.group.trim_end_matches('/');
            if !group.is_empty() && f.path.starts_with(&format!("{group}/")) {
                group.to_string()
            } else {
                f.path
                    .rsplit_once('/')
                    .map_or("", |(dir, _)| dir)
                    .to_string()
            }
        })
        .collect();
    // A directory under another listed one is already in its listing.
    dirs.iter()
        .filter(|d| {
            !dirs
                .iter()
                .any(|o| o != *d && (o.is_empty() || d.starts_with(&format!("{o}/"))))
        })
        .cloned()
        .collect()
}

/// The sets `files` belong to, as (framework, set) pairs.
pub fn sets_of(files: &[OrderedFile]) -> BTreeSet<(String, String)> {
    files
        .iter()
        .map(|f| (f.framework.clone(), f.key.group.clone()))
        .collect()
}

/// Whether a branch file must be read to place it in `sets`: it would
/// belong to one of them and its framework orders by text.
pub fn branch_file_needs_text(
    rules: &RuleSet,
    path: &str,
    sets: &BTreeSet<(String, String)>,
) -> bool {
    rules.order_key(path, None).is_some_and(|(framework, key)| {
        rules
            .order_spec(&framework)
            .is_some_and(OrderSpec::target_needs_text)
            && sets.contains(&(framework, key.group))
    })
}

/// Whether `file` is in one of `sets`.
pub fn in_sets(file: &OrderedFile, sets: &BTreeSet<(String, String)>) -> bool {
    sets.contains(&(file.framework.clone(), file.key.group.clone()))
}

/// The branch's files in `sets`, each with its text where it was read.
pub fn branch_files<'a>(
    rules: &RuleSet,
    listing: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    sets: &BTreeSet<(String, String)>,
) -> Vec<OrderedFile> {
    listing
        .into_iter()
        .filter_map(|(path, text)| {
            let (framework, key) = rules.order_key(path, text)?;
            sets.contains(&(framework.clone(), key.group.clone()))
                .then(|| OrderedFile {
                    path: path.to_string(),
                    framework,
                    key,
                })
        })
        .collect()
}
