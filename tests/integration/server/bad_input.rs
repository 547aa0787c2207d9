//! The bad-input answers of docs/deployment.md through real HTTP: authentication first,
//! nothing stored for a refused delivery, size limits, malformed bodies,
//! ignored events, duplicates, and nothing a sender does stops the server.

use super::*;
use std::io::{Read, Write};

#[tokio::test]
async fn a_wrong_or_missing_gitlab_token_is_401_and_stores_nothing() {
    let server = TestServer::start(Setup::default()).await;
    let body = gitlab_mr(GITLAB_PROJECT, 1, "open");
    for token in [Some("wrong-secret"), None] {
        let mut headers = vec![
            ("X-Gitlab-Event", "Merge Request Hook"),
            ("X-Gitlab-Webhook-UUID", "delivery-1"),
        ];
        if let Some(token) = token {
            headers.push(("X-Gitlab-Token", token));
        }
        let (status, reply) = server
            .post("/webhooks/gitlab", &headers, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
        assert!(reply["error"].as_str().unwrap().contains("X-Gitlab-Token"));
    }
    assert!(server.event_jobs().await.is_empty());
    // The refused deliveries left no trace: the same id is new when authentic.
    let (status, reply) = server
        .gitlab_hook("Merge Request Hook", body, Some("delivery-1"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["status"], "queued");
}

#[tokio::test]
async fn a_bad_or_missing_github_signature_is_401_and_stores_nothing() {
    let server = TestServer::start(Setup::default()).await;
    let body = github_pr(GITHUB_REPO, 7, "opened");
    let forged = sign(b"not the secret", &body);
    let signed_other_body = sign(GITHUB_SECRET.as_bytes(), b"{}");
    for signature in [
        Some(forged.as_str()),
        Some(signed_other_body.as_str()),
        Some("sha256=zz"),
        None,
    ] {
        let mut headers = vec![
            ("X-GitHub-Event", "pull_request"),
            ("X-GitHub-Delivery", "gh-delivery-1"),
        ];
        if let Some(signature) = signature {
            headers.push(("X-Hub-Signature-256", signature));
        }
        let (status, reply) = server
            .post("/webhooks/github", &headers, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{signature:?}: {reply}");
        assert!(
            reply["error"]
                .as_str()
                .unwrap()
                .contains("X-Hub-Signature-256")
        );
    }
    assert!(server.event_jobs().await.is_empty());
    let (status, reply) = server
        .github_hook("pull_request", body, "gh-delivery-1")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
}

#[tokio::test]
async fn a_forge_without_a_webhook_secret_answers_404_with_the_reason() {
    let server = TestServer::start(Setup {
        without_github_secret: true,
        ..Setup::default()
    })
    .await;
    let (status, reply) = server
        .github_hook("pull_request", github_pr(GITHUB_REPO, 7, "opened"), "d")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        reply["error"].as_str().unwrap().contains("[github]"),
        "{reply}"
    );
    assert!(server.event_jobs().await.is_empty());
}

#[tokio::test]
async fn malformed_json_is_400_with_the_parse_reason() {
    let server = TestServer::start(Setup::default()).await;
    let (status, reply) = server
        .gitlab_hook(
            "Merge Request Hook",
            b"{\"object_attributes\": ".to_vec(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let reason = reply["error"].as_str().unwrap();
    assert!(
        reason.contains("Merge Request Hook") && reason.contains("EOF"),
        "{reason}"
    );

    let (status, reply) = server
        .github_hook("pull_request", b"{\"action\": \"opened\"}".to_vec(), "d-2")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["error"].as_str().unwrap().contains("pull_request"),
        "{reply}"
    );

    let (status, _) = server
        .post(
            "/webhooks/gitlab",
            &[("X-Gitlab-Token", GITLAB_SECRET)],
            gitlab_mr(GITLAB_PROJECT, 1, "open"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a missing event header");
    assert!(server.event_jobs().await.is_empty());
}

/// Sends a request over a raw socket (so the client keeps writing while the
/// server answers) and returns the status code of the answer.
fn raw_status(addr: std::net::SocketAddr, head: String, body_bytes: usize, chunked: bool) -> u16 {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < body_bytes {
            let piece = if chunked {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                framed
            } else {
                chunk.clone()
            };
            // The server may close early; that is the point.
            if writer.write_all(&piece).is_err() {
                return;
            }
            sent += chunk.len();
        }
        if chunked {
            let _ = writer.write_all(b"0\r\n\r\n");
        }
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(error) => panic!("no answer: {error}"),
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

#[tokio::test]
async fn a_30_mb_body_is_413_whether_or_not_its_length_is_declared() {
    let server = TestServer::start(Setup::default()).await;
    let addr = server.server.as_ref().unwrap().addr;
    const THIRTY_MB: usize = 30 * 1024 * 1024;
    let declared = format!(
        "POST /webhooks/gitlab HTTP/1.1\r\nHost: test\r\nX-Gitlab-Token: {GITLAB_SECRET}\r\nX-Gitlab-Event: Merge Request Hook\r\nContent-Type: application/json\r\nContent-Length: {THIRTY_MB}\r\n\r\n"
    );
    let streamed = format!(
        "POST /webhooks/gitlab HTTP/1.1\r\nHost: test\r\nX-Gitlab-Token: {GITLAB_SECRET}\r\nX-Gitlab-Event: Merge Request Hook\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let statuses = tokio::task::spawn_blocking(move || {
        [
            raw_status(addr, declared, THIRTY_MB, false),
            raw_status(addr, streamed, THIRTY_MB, true),
        ]
    })
    .await
    .unwrap();
    assert_eq!(statuses, [413, 413]);
    assert!(server.event_jobs().await.is_empty());
    // The server is still there.
    assert_eq!(server.get("/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_body_limit_comes_from_the_config() {
    let server = TestServer::start(Setup {
        max_body_bytes: Some(2048),
        ..Setup::default()
    })
    .await;
    let mut body = gitlab_mr(GITLAB_PROJECT, 1, "open");
    let (status, _) = server
        .gitlab_hook("Merge Request Hook", body.clone(), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    body.pop();
    body.extend_from_slice(format!(", \"padding\": \"{}\"}}", "x".repeat(4096)).as_bytes());
    let (status, reply) = server.gitlab_hook("Merge Request Hook", body, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply["error"].as_str().unwrap().contains("2048"), "{reply}");
}

#[tokio::test]
async fn unknown_events_are_202_ignored_and_queue_nothing() {
    let server = TestServer::start(Setup::default()).await;
    let (status, reply) = server
        .gitlab_hook(
            "Pipeline Hook",
            br#"{"object_kind": "pipeline"}"#.to_vec(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "ignored");
    assert!(reply["reason"].as_str().unwrap().contains("Pipeline Hook"));

    let (status, reply) = server
        .github_hook(
            "workflow_run",
            br#"{"action": "completed"}"#.to_vec(),
            "d-3",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "ignored");

    let (status, reply) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr(GITLAB_PROJECT, 1, "approved"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        reply["status"], "ignored",
        "an action the bot does not act on"
    );
    assert!(server.event_jobs().await.is_empty());
}

#[tokio::test]
async fn events_for_projects_not_in_the_config_are_202_ignored() {
    let server = TestServer::start(Setup::default()).await;
    let (status, reply) = server
        .gitlab_hook(
            "Merge Request Hook",
            gitlab_mr("someone/else", 1, "open"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "ignored");
    assert!(reply["reason"].as_str().unwrap().contains("someone/else"));
    // A configured path on the other forge is not configured there.
    let (status, reply) = server
        .github_hook(
            "pull_request",
            github_pr(GITLAB_PROJECT, 1, "opened"),
            "d-4",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "ignored");
    assert!(server.event_jobs().await.is_empty());
}

#[tokio::test]
async fn a_github_ping_is_answered_200_and_queues_nothing() {
    let server = TestServer::start(Setup::default()).await;
    let body = json!({ "zen": "Keep it logically awesome.", "hook_id": 1, "repository": { "full_name": GITHUB_REPO } });
    let (status, reply) = server
        .github_hook("ping", body.to_string().into_bytes(), "d-ping")
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(server.event_jobs().await.is_empty());
}

#[tokio::test]
async fn the_same_delivery_twice_makes_one_job() {
    let server = TestServer::start(Setup::default()).await;
    let body = gitlab_mr(GITLAB_PROJECT, 3, "open");
    let (first, reply) = server
        .gitlab_hook("Merge Request Hook", body.clone(), Some("uuid-3"))
        .await;
    assert_eq!(first, StatusCode::ACCEPTED);
    assert_eq!(reply["status"], "queued");
    assert!(reply["job"].is_i64());
    let (second, reply) = server
        .gitlab_hook("Merge Request Hook", body.clone(), Some("uuid-3"))
        .await;
    assert_eq!(second, StatusCode::OK);
    assert_eq!(reply["status"], "duplicate");
    // Without any id header, the body itself identifies the delivery.
    server
        .gitlab_hook("Merge Request Hook", body.clone(), None)
        .await;
    let (third, reply) = server.gitlab_hook("Merge Request Hook", body, None).await;
    assert_eq!(
        (third, &reply["status"]),
        (StatusCode::OK, &json!("duplicate"))
    );

    let body = github_pr(GITHUB_REPO, 4, "opened");
    assert_eq!(
        server
            .github_hook("pull_request", body.clone(), "gh-4")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        server.github_hook("pull_request", body, "gh-4").await.0,
        StatusCode::OK
    );

    let jobs = server.event_jobs().await;
    let keys: Vec<&str> = jobs.iter().map(|job| job.serial_key.as_str()).collect();
    assert_eq!(
        keys.iter()
            .filter(|key| **key == "gitlab:lava/lava:mr:3")
            .count(),
        2,
        "one job for uuid-3, one for the id-less delivery: {keys:?}"
    );
    assert_eq!(
        keys.iter()
            .filter(|key| **key == "github:octo/demo:mr:4")
            .count(),
        1,
        "{keys:?}"
    );
}

#[tokio::test]
async fn nothing_a_sender_puts_in_a_body_stops_the_server() {
    let server = TestServer::start(Setup::default()).await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        br#"{"object_attributes": null, "project": 7}"#.to_vec(),
        br#"{"object_attributes": {"iid": -1}}"#.to_vec(),
        br#"{"object_attributes": {"iid": 18446744073709551616}}"#.to_vec(),
        vec![0xff, 0xfe, 0x00],
        deep.into_bytes(),
    ];
    let events = [
        "Merge Request Hook",
        "Issue Hook",
        "Note Hook",
        "Milestone Hook",
        "Push Hook",
    ];
    for event in events {
        for body in &bodies {
            let (status, reply) = server.gitlab_hook(event, body.clone(), None).await;
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::ACCEPTED,
                "{event} {:?}: {status} {reply}",
                String::from_utf8_lossy(&body[..body.len().min(40)])
            );
        }
    }
    for event in [
        "pull_request",
        "issues",
        "issue_comment",
        "milestone",
        "installation",
        "ping",
    ] {
        for (n, body) in bodies.iter().enumerate() {
            let (status, reply) = server
                .github_hook(event, body.clone(), &format!("fuzz-{event}-{n}"))
                .await;
            assert!(
                status == StatusCode::BAD_REQUEST || status.is_success(),
                "{event}: {status} {reply}"
            );
        }
    }
    assert_eq!(server.get("/healthz").await.0, StatusCode::OK);
}
