//! The release notice is about what shipped (issue 20): a database change
//! that merged with the release is named, an MR still open when the release
//! closes is not (the bot carries it to the next batch, whose warning names
//! it), and a release that shipped no database change says its announced
//! downtime is not needed after all. On GitLab and GitHub, mailing a real
//! SMTP server.

use super::*;
use crate::lava_story::{Item, MrSpec, github::GitHubStory, gitlab::GitLabStory, migration};
use crate::support::serve::test_secrets;
use chrono::{Days, Utc};

const MR1_MIGRATION: &str = "app/migrations/0042_add_priority.py";
const MR2_MIGRATION: &str = "app/migrations/0043_add_timeout.py";

/// The LAVA project with digest updates and release notices, mailing `smtp`.
async fn serve_with_notices(forge: &dyn StoryForge, smtp: &SmtpServer) -> TestServer {
    let config = config(
        forge,
        &smtp.url(),
        r#"updates = "digest", digest_interval = "1h", release_notice = true"#,
    );
    TestServer::start(&config, forge.forges(), test_secrets()).await
}

/// Opens each release milestone (title, due in so many days) and delivers
/// its creation; returns their ids in order.
async fn add_releases<const N: usize>(
    server: &TestServer,
    forge: &dyn StoryForge,
    releases: [(&str, u64); N],
) -> [u64; N] {
    let today = Utc::now().date_naive();
    let ids = releases.map(|(title, days)| forge.add_milestone(title, today + Days::new(days)));
    let created: Vec<Delivery> = ids.iter().map(|id| forge.milestone_created(*id)).collect();
    deliver(server, forge, &created).await;
    ids
}

/// 2026.11, 2026.12 and 2027.01 open; MR1 and MR2 batched in 2026.12;
/// 2026.11 ships, so the warning for 2026.12 goes out. Returns the server,
/// the two later milestones, both MRs and the warning's Message-ID.
async fn warned_batch_of_two(
    forge: &dyn StoryForge,
    smtp: &SmtpServer,
) -> (TestServer, u64, u64, u64, String) {
    let server = serve_with_notices(forge, smtp).await;
    let [november, december, january] = add_releases(
        &server,
        forge,
        [("2026.11", 5), ("2026.12", 40), ("2027.01", 70)],
    )
    .await;
    let (mr1, opened1) = open_db_mr(
        forge,
        "Add a priority to test jobs",
        "c000000000000000000000000000000000000001",
        "0042_add_priority",
    );
    let (mr2, opened2) = open_db_mr(
        forge,
        "Add a timeout to test jobs",
        "c000000000000000000000000000000000000002",
        "0043_add_timeout",
    );
    deliver(&server, forge, &[opened1, opened2]).await;
    for mr in [mr1, mr2] {
        assert_eq!(forge.milestone_of(Item::Mr(mr)).as_deref(), Some("2026.12"));
    }
    deliver(&server, forge, &[forge.close_milestone(november)]).await;
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    let warning = &mails[0];
    assert!(
        warning.body.contains(MR1_MIGRATION) && warning.body.contains(MR2_MIGRATION),
        "{}",
        warning.body
    );
    let warning_id = warning
        .header("Message-ID")
        .expect("a Message-ID")
        .to_string();
    expect_no_more_mail(smtp, 1).await;
    (server, december, january, mr1, warning_id)
}

/// The mail whose subject names `release` and contains `word`.
fn mail_about<'a>(mails: &'a [ReceivedMail], release: &str, word: &str) -> &'a ReceivedMail {
    let found: Vec<&ReceivedMail> = mails
        .iter()
        .filter(|m| {
            let subject = m.header("Subject").unwrap_or_default();
            subject.contains(release) && subject.contains(word)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one mail about {release} saying {word:?}: {:#?}",
        subjects(mails)
    );
    found[0]
}

async fn notice_names_only_what_merged(forge: &dyn StoryForge) {
    let smtp = SmtpServer::start(Default::default());
    let (server, december, _january, mr1, warning_id) = warned_batch_of_two(forge, &smtp).await;

    // MR1 merges, MR2 stays open, and 2026.12 ships.
    deliver(&server, forge, &[forge.merge_mr(mr1)]).await;
    deliver(&server, forge, &[forge.close_milestone(december)]).await;
    let mails = smtp.wait_for_mails(3, MAIL_WAIT).await;
    expect_no_more_mail(&smtp, 3).await;

    let notice = mail_about(&mails, "2026.12", "released");
    assert_eq!(notice.header("In-Reply-To"), Some(warning_id.as_str()));
    assert!(notice.body.contains(MR1_MIGRATION), "{}", notice.body);
    assert!(
        notice.body.contains("Add a priority to test jobs"),
        "{}",
        notice.body
    );
    assert!(
        !notice.body.contains(MR2_MIGRATION) && !notice.body.contains("Add a timeout"),
        "the notice names an MR that never merged:\n{}",
        notice.body
    );
    assert!(
        notice
            .body
            .contains("2026.12 brings 1 change to the database schema"),
        "{}",
        notice.body
    );

    // MR2 is carried to the next batch, and that batch's warning names it.
    let next_warning = mail_about(&mails, "2027.01", "Downtime ahead");
    assert!(
        next_warning.body.contains(MR2_MIGRATION),
        "{}",
        next_warning.body
    );
    assert!(
        !next_warning.body.contains(MR1_MIGRATION),
        "{}",
        next_warning.body
    );
    server.shutdown().await;
}

async fn notice_of_a_release_that_shipped_no_database_change(forge: &dyn StoryForge) {
    let smtp = SmtpServer::start(Default::default());
    let (server, december, _january, _mr1, warning_id) = warned_batch_of_two(forge, &smtp).await;

    // Neither MR merges, and 2026.12 ships anyway.
    deliver(&server, forge, &[forge.close_milestone(december)]).await;
    let mails = smtp.wait_for_mails(3, MAIL_WAIT).await;
    expect_no_more_mail(&smtp, 3).await;

    let notice = mail_about(&mails, "2026.12", "released");
    assert_eq!(notice.header("In-Reply-To"), Some(warning_id.as_str()));
    let subject = notice.header("Subject").unwrap_or_default();
    assert!(subject.contains("no downtime"), "{subject}");
    assert!(
        notice.body.contains("not needed after all"),
        "{}",
        notice.body
    );
    for unshipped in [MR1_MIGRATION, MR2_MIGRATION] {
        assert!(!notice.body.contains(unshipped), "{}", notice.body);
    }
    assert!(
        !notice.body.contains("needs downtime"),
        "the notice still claims downtime:\n{}",
        notice.body
    );
    let next_warning = mail_about(&mails, "2027.01", "Downtime ahead");
    for carried in [MR1_MIGRATION, MR2_MIGRATION] {
        assert!(next_warning.body.contains(carried), "{}", next_warning.body);
    }
    server.shutdown().await;
}

/// The order of the notice and the carry-over cannot matter when MR2 is
/// never carried: a person put it in 2026.12, so it stays there, open. And
/// MR1's merge webhook is lost: the forge, not the store's last record,
/// says what merged.
async fn notice_asks_the_forge_what_merged(forge: &dyn StoryForge) {
    let smtp = SmtpServer::start(Default::default());
    let server = serve_with_notices(forge, &smtp).await;
    let [november, december] =
        add_releases(&server, forge, [("2026.11", 5), ("2026.12", 40)]).await;
    let (mr1, opened1) = open_db_mr(
        forge,
        "Add a priority to test jobs",
        "c000000000000000000000000000000000000001",
        "0042_add_priority",
    );
    let (mr2, opened2) = forge.open_mr(&MrSpec {
        title: "Add a timeout to test jobs",
        description: "",
        sha: "c000000000000000000000000000000000000002",
        files: vec![migration("0043_add_timeout")],
        milestone: Some(december),
    });
    deliver(&server, forge, &[opened1, opened2]).await;
    deliver(&server, forge, &[forge.close_milestone(november)]).await;
    let warning = smtp.wait_for_mails(1, MAIL_WAIT).await.remove(0);
    let warning_id = warning
        .header("Message-ID")
        .expect("a Message-ID")
        .to_string();

    let _lost = forge.merge_mr(mr1);
    deliver(&server, forge, &[forge.close_milestone(december)]).await;
    let mails = smtp.wait_for_mails(2, MAIL_WAIT).await;
    expect_no_more_mail(&smtp, 2).await;
    assert_eq!(
        forge.milestone_of(Item::Mr(mr2)).as_deref(),
        Some("2026.12")
    );
    let notice = mail_about(&mails, "2026.12", "released");
    assert_eq!(notice.header("In-Reply-To"), Some(warning_id.as_str()));
    assert!(notice.body.contains(MR1_MIGRATION), "{}", notice.body);
    assert!(!notice.body.contains(MR2_MIGRATION), "{}", notice.body);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_notice_asks_the_forge_what_merged_on_gitlab() {
    notice_asks_the_forge_what_merged(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_notice_asks_the_forge_what_merged_on_github() {
    notice_asks_the_forge_what_merged(&GitHubStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_notice_names_only_what_merged_on_gitlab() {
    notice_names_only_what_merged(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_notice_names_only_what_merged_on_github() {
    notice_names_only_what_merged(&GitHubStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_that_shipped_no_database_change_says_no_downtime_on_gitlab() {
    notice_of_a_release_that_shipped_no_database_change(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_that_shipped_no_database_change_says_no_downtime_on_github() {
    notice_of_a_release_that_shipped_no_database_change(&GitHubStory::start().await).await;
}
