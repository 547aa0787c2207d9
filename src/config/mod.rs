//! Configuration: the TOML file read in two stages, `RawConfig` (serde, unknown
//! keys rejected) then one `validate` step into [`Config`] (durations parsed,
//! globs and release schemes compiled), reporting every problem at once with
//! its key path, `line:column` and a fix.
//!
//! serde stops at the first error, so the text is parsed once into a spanned
//! tree; deserialization is retried on that tree with each offending entry
//! removed (the text is never edited, so every span stays true), and semantic
//! validation looks each key path's span up in the same tree.

mod checks;
mod document;
pub mod duration;
mod errors;
mod model;
mod packs;
pub mod raw;
mod recover;
mod report;
mod validate;
mod validate_project;

pub use errors::{ConfigError, ConfigErrors, ConfigIssue};
pub use model::*;

use document::{Document, find_by_span, render_path};
use report::Report;
use std::path::Path;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "schemagate.toml";

/// Loads the configuration: `path` when given (it must exist), else
/// `./schemagate.toml` when it exists, else the built-in defaults.
/// Relative paths inside the file are resolved against the file's directory
/// and checked to exist.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match path {
        Some(path) if !path.exists() => return Err(ConfigError::NotFound(path.to_path_buf())),
        Some(path) => path,
        None if Path::new(DEFAULT_FILE).is_file() => Path::new(DEFAULT_FILE),
        None => return Ok(Config::default()),
    };
    load_amended(Some(path), |text| text.to_string())
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
    let (document, syntax_errors) = Document::parse(text);
    let mut report = Report::new(&document);
    for error in syntax_errors {
        let path = render_path(&find_by_span(document.tree.get_ref(), &error.span));
        let fix = syntax_fix(&error.message);
        report.syntax(path, error.span.start, error.message, fix);
    }
    let config = recover::deserialize_all(&document, &mut report)
        .map(|raw| validate::validate(&raw, &mut report, base_dir));
    match config {
        Some(config) if report.is_empty() => Ok(config),
        _ => Err(ConfigErrors {
            origin: origin.to_string(),
            errors: report.finish(),
        }),
    }
}

fn syntax_fix(message: &str) -> String {
    let fix = if message.contains("duplicate key") || message.contains("duplicate") {
        "remove one of the two definitions"
    } else if message.contains("must be quoted") {
        "put the value in double quotes, e.g. key = \"value\""
    } else if message.contains("expected `\"`") || message.contains("expected `'`") {
        "close the string with the same quote it opens with"
    } else {
        "correct the TOML syntax: `key = value`, strings in double quotes, tables as [name], lists as [a, b]"
    };
    fix.to_string()
}

#[cfg(test)]
mod tests;
