//! The project page as a person sees it: the real server, engine, store and
//! mail (aiosmtpd) against the fake GitLab, then real headless Chromium
//! loads `/projects/gitlab/lava/lava` and the test reads the DOM Chromium
//! built: the releases in order, the next-release mark, the sent warning's
//! date and a blocked MR with its reason, each agreeing with the JSON API.
//! It also takes a screenshot; `SCHEMAGATE_SAVE_SCREENSHOT=1` writes it to
//! `docs/images/status-page.png` for the deployment guide.
//!
//! Skipped with a note without Chromium; under `CI` that fails instead.

use crate::announcements::{self, deliver, seed_batch, wait_for_ledger};
use crate::lava_story::gitlab::GitLabStory;
use crate::lava_story::{MrSpec, StoryForge, plain_change};
use crate::support::browser::dom::{Dom, Element};
use crate::support::browser::{Chromium, png_size};
use crate::support::serve::{TestServer, test_secrets};
use crate::support::smtp::SmtpServer;
use chrono::{Days, Utc};
use schemagate::core::announcements::AnnouncementKind;
use schemagate::store::AnnouncementState;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A laptop's window: the whole page fits, so the picture shows all of it.
const WINDOW: (u32, u32) = (1000, 1300);

/// Set to `1`, the screenshot goes to [`DOCS_SCREENSHOT`] instead of a temp dir.
const SAVE_ENV: &str = "SCHEMAGATE_SAVE_SCREENSHOT";
const DOCS_SCREENSHOT: &str = "docs/images/status-page.png";

/// The JSON strings of `key` in each object of `array`.
fn strings<'j>(array: &'j Value, key: &str) -> Vec<&'j str> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string {key} in {item}"))
        })
        .collect()
}

fn data_refs(elements: &[Element<'_>]) -> Vec<String> {
    elements
        .iter()
        .map(|e| e.expect_attr("data-ref").to_string())
        .collect()
}

/// Where the screenshot goes, and the temp dir holding it if not the docs.
fn screenshot_path() -> (PathBuf, Option<tempfile::TempDir>) {
    if std::env::var(SAVE_ENV).is_ok_and(|v| v == "1") {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DOCS_SCREENSHOT);
        let folder = path.parent().expect("docs/images");
        std::fs::create_dir_all(folder).expect("create docs/images");
        (path, None)
    } else {
        let dir = tempfile::tempdir().expect("a temp dir for the screenshot");
        (dir.path().join("status-page.png"), Some(dir))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_the_releases_the_next_mark_the_sent_warning_and_a_blocked_mr() {
    let Some(chromium) = Chromium::find() else {
        return;
    };
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    let config = format!(
        "{}\n[status]\npublic = true\n",
        announcements::config(&forge, &smtp.url(), r#"trigger = "first-change""#)
    );
    let server = TestServer::start(&config, forge.forges(), test_secrets()).await;
    let first_day = Utc::now().date_naive();

    // 2026.10 shipped before the bot was set up: no webhook tells of it.
    let shipped = forge.add_milestone("2026.10", first_day - Days::new(30));
    let _ = forge.close_milestone(shipped);
    // 2026.11 is next, 2026.12 later; "Add a priority" joins 2026.12's
    // batch and, under `first-change`, the warning for 2026.12 goes out.
    let (_, later, db_mr) = seed_batch(&server, &forge).await;
    wait_for_ledger(&server, "the warning for 2026.12 is never sent", |rows| {
        rows.iter().any(|row| {
            row.milestone.0 == later
                && row.kind == AnnouncementKind::Warning
                && row.state == AnnouncementState::Sent
        })
    })
    .await;
    assert_eq!(smtp.mails().len(), 1, "one warning went out");
    let (dashboard, opened) = forge.open_mr(&MrSpec {
        title: "New dashboard",
        description: "",
        sha: "d000000000000000000000000000000000000001",
        files: vec![plain_change("lava_server/dashboard.py")],
        milestone: Some(later),
    });
    deliver(&server, &forge, &[opened]).await;
    let last_day = Utc::now().date_naive();

    let json = server.get_json("/api/v1/projects/gitlab/lava/lava").await;
    let page = format!("{}/projects/gitlab/lava/lava", server.base_url);
    let browsing = Instant::now();
    let dom = Dom::parse(&chromium.dump_dom(&page).await);

    // The releases in the page's order: the shipped one, then the open ones.
    let articles = dom.select("section#releases article.release");
    let shown: Vec<(&str, bool)> = articles
        .iter()
        .map(|a| (a.expect_attr("data-title"), a.has_class("open")))
        .collect();
    assert_eq!(
        shown,
        [("2026.10", false), ("2026.11", true), ("2026.12", true)]
    );
    assert!(articles[0].has_class("closed") && articles[0].one("span.shipped").text() == "shipped");
    let releases = &json["releases"];
    assert_eq!(
        strings(releases, "title"),
        ["2026.10", "2026.11", "2026.12"]
    );
    assert_eq!(strings(releases, "state"), ["closed", "open", "open"]);
    for article in &articles {
        let title = article.expect_attr("data-title");
        assert!(
            article.one("h3").text().starts_with(title),
            "{}",
            article.one("h3").text()
        );
    }

    // The next-release mark on 2026.11 alone.
    for (article, release) in articles.iter().zip(releases.as_array().unwrap()) {
        let next = article.expect_attr("data-title") == "2026.11";
        assert_eq!(article.has_class("next"), next, "{}", article.describe());
        assert_eq!(article.select("span.next-mark").len(), usize::from(next));
        assert_eq!(release["next"], next, "{release}");
    }
    assert_eq!(dom.one("span.next-mark").text(), "next release");
    assert_eq!(dom.one("#next-release").text(), "2026.11");
    assert_eq!(json["next_release"], "2026.11");

    // 2026.12 holds the database change, so it needs downtime, and its
    // warning was sent: the date Chromium shows is the JSON's.
    let batch = &articles[2];
    let changes = data_refs(&batch.select("li.db-change"));
    assert_eq!(changes, [format!("!{db_mr}")]);
    assert_eq!(strings(&releases[2]["db_changes"], "ref"), changes);
    assert!(batch.one("dd.downtime").text().starts_with("yes:"));
    let warning = batch.one("dd.warning");
    assert!(warning.has_class("state-sent"), "{}", warning.describe());
    let sent = warning.one("time.sent-at");
    let sent_on = sent.text();
    assert_eq!(warning.text(), format!("sent on {sent_on}"));
    assert_eq!(releases[2]["warning"]["state"], "sent");
    let sent_at = releases[2]["warning"]["sent_at"].as_str().expect("sent_at");
    assert_eq!(sent.expect_attr("datetime"), sent_at);
    assert_eq!(sent_on, sent_at[..10]);
    let (first, last) = (first_day.to_string(), last_day.to_string());
    assert!(
        first <= sent_on && sent_on <= last,
        "sent on {sent_on}, outside the test's {first}..{last}"
    );
    for other in &articles[..2] {
        assert!(
            other.select("time.sent-at").is_empty(),
            "{}",
            other.describe()
        );
    }

    // The blocked MRs: the batch's change and the dashboard, both in
    // 2026.12, ahead of the next release.
    let blocked = dom.select("section#blocked li.blocked-item");
    let refs = data_refs(&blocked);
    assert_eq!(refs, [format!("!{db_mr}"), format!("!{dashboard}")]);
    assert_eq!(strings(&json["blocked"], "ref"), refs);
    let item = &blocked[1];
    assert!(item.own_text().contains("New dashboard"), "{}", item.text());
    assert_eq!(item.one("span.milestone").text(), "in 2026.12");
    let reasons: Vec<String> = item
        .select("li.reason")
        .iter()
        .map(Element::own_text)
        .collect();
    let json_reasons: Vec<&str> = json["blocked"][1]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().expect("a reason"))
        .collect();
    assert_eq!(reasons, json_reasons);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("ahead of the next release")),
        "{reasons:?}"
    );
    // Not in observe mode: nothing held back, no such section.
    assert!(dom.select("section#planned").is_empty());
    assert_eq!(json["planned"], Value::Array(Vec::new()));

    let (path, _temp) = screenshot_path();
    chromium.screenshot(&page, &path, WINDOW).await;
    assert_eq!(png_size(&path), WINDOW, "{path:?}");
    eprintln!(
        "Chromium read the DOM and took the screenshot ({}) in {:?}",
        path.display(),
        browsing.elapsed()
    );
    server.shutdown().await;
}
