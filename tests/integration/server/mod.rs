//! The webhook server through real HTTP: `schemagate::server::start` on a
//! temporary SQLite store with the fake forges behind it. Bad input, health,
//! metrics, graceful shutdown, and the `serve` binary itself.

mod bad_input;
mod bad_input_load;
mod cli;
mod health_metrics;
mod logs;
mod shutdown;
mod status_browser;
mod status_page;

use crate::fake_github::FakeGitHub;
use crate::fake_github::state::Access as GitHubAccess;
use crate::fake_gitlab::{self, FakeGitLab};
use crate::support::serve::STATUS_PASSWORD;
use reqwest::StatusCode;
use schemagate::config;
use schemagate::engine::{Forges, MailService};
use schemagate::forge::Forge;
use schemagate::forge::github::{GitHubClient, sign};
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::server::{self, RunningServer, ServeOptions, WebhookSecrets};
use schemagate::store::{JobSummary, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub const GITLAB_SECRET: &str = "gitlab-webhook-secret";
pub const GITHUB_SECRET: &str = "github-webhook-secret";
pub const GITLAB_PROJECT: &str = "lava/lava";
pub const GITHUB_REPO: &str = "octo/demo";
pub const GITHUB_TOKEN: &str = "ghp-server-tests";
pub const SHA: &str = "6104942438c14ec7bd21c6cd5bd995272b3faff6";

/// How the server under test is set up.
pub struct Setup {
    /// Point the GitLab client at a closed port instead of the fake.
    pub gitlab_down: bool,
    /// Point the GitLab client at this URL instead of the fake.
    pub gitlab_url: Option<String>,
    /// `smtp_url` for a `[mail]` section, if any.
    pub smtp_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    /// Leave the GitHub webhook secret unset (GitHub webhooks not enabled).
    pub without_github_secret: bool,
    pub shutdown_grace: Duration,
    /// A `[status]` section's keys, if any.
    pub status: Option<&'static str>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            gitlab_down: false,
            gitlab_url: None,
            smtp_url: None,
            max_body_bytes: None,
            without_github_secret: false,
            shutdown_grace: Duration::from_secs(5),
            status: None,
        }
    }
}

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub store: Store,
    pub base: String,
    pub http: reqwest::Client,
    pub gitlab: FakeGitLab,
    /// Kept alive for the server's GitHub client.
    _github: FakeGitHub,
    _dir: TempDir,
}

/// A loopback port nothing listens on.
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

impl TestServer {
    pub async fn start(setup: Setup) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let gitlab = FakeGitLab::start().await;
        let github = FakeGitHub::start().await;
        github.add_repo("octo", "demo");
        github.add_token(GITHUB_TOKEN, GitHubAccess::ReadWrite);
        let gitlab_url = if setup.gitlab_down {
            format!("http://127.0.0.1:{}", closed_port().await)
        } else {
            setup
                .gitlab_url
                .clone()
                .unwrap_or_else(|| gitlab.url.clone())
        };
        let text = config_text(&dir, &gitlab_url, github.base_url(), &setup);
        let config = Arc::new(config::parse("server-test.toml", &text).unwrap());
        let store = Store::connect(&config.server.database).await.unwrap();
        let forges = Forges {
            gitlab: Some(Arc::new(
                GitLabClient::new(GitLabSettings {
                    url: gitlab_url,
                    token: fake_gitlab::TOKEN.into(),
                    retry: RetryPolicy::none(),
                })
                .unwrap(),
            ) as Arc<dyn Forge>),
            github: Some(Arc::new(
                GitHubClient::with_token(github.base_url(), GITHUB_TOKEN)
                    .unwrap()
                    .with_retry_policy(RetryPolicy::none()),
            ) as Arc<dyn Forge>),
        };
        let secrets = WebhookSecrets {
            gitlab: Some(GITLAB_SECRET.into()),
            github: (!setup.without_github_secret).then(|| GITHUB_SECRET.into()),
        };
        let options = ServeOptions {
            workers: 2,
            worker_id: "server-test".into(),
            lease: Duration::from_secs(30),
            shutdown_grace: setup.shutdown_grace,
            mail: MailService::from_config(&config, &|name| std::env::var(name).ok())
                .expect("the test mail service"),
            status_password: Some(STATUS_PASSWORD.into()),
        };
        let server = server::start(config, store.clone(), forges, secrets, options)
            .await
            .unwrap();
        TestServer {
            base: format!("http://{}", server.addr),
            server: Some(server),
            store,
            http: reqwest::Client::new(),
            gitlab,
            _github: github,
            _dir: dir,
        }
    }

    pub async fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let json =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, json)
    }

    /// A GitLab delivery with the right token.
    pub async fn gitlab_hook(
        &self,
        event: &str,
        body: Vec<u8>,
        delivery: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut headers = vec![("X-Gitlab-Token", GITLAB_SECRET), ("X-Gitlab-Event", event)];
        if let Some(delivery) = delivery {
            headers.push(("X-Gitlab-Webhook-UUID", delivery));
        }
        self.post("/webhooks/gitlab", &headers, body).await
    }

    /// A GitHub delivery signed with the right secret.
    pub async fn github_hook(
        &self,
        event: &str,
        body: Vec<u8>,
        delivery: &str,
    ) -> (StatusCode, Value) {
        let signature = sign(GITHUB_SECRET.as_bytes(), &body);
        let headers = [
            ("X-Hub-Signature-256", signature.as_str()),
            ("X-GitHub-Event", event),
            ("X-GitHub-Delivery", delivery),
        ];
        self.post("/webhooks/github", &headers, body).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Every job but the periodic syncs.
    pub async fn event_jobs(&self) -> Vec<JobSummary> {
        self.store
            .jobs()
            .await
            .unwrap()
            .into_iter()
            .filter(|job| !job.serial_key.ends_with(":sync"))
            .collect()
    }
}

fn config_text(dir: &TempDir, gitlab_url: &str, github_url: &str, setup: &Setup) -> String {
    let database = dir.path().join("store.db");
    let mut text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
database = "sqlite://{}"
{}

[gitlab]
url = "{gitlab_url}"
token_env = "SCHEMAGATE_TEST_GITLAB_TOKEN"
webhook_secret_env = "SCHEMAGATE_TEST_GITLAB_SECRET"

[github]
api_url = "{github_url}"
token_env = "SCHEMAGATE_TEST_GITHUB_TOKEN"
webhook_secret_env = "SCHEMAGATE_TEST_GITHUB_SECRET"
"#,
        database.display(),
        setup
            .max_body_bytes
            .map(|bytes| format!("max_body_bytes = {bytes}"))
            .unwrap_or_default(),
    );
    if let Some(smtp_url) = &setup.smtp_url {
        text.push_str(&format!(
            "\n[mail]\nsmtp_url = \"{smtp_url}\"\nfrom = \"bot@example.org\"\n"
        ));
    }
    if let Some(status) = setup.status {
        text.push_str(&format!("\n[status]\n{status}\n"));
    }
    for (forge, path) in [("gitlab", GITLAB_PROJECT), ("github", GITHUB_REPO)] {
        text.push_str(&format!(
            "\n[[project]]\nforge = \"{forge}\"\npath = \"{path}\"\nreleases = {{ scheme = \"calver\" }}\ngate = {{ require_announcement = false }}\n"
        ));
    }
    text
}

/// A GitLab merge request hook body, shaped like GitLab's.
/// Sends an MR-opened GitLab webhook to a `serve` process at `base` (with
/// the tests' secret); the answer's status.
pub async fn post_gitlab_mr_opened(base: &str, iid: u64) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{base}/webhooks/gitlab"))
        .header("X-Gitlab-Token", GITLAB_SECRET)
        .header("X-Gitlab-Event", "Merge Request Hook")
        .body(gitlab_mr(GITLAB_PROJECT, iid, "open"))
        .send()
        .await
        .unwrap()
        .status()
}

pub fn gitlab_mr(project: &str, iid: u64, action: &str) -> Vec<u8> {
    json!({
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": { "id": 5, "username": "alice" },
        "project": { "id": 42, "path_with_namespace": project },
        "object_attributes": {
            "iid": iid,
            "action": action,
            "state": "opened",
            "last_commit": { "id": SHA },
            "title": "Add device health table"
        },
        "changes": {}
    })
    .to_string()
    .into_bytes()
}

/// A GitHub pull_request event body, shaped like GitHub's.
pub fn github_pr(repo: &str, number: u64, action: &str) -> Vec<u8> {
    json!({
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "head": { "sha": SHA, "ref": "feature" },
            "merged": false,
            "merged_at": null
        },
        "repository": { "full_name": repo, "name": "demo", "owner": { "login": "octo" } },
        "sender": { "login": "alice" }
    })
    .to_string()
    .into_bytes()
}

/// Polls `check` every 50 ms for up to `limit`; true once it holds.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Seeds the fake GitLab with `lava/lava`, a release milestone and MR `iid`
/// adding a Django migration, so the engine can work an event about it.
pub fn seed_gitlab_mr(gitlab: &FakeGitLab, iid: u64) -> u64 {
    gitlab.add_group("lava");
    let project = gitlab.add_project(GITLAB_PROJECT);
    gitlab.add_milestone(Some(project), None, "2026.11", "active", None);
    gitlab.add_merge_request(
        project,
        iid,
        SHA,
        vec![crate::fake_gitlab::Diff::added(
            "lava_scheduler_app/migrations/0042_add_device.py",
            &["class Migration(migrations.Migration):"],
        )],
    );
    project
}
