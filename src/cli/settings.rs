//! What every command shares: the output format, and the configuration,
//! loaded once on first use so commands that need none never read it.

use crate::cli::Format;
use crate::config::{self, Config, ProjectConfig};
use crate::core::detect::RuleSet;
use crate::core::release::{Scheme, infer_scheme};
use anyhow::{Result, bail};
use std::cell::OnceCell;
use std::path::PathBuf;

pub struct Settings {
    pub format: Format,
    config_path: Option<PathBuf>,
    config: OnceCell<Config>,
}

impl Settings {
    pub fn new(config_path: Option<PathBuf>, format: Format) -> Settings {
        Settings {
            format,
            config_path,
            config: OnceCell::new(),
        }
    }

    /// The configuration: `--config`, else `./schemagate.toml`, else defaults.
    pub fn config(&self) -> Result<&Config> {
        if let Some(config) = self.config.get() {
            return Ok(config);
        }
        let loaded = config::load(self.config_path.as_deref())?;
        Ok(self.config.get_or_init(|| loaded))
    }

    /// The configuration with `amend` applied to its text (see
    /// [`config::load_amended`]); not cached.
    pub fn config_amended(&self, amend: impl FnOnce(&str) -> String) -> Result<Config> {
        Ok(config::load_amended(self.config_path.as_deref(), amend)?)
    }

    /// The named project, or with no name the only configured project (none
    /// when zero or several are configured).
    pub fn project(&self, name: Option<&str>) -> Result<Option<&ProjectConfig>> {
        let config = self.config()?;
        match name {
            Some(name) => match config.project(name) {
                Some(project) => Ok(Some(project)),
                None if config.projects.is_empty() => {
                    bail!(
                        "project `{name}` is not configured: the configuration has no [[project]]"
                    )
                }
                None => {
                    let known: Vec<&str> =
                        config.projects.iter().map(|p| p.path.as_str()).collect();
                    bail!(
                        "project `{name}` is not configured; configured projects: {}",
                        known.join(", ")
                    )
                }
            },
            None if config.projects.len() == 1 => Ok(config.projects.first()),
            None => Ok(None),
        }
    }

    /// The rule set for a project (see [`Settings::project`]), or every pack.
    pub fn rules_for(&self, project: Option<&str>) -> Result<RuleSet> {
        let chosen = self.project(project)?;
        self.config()?.rule_set(chosen)
    }

    /// The version scheme to read `names` with: `explicit` (a name from
    /// `Scheme::NAMES`), else the project's configured scheme, else the
    /// built-in scheme most of `names` follow; `None` when none parses any.
    pub fn scheme(
        &self,
        explicit: Option<&str>,
        project: Option<&str>,
        names: &[String],
    ) -> Result<Option<Scheme>> {
        if let Some(name) = explicit {
            return match Scheme::from_name(name) {
                Some(scheme) => Ok(Some(scheme)),
                None => bail!(
                    "unknown version scheme `{name}`; use one of {}",
                    Scheme::NAMES.join(", ")
                ),
            };
        }
        if let Some(project) = self.project(project)? {
            return Ok(Some(project.scheme.clone()));
        }
        Ok(infer_scheme(names))
    }
}
