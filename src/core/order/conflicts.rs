//! Which migrations collide when a change is applied over a branch: two
//! leaves (or heads) in one graph, two files with one version, or a version
//! below the branch's highest where the tool refuses that. Pure: the
//! caller brings the branch's keys and the change's.

use super::key::OrderKey;
use super::spec::{OrderSpec, OutOfOrder, Scheme};
use super::version::Version;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One migration file with its framework and order key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedFile {
    pub path: String,
    pub framework: String,
    pub key: OrderKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Two leaves (Django) or heads (Alembic) where there was one.
    TwoLeaves,
    /// Two different files with one version in one set.
    SameVersion,
    /// A version below the branch's highest, which the tool will not apply.
    BelowTarget,
}

/// A collision, naming the files on both sides and the framework's fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub framework: String,
    /// The set the files are ordered in (a Django app's migrations directory).
    pub group: String,
    pub kind: ConflictKind,
    /// The change's files involved.
    pub files: Vec<String>,
    /// The branch's files involved.
    pub existing: Vec<String>,
    /// What goes wrong, with the tool's own words.
    pub message: String,
    /// What to do, in the framework's terms.
    pub fix: String,
}

impl Conflict {
    /// Every file involved, the change's first.
    pub fn all_files(&self) -> impl Iterator<Item = &String> {
        self.files.iter().chain(&self.existing)
    }
}

/// The conflicts of applying `change` over `target` (the files on the
/// branch). A path in `removed` (deleted by the change) is gone from the
/// branch; a path of the change replaces the branch's file of that path.
/// `spec_of` finds a framework's order declaration.
pub fn find_conflicts<'s>(
    target: &[OrderedFile],
    removed: &[String],
    change: &[OrderedFile],
    spec_of: &dyn Fn(&str) -> Option<&'s OrderSpec>,
) -> Vec<Conflict> {
    let replaced: HashSet<&str> = removed
        .iter()
        .map(String::as_str)
        .chain(change.iter().map(|f| f.path.as_str()))
        .collect();
    let mut sets: BTreeMap<(&str, &str), SetFiles> = BTreeMap::new();
    for file in change {
        sets.entry((&file.framework, &file.key.group))
            .or_default()
            .1
            .push(file);
    }
    for file in target {
        if replaced.contains(file.path.as_str()) {
            continue;
        }
        if let Some(set) = sets.get_mut(&(file.framework.as_str(), file.key.group.as_str())) {
            set.0.push(file);
        }
    }
    let mut found = Vec::new();
    for ((framework, group), (on_target, added)) in sets {
        let Some(spec) = spec_of(framework) else {
            continue;
        };
        let set = Set {
            framework,
            group,
            spec,
            on_target,
            added,
        };
        match spec.scheme {
            Scheme::Graph => set.graph_conflicts(&mut found),
            Scheme::Version => set.version_conflicts(&mut found),
        }
    }
    found
}

/// The conflicts between two changes over one branch: those that arise
/// when both are applied and involve files of each. What either does to
/// the branch alone is not among them.
pub fn pairwise_conflicts<'s>(
    target: &[OrderedFile],
    (ours, our_removed): (&[OrderedFile], &[String]),
    (theirs, their_removed): (&[OrderedFile], &[String]),
    spec_of: &dyn Fn(&str) -> Option<&'s OrderSpec>,
) -> Vec<Conflict> {
    let both: Vec<OrderedFile> = ours.iter().chain(theirs).cloned().collect();
    let removed: Vec<String> = our_removed.iter().chain(their_removed).cloned().collect();
    let is_ours = |path: &String| ours.iter().any(|f| &f.path == path);
    let is_theirs = |path: &String| theirs.iter().any(|f| &f.path == path);
    find_conflicts(target, &removed, &both, spec_of)
        .into_iter()
        .filter(|c| c.files.iter().any(is_ours) && c.files.iter().any(is_theirs))
        .collect()
}

/// The branch's files in one set and the change's.
type SetFiles<'a> = (Vec<&'a OrderedFile>, Vec<&'a OrderedFile>);

/// One ordered set: the branch's files in it and the change's.
struct Set<'a, 's> {
    framework: &'a str,
    group: &'a str,
    spec: &'s OrderSpec,
    on_target: Vec<&'a OrderedFile>,
    added: Vec<&'a OrderedFile>,
}

impl Set<'_, '_> {
    fn conflict(&self, kind: ConflictKind, files: Vec<String>, existing: Vec<String>) -> Conflict {
        Conflict {
            framework: self.framework.to_string(),
            group: self.group.to_string(),
            kind,
            files,
            existing,
            message: String::new(),
            fix: String::new(),
        }
    }

    /// Fills `{version}`, `{leaf}` and `{next}` in the pack's wording.
    fn words(&self, template: &str, version: Option<&Version>, leaf: &[String]) -> String {
        let highest = self
            .on_target
            .iter()
            .filter_map(|f| f.key.version.as_ref())
            .max();
        let next = highest.map(next_version).unwrap_or_else(|| "1".into());
        let leaf = if leaf.is_empty() {
            "the branch's latest".to_string()
        } else {
            leaf.join(", ")
        };
        template
            .replace(
                "{version}",
                &version.map(Version::to_string).unwrap_or_default(),
            )
            .replace("{leaf}", &leaf)
            .replace("{next}", &next)
    }

    /// Leaves before and after: more leaves after means the tool stops.
    fn graph_conflicts(&self, found: &mut Vec<Conflict>) {
        let on_target: Vec<(&str, &OrderedFile)> = self
            .on_target
            .iter()
            .filter_map(|f| Some((f.key.node.as_deref()?, *f)))
            .collect();
        // An added file whose text was not read cannot be placed.
        let added: Vec<(&str, &[String], &OrderedFile)> = self
            .added
            .iter()
            .filter_map(|f| Some((f.key.node.as_deref()?, f.key.parents.as_deref()?, *f)))
            .collect();
        if added.is_empty() {
            return;
        }
        let target_leaves = target_leaves(&on_target);
        let on_branch: HashSet<&str> = on_target.iter().map(|(n, _)| *n).collect();
        // A migration whose parents are all elsewhere (another open MR)
        // is stacked on work not here: it is judged when that work lands.
        let mut live: Vec<&(&str, &[String], &OrderedFile)> = added.iter().collect();
        loop {
            let mut names = on_branch.clone();
            names.extend(live.iter().map(|(n, _, _)| *n));
            let before = live.len();
            live.retain(|(_, parents, _)| {
                parents.is_empty() || parents.iter().any(|p| names.contains(p.as_str()))
            });
            if live.len() == before {
                break;
            }
        }
        let consumed: HashSet<&str> = live
            .iter()
            .flat_map(|(_, parents, _)| parents.iter().map(String::as_str))
            .collect();
        let mut heads: Vec<(&str, &OrderedFile, bool)> = target_leaves
            .iter()
            .map(|(n, f)| (*n, *f, false))
            .chain(live.iter().map(|(n, _, f)| (*n, *f, true)))
            .filter(|(n, _, _)| !consumed.contains(n))
            .collect();
        heads.dedup_by(|a, b| a.0 == b.0);
        if heads.len() <= target_leaves.len().max(1) {
            return;
        }
        let files: Vec<String> = heads
            .iter()
            .filter(|h| h.2)
            .map(|h| h.1.path.clone())
            .collect();
        let existing: Vec<String> = heads
            .iter()
            .filter(|h| !h.2)
            .map(|h| h.1.path.clone())
            .collect();
        let names: Vec<String> = heads.iter().map(|h| h.0.to_string()).collect();
        let leaf: Vec<String> = heads
            .iter()
            .filter(|h| !h.2)
            .map(|h| h.0.to_string())
            .collect();
        let mut conflict = self.conflict(ConflictKind::TwoLeaves, files, existing);
        conflict.message = format!(
            "{} ({} in {})",
            self.words(&self.spec.error, None, &leaf),
            names.join(", "),
            self.group
        );
        conflict.fix = self.words(&self.spec.fix, None, &leaf);
        found.push(conflict);
    }

    fn version_conflicts(&self, found: &mut Vec<Conflict>) {
        let mut by_version: BTreeMap<&Version, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
        for file in &self.added {
            if let Some(version) = &file.key.version {
                by_version.entry(version).or_default().0.insert(&file.path);
            }
        }
        for file in &self.on_target {
            if let Some(version) = &file.key.version
                && let Some(entry) = by_version.get_mut(version)
            {
                entry.1.insert(&file.path);
            }
        }
        for (version, (added, existing)) in &by_version {
            if !self.spec.unique || added.len() + existing.len() < 2 {
                continue;
            }
            let existing: Vec<String> = existing.iter().map(|p| p.to_string()).collect();
            let mut conflict = self.conflict(
                ConflictKind::SameVersion,
                added.iter().map(|p| p.to_string()).collect(),
                existing.clone(),
            );
            conflict.message = format!(
                "{} ({} files with version {version} in {})",
                self.words(&self.spec.error, Some(version), &existing),
                added.len() + existing.len(),
                self.group
            );
            conflict.fix = self.words(&self.spec.fix, Some(version), &existing);
            found.push(conflict);
        }
        if self.spec.out_of_order == OutOfOrder::Allowed {
            return;
        }
        let Some(highest) = self
            .on_target
            .iter()
            .filter(|f| f.key.version.is_some())
            .max_by(|a, b| a.key.version.cmp(&b.key.version))
        else {
            return;
        };
        let top = highest.key.version.as_ref().expect("filtered");
        for file in &self.added {
            let Some(version) = &file.key.version else {
                continue;
            };
            if version >= top {
                continue;
            }
            let existing = vec![highest.path.clone()];
            let mut conflict =
                self.conflict(ConflictKind::BelowTarget, vec![file.path.clone()], existing);
            conflict.message = format!(
                "version {version} is below {top}, already on the branch ({}): {} does not apply a version lower than one applied",
                highest.path, self.framework
            );
            conflict.fix = self.words(
                &self.spec.fix,
                Some(version),
                std::slice::from_ref(&highest.path),
            );
            found.push(conflict);
        }
    }
}

/// The branch's leaves in one set: the nodes no other names as a parent
/// when every parent is known, else (names alone) those with the highest
/// number; none when neither is known.
fn target_leaves<'a>(on_target: &[(&'a str, &'a OrderedFile)]) -> Vec<(&'a str, &'a OrderedFile)> {
    if on_target.iter().all(|(_, f)| f.key.parents.is_some()) {
        let parents: HashSet<&str> = on_target
            .iter()
            .flat_map(|(_, f)| f.key.parents.iter().flatten().map(String::as_str))
            .collect();
        return on_target
            .iter()
            .filter(|(n, _)| !parents.contains(n))
            .copied()
            .collect();
    }
    if !on_target.iter().all(|(_, f)| f.key.version.is_some()) {
        return Vec::new();
    }
    let highest = on_target
        .iter()
        .filter_map(|(_, f)| f.key.version.as_ref())
        .max();
    on_target
        .iter()
        .filter(|(_, f)| f.key.version.as_ref() == highest)
        .copied()
        .collect()
}

/// The version after `version`: its last part plus one.
fn next_version(version: &Version) -> String {
    let text = version.to_string();
    let (head, last) = text
        .rsplit_once('.')
        .map_or(("", text.as_str()), |(h, l)| (h, l));
    let mut digits: Vec<u8> = last.bytes().map(|b| b - b'0').collect();
    let mut carry = true;
    for digit in digits.iter_mut().rev() {
        if !carry {
            break;
        }
        *digit += 1;
        carry = *digit == 10;
        if carry {
            *digit = 0;
        }
    }
    let mut bumped: String = digits.iter().map(|d| (d + b'0') as char).collect();
    if carry {
        bumped.insert(0, '1');
    }
    if head.is_empty() {
        bumped
    } else {
        format!("{head}.{bumped}")
    }
}
