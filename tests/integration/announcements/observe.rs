//! Observe mode on both forges (docs/rolling-out.md): the server reads,
//! decides and records, sends no request that is not a GET and no mail,
//! while the status page lists the label, milestone, status, comment and
//! block it would write and the warning it would send. Restarted without
//! observe mode on the same store, it makes those writes and sends that
//! warning once.

use super::*;
use crate::lava_story::{
    Item, MrSpec, StoryForge, github::GitHubStory, gitlab::GitLabStory, plain_change,
};
use crate::support::serve::test_secrets;
use schemagate::core::block::BLOCK_START;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_mode_on_gitlab_writes_nothing_then_a_restart_writes_it_all_once() {
    observe_then_write(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_mode_on_github_writes_nothing_then_a_restart_writes_it_all_once() {
    observe_then_write(&GitHubStory::start().await).await;
}

/// The planned-write lines the status JSON holds for `reference`.
fn planned_for(json: &serde_json::Value, reference: &str) -> Vec<String> {
    json["planned"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["ref"] == reference)
        .flat_map(|p| p["writes"].as_array().cloned().unwrap_or_default())
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect()
}

fn release<'j>(json: &'j serde_json::Value, title: &str) -> &'j serde_json::Value {
    json["releases"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["title"] == title))
        .unwrap_or_else(|| panic!("no release {title}: {json}"))
}

async fn observe_then_write<F: StoryForge>(forge: &F) {
    let smtp = SmtpServer::start(Default::default());
    let writing = format!(
        "{}\n[status]\npublic = true\n",
        config(forge, &smtp.url(), r#"trigger = "first-change""#)
    );
    let observing = writing.replacen("[server]\n", "[server]\nobserve = true\n", 1);
    assert_ne!(
        observing, writing,
        "the story's config has a [server] table"
    );
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("store.db");
    let prefix = if forge.config_word() == "gitlab" {
        "!"
    } else {
        "#"
    };
    let json_path = format!("/api/v1/projects/{}/lava/lava", forge.config_word());

    // Observing: everything read and decided, nothing written or mailed.
    let start = forge.mark();
    let server =
        TestServer::start_with_store(&observing, forge.forges(), test_secrets(), &database).await;
    let (_, later, a) = seed_batch(&server, forge).await;
    let (d, opened_d) = forge.open_mr(&MrSpec {
        title: "New dashboard",
        description: "",
        sha: "d000000000000000000000000000000000000001",
        files: vec![plain_change("lava_server/dashboard.py")],
        milestone: Some(later),
    });
    deliver(&server, forge, &[opened_d]).await;
    assert_eq!(forge.writes_since(start), Vec::<String>::new());
    expect_no_more_mail(&smtp, 0).await;
    let jobs = server.store().jobs().await.unwrap();
    let refused: Vec<_> = (jobs.iter())
        .filter_map(|j| j.last_error.as_deref())
        .filter(|e| e.contains("observe mode"))
        .collect();
    assert!(
        refused.is_empty(),
        "writes the engine did not hold back: {refused:?}"
    );

    let json = server.get_json(&json_path).await;
    let a_ref = format!("{prefix}{a}");
    let planned_a = planned_for(&json, &a_ref);
    for write in [
        "would add label \"Database changes\"",
        "would set milestone 2026.12",
        "would set status failure",
        "would post a comment",
    ] {
        assert!(
            planned_a.iter().any(|line| line.starts_with(write)),
            "{a_ref}: no {write:?} among {planned_a:?}"
        );
    }
    let planned_d = planned_for(&json, &format!("{prefix}{d}"));
    assert_eq!(planned_d.len(), 2, "{planned_d:?}");
    assert!(
        planned_d[0].starts_with("would set status failure"),
        "{planned_d:?}"
    );
    assert!(
        planned_d[1].starts_with("would post a comment"),
        "{planned_d:?}"
    );
    let planned_block = planned_for(&json, "2026.12");
    assert_eq!(
        planned_block,
        ["would update the description of milestone 2026.12"]
    );
    let batch = release(&json, "2026.12");
    assert_eq!(batch["warning"]["state"], "pending", "{batch}");
    assert_eq!(
        batch["warning"]["note"],
        "observe mode: it would be sent now"
    );
    let preview_url = batch["planned_mails"][0]["preview_url"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, preview) = server.get_text(&preview_url).await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview.contains(ANNOUNCE_LIST) && preview.contains("Add a priority"),
        "{preview}"
    );
    let (_, page) = server
        .get_text(&format!("/projects/{}/lava/lava", forge.config_word()))
        .await;
    assert!(page.contains("id=\"observe\""), "{page}");
    assert_eq!(server.get_json("/api/v1/status").await["observe"], true);
    server.shutdown().await;

    // Writing: the first sync makes exactly what was held back, and mails once.
    let restart = forge.mark();
    let server =
        TestServer::start_with_store(&writing, forge.forges(), test_secrets(), &database).await;
    smtp.wait_for_mails(1, Duration::from_secs(40)).await;
    server.wait_idle().await;
    deliver(&server, forge, &[]).await;
    assert!(
        forge
            .labels(Item::Mr(a))
            .iter()
            .any(|l| l == "Database changes")
    );
    assert_eq!(forge.milestone_of(Item::Mr(a)).as_deref(), Some("2026.12"));
    for mr in [a, d] {
        let status = forge.head_status(mr).expect("a status");
        assert_eq!(status.state, "failure", "{mr}: {status:?}");
        assert_eq!(forge.bot_comments(Item::Mr(mr)).len(), 1, "{mr}");
    }
    assert!(forge.milestone_description(later).contains(BLOCK_START));
    assert!(!forge.writes_since(restart).is_empty());
    let mails = smtp.mails();
    assert_eq!(subjects(&mails).len(), 1, "{:?}", subjects(&mails));
    assert!(
        mails[0].body.contains("Add a priority"),
        "{}",
        mails[0].body
    );
    expect_no_more_mail(&smtp, 1).await;
    let json = server.get_json(&json_path).await;
    assert_eq!(json["planned"], serde_json::json!([]), "{json}");
    let warning = &release(&json, "2026.12")["warning"];
    assert_eq!(warning["state"], "sent", "{warning}");
    assert!(warning["sent_at"].is_string(), "{warning}");
    // Converged: the same event again writes nothing.
    let settled = forge.mark();
    deliver(&server, forge, &[forge.unchanged_update(a)]).await;
    assert_eq!(forge.writes_since(settled), Vec::<String>::new());
    server.shutdown().await;
}
