//! `schemagate upgrade-path`: the releases an admin must pass through between
//! two versions, or a verdict on a proposed path (`--check`).
//!
//! Exit codes: 0 a path (or "allowed"), 1 a proposed path is refused (the
//! reason on stdout), 2 bad input (unknown version, unreadable file).

use crate::cli::upgrade_history::read_facts;
use crate::cli::{Format, Settings};
use crate::core::release::{Scheme, Version};
use crate::core::upgrade::{self, HistoryFacts, Plan, Stop, UpgradePolicy};
use crate::git::repo::GitRepo;
use crate::git::tags;
use anyhow::{Context, anyhow, bail};
use clap::builder::PossibleValuesParser;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The versions to pass through from one release to another.
#[derive(Debug, clap::Args)]
pub struct UpgradePathArgs {
    /// The version installed now.
    #[arg(long, required_unless_present = "check", conflicts_with = "check")]
    pub from: Option<String>,

    /// The version to reach; `latest` means the highest known stable release.
    #[arg(long, required_unless_present = "check", conflicts_with = "check")]
    pub to: Option<String>,

    /// Validate a proposed path instead of planning one: versions separated by commas.
    #[arg(long, value_name = "V1,V2,...")]
    pub check: Option<String>,

    /// The known releases, one version a line (`#` comments and blank lines ignored).
    #[arg(long, value_name = "FILE", conflicts_with = "repo")]
    pub versions: Option<PathBuf>,

    /// A git checkout whose release tags are the known releases (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,

    /// How releases are named; by default the project's configured scheme,
    /// else the one most of the known versions follow.
    #[arg(long, value_parser = PossibleValuesParser::new(Scheme::NAMES))]
    pub scheme: Option<String>,

    /// Use this configured project's scheme and rule packs.
    #[arg(long, value_name = "PATH")]
    pub project: Option<String>,

    /// Which releases to stop at; by default `direct` for calver (straight
    /// to the target except where squashed migrations force a stop) and
    /// `stop-gaps` for other schemes.
    #[arg(long, value_parser = PossibleValuesParser::new(UpgradePolicy::NAMES))]
    pub policy: Option<String>,

    /// Releases that carried database changes, one version a line (for
    /// `--policy db-stop-gaps`; for `contract-stop-gaps` the releases that
    /// cannot roll; by default found by scanning the tags of `--repo`).
    #[arg(long, value_name = "FILE")]
    pub db_releases: Option<PathBuf>,
}

/// Runs the command; `Err` is bad input (exit 2).
pub fn run(args: UpgradePathArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let format = settings.format;
    let (names, source) = known_version_names(&args)?;
    let scheme = settings
        .scheme(args.scheme.as_deref(), args.project.as_deref(), &names)?
        // Nothing parses: semver gives the clearest "found no versions" error below.
        .unwrap_or(Scheme::Semver);
    let policy = match &args.policy {
        Some(name) => UpgradePolicy::from_name(name)
            .ok_or_else(|| anyhow!("unknown upgrade policy `{name}`"))?,
        None => UpgradePolicy::default_for(&scheme),
    };
    let mut versions = known_versions(&names, &source, &scheme)?;

    let (proposed, from, to) = requested(&args, &scheme, &versions)?;
    // Every version the user named must belong to the target's history.
    let named = proposed.clone().unwrap_or_else(|| vec![from.clone()]);
    let facts = history_facts(&args, settings, &scheme, policy, &named, &to, &mut versions)?;

    if let Some(path) = &proposed {
        return check_path(&versions, path, policy, &facts, format);
    }
    let plan = upgrade::plan_with(&versions, &from, &to, policy, &facts)?;
    println!("{}", render_plan(&plan, format));
    Ok(ExitCode::SUCCESS)
}

/// What the user asked about: a proposed path (`--check`) with its ends,
/// or just the ends (`--from`, `--to`; `latest` resolved).
fn requested(
    args: &UpgradePathArgs,
    scheme: &Scheme,
    versions: &[Version],
) -> anyhow::Result<(Option<Vec<Version>>, Version, Version)> {
    let Some(proposed) = &args.check else {
        let from = parse_endpoint(args.from.as_deref(), "--from", scheme, versions)?;
        let to = parse_endpoint(args.to.as_deref(), "--to", scheme, versions)?;
        return Ok((None, from, to));
    };
    let path = proposed
        .split(',')
        .map(|text| parse_version(text, scheme))
        .collect::<anyhow::Result<Vec<Version>>>()?;
    match (path.first().cloned(), path.last().cloned()) {
        (Some(from), Some(to)) => Ok((Some(path), from, to)),
        _ => bail!("--check needs at least one version"),
    }
}

fn check_path(
    versions: &[Version],
    path: &[Version],
    policy: UpgradePolicy,
    facts: &HistoryFacts,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let refusal = match upgrade::check_with(versions, path, policy, facts) {
        Ok(()) => {
            println!("{}", render_allowed(path, format));
            return Ok(ExitCode::SUCCESS);
        }
        Err(refusal) if refusal.is_bad_input() => return Err(refusal.into()),
        Err(refusal) => refusal,
    };
    // A refusal is more useful with a path that works between the same ends.
    let suggestion = match (path.first(), path.last()) {
        (Some(from), Some(to)) => upgrade::plan_with(versions, from, to, policy, facts)
            .ok()
            .map(|plan| plan.path),
        _ => None,
    };
    println!(
        "{}",
        render_refused(&refusal.reason, suggestion.as_deref(), format)
    );
    Ok(ExitCode::from(1))
}

/// The repository whose tags are the known releases, when no versions file is given.
fn tag_repo(args: &UpgradePathArgs) -> Option<&Path> {
    match &args.versions {
        Some(_) => None,
        None => Some(args.repo.as_deref().unwrap_or(Path::new("."))),
    }
}

/// Where the known releases were read from.
enum VersionSource {
    File(PathBuf),
    Tags(PathBuf),
}

impl std::fmt::Display for VersionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSource::File(file) => write!(f, "{}", file.display()),
            VersionSource::Tags(repo) => write!(f, "the tags of {}", repo.display()),
        }
    }
}

/// The known release names and where they came from: the lines of
/// `--versions FILE`, else the tags of `--repo` (default `.`).
fn known_version_names(args: &UpgradePathArgs) -> anyhow::Result<(Vec<String>, VersionSource)> {
    match (&args.versions, tag_repo(args)) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            Ok((version_lines(&text), VersionSource::File(file.clone())))
        }
        (None, Some(repo)) => Ok((
            tags::list_tags(&GitRepo::open(repo)?)?,
            VersionSource::Tags(repo.to_path_buf()),
        )),
        (None, None) => unreachable!("tag_repo answers whenever there is no versions file"),
    }
}

/// The known releases in version order: a versions file must parse line by
/// line; tags that are not releases are skipped.
fn known_versions(
    names: &[String],
    source: &VersionSource,
    scheme: &Scheme,
) -> anyhow::Result<Vec<Version>> {
    let mut versions = match source {
        VersionSource::Tags(_) => names.iter().filter_map(|tag| scheme.parse(tag)).collect(),
        VersionSource::File(_) => {
            parse_version_lines(&names.join("\n"), scheme).with_context(|| source.to_string())?
        }
    };
    versions.sort();
    if versions.is_empty() {
        bail!("found no {scheme} versions in {source}; choose the naming with --scheme");
    }
    Ok(versions)
}

/// What the history says for `policy`. With `--repo`, the path stays in the
/// series of `to` and one pass over the history finds the releases with
/// database changes (`db-stop-gaps`, unless `--db-releases` names them) and
/// the squash cuts (`direct`). With `--versions` there is no history: the
/// database releases come from `--db-releases`, and `direct` cannot know
/// its squash stops, which the command says on stderr.
fn history_facts(
    args: &UpgradePathArgs,
    settings: &Settings,
    scheme: &Scheme,
    policy: UpgradePolicy,
    named: &[Version],
    to: &Version,
    versions: &mut Vec<Version>,
) -> anyhow::Result<HistoryFacts> {
    if !policy.stops_at_db_releases() && args.db_releases.is_some() {
        bail!("--db-releases only applies to --policy db-stop-gaps and contract-stop-gaps");
    }
    let listed = match &args.db_releases {
        Some(file) => Some(db_releases_file(file, scheme, versions)?),
        None => None,
    };
    let Some(repo) = tag_repo(args) else {
        if policy.stops_at_db_releases() && listed.is_none() {
            bail!(
                "--policy {} needs the releases to stop at: \
                 give --db-releases FILE (one version a line) or use --repo instead of --versions",
                policy.name()
            );
        }
        if policy.uses_squash_cuts() {
            eprintln!(
                "note: without --repo the direct policy cannot see squashed migrations; \
                 the path has no squash stops"
            );
        }
        return Ok(HistoryFacts {
            db_releases: listed.unwrap_or_default(),
            squash_cuts: Vec::new(),
        });
    };
    // A listed set of database releases needs no scan for them.
    let scan_policy = match (policy, &listed) {
        (UpgradePolicy::DbStopGaps | UpgradePolicy::ContractStopGaps, Some(_)) => {
            UpgradePolicy::StopGaps
        }
        _ => policy,
    };
    let rules = settings.rules_for(args.project.as_deref())?;
    let mut facts = read_facts(repo, scheme, &rules, scan_policy, named, to, versions)?;
    if let Some(listed) = listed {
        facts.db_releases = listed;
    }
    Ok(facts)
}

/// The releases listed in a `--db-releases` file, each a known release.
fn db_releases_file(
    file: &Path,
    scheme: &Scheme,
    versions: &[Version],
) -> anyhow::Result<BTreeSet<Version>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db_releases =
        parse_version_lines(&text, scheme).with_context(|| file.display().to_string())?;
    if let Some(unknown) = db_releases.iter().find(|db| !versions.contains(db)) {
        bail!(
            "{unknown} in {} is not one of the known releases",
            file.display()
        );
    }
    Ok(db_releases.into_iter().collect())
}

/// The non-blank, non-comment lines of a versions file, trimmed.
fn version_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim().to_string())
        .collect()
}

/// Parses a version list: one version a line; blank lines and `#` comments
/// (whole-line or trailing) are ignored; any other line must parse under
/// `scheme`, and the error names the first one that does not.
pub fn parse_version_lines(text: &str, scheme: &Scheme) -> anyhow::Result<Vec<Version>> {
    let mut versions = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let version = scheme
            .parse(content)
            .ok_or_else(|| anyhow!("line {}: `{content}` is not a {scheme} version", index + 1))?;
        versions.push(version);
    }
    Ok(versions)
}

fn parse_version(text: &str, scheme: &Scheme) -> anyhow::Result<Version> {
    let text = text.trim();
    scheme
        .parse(text)
        .ok_or_else(|| anyhow!("`{text}` is not a {scheme} version"))
}

fn parse_endpoint(
    text: Option<&str>,
    flag: &str,
    scheme: &Scheme,
    versions: &[Version],
) -> anyhow::Result<Version> {
    let text = text.ok_or_else(|| anyhow!("{flag} is required without --check"))?;
    if text == "latest" {
        return latest(versions).ok_or_else(|| anyhow!("there is no release to call latest"));
    }
    parse_version(text, scheme)
}

/// The highest stable release, or the highest of all when every one is a pre-release.
fn latest(versions: &[Version]) -> Option<Version> {
    versions
        .iter()
        .filter(|v| !v.is_prerelease())
        .max()
        .or_else(|| versions.iter().max())
        .cloned()
}

fn names(path: &[Version]) -> Vec<String> {
    path.iter().map(ToString::to_string).collect()
}

/// `23.09.10 → 24.03.0`, or `{"path": [...]}` as JSON.
pub fn render_path(path: &[Version], format: Format) -> String {
    match format {
        Format::Json => serde_json::json!({ "path": names(path) }).to_string(),
        Format::Table | Format::Markdown => names(path).join(" → "),
    }
}

/// The path, then one line per stop saying why; as JSON `{"path": [...],
/// "stops": [{"version", "reason"}]}`.
pub fn render_plan(plan: &Plan, format: Format) -> String {
    match format {
        Format::Json => serde_json::json!({
            "path": names(&plan.path),
            "stops": plan.stops.iter().map(|Stop { version, reason }| serde_json::json!({
                "version": version.to_string(),
                "reason": reason,
            })).collect::<Vec<_>>(),
        })
        .to_string(),
        Format::Table | Format::Markdown => {
            let mut text = names(&plan.path).join(" → ");
            for stop in &plan.stops {
                text.push_str(&format!("\nstop at {}: {}", stop.version, stop.reason));
            }
            text
        }
    }
}

fn render_allowed(path: &[Version], format: Format) -> String {
    match format {
        Format::Json => serde_json::json!({ "allowed": true, "path": names(path) }).to_string(),
        Format::Table | Format::Markdown => format!("allowed: {}", names(path).join(" → ")),
    }
}

fn render_refused(reason: &str, suggestion: Option<&[Version]>, format: Format) -> String {
    match format {
        Format::Json => serde_json::json!({
            "allowed": false,
            "reason": reason,
            "suggested_path": suggestion.map(names),
        })
        .to_string(),
        Format::Table | Format::Markdown => match suggestion {
            Some(path) => format!(
                "refused: {reason}\nan allowed path: {}",
                names(path).join(" → ")
            ),
            None => format!("refused: {reason}"),
        },
    }
}
