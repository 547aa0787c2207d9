//! Runs the real `schemagate check` binary with a config file and exactly
//! the environment given (nothing inherited but PATH), as a CI job would.

use serde_json::Value;
use std::process::Command;

/// One run of `schemagate check`.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CheckRun {
    /// The `--format json` report (panics with the output when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "check printed no JSON ({e}); exit {}\nstdout: {}\nstderr: {}",
                self.code, self.stdout, self.stderr
            )
        })
    }
}

/// Runs `schemagate check ARGS` with `config` as its file and `env` as its
/// whole environment; `None` for no config file at all.
pub async fn run_check(config: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> CheckRun {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command.current_dir(dir.path()).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    if let Some(config) = config {
        let path = dir.path().join("schemagate.toml");
        std::fs::write(&path, config).expect("config written");
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.arg("check").args(args);
    let output = tokio::task::spawn_blocking(move || {
        let output = command.output().expect("schemagate runs");
        drop(dir);
        output
    })
    .await
    .expect("the check task");
    CheckRun {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
