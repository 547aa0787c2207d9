//! Forge-neutral parts of [`Forge::list_tree`](super::Forge::list_tree):
//! which directories need a listing of their own, whether a path lies under
//! a directory, and the sorted, duplicate-free listing both clients return.

use super::{TreeEntry, TreeListing};
use std::collections::BTreeMap;

/// The directories to list, without slashes at either end and without any
/// that another one already covers: `["db", "db/migrations"]` gives
/// `["db"]`, and `""` (the whole repository) covers every other.
pub fn covering(dirs: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = dirs
        .iter()
        .map(|dir| dir.trim_matches('/').to_string())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut kept: Vec<String> = Vec::new();
    for dir in wanted {
        if !kept.iter().any(|parent| under(&dir, parent)) {
            kept.push(dir);
        }
    }
    kept
}

/// Whether `path` lies under the directory `dir` (`""`: the whole repository).
/// `db2/x` is not under `db`.
pub fn under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The listing of `blobs` (path, blob id): sorted by path, each path once.
pub fn listing(blobs: impl IntoIterator<Item = (String, String)>, truncated: bool) -> TreeListing {
    let unique: BTreeMap<String, String> = blobs.into_iter().collect();
    TreeListing {
        entries: unique
            .into_iter()
            .map(|(path, blob)| TreeEntry { path, blob })
            .collect(),
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(list: &[&str]) -> Vec<String> {
        list.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn nested_and_repeated_directories_need_no_listing_of_their_own() {
        assert_eq!(
            covering(&dirs(&[
                "db/migrations",
                "db",
                "db-extra",
                "db/",
                "schema/"
            ])),
            dirs(&["db", "db-extra", "schema"])
        );
        assert_eq!(covering(&dirs(&["db", "", "schema"])), dirs(&[""]));
        assert!(covering(&[]).is_empty());
    }

    #[test]
    fn a_path_is_under_its_directories_only() {
        assert!(under("db/migrations/0001.sql", "db"));
        assert!(under("db/migrations/0001.sql", "db/migrations"));
        assert!(under("README.md", ""));
        assert!(!under("db2/x.sql", "db"));
        assert!(!under("db", "db"));
    }

    #[test]
    fn listings_are_sorted_and_name_each_path_once() {
        let listed = listing(
            [
                ("b/2".to_string(), "22".to_string()),
                ("a/1".to_string(), "11".to_string()),
                ("b/2".to_string(), "22".to_string()),
            ],
            false,
        );
        let paths: Vec<&str> = listed.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["a/1", "b/2"]);
        assert!(!listed.truncated);
    }
}
