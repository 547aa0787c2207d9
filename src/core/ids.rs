//! The names every layer shares for forges, projects and their items: which
//! forge, which project (and the case-free key it is filed under), which MR
//! or issue, which commit. Defined once here; the forge layer, the engine and
//! the store all speak these.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which forge a project lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ForgeKind {
    // Queued jobs spell it `GitLab`; the aliases read the config's spelling too.
    #[serde(alias = "gitlab")]
    GitLab,
    #[serde(alias = "github")]
    GitHub,
}

impl ForgeKind {
    /// The forge's lowercase name: in the config file, logs, metrics labels,
    /// serial keys and the store.
    pub fn name(self) -> &'static str {
        match self {
            ForgeKind::GitLab => "gitlab",
            ForgeKind::GitHub => "github",
        }
    }

    /// The forge named `name` as the config file spells it.
    pub fn from_name(name: &str) -> Option<ForgeKind> {
        match name {
            "gitlab" => Some(ForgeKind::GitLab),
            "github" => Some(ForgeKind::GitHub),
            _ => None,
        }
    }
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A project's full path as written: `group/subgroup/project` on GitLab,
/// `owner/repo` on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProjectPath(pub String);

impl ProjectPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Reads as the path text, so a `&ProjectPath` goes wherever a `&str` does.
impl std::ops::Deref for ProjectPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for ProjectPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<&str> for ProjectPath {
    fn from(path: &str) -> ProjectPath {
        ProjectPath(path.to_string())
    }
}

impl fmt::Display for ProjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A project as the bot files it: its forge and its path without case, since
/// both forges treat `Lava/LAVA` and `lava/lava` as one project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectKey {
    pub forge: ForgeKind,
    path: String,
}

impl ProjectKey {
    pub fn new(forge: ForgeKind, path: &str) -> ProjectKey {
        ProjectKey {
            forge,
            path: path_key(path),
        }
    }

    /// The lowercased path, as store rows and serial keys carry it.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for ProjectKey {
    /// `gitlab:lava/lava`, the prefix of every serial key of the project.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.forge.name(), self.path)
    }
}

/// A project path without case: the one rule for comparing project paths,
/// used by [`ProjectKey`] and by store rows that keep the forge in a column
/// of their own.
pub fn path_key(path: &str) -> String {
    path.to_lowercase()
}

/// The per-project number of an MR or issue (GitLab `iid`, GitHub `number`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct ItemNumber(pub u64);

impl From<ItemNumber> for u64 {
    fn from(number: ItemNumber) -> u64 {
        number.0
    }
}

/// Lets tests and callers compare with a plain number: `number == 42`.
impl PartialEq<u64> for ItemNumber {
    fn eq(&self, other: &u64) -> bool {
        self.0 == *other
    }
}

impl std::str::FromStr for ItemNumber {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<ItemNumber, Self::Err> {
        text.parse().map(ItemNumber)
    }
}

impl fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A full commit hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitSha(pub String);

impl fmt::Display for CommitSha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a number names a merge/pull request or an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A GitLab merge request or a GitHub pull request.
    // Jobs queued before the two spellings became one say `MergeRequest`.
    #[serde(alias = "MergeRequest")]
    MergeRequest,
    #[serde(alias = "Issue")]
    Issue,
}

impl ItemKind {
    /// The word used in comments and milestone descriptions.
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::MergeRequest => "merge request",
            ItemKind::Issue => "issue",
        }
    }

    /// The short word used in gate reasons ("move this MR there").
    pub fn short(self) -> &'static str {
        match self {
            ItemKind::MergeRequest => "MR",
            ItemKind::Issue => "issue",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    #[serde(alias = "Open")]
    Open,
    #[serde(alias = "Closed")]
    Closed,
    #[serde(alias = "Merged")]
    Merged,
}

/// How people write an item's number: `!12` for GitLab MRs, `#12` for
/// GitHub pull requests and every issue.
pub fn item_reference(forge: ForgeKind, kind: ItemKind, number: ItemNumber) -> String {
    match (forge, kind) {
        (ForgeKind::GitLab, ItemKind::MergeRequest) => format!("!{number}"),
        _ => format!("#{number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys_ignore_case_and_name_the_forge() {
        let key = ProjectKey::new(ForgeKind::GitLab, "Lava/LAVA");
        assert_eq!(key, ProjectKey::new(ForgeKind::GitLab, "lava/lava"));
        assert_ne!(key, ProjectKey::new(ForgeKind::GitHub, "lava/lava"));
        assert_eq!(key.to_string(), "gitlab:lava/lava");
    }

    #[test]
    fn both_spellings_of_kinds_and_states_are_read() {
        for (text, kind) in [
            ("\"merge_request\"", ItemKind::MergeRequest),
            ("\"MergeRequest\"", ItemKind::MergeRequest),
            ("\"issue\"", ItemKind::Issue),
            ("\"Issue\"", ItemKind::Issue),
        ] {
            assert_eq!(serde_json::from_str::<ItemKind>(text).unwrap(), kind);
        }
        assert_eq!(
            serde_json::from_str::<ItemState>("\"Merged\"").unwrap(),
            ItemState::Merged
        );
        assert_eq!(
            serde_json::from_str::<ForgeKind>("\"GitHub\"").unwrap(),
            ForgeKind::GitHub
        );
        assert_eq!(
            serde_json::to_string(&ItemKind::MergeRequest).unwrap(),
            "\"merge_request\""
        );
    }

    #[test]
    fn item_numbers_serialise_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&ItemNumber(42)).unwrap(), "42");
    }

    #[test]
    fn gitlab_mrs_are_bang_numbers_everything_else_hash_numbers() {
        assert_eq!(
            item_reference(ForgeKind::GitLab, ItemKind::MergeRequest, ItemNumber(12)),
            "!12"
        );
        assert_eq!(
            item_reference(ForgeKind::GitHub, ItemKind::MergeRequest, ItemNumber(12)),
            "#12"
        );
        assert_eq!(
            item_reference(ForgeKind::GitLab, ItemKind::Issue, ItemNumber(3)),
            "#3"
        );
    }
}
