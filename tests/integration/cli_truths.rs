//! Small truths a sysadmin meets first on the command line: a `--format` a
//! command does not print is refused, `config check` warns about each
//! secret `serve` would need, and `sync --dry-run` creates no file.

use crate::fake_gitlab::{FakeGitLab, TOKEN};
use std::path::Path;
use std::process::{Command, Output};

fn schemagate(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
    command.current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.envs(env.iter().copied()).args(args);
    command.output().expect("schemagate runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn markdown_is_refused_by_commands_that_print_no_table_naming_their_formats() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &[
            "--format",
            "markdown",
            "upgrade-path",
            "--from",
            "2026.01",
            "--to",
            "2026.02",
        ][..],
        &["--format", "markdown", "config", "check"][..],
    ] {
        let output = schemagate(dir.path(), args, &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let text = stderr(&output);
        assert!(text.contains("no markdown output"), "{text}");
        assert!(text.contains("--format table or json"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }
    // Where a table is printed, markdown is still a format.
    let output = schemagate(dir.path(), &["--format", "markdown", "rules", "list"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn config_check_warns_about_each_unset_secret_and_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let example = example.to_str().unwrap();
    let output = schemagate(
        dir.path(),
        &["--config", example, "config", "check"],
        &[("GITLAB_TOKEN", "glpat-x"), ("GITLAB_WEBHOOK_SECRET", "s")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("config OK"));
    let text = stderr(&output);
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("GITHUB_TOKEN") && w.contains("`github.token_env`")),
        "{text}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("GITHUB_WEBHOOK_SECRET")),
        "{text}"
    );
    assert!(
        !text.contains("GITLAB_TOKEN"),
        "a set secret is not warned about: {text}"
    );

    let json = schemagate(
        dir.path(),
        &["--config", example, "--format", "json", "config", "check"],
        &[],
    );
    assert_eq!(json.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let listed = report["warnings"].as_array().expect("warnings listed");
    assert!(
        listed
            .iter()
            .any(|w| w.as_str().unwrap().contains("GITLAB_TOKEN")),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sync_creates_no_file() {
    let fake = FakeGitLab::start().await;
    fake.add_project("lava/lava");
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[gitlab]\nurl = \"{}\"\ntoken_env = \"GL_TOKEN\"\n\n[[project]]\nforge = \"gitlab\"\n\
         path = \"lava/lava\"\nreleases = {{ scheme = \"calver\" }}\n",
        fake.url
    );
    std::fs::write(dir.path().join("schemagate.toml"), config).unwrap();
    let path = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        schemagate(&path, &["sync", "--dry-run"], &[("GL_TOKEN", TOKEN)])
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("(dry run)"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec!["schemagate.toml".to_string()]);
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}
