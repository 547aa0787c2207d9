//! What a sysadmin reads in the log when a forge cannot be reached: one
//! line per failure, with the project, the call and the whole cause chain
//! said once, and none of the forge clients' own error lines.

use super::*;
use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::sync::Mutex;

/// A host that never resolves (RFC 6761 reserves `.invalid`).
const NOWHERE: &str = "http://forge.invalid";

/// `serve`'s stderr lines, as they come.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// Waits until some line contains every one of `needles`.
    async fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let found = self
                .all()
                .into_iter()
                .find(|line| needles.iter().all(|n| line.contains(n)));
            if let Some(line) = found {
                return line;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no line with {needles:?}:\n{}",
                self.all().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// No cause is said twice in a row ("a: b: b: c").
fn repeats_a_cause(line: &str) -> bool {
    let parts: Vec<&str> = line.split(": ").collect();
    parts.windows(2).any(|pair| pair[0] == pair[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_forge_logs_one_line_per_failure_with_its_cause_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"
[server]
listen = "127.0.0.1:0"
database = "sqlite://{}"

[gitlab]
url = "{NOWHERE}"
token_env = "SG_LOG_GITLAB_TOKEN"
webhook_secret_env = "SG_LOG_GITLAB_SECRET"

[github]
api_url = "{NOWHERE}"
token_env = "SG_LOG_GITHUB_TOKEN"
webhook_secret_env = "SG_LOG_GITHUB_SECRET"

[[project]]
forge = "gitlab"
path = "{GITLAB_PROJECT}"
releases = {{ scheme = "calver" }}

[[project]]
forge = "github"
path = "{GITHUB_REPO}"
releases = {{ scheme = "calver" }}
"#,
        dir.path().join("logs.db").display()
    );
    let path = dir.path().join("schemagate.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("schemagate"))
        .arg("--config")
        .arg(&path)
        .args(["serve", "--workers", "1"])
        .env_remove("RUST_LOG")
        .env("SG_LOG_GITLAB_TOKEN", "glpat-placeholder")
        .env("SG_LOG_GITLAB_SECRET", GITLAB_SECRET)
        .env("SG_LOG_GITHUB_TOKEN", "ghp_placeholder")
        .env("SG_LOG_GITHUB_SECRET", GITHUB_SECRET)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::default();
    let stderr = child.stderr.take().unwrap();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.0.lock().unwrap().push(line);
        }
    });
    let listening = lines.wait_for(&["schemagate listening on "]).await;
    let base = listening
        .split("schemagate listening on ")
        .nth(1)
        .unwrap()
        .to_string();
    assert_eq!(post_gitlab_mr_opened(&base, 21).await, StatusCode::ACCEPTED);

    let job = lines.wait_for(&["attempt=1", "failed"]).await;
    for forge in [GITLAB_PROJECT, GITHUB_REPO] {
        lines.wait_for(&["start-up probe", forge]).await;
    }
    let _ = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    let all = lines.all();
    let log = all.join("\n");

    assert!(
        !all.iter().any(|line| line.contains("octocrab")),
        "the client's own error lines leak:\n{log}"
    );
    // The job's failure: one line, with its project, its call and the cause.
    assert_eq!(
        all.iter()
            .filter(|line| line.contains("attempt=1") && line.contains("fail"))
            .count(),
        1,
        "{log}"
    );
    assert!(
        job.contains(&format!("project=\"{GITLAB_PROJECT}\"")),
        "{job}"
    );
    assert!(job.contains("reading MR 21"), "{job}");
    assert!(job.contains("dns error"), "the cause is dropped: {job}");
    // Each start-up probe: one line per forge, the cause chain once.
    for forge in [GITLAB_PROJECT, GITHUB_REPO] {
        let probes: Vec<&String> = all
            .iter()
            .filter(|line| line.contains("start-up probe") && line.contains(forge))
            .collect();
        assert_eq!(probes.len(), 1, "{log}");
        assert!(probes[0].contains("dns error"), "{}", probes[0]);
    }
    for line in &all {
        assert!(!repeats_a_cause(line), "a cause said twice: {line}");
    }
}
