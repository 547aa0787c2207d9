//! Runs the git binary against a local checkout and turns its failures into
//! one clear sentence.
//!
//! schemagate reads history through the `git` command rather than a library:
//! every machine that has a checkout has git, its rename detection and diff
//! output are the ones developers see, and it keeps the build small.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A local git repository (work tree or bare).
#[derive(Debug, Clone)]
pub struct GitRepo {
    dir: PathBuf,
}

impl GitRepo {
    /// Opens `dir`, failing clearly when it is not inside a git repository.
    pub fn open(dir: &Path) -> Result<GitRepo> {
        if !dir.exists() {
            bail!("repository directory {} does not exist", dir.display());
        }
        let repo = GitRepo {
            dir: dir.to_path_buf(),
        };
        if repo.run(&["rev-parse", "--git-dir"]).is_err() {
            bail!("{} is not a git repository", dir.display());
        }
        Ok(repo)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs `git ARGS` and returns its standard output.
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>> {
        self.run_with_input(args, None)
    }

    /// Runs `git ARGS`, feeding `input` on standard input when given.
    pub fn run_with_input(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
        self.run_accepting(args, input, &[])
    }

    /// Runs `git ARGS` and also accepts the exit codes in `quiet_failures`
    /// as answers (`git grep` exits 1 when nothing matches).
    pub fn run_accepting(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
        quiet_failures: &[i32],
    ) -> Result<Vec<u8>> {
        let mut command = Command::new("git");
        command
            // An inherited GIT_DIR (inside a git hook) would override `-C`.
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            // Paths we pass are file names, never pathspec magic like
            // `:(glob)` (git's global `--literal-pathspecs` option).
            .arg("--literal-pathspecs")
            .arg("-C")
            .arg(&self.dir)
            // Reading history must not depend on the user's pager, colour or
            // diff drivers.
            .args(["-c", "core.quotepath=off", "-c", "color.ui=never"])
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .context("could not run git (is it installed and on PATH?)")?;
        let writer = match (input, child.stdin.take()) {
            (Some(bytes), Some(mut stdin)) => {
                let bytes = bytes.to_vec();
                // Written from a thread so a large answer on stdout cannot
                // deadlock against a large request on stdin.
                Some(std::thread::spawn(move || stdin.write_all(&bytes)))
            }
            _ => None,
        };
        let output = child.wait_with_output().context("git did not finish")?;
        if let Some(writer) = writer {
            writer
                .join()
                .map_err(|_| anyhow::anyhow!("writing to git panicked"))?
                .context("could not write to git")?;
        }
        let accepted = output
            .status
            .code()
            .is_some_and(|code| quiet_failures.contains(&code));
        if !output.status.success() && !accepted {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message")
                .trim_start_matches("fatal: ")
                .trim();
            bail!("git {} failed: {}", args.first().unwrap_or(&""), first);
        }
        Ok(output.stdout)
    }

    /// Resolves a revision to its full commit id.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        self.peel(rev, "commit")
            .ok_or_else(|| anyhow::anyhow!("unknown revision `{rev}`"))
    }

    /// Resolves the starting side of a diff: a commit, or a tree such as the
    /// empty tree (`4b825dc642cb6eb9a060e54bf8d69288fbee4904`) to diff a whole
    /// history from nothing.
    pub fn resolve_base(&self, rev: &str) -> Result<String> {
        self.peel(rev, "commit")
            .or_else(|| self.peel(rev, "tree"))
            .ok_or_else(|| anyhow::anyhow!("unknown revision `{rev}`"))
    }

    fn peel(&self, rev: &str, kind: &str) -> Option<String> {
        let spec = format!("{rev}^{{{kind}}}");
        let out = self
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
            .ok()?;
        let id = String::from_utf8_lossy(&out).trim().to_string();
        (!id.is_empty()).then_some(id)
    }

    /// The best common ancestor of two commits (for `BASE...HEAD` ranges).
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String> {
        let out = self
            .run(&["merge-base", a, b])
            .with_context(|| format!("`{a}` and `{b}` have no common ancestor"))?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }
}
