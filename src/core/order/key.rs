//! The order facts of one migration file, derived from its path and (where
//! the pack needs it) its text: its set, its name, its parents, its version.
//! Stored with an MR's detected migrations, so an MR's order is known
//! without reading its files again.

use super::spec::{OrderSpec, Scheme};
use super::version::Version;
use serde::{Deserialize, Serialize};

/// Where one migration sits in its framework's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderKey {
    pub scheme: Scheme,
    /// The set the file is ordered within (a Django app's migrations, an
    /// Alembic versions directory, a Flyway location).
    pub group: String,
    /// The migration's name (graph); `None` when its text was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Its parents in the same set (graph); `None` when its text was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
}

impl OrderSpec {
    /// The key of the file at `path`, with its text when read; `None` when
    /// the path does not carry what the scheme needs (a Flyway `R__` file,
    /// a down migration).
    pub fn key(&self, path: &str, text: Option<&str>) -> Option<OrderKey> {
        if let (Some(ignore), Some(text)) = (&self.ignore_text, text)
            && ignore.is_match(text)
        {
            return None;
        }
        let group = self.group_of(path);
        let version = self
            .version
            .as_ref()
            .and_then(|r| r.captures(path))
            .and_then(|c| c.name("version"))
            .and_then(|m| Version::parse(m.as_str()));
        match self.scheme {
            Scheme::Version => Some(OrderKey {
                scheme: Scheme::Version,
                group,
                node: None,
                parents: None,
                version: Some(version?),
            }),
            Scheme::Graph => {
                let node = self.node_of(path, text);
                if node.is_none() && text.is_some() {
                    // Read, and still nameless: not a migration of this order.
                    return None;
                }
                Some(OrderKey {
                    scheme: Scheme::Graph,
                    group,
                    node,
                    parents: text.map(|t| self.parents_of(t)),
                    version,
                })
            }
        }
    }

    /// The file's set: the `group` capture, else its directory.
    fn group_of(&self, path: &str) -> String {
        let directory = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        self.group
            .as_ref()
            .and_then(|r| r.captures(path))
            .and_then(|c| c.name("group"))
            .map_or(directory, |m| m.as_str())
            .to_string()
    }

    fn node_of(&self, path: &str, text: Option<&str>) -> Option<String> {
        let from = |regex: &Option<regex::Regex>, haystack: Option<&str>| {
            let captures = regex.as_ref()?.captures(haystack?)?;
            Some(captures.name("node")?.as_str().to_string())
        };
        if self.node.is_some() {
            from(&self.node, Some(path))
        } else {
            from(&self.node_text, text)
        }
    }

    /// The parents listed in `text`. A parent labelled with another set's
    /// name is kept too: it counts only where it names a migration of
    /// this set (an app whose label is not its directory's name still
    /// finds its own parents), and a name of another set consumes nothing.
    fn parents_of(&self, text: &str) -> Vec<String> {
        let (Some(list), Some(parent)) = (&self.parents, &self.parent) else {
            return Vec::new();
        };
        let Some(listed) = list.captures(text).and_then(|c| c.name("list")) else {
            return Vec::new();
        };
        let mut parents = Vec::new();
        for captures in parent.captures_iter(listed.as_str()) {
            if let Some(node) = captures.name("node")
                && !parents.iter().any(|p| p == node.as_str())
            {
                parents.push(node.as_str().to_string());
            }
        }
        parents
    }
}
