//! `/healthz` with parts of the world down, and `/metrics` after traffic.

use super::*;

fn health_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Polls `/healthz` until `done` holds for its body (fails after 15 s).
async fn health_until(server: &TestServer, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (status, text) = server.get("/healthz").await;
        assert_eq!(status, StatusCode::OK, "the database is up: {text}");
        let health = health_json(&text);
        if done(&health) {
            return health;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: {health}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn healthz_reports_everything_up() {
    let smtp = crate::support::smtp::SmtpServer::start(Default::default());
    let server = TestServer::start(Setup {
        smtp_url: Some(smtp.url()),
        ..Setup::default()
    })
    .await;
    // Until the start-up probes answer, the forges are `unknown`.
    let health = health_until(&server, "never all ok", |h| h["status"] == "ok").await;
    assert_eq!(health["database"], "ok");
    assert_eq!(health["forges"]["gitlab"], "ok");
    assert_eq!(health["forges"]["github"], "ok");
    assert_eq!(health["mail"], "ok");
    assert_eq!(health["dead_jobs"], 0);
}

#[tokio::test]
async fn a_forge_that_has_not_answered_yet_is_unknown_not_ok() {
    // Takes connections and never answers: the start-up probe hangs.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = TestServer::start(Setup {
        gitlab_url: Some(format!("http://{}", silent.local_addr().unwrap())),
        ..Setup::default()
    })
    .await;
    for _ in 0..3 {
        let (status, text) = server.get("/healthz").await;
        assert_eq!(status, StatusCode::OK, "the database is up: {text}");
        let health = health_json(&text);
        assert_eq!(health["forges"]["gitlab"], "unknown", "{health}");
        assert_ne!(health["status"], "ok", "{health}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // GitHub answers its probe, and is then ok.
    health_until(&server, "GitHub never ok", |h| {
        h["forges"]["github"] == "ok"
    })
    .await;
}

#[tokio::test]
async fn a_port_that_takes_connections_but_speaks_no_smtp_is_mail_down() {
    // Accepts TCP and says nothing: a TCP connect alone would call this up.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = TestServer::start(Setup {
        smtp_url: Some(format!("smtp://{}", silent.local_addr().unwrap())),
        ..Setup::default()
    })
    .await;
    let (status, text) = server.get("/healthz").await;
    assert_eq!(status, StatusCode::OK, "the database is up: {text}");
    let health = health_json(&text);
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(
        health["mail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("down: "),
        "{health}"
    );
}

#[tokio::test]
async fn a_forge_that_is_down_at_start_is_reported_before_any_webhook_arrives() {
    let server = TestServer::start(Setup {
        gitlab_down: true,
        ..Setup::default()
    })
    .await;
    let health = health_until(
        &server,
        "the start-up probe never reported GitLab down",
        |h| {
            h["forges"]["gitlab"]
                .as_str()
                .is_some_and(|state| state.starts_with("down: "))
        },
    )
    .await;
    assert_eq!(health["status"], "degraded");
    assert_eq!(server.event_jobs().await.len(), 0, "no webhook was sent");
}

#[tokio::test]
async fn a_forge_and_mail_server_that_are_down_are_reported_while_webhooks_still_queue() {
    let server = TestServer::start(Setup {
        gitlab_down: true,
        smtp_url: Some(format!("smtp://127.0.0.1:{}", closed_port().await)),
        ..Setup::default()
    })
    .await;
    // The webhook is taken and stored although GitLab cannot be reached.
    let (status, reply) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 5, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["status"], "queued");
    assert_eq!(server.event_jobs().await.len(), 1);

    // Working that job tries GitLab, which is how the server learns it is down.
    let last = health_until(&server, "GitLab never reported down", |h| {
        h["forges"]["gitlab"]
            .as_str()
            .is_some_and(|state| state.starts_with("down: "))
    })
    .await;
    assert_eq!(last["status"], "degraded");
    assert_eq!(last["database"], "ok");
    health_until(&server, "GitHub never ok", |h| {
        h["forges"]["github"] == "ok"
    })
    .await;
    let mail = last["mail"].as_str().unwrap();
    assert!(
        mail.starts_with("down: ") && mail.contains("127.0.0.1:"),
        "{mail}"
    );

    // And it keeps accepting webhooks.
    let (status, _) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 6, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

/// The value of the first sample line of `name` carrying every one of `labels`.
fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_count_webhooks_refusals_forge_calls_and_the_queue() {
    let server = TestServer::start(Setup::default()).await;
    seed_gitlab_mr(&server.gitlab, 8);
    let (status, _) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 8, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = server
        .post(
            "/webhooks/gitlab",
            &[
                ("X-Gitlab-Token", "wrong"),
                ("X-Gitlab-Event", "Merge Request Hook"),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, text) = server.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    let received = sample(
        &text,
        "schemagate_events_received_total",
        &["forge=\"gitlab\"", "kind=\"Merge Request Hook\""],
    );
    assert!(received.is_some_and(|n| n >= 1.0), "{text}");
    let refused = sample(
        &text,
        "schemagate_webhooks_rejected_total",
        &["forge=\"gitlab\"", "reason=\"unauthorized\""],
    );
    assert!(refused.is_some_and(|n| n >= 1.0), "{text}");
    for state in ["queued", "running", "dead"] {
        let label = format!("state=\"{state}\"");
        assert!(
            sample(&text, "schemagate_queue_depth", &[&label]).is_some(),
            "no queue depth for {state}: {text}"
        );
    }
    assert!(
        text.contains("schemagate_announcements_sent_total"),
        "{text}"
    );

    // The worker runs the job against the fake GitLab: its calls are counted.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let (counted, last) = loop {
        let text = server.get("/metrics").await.1;
        let counted = sample(
            &text,
            "schemagate_forge_requests_total",
            &["forge=\"gitlab\""],
        )
        .is_some()
            && sample(
                &text,
                "schemagate_events_processed_total",
                &["forge=\"gitlab\""],
            )
            .is_some();
        if counted || tokio::time::Instant::now() >= deadline {
            break (counted, text);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(counted, "{last}");
}
