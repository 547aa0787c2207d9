//! The server-less sync's mail faults, now that it sends through the
//! server's send path: a permanent refusal is counted in the block and given
//! up after the bounded tries (the block says so, the gate says how to have
//! it sent after all), a slow exchange is cut short at the send deadline,
//! and the server's announcement metrics count each outcome. The sync runs
//! in this process, on a current-thread runtime, so a local recorder sees
//! every count the run makes and no other test's.

use super::serverless::{World, world, world_with};
use crate::fake_gitlab::TOKEN;
use crate::fake_gitlab::state::Noteable;
use crate::support::check::run_check;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use schemagate::engine::MAX_PERMANENT_TRIES;
use schemagate::metric_names::{ANNOUNCEMENTS_FAILED, ANNOUNCEMENTS_RETRIED, ANNOUNCEMENTS_SENT};
use serde_json::json;

/// The count of `name{kind="warning"}` as rendered for a scrape, 0 before
/// the first.
fn warnings(metrics: &PrometheusHandle, name: &str) -> u64 {
    let prefix = format!("{name}{{kind=\"warning\"}} ");
    metrics
        .render()
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |count| count.trim().parse().expect("a count"))
}

/// A recorder of this test's own, and its handle.
fn recorder() -> (PrometheusRecorder, PrometheusHandle) {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    (recorder, handle)
}

/// The `warning-sending` line's Message-ID.
fn sending_id(w: &World) -> String {
    let block = w.block();
    let line = block
        .lines()
        .find_map(|line| line.strip_prefix("<!-- schemagate:warning-sending "))
        .unwrap_or_else(|| panic!("no sending line: {block}"));
    line.split_whitespace().nth(1).unwrap().to_string()
}

#[tokio::test]
async fn a_refused_warning_is_counted_in_the_block_given_up_and_sent_once_cleared() {
    let (recorder, metrics) = recorder();
    let _counting = metrics::set_default_local_recorder(&recorder);
    let w = world().await;
    w.smtp.set_faults(json!({ "perm_fail": true }));
    for run in 1..MAX_PERMANENT_TRIES {
        let error = w.sync_in_process().await.unwrap_err().to_string();
        assert!(
            error.contains("the downtime warning for 2026.12 could not be sent yet")
                && error.contains("550"),
            "{error}"
        );
        let block = w.block();
        assert!(
            block.contains("<!-- schemagate:warning-sending ")
                && block.contains(&format!(" refusals={run} -->")),
            "run {run}: {block}"
        );
    }
    assert_eq!(
        warnings(&metrics, ANNOUNCEMENTS_RETRIED),
        u64::from(MAX_PERMANENT_TRIES - 1)
    );

    // The last try: given up, in words and in the block's ledger line.
    let error = w.sync_in_process().await.unwrap_err().to_string();
    assert!(
        error.contains(
            "the mail server refused the downtime warning for lava/lava 2026.12 for good"
        ) && error.contains("delete the refusal note"),
        "{error}"
    );
    let block = w.block();
    assert!(!block.contains("warning-sending"), "{block}");
    assert!(
        block.contains("<!-- schemagate:warning-refused ")
            && block.contains(&format!(" refusals={MAX_PERMANENT_TRIES} -->")),
        "{block}"
    );
    assert!(
        block.contains("Downtime warning refused for good by the mail server on "),
        "{block}"
    );
    assert_eq!(warnings(&metrics, ANNOUNCEMENTS_FAILED), 1);
    assert_eq!(warnings(&metrics, ANNOUNCEMENTS_SENT), 0);
    assert!(w.smtp.mails().is_empty());
    // The same run checked the waiting MR again: its comment says so now.
    let comment = w
        .fake
        .bot_notes_on(w.project, Noteable::MergeRequest, 1)
        .iter()
        .map(|note| note.body.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        comment.contains("the mail server refused it for good")
            && comment.contains("delete the refusal note"),
        "{comment}"
    );

    // Given up: the next run does not try, and the gate says so.
    let smtp_lines = w.smtp.log().len();
    let report = w.sync_in_process().await.unwrap();
    assert_eq!(report.warnings_sent, 0);
    assert_eq!(w.smtp.log().len(), smtp_lines, "no SMTP session");
    let check = run_check(
        Some(&w.config()),
        &[("GL_TOKEN", TOKEN)],
        &["--project", "lava/lava", "--mr", "1"],
    )
    .await;
    assert!(
        check.stdout.contains("the mail server refused it for good")
            && check.stdout.contains("delete the refusal note"),
        "{check:?}"
    );

    // The mail settings fixed, a person deletes the note and its line: the
    // next run sends the warning, once.
    w.smtp.set_faults(json!({}));
    let block = w.block();
    let cleared: Vec<&str> = block
        .lines()
        .filter(|line| !line.contains("refused"))
        .collect();
    w.fake
        .set_milestone_description(w.milestone, &cleared.join("\n"));
    let report = w.sync_in_process().await.unwrap();
    assert_eq!(report.warnings_sent, 1);
    assert_eq!(w.smtp.mails().len(), 1);
    assert_eq!(warnings(&metrics, ANNOUNCEMENTS_SENT), 1);
    let block = w.block();
    assert!(block.contains("<!-- schemagate:warning-sent "), "{block}");
    assert!(!block.contains("refused"), "{block}");
}

#[tokio::test]
async fn a_slow_exchange_is_cut_short_at_the_deadline_and_resent_under_the_same_id() {
    let (recorder, metrics) = recorder();
    let _counting = metrics::set_default_local_recorder(&recorder);
    // Every reply half a second late: each command answers well within the
    // 2 s timeout, but 20 recipients make the exchange take about 12 s,
    // past the deadline of four timeouts.
    let lists: Vec<String> = (1..=20)
        .map(|n| format!("lava-announce-{n}@lists.example.org"))
        .collect();
    let to: Vec<&str> = lists.iter().map(String::as_str).collect();
    let w = world_with(&to, "timeout = \"2s\"\n").await;
    w.smtp.set_faults(json!({ "reply_delay_ms": 500 }));
    let error = w.sync_in_process().await.unwrap_err().to_string();
    assert!(
        error.contains("the downtime warning for 2026.12 could not be sent yet: the SMTP exchange took longer than 8s"),
        "{error}"
    );
    assert_eq!(warnings(&metrics, ANNOUNCEMENTS_RETRIED), 1);
    assert!(w.smtp.mails().is_empty());
    // Not a refusal: the sending line counts none, and the next run resends.
    let block = w.block();
    assert!(!block.contains("refusals="), "{block}");
    let begun = sending_id(&w);

    w.smtp.set_faults(json!({}));
    let report = w.sync_in_process().await.unwrap();
    assert_eq!((report.warnings_sent, report.resent), (1, 1));
    assert_eq!(w.message_ids(), vec![begun]);
    assert_eq!(warnings(&metrics, ANNOUNCEMENTS_SENT), 1);
}
