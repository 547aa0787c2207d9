//! Detection: changed files x rule set -> at most one classified migration match per file.
//!
//! A [`RuleSet`] is the compiled packs plus a project's `extra_paths` (counted
//! as migrations of framework `custom`) and `ignore_paths` (never counted).
//! Callers first ask [`RuleSet::content_needs`] — `None` means no glob can
//! match and the file is skipped cheaply — then fetch only the content the
//! matching rules look at and call [`RuleSet::classify`].

mod prefilter;

pub use crate::core::paths::parse_name_status_line;
pub use crate::core::rules::{RuleError, RuleErrors, RulePack, builtin_packs, parse_pack};

use crate::core::compat::{self, Classification, Compat, OpKind, Operation};
use crate::core::order::{OrderKey, OrderSpec};
use crate::core::rules::{ChangeSet, Outcome, Rule, Verdict, compile_glob, glob_set, specificity};
use crate::core::types::{ChangeKind, ChangedFile, Match, MigrationKind};
use globset::{GlobSet, GlobSetBuilder};
use prefilter::Prefilter;

/// Name of the pseudo-pack built from a project's `extra_paths`.
pub const CUSTOM_FRAMEWORK: &str = "custom";

/// Paths no pack ever matches, whatever its globs: third-party code copied
/// into the tree (its migrations belong to the dependency and run, if ever,
/// through it), test apps of Rails engines, and web-served front-end
/// directories, and documentation folders (`doc/` is LAVA's, `docs/` and
/// `documentation/` others'), whose example migrations never run. A project
/// that truly keeps migrations there lists them in `extra_paths`, which is
/// not subject to this list.
pub const GLOBAL_EXCLUDES: &[&str] = &[
    "**/vendor/**",
    "**/node_modules/**",
    "**/third_party/**",
    "**/site-packages/**",
    "**/test/dummy/**",
    "**/spec/dummy/**",
    "**/static/**",
    "**/assets/**",
    "**/public/**",
    "**/doc/**",
    "**/docs/**",
    "**/documentation/**",
];

/// Which content the rules matching a file would look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContentNeeds {
    /// The whole file at the new revision (old revision for deletions).
    pub text: bool,
    /// The diff's added lines.
    pub added_lines: bool,
}

/// Content known for a changed file; `None` where the caller does not have it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileContent<'a> {
    /// The file at the new revision (the old revision for deletions).
    pub text: Option<&'a str>,
    /// The diff's added lines joined by '\n'.
    pub added_lines: Option<&'a str>,
}

impl FileContent<'_> {
    pub const UNKNOWN: FileContent<'static> = FileContent {
        text: None,
        added_lines: None,
    };
}

/// A rule's position in the packs and how it ranks against others.
#[derive(Debug, Clone)]
struct RuleRef {
    pack: usize,
    rule: usize,
    priority: i32,
}

/// One rule whose globs matched a path, with the best-matching glob.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    rule_ref: usize,
    glob: usize,
    specificity: u32,
}

/// Compiled packs, project globs and the index that matches them fast.
#[derive(Debug, Clone)]
pub struct RuleSet {
    packs: Vec<RulePack>,
    rule_refs: Vec<RuleRef>,
    /// Every path glob of every rule, in one set.
    globs: GlobSet,
    /// For each glob of `globs`: its rule (index into `rule_refs`), text and specificity.
    glob_owners: Vec<(usize, String, u32)>,
    prefilter: Prefilter,
    ignore: GlobSet,
    /// [`GLOBAL_EXCLUDES`], compiled.
    global_excludes: GlobSet,
}

impl RuleSet {
    /// Compiles packs with a project's extra and ignored globs. Errors: duplicate
    /// pack names, and invalid `extra_paths` / `ignore_paths` globs (origin `config`).
    pub fn new(
        mut packs: Vec<RulePack>,
        extra_paths: &[String],
        ignore_paths: &[String],
    ) -> Result<RuleSet, RuleErrors> {
        let mut errors = Vec::new();
        let mut names = std::collections::HashSet::new();
        for pack in &packs {
            if pack.name == CUSTOM_FRAMEWORK || !names.insert(pack.name.clone()) {
                errors.push(RuleError {
                    origin: pack.origin.clone(),
                    key: "name".into(),
                    line: pack.name_position.0,
                    column: pack.name_position.1,
                    message: format!("pack name `{}` is already taken", pack.name),
                    fix: "give the pack a name no other pack (nor `custom`) uses".into(),
                });
            }
        }
        check_globs(extra_paths, "extra_paths", &mut errors);
        check_globs(ignore_paths, "ignore_paths", &mut errors);
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        if !extra_paths.is_empty() {
            packs.push(custom_pack(extra_paths));
        }
        Ok(Self::index(packs, glob_set(ignore_paths)))
    }

    /// Every built-in pack, no project globs.
    pub fn builtin() -> RuleSet {
        Self::index(builtin_packs(), GlobSet::empty())
    }

    fn index(packs: Vec<RulePack>, ignore: GlobSet) -> RuleSet {
        let mut rule_refs = Vec::new();
        let mut glob_owners = Vec::new();
        let mut builder = GlobSetBuilder::new();
        for (pack_index, pack) in packs.iter().enumerate() {
            for (rule_index, rule) in pack.rules.iter().enumerate() {
                let rule_ref = rule_refs.len();
                rule_refs.push(RuleRef {
                    pack: pack_index,
                    rule: rule_index,
                    priority: pack.priority,
                });
                for pattern in &rule.paths {
                    if let Ok(glob) = compile_glob(pattern) {
                        builder.add(glob);
                        glob_owners.push((rule_ref, pattern.clone(), specificity(pattern)));
                    }
                }
            }
        }
        let globs = builder.build().unwrap_or_else(|_| GlobSet::empty());
        let prefilter = Prefilter::new(glob_owners.iter().map(|(_, p, _)| p.as_str()));
        RuleSet {
            packs,
            rule_refs,
            globs,
            glob_owners,
            prefilter,
            ignore,
            global_excludes: glob_set(
                &GLOBAL_EXCLUDES
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>(),
            ),
        }
    }

    pub fn packs(&self) -> &[RulePack] {
        &self.packs
    }

    /// A framework's order declaration: its pack's first rule that has one.
    pub fn order_spec(&self, framework: &str) -> Option<&OrderSpec> {
        self.packs
            .iter()
            .filter(|p| p.name == framework)
            .flat_map(|p| &p.rules)
            .find_map(|r| r.order.as_ref())
    }

    /// The order key of a file already on a branch (`text` where read):
    /// the rule that would claim it if it were added.
    pub fn order_key(&self, path: &str, text: Option<&str>) -> Option<(String, OrderKey)> {
        let file = ChangedFile::new(path, ChangeKind::Added);
        // Only its place in the order is wanted: reading its operations
        // for every migration on a branch would be wasted work.
        let found = self.classify_as(
            &file,
            &FileContent {
                text,
                added_lines: text,
            },
            false,
        )?;
        Some((found.framework, found.order?))
    }

    fn rule(&self, candidate: &Candidate) -> (&RulePack, &Rule) {
        let rule_ref = &self.rule_refs[candidate.rule_ref];
        let pack = &self.packs[rule_ref.pack];
        (pack, &pack.rules[rule_ref.rule])
    }

    /// The rules whose globs match the file, best first: higher pack priority,
    /// then the more specific glob, then pack order, then rule order.
    fn candidates(&self, file: &ChangedFile) -> Vec<Candidate> {
        let path = file.path.as_str();
        if !self.prefilter.may_match(path) {
            return Vec::new();
        }
        let mut found: Vec<Candidate> = Vec::new();
        for glob in self.globs.matches(path) {
            let (rule_ref, _, specificity) = self.glob_owners[glob];
            match found.iter_mut().find(|c| c.rule_ref == rule_ref) {
                Some(c) if c.specificity >= specificity => {}
                Some(c) => {
                    *c = Candidate {
                        rule_ref,
                        glob,
                        specificity,
                    }
                }
                None => found.push(Candidate {
                    rule_ref,
                    glob,
                    specificity,
                }),
            }
        }
        let custom_only = |c: &Candidate| self.rule(c).0.name == CUSTOM_FRAMEWORK;
        if !found.iter().all(custom_only) && self.global_excludes.is_match(path) {
            found.retain(custom_only);
        }
        found.retain(|c| !self.rule(c).1.rejects(path, file.change));
        if found.is_empty() || self.ignore.is_match(path) {
            return Vec::new();
        }
        found.sort_by_key(|c| {
            let r = &self.rule_refs[c.rule_ref];
            (
                std::cmp::Reverse(r.priority),
                std::cmp::Reverse(c.specificity),
                c.rule_ref,
            )
        });
        found
    }

    /// What content classifying this file would use; `None` when no rule's
    /// paths match (the file is not a migration, no content needed).
    pub fn content_needs(&self, file: &ChangedFile) -> Option<ContentNeeds> {
        let candidates = self.candidates(file);
        if candidates.is_empty() {
            return None;
        }
        let mut needs = ContentNeeds::default();
        for candidate in &candidates {
            let (text, added) = self.rule(candidate).1.needs(&file.path, file.change);
            needs.text |= text;
            needs.added_lines |= added;
        }
        Some(needs)
    }

    /// Classifies a changed file with whatever content is known, its
    /// operations read where its text is.
    pub fn classify(&self, file: &ChangedFile, content: &FileContent) -> Option<Match> {
        self.classify_as(file, content, true)
    }

    fn classify_as(
        &self,
        file: &ChangedFile,
        content: &FileContent,
        read_operations: bool,
    ) -> Option<Match> {
        for candidate in self.candidates(file) {
            let (pack, rule) = self.rule(&candidate);
            let verdict = rule.classify(&file.path, file.change, content.text, content.added_lines);
            let (outcome, why) = match verdict {
                Verdict::Skip => continue,
                Verdict::Classified(outcome, why) => (outcome, why),
            };
            let Outcome::Migration(mut kind) = outcome else {
                // A rule said "not a migration after all": that is final.
                return None;
            };
            let mut why = why;
            let moved = self.moved_from(file, pack);
            if let Some(old) = moved {
                kind = MigrationKind::Edit;
                why = format!("moved from {old}: an existing migration, not a new one");
            }
            let glob = &self.glob_owners[candidate.glob].1;
            let mut reason = format!("{}/{}: `{glob}`; {why}", pack.name, rule.id);
            if let Some(note) = &rule.note {
                reason.push_str("; ");
                reason.push_str(note);
            }
            if content.text.is_none() && !rule.require.is_empty() {
                reason.push_str(" (content not checked)");
            }
            let order = rule
                .order
                .as_ref()
                // Only a new migration takes a new place in the order: an
                // edited or moved one keeps the place it has on the branch.
                .filter(|_| file.change.brings_new_file() && moved.is_none())
                .and_then(|spec| spec.key(&file.path, content.text));
            let classification = if read_operations {
                operations_of(rule, &pack.name, &file.path, kind, content)
            } else {
                Classification::default()
            };
            return Some(Match {
                path: file.path.clone(),
                change: file.change,
                framework: pack.name.clone(),
                kind,
                reason,
                order,
                compat: classification.compat,
                operations: classification.operations,
            });
        }
        None
    }

    /// For a rename whose old path already was a migration of the same pack
    /// (by path alone): that old path. Moving migrations (a reorganised tree)
    /// brings no new schema; renaming a draft into place does.
    fn moved_from<'f>(&self, file: &'f ChangedFile, pack: &RulePack) -> Option<&'f str> {
        if file.change != ChangeKind::Renamed {
            return None;
        }
        let old = file.old_path.as_deref()?;
        let before = ChangedFile::new(old, ChangeKind::Renamed);
        self.candidates(&before)
            .iter()
            .any(|c| self.rule(c).0.name == pack.name)
            .then_some(old)
    }

    /// Classifies by path and change kind alone (content unknown).
    pub fn classify_path(&self, file: &ChangedFile) -> Option<Match> {
        self.classify(file, &FileContent::UNKNOWN)
    }
}

/// What a migration does to the schema, by its class: a squash changes
/// nothing on a migrated database, an edit is not known, a new migration is
/// read by its rule's reader when its text is known.
fn operations_of(
    rule: &Rule,
    framework: &str,
    path: &str,
    kind: MigrationKind,
    content: &FileContent,
) -> Classification {
    let not_read = |why: String| {
        Classification::single(Operation::new(OpKind::NotRead, Compat::Unknown).note(why))
    };
    match kind {
        MigrationKind::Squash => {
            Classification::single(Operation::new(OpKind::Squash, Compat::Expand))
        }
        MigrationKind::Edit => Classification::single(
            Operation::new(OpKind::Edit, Compat::Unknown)
                .note("it runs only where it has not run yet"),
        ),
        MigrationKind::Schema | MigrationKind::Data => {
            match (rule.reader_for(path), content.text) {
                (None, _) => not_read(format!("schemagate does not read {framework} migrations")),
                (Some(_), None) => not_read("its content was not read".into()),
                (Some(reader), Some(text)) => {
                    compat::classify(reader, path, text, content.added_lines)
                }
            }
        }
    }
}

fn check_globs(globs: &[String], key: &str, errors: &mut Vec<RuleError>) {
    for (i, pattern) in globs.iter().enumerate() {
        if let Err(e) = compile_glob(pattern) {
            errors.push(RuleError {
                origin: "config".into(),
                key: format!("{key}[{i}]"),
                line: 0,
                column: 0,
                message: format!("invalid glob `{pattern}`: {}", e.kind()),
                fix: "check `[`/`{` are closed; `*` stays in one directory, `**/` crosses directories"
                    .into(),
            });
        }
    }
}

/// The project's `extra_paths` as a pack: every matching change counts, with
/// the default classes (added/renamed: schema, modified/deleted: edit). It
/// ranks below every real pack, which classify more precisely.
fn custom_pack(extra_paths: &[String]) -> RulePack {
    RulePack {
        name: CUSTOM_FRAMEWORK.into(),
        title: "Project paths (extra_paths)".into(),
        description: "Globs from the project's configuration, counted as migrations.".into(),
        priority: i32::MIN,
        origin: "config".into(),
        rules: vec![Rule {
            id: "extra_paths".into(),
            note: None,
            paths: extra_paths.to_vec(),
            exclude: Vec::new(),
            exclude_set: GlobSet::empty(),
            changes: ChangeSet::ALL,
            require: Vec::new(),
            classes: Vec::new(),
            order: None,
            reader: None,
        }],
        name_position: (0, 0),
    }
}
