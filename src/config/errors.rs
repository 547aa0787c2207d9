//! What a bad configuration looks like to its author: every issue with its key
//! path, `line:column`, what is wrong and how to fix it.

use crate::core::rules::write_issue;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigIssue {
    /// Where in the TOML tree, e.g. `project[1].batch.lead_time` (indexes count from 0).
    pub key_path: String,
    /// 1-based line of the offending key or value (or of its enclosing table when missing).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong, one sentence.
    pub message: String,
    /// How to fix it, one sentence.
    pub fix: String,
}

/// Every issue found in one configuration text, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    /// Where the text came from (a file path, or a label for tests and defaults).
    pub origin: String,
    pub errors: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigErrors {
    /// One line per issue: `origin:line:col: key.path: what — fix`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, issue) in self.errors.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            let key = if issue.key_path.is_empty() {
                "(top level)"
            } else {
                &issue.key_path
            };
            let position = (issue.line, issue.column);
            write_issue(f, &self.origin, position, key, &issue.message, &issue.fix)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Why [`crate::config::load`] could not produce a [`crate::config::Config`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// An explicitly named config file does not exist.
    #[error("config file {} does not exist; pass an existing file to --config or leave it out to use ./schemagate.toml or the built-in defaults", .0.display())]
    NotFound(PathBuf),
    /// The file exists but could not be read.
    #[error("could not read config file {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read and has one or more issues.
    #[error("{} has {} configuration error{}:\n{errors}", .errors.origin, .errors.errors.len(), if .errors.errors.len() == 1 { "" } else { "s" })]
    Invalid { errors: ConfigErrors },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(key_path: &str, line: usize) -> ConfigIssue {
        ConfigIssue {
            key_path: key_path.to_string(),
            line,
            column: 3,
            message: "bad".to_string(),
            fix: "fix it".to_string(),
        }
    }

    #[test]
    fn display_prints_one_line_per_issue_with_origin_and_location() {
        let errors = ConfigErrors {
            origin: "sg.toml".to_string(),
            errors: vec![issue("server.listen", 2), issue("project[1].path", 9)],
        };
        assert_eq!(
            errors.to_string(),
            "sg.toml:2:3: server.listen: bad — fix it\nsg.toml:9:3: project[1].path: bad — fix it"
        );
    }

    #[test]
    fn invalid_error_counts_issues_before_listing_them() {
        let error = ConfigError::Invalid {
            errors: ConfigErrors {
                origin: "sg.toml".to_string(),
                errors: vec![issue("server.listen", 2)],
            },
        };
        assert_eq!(
            error.to_string(),
            "sg.toml has 1 configuration error:\nsg.toml:2:3: server.listen: bad — fix it"
        );
    }
}
