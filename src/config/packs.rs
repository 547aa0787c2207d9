//! Rule packs as the configuration names them: user pack files parsed and
//! validated like config, pack names checked, and a project's rule set built.

use crate::config::model::{Config, ProjectConfig};
use crate::config::report::Report;
use crate::config::tree::Field;
use crate::core::detect::RuleSet;
use crate::core::rules::{RulePack, builtin_packs, parse_pack};
use anyhow::Context;
use std::path::PathBuf;

/// Reads and parses each user pack file (`rules.files[i]`); every problem in a
/// pack is reported, positioned at that value and keyed
/// `rules.files[i]:<pack key path>`, with the pack's own `file:line:column`.
pub fn parse_user_packs(files: &[(PathBuf, Field<'_>)], report: &mut Report<'_>) -> Vec<RulePack> {
    let mut packs: Vec<RulePack> = Vec::new();
    for (path, field) in files {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                let message = format!("could not read rule pack {}: {error}", path.display());
                report.at_field(field, message, "check the path and the file's permissions");
                continue;
            }
        };
        match parse_pack(&path.display().to_string(), &text) {
            Ok(pack) if known_pack_names(&packs).contains(&pack.name) => {
                let fix = "give the pack a name of its own in its `name` key";
                report.at_field(
                    field,
                    format!("rule pack name `{}` is already taken", pack.name),
                    fix,
                );
            }
            Ok(pack) => packs.push(pack),
            Err(errors) => {
                for error in errors.0 {
                    // `rules.files[0]:rule[1].paths[0]`: the config key, then the pack's own.
                    let pack_key = match error.key.as_str() {
                        "" => field.path.clone(),
                        key => format!("{}:{key}", field.path),
                    };
                    let at = format!("{}:{}:{}", error.origin, error.line, error.column);
                    let message = format!("{at}: {}", error.message);
                    report.in_named_file(&field.span, pack_key, message, error.fix);
                }
            }
        }
    }
    packs
}

/// Every pack name a project may list: the built-in packs and the user packs.
pub fn known_pack_names(user_packs: &[RulePack]) -> Vec<String> {
    builtin_packs()
        .into_iter()
        .map(|p| p.name)
        .chain(user_packs.iter().map(|p| p.name.clone()))
        .collect()
}

impl Config {
    /// The rule set for `project` (its packs, extra and ignored paths), or for
    /// no project: every built-in and user pack.
    pub fn rule_set(&self, project: Option<&ProjectConfig>) -> anyhow::Result<RuleSet> {
        let all = builtin_packs()
            .into_iter()
            .chain(self.rules.packs.iter().cloned());
        let Some(project) = project else {
            return RuleSet::new(all.collect(), &[], &[]).map_err(|e| anyhow::anyhow!("{e}"));
        };
        let packs: Vec<RulePack> = match &project.rule_packs {
            Some(names) => all.filter(|p| names.contains(&p.name)).collect(),
            None => all.collect(),
        };
        RuleSet::new(
            packs,
            &project.extra_paths.patterns,
            &project.ignore_paths.patterns,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("the rules of project {} are invalid", project.path))
    }
}
