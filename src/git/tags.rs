//! Release tags of a local repository: `git tag --list`, kept when they parse
//! under the project's version scheme.

use crate::core::release::{Scheme, Version};
use anyhow::{Context, bail};
use std::path::Path;
use std::process::Command;

/// Every tag name in `repo`, as git lists them.
pub fn list_tags(repo: &Path) -> anyhow::Result<Vec<String>> {
    // An inherited GIT_DIR (inside a git hook) would override `-C repo`.
    let output = Command::new("git")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .arg("-C")
        .arg(repo)
        .args(["tag", "--list"])
        .output()
        .context("cannot run git (is it installed and on PATH?)")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line = stderr.lines().next().unwrap_or("git failed").trim();
        bail!("cannot list tags in {}: {first_line}", repo.display());
    }
    let stdout = String::from_utf8(output.stdout)
        .with_context(|| format!("tag names in {} are not UTF-8", repo.display()))?;
    Ok(stdout
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect())
}

/// The release tags of `repo` in version order; tags that do not parse under
/// `scheme` (`latest`, `deploy-2024`) are not releases and are left out.
pub fn release_tags(repo: &Path, scheme: &Scheme) -> anyhow::Result<Vec<Version>> {
    let mut versions: Vec<Version> = list_tags(repo)?
        .iter()
        .filter_map(|tag| scheme.parse(tag))
        .collect();
    versions.sort();
    Ok(versions)
}
