//! The project's own release notes (CHANGELOG.md) against what the
//! repository holds: the Keep a Changelog layout, the version Cargo.toml
//! and the Debian changelog name, and the bot's own store migrations
//! (`schema/`) each listed under one release, with the rolling verdict
//! that schemagate's own classifier gives them. When the repository has
//! release tags, `schemagate releases` over it must agree with the
//! changelog; while it has none, the docs must say so.

use super::{repo_file, succeeds};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Each `## [version]` section's text, by version (`Unreleased` included).
fn sections(changelog: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    for part in changelog.split("\n## [").skip(1) {
        let (version, rest) = part.split_once(']').expect("## [version]");
        sections.insert(version.to_string(), rest.to_string());
    }
    sections
}

/// The migration versions a section's `### Store migration` adds (those its
/// first bullet names, ranges like `V1–V7` expanded; later bullets may name
/// versions for other reasons), and the block's whole text.
fn store_migration(section: &str) -> Option<(BTreeSet<u32>, String)> {
    let block = section.split("\n### Store migration\n").nth(1)?;
    let block = block.split("\n### ").next().unwrap().to_string();
    let first = block.trim_start().split("\n- ").next().unwrap();
    let tokens: Vec<String> = first
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '–'))
        .map(str::to_string)
        .collect();
    let number = |t: &str| t.strip_prefix('V')?.parse::<u32>().ok();
    let mut versions = BTreeSet::new();
    for token in tokens {
        match token.split_once('–') {
            Some((from, to)) => {
                let (from, to) = (number(from).expect(&token), number(to).expect(&token));
                versions.extend(from..=to);
            }
            None => versions.extend(number(&token)),
        }
    }
    Some((versions, block))
}

/// The versions of `schema/<dialect>/V<n>__*.sql`.
fn schema_versions(dialect: &str) -> BTreeSet<u32> {
    std::fs::read_dir(repo_file(&format!("schema/{dialect}")))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_prefix('V')?.split_once("__")?.0.parse().ok()
        })
        .collect()
}

/// The version of a `schema/<dialect>/V<n>__*.sql` path.
fn version_of(path: &str) -> Option<u32> {
    let name = path.strip_prefix("schema/")?.split_once('/')?.1;
    name.strip_prefix('V')?.split_once("__")?.0.parse().ok()
}

#[test]
fn the_changelog_keeps_a_changelog_and_names_the_package_version() {
    let changelog = std::fs::read_to_string(repo_file("CHANGELOG.md")).unwrap();
    assert!(changelog.starts_with("# Changelog\n"));
    let sections = sections(&changelog);
    assert!(
        sections.contains_key("Unreleased"),
        "an [Unreleased] section"
    );
    let headings = [
        "Added",
        "Changed",
        "Deprecated",
        "Removed",
        "Fixed",
        "Security",
    ];
    let mut released = Vec::new();
    for (version, text) in &sections {
        if version != "Unreleased" {
            let date = text.strip_prefix(" - ").map(|t| &t[..10]).unwrap_or("");
            assert!(
                chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
                "## [{version}] has no date"
            );
            assert!(semver::Version::parse(version).is_ok(), "{version}");
            released.push(semver::Version::parse(version).unwrap());
        }
        for heading in text.lines().filter_map(|l| l.strip_prefix("### ")) {
            assert!(
                headings.contains(&heading) || heading == "Store migration",
                "### {heading} in [{version}] is not a Keep a Changelog heading"
            );
        }
    }
    // The newest release is the version being built: the package's, the
    // binary's, and the Debian changelog's.
    let newest = released.iter().max().expect("a release").to_string();
    assert_eq!(newest, env!("CARGO_PKG_VERSION"));
    let debian = std::fs::read_to_string(repo_file("deploy/debian/changelog")).unwrap();
    assert!(
        debian.starts_with(&format!("schemagate ({newest}) ")),
        "deploy/debian/changelog's first entry is not {newest}"
    );
}

#[test]
fn every_store_migration_is_listed_under_one_release_with_its_rolling_verdict() {
    let sqlite = schema_versions("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        schema_versions("postgres"),
        "one file per version and dialect"
    );

    let changelog = std::fs::read_to_string(repo_file("CHANGELOG.md")).unwrap();
    let mut listed = BTreeMap::new();
    for (version, text) in sections(&changelog) {
        let Some((versions, block)) = store_migration(&text) else {
            continue;
        };
        for v in &versions {
            let earlier = listed.insert(*v, version.clone());
            assert!(
                earlier.is_none(),
                "V{v} is listed under {earlier:?} and {version}"
            );
        }
        // The verdict is schemagate's own: a contract migration among them
        // means stopping every replica; all expand means it rolls.
        let scanned = contract_versions();
        let contract: Vec<&u32> = versions.iter().filter(|v| scanned.contains(v)).collect();
        assert_eq!(
            block.contains("stop every replica"),
            !contract.is_empty(),
            "[{version}]'s store migration: contract migrations {contract:?}"
        );
        for v in contract {
            assert!(
                block.contains(&format!("V{v} ")),
                "[{version}] does not name V{v}"
            );
        }
    }
    let listed_versions: BTreeSet<u32> = listed.keys().copied().collect();
    assert_eq!(
        listed_versions, sqlite,
        "CHANGELOG.md's store migrations are not schema/'s: list a new one under [Unreleased]"
    );
}

/// The store versions schemagate classes contract in either dialect, from
/// `scan` over the whole tree (the empty tree as base works in a shallow
/// clone too).
fn contract_versions() -> BTreeSet<u32> {
    let repo = env!("CARGO_MANIFEST_DIR");
    let empty = succeeds(
        Command::new("git")
            .args(["-C", repo, "hash-object", "-t", "tree", "/dev/null"])
            .output()
            .unwrap(),
        "git hash-object",
    );
    let scan = succeeds(
        Command::new(env!("CARGO_BIN_EXE_schemagate"))
            .args(["scan", "--repo", repo, "--format", "json"])
            .arg(format!("{}..HEAD", empty.trim()))
            .output()
            .unwrap(),
        "schemagate scan",
    );
    let scan: serde_json::Value = serde_json::from_str(&scan).unwrap();
    migrations_of_class(&scan["migrations"], "contract")
}

fn migrations_of_class(migrations: &serde_json::Value, class: &str) -> BTreeSet<u32> {
    migrations
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["compat"] == class)
        .filter_map(|m| version_of(m["path"].as_str()?))
        .collect()
}

#[test]
fn schemagate_releases_over_this_repository_agrees_with_the_changelog() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let tags = succeeds(
        Command::new("git")
            .args(["-C", repo, "tag", "--list"])
            .output()
            .unwrap(),
        "git tag",
    );
    let release_tags = tags
        .lines()
        .filter(|t| semver::Version::parse(t.trim_start_matches('v')).is_ok())
        .count();
    let deployment = std::fs::read_to_string(repo_file("docs/deployment.md")).unwrap();
    let no_tags_sentence = "This repository has no release tags yet";
    assert_eq!(
        deployment.contains(no_tags_sentence),
        release_tags == 0,
        "docs/deployment.md must say whether this repository has release tags ({release_tags})"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_schemagate"))
        .args([
            "releases", "--repo", repo, "--scheme", "semver", "--format", "json",
        ])
        .output()
        .unwrap();
    let output = succeeds(output, "schemagate releases");
    let changelog = std::fs::read_to_string(repo_file("CHANGELOG.md")).unwrap();
    let sections = sections(&changelog);
    let releases: serde_json::Value = serde_json::from_str(&output).unwrap();
    for release in releases.as_array().unwrap() {
        let to = release["to"].as_str().unwrap();
        let version = to.trim_start_matches('v');
        let text = sections
            .get(version)
            .unwrap_or_else(|| panic!("{to} is not in CHANGELOG.md"));
        let added: BTreeSet<u32> = release["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["change"] == "added")
            .filter_map(|m| version_of(m["path"].as_str()?))
            .collect();
        let listed = store_migration(text).map(|(v, _)| v).unwrap_or_default();
        assert_eq!(listed, added, "{to}: the changelog's store migrations");
    }
}
