//! A real `schemagate serve` in-process for end-to-end tests: the config
//! from TOML text, a temp-file SQLite store, the real forge clients pointed
//! at the fakes, the real router on an ephemeral port, deliveries POSTed
//! over HTTP, and a wait until the queue has drained.

use super::webhooks::{Delivery, GITHUB_SECRET, GITLAB_SECRET};
use schemagate::config::{Config, DatabaseKind, DatabaseUrl};
use schemagate::engine::{Forges, MailService};
use schemagate::forge::Forge;
use schemagate::forge::github::GitHubClient;
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::server::{RunningServer, ServeOptions, WebhookSecrets};
use schemagate::store::{QueueDepth, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The status page's password the test servers start with (used when the
/// config names `[status] password_env`).
pub const STATUS_PASSWORD: &str = "status-page-password";

/// How long [`TestServer::wait_idle`] waits before failing the test.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Short waits so a retried call does not slow the tests down.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

/// The real GitLab client, talking to a fake GitLab at `url`.
pub fn gitlab_client(url: &str, token: &str) -> Arc<dyn Forge> {
    gitlab_client_retrying(url, token, fast_retry())
}

/// [`gitlab_client`] with its own retry policy.
pub fn gitlab_client_retrying(url: &str, token: &str, retry: RetryPolicy) -> Arc<dyn Forge> {
    let client = GitLabClient::new(GitLabSettings {
        url: url.into(),
        token: token.into(),
        retry,
    })
    .expect("a valid GitLab URL");
    Arc::new(client)
}

/// The real GitHub client with a personal token, talking to a fake GitHub at `url`.
pub fn github_client_retrying(url: &str, token: &str, retry: RetryPolicy) -> Arc<dyn Forge> {
    let client = GitHubClient::with_token(url, token)
        .expect("a valid GitHub URL")
        .with_retry_policy(retry);
    Arc::new(client)
}

/// Both webhook secrets the deliveries of `support::webhooks` are made with.
pub fn test_secrets() -> WebhookSecrets {
    WebhookSecrets {
        gitlab: Some(GITLAB_SECRET.into()),
        github: Some(GITHUB_SECRET.into()),
    }
}

/// Parses configuration text, failing the test with every error.
pub fn config_from(text: &str) -> Config {
    schemagate::config::parse("e2e.toml", text).unwrap_or_else(|errors| {
        panic!("the test config is invalid:\n{errors}");
    })
}

/// A running server with its store in a temp directory.
pub struct TestServer {
    server: Option<RunningServer>,
    store: Store,
    pub base_url: String,
    http: reqwest::Client,
    /// Dead jobs already reported, so each is reported once.
    dead_seen: AtomicU64,
    /// The store's directory, when the server owns it.
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts the server for `config_text` (its `[server]` listen address and
    /// database are replaced by an ephemeral port and a temp-file SQLite store).
    pub async fn start(config_text: &str, forges: Forges, secrets: WebhookSecrets) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("store.db");
        let mut server =
            TestServer::start_with_store(config_text, forges, secrets, &database).await;
        server._dir = Some(dir);
        server
    }

    /// [`TestServer::start`] on the SQLite file `database`, which outlives
    /// the server: a restart finds what the last run recorded.
    pub async fn start_with_store(
        config_text: &str,
        forges: Forges,
        secrets: WebhookSecrets,
        database: &std::path::Path,
    ) -> TestServer {
        let mut config = config_from(config_text);
        config.server.listen = "127.0.0.1:0".parse().unwrap();
        config.server.database = DatabaseUrl {
            url: format!("sqlite://{}", database.display()),
            kind: DatabaseKind::Sqlite,
        };
        let store = Store::connect(&config.server.database)
            .await
            .expect("the SQLite store opens");
        let options = ServeOptions {
            workers: 2,
            worker_id: format!("e2e-{}", std::process::id()),
            lease: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(2),
            mail: MailService::from_config(&config, &|name| std::env::var(name).ok())
                .expect("the test mail service"),
            status_password: Some(STATUS_PASSWORD.into()),
        };
        let server =
            schemagate::server::start(Arc::new(config), store.clone(), forges, secrets, options)
                .await
                .expect("the server starts");
        let base_url = format!("http://{}", server.addr);
        TestServer {
            server: Some(server),
            store,
            base_url,
            http: reqwest::Client::new(),
            dead_seen: AtomicU64::new(0),
            _dir: None,
        }
    }

    /// POSTs one delivery; returns the status code and the body text.
    pub async fn send(&self, delivery: &Delivery) -> (u16, String) {
        post(&self.http, &self.base_url, delivery).await
    }

    /// Sends a delivery the server must accept (2xx), failing the test otherwise.
    pub async fn deliver(&self, delivery: &Delivery) {
        let (status, body) = self.send(delivery).await;
        assert!(
            (200..300).contains(&status),
            "{} delivery refused with {status}: {body}",
            delivery.event()
        );
    }

    /// A status-page route (the config makes the page public): its status and text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("the status page answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// A status-page JSON route (the config makes the page public), as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("the status page answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert!(status.is_success(), "GET {path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("GET {path} is not JSON: {text}"))
    }

    /// The server's store (the same SQLite file), for in-process commands.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn depth(&self) -> QueueDepth {
        self.store.queue_depth().await.expect("queue depth")
    }

    /// Waits until nothing is queued or running (seen twice in a row, so a
    /// follow-up job enqueued as its parent completes is not missed), then
    /// fails the test if any job died since the last wait.
    pub async fn wait_idle(&self) {
        let started = Instant::now();
        let mut quiet = 0;
        loop {
            let depth = self.depth().await;
            if depth.queued == 0 && depth.running == 0 {
                quiet += 1;
                if quiet == 2 {
                    break;
                }
            } else {
                quiet = 0;
            }
            if started.elapsed() > IDLE_TIMEOUT {
                let jobs = self.store.jobs().await.unwrap_or_default();
                let busy: Vec<_> = jobs.iter().filter(|j| j.state != "done").collect();
                panic!(
                    "the queue did not drain in {IDLE_TIMEOUT:?}: {} queued, {} running; \
                     unfinished jobs: {busy:#?}",
                    depth.queued, depth.running
                );
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        let depth = self.depth().await;
        if depth.dead > self.dead_seen.swap(depth.dead, Ordering::Relaxed) {
            let jobs = self.store.jobs().await.unwrap_or_default();
            let dead: Vec<_> = jobs.iter().filter(|j| j.state == "dead").collect();
            panic!("jobs died: {dead:#?}");
        }
    }

    /// How many jobs the queue has ever held.
    pub async fn job_count(&self) -> usize {
        self.store.jobs().await.expect("jobs").len()
    }

    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown");
        }
    }
}

/// POSTs one delivery to a server at `base_url`; returns the status code and
/// the body text.
pub async fn post(http: &reqwest::Client, base_url: &str, delivery: &Delivery) -> (u16, String) {
    let mut request = http
        .post(format!("{base_url}{}", delivery.path))
        .body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}
