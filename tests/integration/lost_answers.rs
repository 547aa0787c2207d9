//! Answers lost after the forge acted (issue 11): a 5xx or a broken
//! connection once the fake has saved the bot's comment or check run, as
//! behind a proxy that times out. The bot must not make a second one by
//! retrying the POST; and a broken connection must reach it as a transport
//! error (retryable), not as a bad answer.

use crate::fake_github::state::{Access, AppConfig, Fault};
use crate::fake_github::{FakeGitHub, PullSeed};
use crate::fake_gitlab::state::{Mishap, Noteable};
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use schemagate::forge::github::GitHubClient;
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::forge::{
    CommitSha, CommitStatus, Forge, ForgeError, ItemKind, ItemNumber, ProjectPath, StatusState,
};
use std::time::Duration;

const MARKER: &str = "<!-- schemagate -->";
const SHA: &str = "6104942438c14ec7bd21c6cd5bd995272b3faff6";
const GITHUB_TOKEN: &str = "ghp_lost_answers";
const NOTES: &str = "POST /api/v4/projects/{id}/merge_requests/{iid}/notes";
const COMMENTS: &str = "/repos/{owner}/{repo}/issues/{number}/comments";
const CHECK_RUNS: &str = "/repos/{owner}/{repo}/check-runs";

/// The lost answers: a proxy's 502, a connection broken mid-answer.
const LOST: [Mishap; 2] = [
    Mishap::ServerError {
        status: 502,
        after: true,
    },
    Mishap::Reset { after: true },
];

fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn body() -> String {
    format!("{MARKER}\nDatabase changes found.")
}

async fn gitlab(attempts: u32) -> (FakeGitLab, u64, GitLabClient) {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    fake.add_merge_request(project, 1, SHA, vec![Diff::added("a.py", &["x = 1"])]);
    let client = GitLabClient::new(GitLabSettings {
        url: fake.url.clone(),
        token: TOKEN.into(),
        retry: quick(attempts),
    })
    .unwrap();
    client.connect().await.unwrap();
    (fake, project, client)
}

fn lava() -> ProjectPath {
    ProjectPath("lava/lava".into())
}

#[tokio::test]
async fn gitlab_a_note_whose_answer_was_lost_is_posted_once() {
    for mishap in LOST {
        let (fake, project, client) = gitlab(3).await;
        fake.mishap_next(NOTES, mishap);
        let id = client
            .upsert_comment(
                &lava(),
                ItemKind::MergeRequest,
                ItemNumber(1),
                None,
                MARKER,
                &body(),
            )
            .await
            .unwrap_or_else(|e| panic!("{mishap:?}: {e}"));
        let notes = fake.bot_notes_on(project, Noteable::MergeRequest, 1);
        assert_eq!(notes.len(), 1, "{mishap:?}: {notes:#?}");
        assert_eq!(notes[0].id, id.0, "{mishap:?}: the saved note's id");
        assert_eq!(fake.count("POST", "/notes"), 1, "{mishap:?}: posted once");
    }
}

#[tokio::test]
async fn gitlab_a_note_refused_before_it_was_saved_is_posted_again() {
    let (fake, project, client) = gitlab(3).await;
    fake.mishap_next(NOTES, Mishap::Reset { after: false });
    client
        .upsert_comment(
            &lava(),
            ItemKind::MergeRequest,
            ItemNumber(1),
            None,
            MARKER,
            &body(),
        )
        .await
        .unwrap();
    assert_eq!(
        fake.bot_notes_on(project, Noteable::MergeRequest, 1).len(),
        1
    );
    assert_eq!(fake.count("POST", "/notes"), 2, "the second try made it");
}

#[tokio::test]
async fn gitlab_a_broken_connection_is_a_transport_error() {
    let (fake, _, client) = gitlab(1).await;
    let route = "GET /api/v4/projects/{id}/merge_requests/{iid}";
    for after in [false, true] {
        fake.mishap_next(route, Mishap::Reset { after });
        let error = client
            .merge_request(&lava(), ItemNumber(1))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ForgeError::Transport(_)) && error.is_retryable(),
            "after={after}: {error:?}"
        );
    }
    client.merge_request(&lava(), ItemNumber(1)).await.unwrap();
}

async fn github() -> (FakeGitHub, u64) {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava", "lava");
    fake.add_token(GITHUB_TOKEN, Access::ReadWrite);
    let number = fake.add_pull(
        "lava/lava",
        PullSeed {
            title: "Add a field",
            body: "",
            head_sha: SHA,
            labels: &[],
            milestone: None,
        },
    );
    (fake, number)
}

fn github_client(fake: &FakeGitHub, attempts: u32) -> GitHubClient {
    GitHubClient::with_token(fake.base_url(), GITHUB_TOKEN)
        .unwrap()
        .with_retry_policy(quick(attempts))
}

#[tokio::test]
async fn github_a_comment_whose_answer_was_lost_is_posted_once() {
    for mishap in LOST {
        let (fake, number) = github().await;
        let client = github_client(&fake, 3);
        fake.inject("POST", COMMENTS, Fault::Mishap(mishap), 1);
        let id = client
            .upsert_comment(
                &lava(),
                ItemKind::MergeRequest,
                ItemNumber(number),
                None,
                MARKER,
                &body(),
            )
            .await
            .unwrap_or_else(|e| panic!("{mishap:?}: {e}"));
        let comments = fake.bot_comments_on("lava/lava", number);
        assert_eq!(comments.len(), 1, "{mishap:?}: {comments:#?}");
        assert_eq!(comments[0].id, id.0, "{mishap:?}: the saved comment's id");
        assert_eq!(fake.count("POST", COMMENTS), 1, "{mishap:?}: posted once");
    }
}

#[tokio::test]
async fn github_a_check_run_whose_answer_was_lost_is_created_once() {
    for mishap in LOST {
        let (fake, number) = github().await;
        fake.configure_app(AppConfig {
            app_id: 31337,
            public_key_pem: std::fs::read("tests/data/github_app_test_only_public_key.pem")
                .unwrap(),
            installation_id: 424242,
            installation_access: Access::ReadWrite,
            token_lifetime: chrono::Duration::hours(1),
        });
        let key = std::fs::read("tests/data/github_app_test_only_private_key.pem").unwrap();
        let client = GitHubClient::as_app(fake.base_url(), 31337, &key)
            .unwrap()
            .with_retry_policy(quick(3));
        client
            .merge_request(&lava(), ItemNumber(number))
            .await
            .unwrap();
        fake.inject("POST", CHECK_RUNS, Fault::Mishap(mishap), 1);
        let status = CommitStatus {
            state: StatusState::Failure,
            description: "2026.12 is ahead of the next release 2026.11".into(),
            target_url: None,
        };
        client
            .set_status(&lava(), &CommitSha(SHA.into()), &status)
            .await
            .unwrap_or_else(|e| panic!("{mishap:?}: {e}"));
        let runs = fake.with_state(|s| s.repos["lava/lava"].check_runs.clone());
        assert_eq!(runs.len(), 1, "{mishap:?}: {runs:#?}");
        assert_eq!(fake.count("POST", CHECK_RUNS), 1, "{mishap:?}: posted once");
        // The next verdict edits the run found, not another.
        let passing = CommitStatus {
            state: StatusState::Success,
            description: "no database changes".into(),
            target_url: None,
        };
        client
            .set_status(&lava(), &CommitSha(SHA.into()), &passing)
            .await
            .unwrap();
        let runs = fake.with_state(|s| s.repos["lava/lava"].check_runs.clone());
        assert_eq!(runs.len(), 1, "{mishap:?}: {runs:#?}");
        assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    }
}

#[tokio::test]
async fn github_a_broken_connection_is_a_transport_error() {
    let (fake, number) = github().await;
    let client = github_client(&fake, 1);
    for after in [false, true] {
        fake.inject(
            "GET",
            "/repos/{owner}/{repo}/pulls/{number}",
            Fault::Mishap(Mishap::Reset { after }),
            1,
        );
        let error = client
            .merge_request(&lava(), ItemNumber(number))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ForgeError::Transport(_)) && error.is_retryable(),
            "after={after}: {error:?}"
        );
    }
    client
        .merge_request(&lava(), ItemNumber(number))
        .await
        .unwrap();
}
