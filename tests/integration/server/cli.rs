//! The `serve` binary: it refuses an invalid configuration or a missing
//! secret with exit 2 and one sentence, starts with its forges and mail
//! server unreachable, and stops cleanly on SIGTERM.

use super::*;
use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use tempfile::TempDir;

fn schemagate() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("schemagate").expect("binary built");
    command.env_remove("RUST_LOG");
    command
}

#[test]
fn serve_refuses_an_invalid_config_with_exit_2_and_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[server]\nlisten = \"not an address\"\n").unwrap();
    let output = schemagate()
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: refusing to start the server: ")
            && first.ends_with("1 configuration error:"),
        "{stderr}"
    );
    assert!(stderr.contains("server.listen"), "{stderr}");
}

#[test]
fn serve_refuses_to_start_without_the_webhook_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schemagate.toml");
    std::fs::write(
        &path,
        "[gitlab]\nurl = \"http://127.0.0.1:9\"\ntoken_env = \"SG_TEST_TOKEN\"\nwebhook_secret_env = \"SG_TEST_UNSET_SECRET\"\n",
    )
    .unwrap();
    let output = schemagate()
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .env("SG_TEST_TOKEN", "glpat-x")
        .env_remove("SG_TEST_UNSET_SECRET")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SG_TEST_UNSET_SECRET"), "{stderr}");
}

#[tokio::test]
async fn serve_starts_with_everything_remote_down_queues_webhooks_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("serve.db");
    let down = closed_port().await;
    let config = format!(
        r#"
[server]
listen = "127.0.0.1:0"
database = "sqlite://{}"

[gitlab]
url = "http://127.0.0.1:{down}"
token_env = "SG_TEST_GITLAB_TOKEN"
webhook_secret_env = "SG_TEST_GITLAB_SECRET"

[mail]
smtp_url = "smtp://127.0.0.1:{down}"
from = "bot@example.org"

[[project]]
forge = "gitlab"
path = "{GITLAB_PROJECT}"
releases = {{ scheme = "calver" }}
gate = {{ require_announcement = false }}
"#,
        database.display()
    );
    let path = dir.path().join("schemagate.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("schemagate"))
        .arg("--config")
        .arg(&path)
        .args(["serve", "--workers", "1"])
        .env("SG_TEST_GITLAB_TOKEN", "glpat-x")
        .env("SG_TEST_GITLAB_SECRET", GITLAB_SECRET)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (address_sender, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("schemagate listening on ") {
                let _ = address_sender.send(address.to_string());
            }
        }
    });
    let base = tokio::task::spawn_blocking(move || address.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("serve printed its address");

    let http = reqwest::Client::new();
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["database"], "ok");
    assert!(
        health["mail"].as_str().unwrap().starts_with("down: "),
        "{health}"
    );

    assert_eq!(post_gitlab_mr_opened(&base, 21).await, StatusCode::ACCEPTED);

    let status = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "serve exited with {exit:?}");

    // The delivery outlived the process.
    let store = Store::connect(
        &config::parse(
            "t",
            &format!("[server]\ndatabase = \"sqlite://{}\"\n", database.display()),
        )
        .unwrap()
        .server
        .database,
    )
    .await
    .unwrap();
    let jobs = store.jobs().await.unwrap();
    assert!(
        jobs.iter()
            .any(|job| job.serial_key == "gitlab:lava/lava:mr:21"),
        "{jobs:?}"
    );
}

/// The README quickstart: `serve --config config/example.toml` with
/// placeholder tokens for both forges (the GitHub client must be built
/// inside the runtime), in a fresh directory for the SQLite file.
#[tokio::test]
async fn the_readme_quickstart_serves_the_example_config() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("schemagate"))
        .current_dir(dir.path())
        .arg("--config")
        .arg(&example)
        .args(["serve", "--listen", "127.0.0.1:0", "--observe"])
        .env("SCHEMAGATE_STATUS_PASSWORD", "open-sesame")
        .env("GITLAB_TOKEN", "glpat-placeholder")
        .env("GITLAB_WEBHOOK_SECRET", "change-me")
        .env("GITHUB_TOKEN", "ghp_placeholder")
        .env("GITHUB_WEBHOOK_SECRET", "change-me")
        .env("RUST_LOG", "error")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (address_sender, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("schemagate listening on ") {
                let _ = address_sender.send(address.to_string());
            }
        }
    });
    let base = tokio::task::spawn_blocking(move || address.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    let Ok(base) = base else {
        let _ = child.kill();
        panic!(
            "serve did not start on the example config: {:?}",
            child.wait()
        );
    };
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["database"], "ok", "{health}");
    assert!(health["forges"]["gitlab"].is_string(), "{health}");
    assert!(health["forges"]["github"].is_string(), "{health}");
    assert!(dir.path().join("schemagate.db").exists());
    // The status page, with the password the quickstart exports.
    let http = reqwest::Client::new();
    let refused = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let page = http
        .get(format!("{base}/"))
        .basic_auth("schemagate", Some("open-sesame"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"observe\""), "{page}");
    assert!(page.contains("lava&#x2f;lava"), "{page}");

    let status = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "serve exited with {exit:?}");
}

fn sync_config(dir: &TempDir, gitlab_url: &str) -> std::path::PathBuf {
    let text = format!(
        r#"
[server]
database = "sqlite://{}"

[gitlab]
url = "{gitlab_url}"
token_env = "SG_TEST_GITLAB_TOKEN"
webhook_secret_env = "SG_TEST_GITLAB_SECRET"

[[project]]
forge = "gitlab"
path = "{GITLAB_PROJECT}"
releases = {{ scheme = "calver" }}
gate = {{ require_announcement = false }}
"#,
        dir.path().join("sync.db").display()
    );
    let path = dir.path().join("schemagate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn sync_dry_run_plans_writes_as_json_and_writes_nothing() {
    let gitlab = FakeGitLab::start().await;
    seed_gitlab_mr(&gitlab, 31);
    let dir = tempfile::tempdir().unwrap();
    let path = sync_config(&dir, &gitlab.url);
    let output = tokio::task::spawn_blocking(move || {
        schemagate()
            .arg("--config")
            .arg(&path)
            .args(["sync", "--dry-run", "--format", "json"])
            .env("SG_TEST_GITLAB_TOKEN", fake_gitlab::TOKEN)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let reports: Value = serde_json::from_slice(&output.stdout).unwrap();
    let report = &reports[0];
    assert_eq!(report["project"], GITLAB_PROJECT, "{reports}");
    assert_eq!(report["dry_run"], true);
    assert!(report["evaluated"].as_u64().unwrap() >= 1, "{reports}");
    let planned = report["planned"].as_array().unwrap();
    assert!(
        !planned.is_empty(),
        "a new migration MR needs writes: {reports}"
    );
    assert_eq!(report["writes"].as_u64().unwrap() as usize, planned.len());
    assert!(
        gitlab.writes().is_empty(),
        "a dry run wrote: {:?}",
        gitlab.writes()
    );
}

#[tokio::test]
async fn sync_of_an_unknown_project_names_the_configured_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = sync_config(&dir, &format!("http://127.0.0.1:{}", closed_port().await));
    let output = tokio::task::spawn_blocking(move || {
        schemagate()
            .arg("--config")
            .arg(&path)
            .args(["sync", "--project", "nobody/nothing"])
            .env("SG_TEST_GITLAB_TOKEN", "glpat-x")
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("nobody/nothing") && stderr.contains(GITLAB_PROJECT),
        "{stderr}"
    );
}
