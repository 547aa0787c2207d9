//! The LAVA story continues (issue 9, "Done means"), on GitLab and on
//! GitHub: 2026.11 and 2026.12 are open; a database change lands in 2026.12
//! (no mail; the gate waits for the warning); 2026.11 ships, so work starts
//! on 2026.12: one warning, and the gate turns green with no further
//! webhook; a second change joins: one update threaded under the warning;
//! 2026.12 ships: one release notice; replaying every webhook sends nothing.

use super::*;
use crate::lava_story::{Item, github::GitHubStory, gitlab::GitLabStory};
use crate::support::serve::test_secrets;
use chrono::{Days, Utc};
use schemagate::core::block::warning_sent_in;
use std::collections::HashSet;

async fn announcement_story(forge: &dyn StoryForge) {
    let smtp = SmtpServer::start(Default::default());
    let config = config(
        forge,
        &smtp.url(),
        r#"updates = "digest", digest_interval = "1h", release_notice = true"#,
    );
    let server = TestServer::start(&config, forge.forges(), test_secrets()).await;
    let today = Utc::now().date_naive();
    let next = forge.add_milestone("2026.11", today + Days::new(5));
    let later = forge.add_milestone("2026.12", today + Days::new(40));
    let mut replay = deliver(
        &server,
        forge,
        &[
            forge.milestone_created(next),
            forge.milestone_created(later),
        ],
    )
    .await;

    // A database change lands in the batch: no mail yet, the gate waits.
    let (a, opened_a) = open_db_mr(
        forge,
        "Add a priority to test jobs",
        "a000000000000000000000000000000000000001",
        "0042_add_field",
    );
    replay.extend(deliver(&server, forge, &[opened_a]).await);
    assert_eq!(forge.milestone_of(Item::Mr(a)).as_deref(), Some("2026.12"));
    expect_no_more_mail(&smtp, 0).await;
    let status = forge.head_status(a).expect("a status on A");
    assert_eq!(status.state, "failure", "{status:?}");
    let comment = forge.bot_comments(Item::Mr(a)).join("\n");
    assert!(
        comment.contains("downtime warning for 2026.12 has not been sent yet"),
        "{comment}"
    );

    // 2026.11 ships: work starts on 2026.12. Only the close webhook: the
    // gate must turn green from the mail alone, before any echo.
    let close = forge.close_milestone(next);
    server.deliver(&close).await;
    server.wait_idle().await;
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    let warning = &mails[0];
    assert_eq!(warning.rcpt_tos, vec![ANNOUNCE_LIST.to_string()]);
    assert_eq!(warning.header("To"), Some(ANNOUNCE_LIST));
    assert_eq!(
        warning.header("Reply-To"),
        Some("lava-devel@lists.example.org")
    );
    assert_eq!(warning.header("Auto-Submitted"), Some("auto-generated"));
    let subject = warning.header("Subject").unwrap_or_default();
    assert!(subject.contains("2026.12"), "{subject}");
    for expected in [
        "Add a priority to test jobs",
        "app/migrations/0042_add_field.py",
        "schema",
        "Put the instance in maintenance mode",
        "Back up the database",
    ] {
        assert!(
            warning.body.contains(expected),
            "the warning lacks {expected:?}:\n{}",
            warning.body
        );
    }
    let status = forge.head_status(a).expect("a status on A");
    assert_eq!(status.state, "success", "{status:?}");
    assert!(status.description.contains("announced"), "{status:?}");
    let description = forge.milestone_description(later);
    assert!(
        description.contains(&format!(
            "Downtime warning sent to {ANNOUNCE_LIST} on {today}"
        )),
        "{description}"
    );
    assert!(warning_sent_in(&description).is_some(), "{description}");
    replay.push(close);
    replay.extend(deliver(&server, forge, &[]).await);
    let comment = forge.bot_comments(Item::Mr(a)).join("\n");
    assert!(
        comment.contains(&format!("downtime warning sent {today}")),
        "{comment}"
    );
    expect_no_more_mail(&smtp, 1).await;

    // A second database change joins the announced batch: one update.
    let (b, opened_b) = open_db_mr(
        forge,
        "Index test jobs by priority",
        "b000000000000000000000000000000000000001",
        "0043_index_priority",
    );
    replay.extend(deliver(&server, forge, &[opened_b]).await);
    assert_eq!(forge.milestone_of(Item::Mr(b)).as_deref(), Some("2026.12"));
    let mails = smtp.wait_for_mails(2, MAIL_WAIT).await;
    let update = &mails[1];
    let warning_id = mails[0]
        .header("Message-ID")
        .expect("a Message-ID")
        .to_string();
    assert_eq!(update.header("In-Reply-To"), Some(warning_id.as_str()));
    assert!(
        update
            .header("References")
            .is_some_and(|r| r.contains(&warning_id)),
        "{:?}",
        update.header("References")
    );
    assert!(
        update.body.contains("Index test jobs by priority")
            && update
                .body
                .contains("app/migrations/0043_index_priority.py"),
        "{}",
        update.body
    );
    assert_eq!(
        forge.head_status(b).map(|s| s.state).as_deref(),
        Some("success")
    );
    expect_no_more_mail(&smtp, 2).await;

    // 2026.12 ships: the release notice, once.
    replay.extend(deliver(&server, forge, &[forge.close_milestone(later)]).await);
    let mails = smtp.wait_for_mails(3, MAIL_WAIT).await;
    assert_eq!(mails[2].header("In-Reply-To"), Some(warning_id.as_str()));
    assert!(mails[2].body.contains("2026.12"), "{}", mails[2].body);
    expect_no_more_mail(&smtp, 3).await;

    // Every webhook of the story again, as new deliveries: nothing more.
    let again: Vec<Delivery> = replay.iter().map(Delivery::resent).collect();
    deliver(&server, forge, &again).await;
    expect_no_more_mail(&smtp, 3).await;
    let ids: HashSet<String> = smtp
        .mails()
        .iter()
        .filter_map(|m| m.header("Message-ID").map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 3, "three mails, three Message-IDs");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_announcement_story_on_gitlab() {
    announcement_story(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_announcement_story_on_github() {
    announcement_story(&GitHubStory::start().await).await;
}
