//! Comments as each forge delivers them reach their handler as typed work:
//! the webhook parser's `Work::Comment` carries the author, the body,
//! whether it is an edit and the comment's id, the queue keeps them, and
//! the comment handler reads them (its debug line says the author and the
//! body's length).

use super::*;
use schemagate::forge::CommentId;
use schemagate::forge::github::parse_event;
use schemagate::forge::gitlab::webhook::parse as parse_gitlab;
use schemagate::work::Translated;
use std::sync::Mutex;

/// Every line the test's own tracing subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures the engine's debug lines on this (the test's only) thread.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // Other tests register and drop their own subscribers on other threads
    // at the same time; a callsite whose interest was cached while none
    // wanted DEBUG would stay silent here. Recompute it for this one.
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}

fn queued(translated: Translated) -> Work {
    match translated {
        Translated::Queue(work) => work,
        other => panic!("a comment is work to queue: {other:?}"),
    }
}

fn gitlab_note(project: &str, author: &str, body: &str) -> Vec<u8> {
    serde_json::json!({
        "object_kind": "note",
        "event_type": "note",
        "user": { "id": 7, "username": author, "name": "A Person" },
        "project": { "id": 1, "path_with_namespace": project },
        "object_attributes": {
            "id": 1234, "note": body, "noteable_type": "MergeRequest", "action": "create"
        },
        "merge_request": { "iid": 7, "title": "Add a table" }
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_gitlab_note_reaches_the_comment_handler_with_author_and_body() {
    let lab = lab().await;
    let body = "Could this wait for 2026.12?";
    let work =
        queued(parse_gitlab("Note Hook", &gitlab_note("lava/lava", "terceiro", body)).unwrap());
    assert!(
        matches!(&work, Work::Comment { author, body: said, edited: false, kind: ItemKind::MergeRequest, number: ItemNumber(7), comment_id: Some(CommentId(1234)), .. }
            if author == "terceiro" && said == body),
        "{work:?}"
    );

    let (logs, _guard) = capture();
    let outcomes = lab.bot.run(work).await;
    assert_eq!(outcomes, vec![JobOutcome::Done]);
    let text = logs.text();
    let line = text
        .lines()
        .find(|line| line.contains("comment read"))
        .unwrap_or_else(|| panic!("no comment line in:\n{text}"));
    assert!(line.contains("author=\"terceiro\""), "{line}");
    assert!(line.contains(&format!("bytes={}", body.len())), "{line}");
    assert!(line.contains("item=!7"), "{line}");
    // Reading a comment writes nothing to the forge.
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
}

#[tokio::test]
async fn a_github_issue_comment_reaches_the_comment_handler_with_author_and_body() {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava", "lava");
    let bot = github_bot(&fake).await;
    let payload = serde_json::json!({
        "action": "edited",
        "issue": { "number": 12, "title": "Needs a field" },
        "comment": { "id": 99, "body": "Edited: this needs downtime.", "user": { "login": "alice-dev" } },
        "repository": { "full_name": "lava/lava", "name": "lava", "owner": { "login": "lava" } },
        "sender": { "login": "alice-dev" }
    });
    let work = queued(parse_event("issue_comment", payload.to_string().as_bytes()).unwrap());
    assert!(
        matches!(&work, Work::Comment { author, edited: true, kind: ItemKind::Issue, number: ItemNumber(12), comment_id: Some(CommentId(99)), .. }
            if author == "alice-dev"),
        "{work:?}"
    );

    let (logs, _guard) = capture();
    assert_eq!(bot.run(work).await, vec![JobOutcome::Done]);
    let text = logs.text();
    assert!(
        text.lines().any(|line| line.contains("comment read")
            && line.contains("author=\"alice-dev\"")
            && line.contains("edited=true")
            && line.contains("item=#12")),
        "{text}"
    );
}

#[tokio::test]
async fn a_comment_on_a_project_the_server_does_not_manage_ends_its_job() {
    let lab = lab().await;
    let work =
        queued(parse_gitlab("Note Hook", &gitlab_note("elsewhere/app", "mallory", "hi")).unwrap());
    let outcomes = lab.bot.run(work).await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { reason }] if reason.contains("elsewhere/app is not configured")),
        "{outcomes:?}"
    );
}
