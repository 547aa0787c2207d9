//! The real GitHub client (octocrab) against the fake GitHub over HTTP:
//! every `Forge` method, pagination, the 3,000-file cap, renames, large files
//! without a patch, rate limits, errors, App authentication and API economy;
//! the people calls (access, team membership, reactions, comments) in
//! `people`; branch heads and tree listings in `trees`.

mod people;
mod trees;

use crate::fake_github::state::{Access, AppConfig, Caller, Fault, PrFile};
use crate::fake_github::{FakeGitHub, PullSeed};
use schemagate::core::types::{ChangeKind, ChangedFile, MilestoneId, MilestoneState};
use schemagate::forge::apply::{DesiredComment, DesiredState, PreviousWrites, apply_changes};
use schemagate::forge::github::GitHubClient;
use schemagate::forge::retry::RetryPolicy;
use schemagate::forge::{
    CommentId, CommitSha, CommitStatus, Forge, ForgeError, ItemKind, ItemNumber, ItemState,
    ItemUpdate, MilestoneUpdate, ProjectPath, StatusState,
};
use std::time::Duration;

const REPO: &str = "lava-ci/demo";
const TOKEN: &str = "ghp_read_write_test_token";
const READ_ONLY: &str = "ghp_read_only_test_token";
const SHA: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID: u64 = 31337;
const INSTALLATION: u64 = 424242;

fn project() -> ProjectPath {
    ProjectPath(REPO.into())
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(5),
    }
}

async fn fake() -> FakeGitHub {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava-ci", "demo");
    fake.add_token(TOKEN, Access::ReadWrite);
    fake.add_token(READ_ONLY, Access::ReadOnly);
    fake
}

fn client(fake: &FakeGitHub, token: &str) -> GitHubClient {
    GitHubClient::with_token(fake.base_url(), token)
        .unwrap()
        .with_retry_policy(quick_retries())
}

fn seed_pull(fake: &FakeGitHub, labels: &[&str], milestone: Option<u64>) -> ItemNumber {
    ItemNumber(fake.add_pull(
        REPO,
        PullSeed {
            title: "Add device health table",
            body: "Closes #1",
            head_sha: SHA,
            labels,
            milestone,
        },
    ))
}

fn file(name: &str, status: &str, patch: Option<&str>) -> PrFile {
    PrFile {
        filename: name.into(),
        status: status.into(),
        previous_filename: None,
        patch: patch.map(str::to_string),
    }
}

fn many_files(count: usize) -> Vec<PrFile> {
    (0..count)
        .map(|i| {
            file(
                &format!("src/file_{i:05}.rs"),
                "added",
                Some("@@ -0,0 +1 @@\n+fn f() {}"),
            )
        })
        .collect()
}

const FILES_ROUTE: &str = "/repos/{owner}/{repo}/pulls/{number}/files";
const PULL_ROUTE: &str = "/repos/{owner}/{repo}/pulls/{number}";
const ISSUE_ROUTE: &str = "/repos/{owner}/{repo}/issues/{number}";

#[tokio::test]
async fn merge_request_reads_head_labels_milestone_and_branches() {
    let fake = fake().await;
    let milestone = fake.add_milestone(REPO, "2026.11", "open", None);
    let number = seed_pull(&fake, &["Database changes"], Some(milestone));
    let mr = client(&fake, TOKEN)
        .merge_request(&project(), number)
        .await
        .unwrap();
    assert_eq!(mr.number, number);
    assert_eq!(mr.head_sha, CommitSha(SHA.into()));
    assert_eq!(mr.labels, vec!["Database changes".to_string()]);
    assert_eq!(mr.milestone, Some(MilestoneId(milestone)));
    assert_eq!(mr.state, ItemState::Open);
    assert_eq!(mr.description, "Closes #1");
    assert_eq!(mr.target_branch, "main");
}

#[tokio::test]
async fn changed_files_follows_three_pages_of_a_hundred() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.set_files(REPO, number.0, many_files(250));
    let files = client(&fake, TOKEN)
        .changed_files(&project(), number)
        .await
        .unwrap();
    assert_eq!(files.files.len(), 250);
    assert!(!files.truncated);
    assert_eq!(fake.count("GET", FILES_ROUTE), 3);
    let asked: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect();
    assert!(
        asked
            .iter()
            .all(|p| !p.contains("/files") || p.contains("per_page=100")),
        "{asked:?}"
    );
}

#[tokio::test]
async fn a_2500_file_pull_request_is_listed_whole() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.set_files(REPO, number.0, many_files(2500));
    let files = client(&fake, TOKEN)
        .changed_files(&project(), number)
        .await
        .unwrap();
    assert_eq!(files.files.len(), 2500);
    assert!(!files.truncated);
    assert_eq!(fake.count("GET", FILES_ROUTE), 25);
    assert_eq!(files.files[2499].file.path, "src/file_02499.rs");
    assert_eq!(files.files[0].added_lines.as_deref(), Some("fn f() {}"));
}

#[tokio::test]
async fn more_than_3000_files_is_reported_truncated() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.set_files(REPO, number.0, many_files(3200));
    let files = client(&fake, TOKEN)
        .changed_files(&project(), number)
        .await
        .unwrap();
    assert_eq!(files.files.len(), 3000);
    assert!(files.truncated);
    // The PR itself is read once, for its true changed_files count.
    assert_eq!(fake.count("GET", PULL_ROUTE), 1);
}

#[tokio::test]
async fn exactly_3000_files_is_not_truncated() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.set_files(REPO, number.0, many_files(3000));
    let files = client(&fake, TOKEN)
        .changed_files(&project(), number)
        .await
        .unwrap();
    assert_eq!(files.files.len(), 3000);
    assert!(!files.truncated);
}

#[tokio::test]
async fn renamed_removed_and_patchless_files_are_translated() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let mut renamed = file("db/migrate/20261101_add_health.rb", "renamed", None);
    renamed.previous_filename = Some("db/migrate/20261001_add_health.rb".into());
    fake.set_files(
        REPO,
        number.0,
        vec![
            renamed,
            file("db/old.sql", "removed", None),
            file(
                "db/changelog.xml",
                "modified",
                Some("@@ -1 +1,2 @@\n <databaseChangeLog>\n+<changeSet id=\"7\">"),
            ),
            file("db/huge.sql", "added", None),
        ],
    );
    let files = client(&fake, TOKEN)
        .changed_files(&project(), number)
        .await
        .unwrap();
    assert_eq!(
        files.files[0].file,
        ChangedFile::renamed(
            "db/migrate/20261001_add_health.rb",
            "db/migrate/20261101_add_health.rb"
        )
    );
    assert_eq!(files.files[1].file.change, ChangeKind::Deleted);
    assert_eq!(
        files.files[2].added_lines.as_deref(),
        Some("<changeSet id=\"7\">")
    );
    assert_eq!(files.files[3].added_lines, None);
}

#[tokio::test]
async fn file_without_patch_is_fetched_at_the_head_commit() {
    let fake = fake().await;
    seed_pull(&fake, &[], None);
    fake.set_content(
        REPO,
        SHA,
        "db/huge migration.sql",
        "CREATE TABLE health (id int);\n",
    );
    let forge = client(&fake, TOKEN);
    let text = forge
        .file_text(&project(), &CommitSha(SHA.into()), "db/huge migration.sql")
        .await
        .unwrap();
    assert_eq!(text.as_deref(), Some("CREATE TABLE health (id int);\n"));
    let missing = forge
        .file_text(&project(), &CommitSha(SHA.into()), "db/none.sql")
        .await
        .unwrap();
    assert_eq!(missing, None);
}

#[tokio::test]
async fn milestones_include_closed_ones_with_due_dates() {
    let fake = fake().await;
    for i in 0..120 {
        let state = if i % 2 == 0 { "open" } else { "closed" };
        fake.add_milestone(
            REPO,
            &format!("2026.{i}"),
            state,
            Some("2026-11-30T08:00:00Z"),
        );
    }
    let milestones = client(&fake, TOKEN).milestones(&project()).await.unwrap();
    assert_eq!(milestones.len(), 120);
    assert_eq!(
        milestones
            .iter()
            .filter(|m| m.state == MilestoneState::Closed)
            .count(),
        60
    );
    assert_eq!(
        milestones[0].due_date,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
    );
    assert_eq!(milestones[0].start_date, None);
    assert_eq!(fake.count("GET", "/repos/{owner}/{repo}/milestones"), 2);
}

#[tokio::test]
async fn labels_and_milestone_go_in_one_patch_keeping_other_labels() {
    let fake = fake().await;
    let milestone = fake.add_milestone(REPO, "2026.11", "open", None);
    let number = seed_pull(&fake, &["bug", "stale"], None);
    let update = ItemUpdate {
        add_labels: vec!["Database changes".into()],
        remove_labels: vec!["stale".into()],
        milestone: Some(MilestoneUpdate::Set(MilestoneId(milestone))),
    };
    client(&fake, TOKEN)
        .update_item(&project(), ItemKind::MergeRequest, number, &update)
        .await
        .unwrap();
    assert_eq!(
        fake.writes(),
        vec!["PATCH /repos/{owner}/{repo}/issues/{number}".to_string()]
    );
    let (labels, set) = fake.with_state(|s| {
        let issue = &s.repos[REPO].issues[&number.0];
        (issue.labels.clone(), issue.milestone)
    });
    assert_eq!(
        labels,
        vec!["bug".to_string(), "Database changes".to_string()]
    );
    assert_eq!(set, Some(milestone));
}

#[tokio::test]
async fn clearing_only_the_milestone_needs_no_read() {
    let fake = fake().await;
    let milestone = fake.add_milestone(REPO, "2026.11", "open", None);
    let number = seed_pull(&fake, &["bug"], Some(milestone));
    let update = ItemUpdate {
        milestone: Some(MilestoneUpdate::Clear),
        ..ItemUpdate::default()
    };
    client(&fake, TOKEN)
        .update_item(&project(), ItemKind::Issue, number, &update)
        .await
        .unwrap();
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(
        fake.with_state(|s| s.repos[REPO].issues[&number.0].milestone),
        None
    );
    assert_eq!(
        fake.with_state(|s| s.repos[REPO].issues[&number.0].labels.clone()),
        vec!["bug".to_string()]
    );
}

#[tokio::test]
async fn empty_update_sends_nothing() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    client(&fake, TOKEN)
        .update_item(
            &project(),
            ItemKind::MergeRequest,
            number,
            &ItemUpdate::default(),
        )
        .await
        .unwrap();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn ensure_label_creates_once_and_accepts_already_exists() {
    let fake = fake().await;
    let forge = client(&fake, TOKEN);
    forge
        .ensure_label(&project(), "Database changes", "#d93f0b")
        .await
        .unwrap();
    forge
        .ensure_label(&project(), "Database changes", "#d93f0b")
        .await
        .unwrap();
    let labels = fake.with_state(|s| s.repos[REPO].labels.clone());
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].color, "d93f0b");
    assert_eq!(fake.count("POST", "/repos/{owner}/{repo}/labels"), 2);
}

#[tokio::test]
async fn ensure_label_leaves_a_label_a_person_made_alone() {
    let fake = fake().await;
    fake.add_label(REPO, "database changes");
    client(&fake, TOKEN)
        .ensure_label(&project(), "Database changes", "#d93f0b")
        .await
        .unwrap();
    let labels = fake.with_state(|s| s.repos[REPO].labels.clone());
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].name, "database changes");
}

#[tokio::test]
async fn milestone_description_is_patched() {
    let fake = fake().await;
    let number = fake.add_milestone(REPO, "2026.11", "open", None);
    client(&fake, TOKEN)
        .set_milestone_description(&project(), MilestoneId(number), "Database changes expected")
        .await
        .unwrap();
    let description =
        fake.with_state(|s| s.repos[REPO].milestone(number).unwrap().description.clone());
    assert_eq!(description.as_deref(), Some("Database changes expected"));
}

#[tokio::test]
async fn comment_is_created_then_edited_in_place_and_never_duplicated() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let forge = client(&fake, TOKEN);
    let marker = "<!-- schemagate -->";
    let first = forge
        .upsert_comment(
            &project(),
            ItemKind::MergeRequest,
            number,
            None,
            marker,
            &format!("{marker}\none"),
        )
        .await
        .unwrap();
    // Found by its marker (the store lost the id), edited in place.
    let second = forge
        .upsert_comment(
            &project(),
            ItemKind::MergeRequest,
            number,
            None,
            marker,
            &format!("{marker}\ntwo"),
        )
        .await
        .unwrap();
    assert_eq!(first, second);
    fake.clear_requests();
    // Known id and same body: no write at all.
    forge
        .upsert_comment(
            &project(),
            ItemKind::MergeRequest,
            number,
            Some(first),
            marker,
            &format!("{marker}\ntwo"),
        )
        .await
        .unwrap();
    assert!(fake.writes().is_empty());
    let comments = fake.with_state(|s| s.repos[REPO].comments.clone());
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, format!("{marker}\ntwo"));
}

/// The bot's comment on the pull request, found by `marker` (no known id).
async fn upsert_on_pull(forge: &GitHubClient, number: ItemNumber, marker: &str, body: &str) {
    let kind = ItemKind::MergeRequest;
    (forge
        .upsert_comment(&project(), kind, number, None, marker, body)
        .await)
        .unwrap();
}

/// Every comment's body, oldest first.
fn comment_bodies(fake: &FakeGitHub) -> Vec<String> {
    fake.with_state(|s| {
        s.repos[REPO]
            .comments
            .iter()
            .map(|c| c.body.clone())
            .collect()
    })
}

/// A comment someone wrote on the pull request, as the fake stores it.
fn seed_comment(fake: &FakeGitHub, number: ItemNumber, author: &str, body: &str) {
    fake.with_state(|s| {
        let id = s.fresh_id();
        let comment = crate::fake_github::state::Comment::new(id, number.0, author, body);
        s.repos.get_mut(REPO).unwrap().comments.push(comment);
    });
}

#[tokio::test]
async fn a_person_quoting_the_bot_comment_is_never_edited() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let marker = "<!-- schemagate -->";
    let quote = format!("> {marker}\n> Database changes found.\nWhy?");
    seed_comment(&fake, number, "alice", &quote);
    let body = format!("{marker}\nDatabase changes found.");
    upsert_on_pull(&client(&fake, TOKEN), number, marker, &body).await;
    assert_eq!(
        comment_bodies(&fake),
        [quote, body],
        "the bot wrote its own comment"
    );
    assert_eq!(fake.bot_comments_on(REPO, number.0).len(), 1);
}

#[tokio::test]
async fn an_installation_token_finds_the_comment_the_app_wrote() {
    // `check --apply` in Actions (GITHUB_TOKEN, which may not ask `/user`)
    // beside a server running as the App: one comment between them.
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let marker = "<!-- schemagate -->";
    let actions_token = "ghs_actions_test_token";
    app_client(&fake, chrono::Duration::hours(1)); // installation tokens may write
    fake.with_state(|s| s.installation_tokens.push(actions_token.into()));
    seed_comment(
        &fake,
        number,
        "schemagate[bot]",
        &format!("{marker}\nfrom the server"),
    );
    let body = format!("{marker}\nfrom CI");
    upsert_on_pull(&client(&fake, actions_token), number, marker, &body).await;
    assert_eq!(
        comment_bodies(&fake),
        [body],
        "edited in place, not duplicated"
    );
}

#[tokio::test]
async fn comment_whose_known_id_was_deleted_is_recreated() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let id = client(&fake, TOKEN)
        .upsert_comment(
            &project(),
            ItemKind::Issue,
            number,
            Some(CommentId(999_999)),
            "<!-- m -->",
            "<!-- m --> hi",
        )
        .await
        .unwrap();
    assert_ne!(id, CommentId(999_999));
    assert_eq!(fake.with_state(|s| s.repos[REPO].comments.len()), 1);
}

#[tokio::test]
async fn token_sets_a_commit_status_named_schemagate() {
    let fake = fake().await;
    let status = CommitStatus {
        state: StatusState::Failure,
        description: "2026.12 is ahead of the next release 2026.11; merge after 2026.11 ships"
            .into(),
        target_url: None,
    };
    client(&fake, TOKEN)
        .set_status(&project(), &CommitSha(SHA.into()), &status)
        .await
        .unwrap();
    let statuses = fake.with_state(|s| s.repos[REPO].statuses.clone());
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].context, "schemagate");
    assert_eq!(statuses[0].state, "failure");
    assert_eq!(statuses[0].sha, SHA);
}

#[tokio::test]
async fn open_pull_requests_and_labelled_issues_follow_pages_and_skip_pulls() {
    let fake = fake().await;
    for _ in 0..105 {
        seed_pull(&fake, &["Database changes"], None);
    }
    for _ in 0..3 {
        fake.add_issue(
            REPO,
            PullSeed {
                title: "needs a table",
                body: "",
                head_sha: "",
                labels: &["Database changes"],
                milestone: None,
            },
        );
    }
    fake.add_issue(
        REPO,
        PullSeed {
            title: "other",
            body: "",
            head_sha: "",
            labels: &["bug"],
            milestone: None,
        },
    );
    let forge = client(&fake, TOKEN);
    assert_eq!(
        forge.open_merge_requests(&project()).await.unwrap().len(),
        105
    );
    let issues = forge
        .labelled_issues(&project(), "Database changes")
        .await
        .unwrap();
    assert_eq!(issues.len(), 3);
    assert!(
        issues
            .iter()
            .all(|i| i.labels == vec!["Database changes".to_string()])
    );
    let issue = forge.issue(&project(), issues[0].number).await.unwrap();
    assert_eq!(issue.title, "needs a table");
}

#[tokio::test]
async fn retry_after_of_a_429_is_waited_out_then_retried() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.inject(
        "GET",
        PULL_ROUTE,
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        1,
    );
    let mr = client(&fake, TOKEN)
        .merge_request(&project(), number)
        .await
        .unwrap();
    assert_eq!(mr.number, number);
    let tries: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.route == PULL_ROUTE)
        .collect();
    assert_eq!(tries.len(), 2);
    let waited = tries[1].at - tries[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_by_our_policy_only() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.inject("GET", PULL_ROUTE, Fault::ServerError, 5);
    let error = client(&fake, TOKEN)
        .merge_request(&project(), number)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ForgeError::Unexpected { status: 500, .. }),
        "{error:?}"
    );
    // Three tries from our policy; octocrab's own retries are off.
    assert_eq!(fake.count("GET", PULL_ROUTE), 3);
}

#[tokio::test]
async fn spent_quota_403_is_rate_limited_not_forbidden() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.inject(
        "GET",
        PULL_ROUTE,
        Fault::PrimaryRateLimit { reset_in_secs: 1 },
        3,
    );
    let error = client(&fake, TOKEN)
        .merge_request(&project(), number)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ForgeError::RateLimited {
                retry_after: Some(_)
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn slow_answers_are_waited_for() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    fake.inject(
        "GET",
        PULL_ROUTE,
        Fault::Slow(Duration::from_millis(300)),
        1,
    );
    let started = std::time::Instant::now();
    client(&fake, TOKEN)
        .merge_request(&project(), number)
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(fake.count("GET", PULL_ROUTE), 1);
}

#[tokio::test]
async fn missing_pull_request_is_not_found() {
    let fake = fake().await;
    let error = client(&fake, TOKEN)
        .merge_request(&project(), ItemNumber(404))
        .await
        .unwrap_err();
    assert!(matches!(error, ForgeError::NotFound(_)), "{error:?}");
    assert_eq!(fake.count("GET", PULL_ROUTE), 1);
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let fake = fake().await;
    let error = client(&fake, "ghp_nonsense")
        .milestones(&project())
        .await
        .unwrap_err();
    assert_eq!(error, ForgeError::Unauthorized);
}

#[tokio::test]
async fn read_only_token_reads_but_writes_are_forbidden() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let forge = client(&fake, READ_ONLY);
    forge.merge_request(&project(), number).await.unwrap();
    let status = CommitStatus {
        state: StatusState::Success,
        description: "no database changes".into(),
        target_url: None,
    };
    let error = forge
        .set_status(&project(), &CommitSha(SHA.into()), &status)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ForgeError::Forbidden(m) if m.contains("Resource not accessible")),
        "{error:?}"
    );
    assert_eq!(fake.with_state(|s| s.repos[REPO].statuses.len()), 0);
    // A refusal is final: not retried.
    assert_eq!(
        fake.count("POST", "/repos/{owner}/{repo}/statuses/{sha}"),
        1
    );
}

fn app_client(fake: &FakeGitHub, lifetime: chrono::Duration) -> GitHubClient {
    fake.configure_app(AppConfig {
        app_id: APP_ID,
        public_key_pem: std::fs::read("tests/data/github_app_test_only_public_key.pem").unwrap(),
        installation_id: INSTALLATION,
        installation_access: Access::ReadWrite,
        token_lifetime: lifetime,
    });
    let key = std::fs::read("tests/data/github_app_test_only_private_key.pem").unwrap();
    GitHubClient::as_app(fake.base_url(), APP_ID, &key)
        .unwrap()
        .with_retry_policy(quick_retries())
}

#[tokio::test]
async fn app_signs_a_jwt_mints_an_installation_token_and_sets_a_check_run() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let forge = app_client(&fake, chrono::Duration::hours(1));
    forge.merge_request(&project(), number).await.unwrap();
    let status = CommitStatus {
        state: StatusState::Success,
        description: "no database changes".into(),
        target_url: None,
    };
    forge
        .set_status(&project(), &CommitSha(SHA.into()), &status)
        .await
        .unwrap();
    let calls: Vec<(String, Option<Caller>)> = fake
        .requests()
        .into_iter()
        .map(|r| (r.route, r.caller))
        .collect();
    assert_eq!(
        calls[0],
        (
            "/repos/{owner}/{repo}/installation".to_string(),
            Some(Caller::AppJwt)
        )
    );
    assert_eq!(
        calls[1],
        (
            "/app/installations/{installation_id}/access_tokens".to_string(),
            Some(Caller::AppJwt)
        )
    );
    assert_eq!(
        calls[2],
        (
            PULL_ROUTE.to_string(),
            Some(Caller::Installation(Access::ReadWrite))
        )
    );
    // The pull request, the lookup of an earlier run, the new run.
    assert_eq!(calls.len(), 5, "the token is cached: {calls:?}");
    let runs = fake.with_state(|s| s.repos[REPO].check_runs.clone());
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].name, "schemagate");
    assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    assert!(fake.with_state(|s| s.repos[REPO].statuses.is_empty()));

    // A new verdict edits that run, with no lookup; so does a new client
    // (another replica, a restart), after one lookup.
    let failing = CommitStatus {
        state: StatusState::Failure,
        description: "2026.12 is ahead of the next release 2026.11".into(),
        target_url: None,
    };
    fake.clear_requests();
    forge
        .set_status(&project(), &CommitSha(SHA.into()), &failing)
        .await
        .unwrap();
    assert_eq!(
        fake.count("PATCH", "/repos/{owner}/{repo}/check-runs/{id}"),
        1
    );
    assert_eq!(fake.requests().len(), 1, "{:?}", fake.requests());
    let other = app_client(&fake, chrono::Duration::hours(1));
    other
        .set_status(&project(), &CommitSha(SHA.into()), &status)
        .await
        .unwrap();
    let runs = fake.with_state(|s| s.repos[REPO].check_runs.clone());
    assert_eq!(runs.len(), 1, "one run per commit: {runs:?}");
    assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    assert_eq!(fake.count("POST", "/repos/{owner}/{repo}/check-runs"), 0);
}

#[tokio::test]
async fn app_mints_a_new_token_when_the_old_one_is_about_to_expire() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    // Tokens that live 20 s are inside octocrab's 30 s renewal margin.
    let forge = app_client(&fake, chrono::Duration::seconds(20));
    forge.merge_request(&project(), number).await.unwrap();
    forge.merge_request(&project(), number).await.unwrap();
    assert_eq!(
        fake.count("POST", "/app/installations/{installation_id}/access_tokens"),
        2
    );
    assert_eq!(fake.with_state(|s| s.installation_tokens.len()), 2);
}

#[tokio::test]
async fn one_change_costs_one_write_each_and_the_same_change_again_costs_none() {
    let fake = fake().await;
    let milestone = fake.add_milestone(REPO, "2026.11", "open", None);
    let number = seed_pull(&fake, &["bug"], None);
    let forge = client(&fake, TOKEN);
    let marker = "<!-- schemagate -->";
    let desired = DesiredState {
        update: ItemUpdate {
            add_labels: vec!["Database changes".into()],
            remove_labels: vec![],
            milestone: Some(MilestoneUpdate::Set(MilestoneId(milestone))),
        },
        status: Some((
            CommitSha(SHA.into()),
            CommitStatus {
                state: StatusState::Success,
                description: "database changes batched in 2026.11".into(),
                target_url: None,
            },
        )),
        comment: Some(DesiredComment {
            marker: marker.into(),
            body: format!("{marker}\nDatabase changes found"),
        }),
    };
    let first = apply_changes(
        &forge,
        &project(),
        ItemKind::MergeRequest,
        number,
        &PreviousWrites::default(),
        &desired,
    )
    .await
    .unwrap();
    assert_eq!(first.write_count(), 3);
    assert_eq!(
        fake.writes(),
        vec![
            "PATCH /repos/{owner}/{repo}/issues/{number}".to_string(),
            "POST /repos/{owner}/{repo}/statuses/{sha}".to_string(),
            "POST /repos/{owner}/{repo}/issues/{number}/comments".to_string(),
        ]
    );
    let labels = fake.with_state(|s| s.repos[REPO].issues[&number.0].labels.clone());
    assert_eq!(
        labels,
        vec!["bug".to_string(), "Database changes".to_string()]
    );

    fake.clear_requests();
    let previous = PreviousWrites {
        status: first.status.clone(),
        comment: first.comment.clone(),
    };
    let again = apply_changes(
        &forge,
        &project(),
        ItemKind::MergeRequest,
        number,
        &previous,
        // The label and milestone are on now: the core decides no delta.
        &DesiredState {
            update: ItemUpdate::default(),
            ..desired.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(again.write_count(), 0);
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn request_counts_are_kept_per_method_and_route() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let forge = client(&fake, TOKEN);
    forge.merge_request(&project(), number).await.unwrap();
    forge.issue(&project(), number).await.unwrap();
    assert_eq!(fake.count("GET", PULL_ROUTE), 1);
    assert_eq!(fake.count("GET", ISSUE_ROUTE), 1);
    assert_eq!(fake.count("PATCH", ISSUE_ROUTE), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_paced_by_the_quota_github_reports_and_never_go_over() {
    let fake = fake().await;
    fake.set_budget(5, Duration::from_secs(1));
    let forge = std::sync::Arc::new(client(&fake, TOKEN));
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let forge = forge.clone();
            tokio::spawn(async move { forge.milestones(&project()).await })
        })
        .collect();
    for call in calls {
        call.await
            .unwrap()
            .expect("every call succeeds once the window resets");
    }
    assert_eq!(fake.over_budget(), 0, "no call went over the quota");
    // 16 calls at 5 per window: 4 windows.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
