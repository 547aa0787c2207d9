//! Configuration: the TOML file parsed into toml's spanned tree, then one
//! `validate` pass over it into [`Config`] (durations parsed, globs and
//! release schemes compiled), reporting every problem at once with its key
//! path, `line:column` and a fix.
//!
//! The text is parsed past syntax errors, and reading the tree never stops at
//! a wrong type or an unknown key (see `tree`), so one pass finds every
//! problem and each carries the span it is about.

mod checks;
pub mod duration;
mod errors;
mod model;
mod packs;
mod report;
mod tree;
mod validate;
mod validate_announce;
mod validate_commands;
mod validate_project;

pub use errors::{ConfigError, ConfigErrors, ConfigIssue};
pub use model::*;

use report::Report;
use std::path::Path;
use toml::de::DeTable;
use tree::Table;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "schemagate.toml";

/// Loads the configuration: `path` when given (it must exist), else
/// `./schemagate.toml` when it exists, else the built-in defaults.
/// Relative paths inside the file are resolved against the file's directory
/// and checked to exist.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
    // Without a file the text is empty, which validates to the defaults.
    load_amended(path, str::to_string)
}

/// Loads like [`load`], with `amend` applied to the text first (to the
/// empty text when there is no file): `check` adds the forge section a CI
/// environment implies. Amendments should append, so that line numbers in
/// errors still point into the file.
pub fn load_amended(
    path: Option<&Path>,
    amend: impl FnOnce(&str) -> String,
) -> Result<Config, ConfigError> {
    let path = match path {
        Some(path) if !path.exists() => return Err(ConfigError::NotFound(path.to_path_buf())),
        Some(path) => path,
        None if Path::new(DEFAULT_FILE).is_file() => Path::new(DEFAULT_FILE),
        None => {
            return parse("the CI environment", &amend(""))
                .map_err(|errors| ConfigError::Invalid { errors });
        }
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = amend(&text);
    let base_dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    parse_in(&path.display().to_string(), &text, Some(base_dir))
        .map_err(|errors| ConfigError::Invalid { errors })
}

/// Parses and validates configuration text. `origin` names it in messages.
/// Paths inside are kept as written and not checked on disk (see [`load`]).
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigErrors> {
    parse_in(origin, text, None)
}

fn parse_in(origin: &str, text: &str, base_dir: Option<&Path>) -> Result<Config, ConfigErrors> {
    let (tree, syntax_errors) = DeTable::parse_recoverable(text);
    let mut report = Report::new(text);
    let root = Table {
        path: String::new(),
        span: tree.span(),
        entries: tree.get_ref(),
    };
    for error in syntax_errors {
        let span = error.span().unwrap_or(0..0);
        report.syntax(&root, span, error.message(), syntax_fix(error.message()));
    }
    let config = validate::validate(root, &mut report, base_dir);
    if report.is_empty() {
        return Ok(config);
    }
    let origin = origin.to_string();
    Err(ConfigErrors {
        origin,
        errors: report.finish(),
    })
}

fn syntax_fix(message: &str) -> &'static str {
    if message.contains("duplicate") {
        "remove one of the two definitions"
    } else if message.contains("must be quoted") {
        "put the value in double quotes, e.g. key = \"value\""
    } else if message.contains("expected `\"`") || message.contains("expected `'`") {
        "close the string with the same quote it opens with"
    } else {
        "correct the TOML syntax: `key = value`, strings in double quotes, tables as [name], lists as [a, b]"
    }
}

#[cfg(test)]
mod tests;
