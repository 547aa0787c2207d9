//! The GitLab client against the fake GitLab: every `Forge` method, paging,
//! renames, collapsed diffs, group milestones, retries, error mapping, and
//! the write economy of `apply_changes`; the people calls (access, group
//! membership, reactions, comments) in `people`; branch heads and tree
//! listings in `trees`.

mod people;
mod trees;

use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use schemagate::core::types::{ChangeKind, ChangedFile, MilestoneId, MilestoneState};
use schemagate::forge::apply::{DesiredComment, DesiredState, PreviousWrites, apply_changes};
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::forge::{
    CommentId, CommitSha, CommitStatus, Forge, ForgeError, ItemKind, ItemNumber, ItemState,
    ItemUpdate, MilestoneUpdate, ProjectPath, StatusState,
};
use std::time::{Duration, Instant};

const SHA: &str = "6104942438c14ec7bd21c6cd5bd995272b3faff6";
const MARKER: &str = "<!-- schemagate -->";

fn client_with(fake: &FakeGitLab, token: &str) -> GitLabClient {
    GitLabClient::new(GitLabSettings {
        url: fake.url.clone(),
        token: token.into(),
        retry: RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(5),
        },
    })
    .unwrap()
}

fn client(fake: &FakeGitLab) -> GitLabClient {
    client_with(fake, TOKEN)
}

fn lava() -> ProjectPath {
    ProjectPath("lava/lava".into())
}

/// A fake with group `lava`, project `lava/lava` and MR !1.
async fn seeded() -> (FakeGitLab, u64) {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    fake.add_merge_request(
        project,
        1,
        SHA,
        vec![Diff::added(
            "lava_scheduler_app/migrations/0042_add_device.py",
            &["class Migration:"],
        )],
    );
    (fake, project)
}

fn numbered_diffs(count: usize) -> Vec<Diff> {
    (0..count)
        .map(|i| Diff::added(&format!("src/file_{i:04}.py"), &["x = 1"]))
        .collect()
}

#[tokio::test]
async fn a_merge_request_is_read_with_labels_milestone_and_head() {
    let (fake, project) = seeded().await;
    let milestone = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    {
        let mut s = fake.state();
        let mr = s.merge_request_mut(project, 1).unwrap();
        mr.labels = vec!["Database changes".into()];
        mr.milestone_id = Some(milestone);
        mr.draft = true;
        mr.description = "Closes #12".into();
    }
    let mr = client(&fake)
        .merge_request(&lava(), ItemNumber(1))
        .await
        .unwrap();
    assert_eq!(mr.number, ItemNumber(1));
    assert_eq!(mr.head_sha, CommitSha(SHA.into()));
    assert_eq!(mr.labels, vec!["Database changes".to_string()]);
    assert_eq!(mr.milestone, Some(MilestoneId(milestone)));
    assert_eq!(mr.state, ItemState::Open);
    assert!(mr.draft);
    assert_eq!(mr.description, "Closes #12");
    assert_eq!(mr.author, "alice");
    assert_eq!(mr.target_branch, "main");
    assert!(mr.web_url.ends_with("/lava/lava/-/merge_requests/1"));
    let last = fake.state().requests.last().unwrap().uri.clone();
    assert!(
        last.contains("/projects/lava%2Flava/merge_requests/1"),
        "{last}"
    );
}

#[tokio::test]
async fn projects_are_addressed_by_numeric_id_as_well_as_path() {
    let (fake, project) = seeded().await;
    let mr = client(&fake)
        .merge_request(&ProjectPath(project.to_string()), ItemNumber(1))
        .await
        .unwrap();
    assert_eq!(mr.number, ItemNumber(1));
}

#[tokio::test]
async fn no_call_waits_for_a_connection_check_and_a_bad_token_fails_the_first() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    gitlab.merge_request(&lava(), ItemNumber(1)).await.unwrap();
    // The crate's own `GET /user` before the first call would be a round
    // trip on every `check`'s critical path.
    assert_eq!(fake.count("GET", "/user"), 0);
    assert_eq!(fake.state().requests.len(), 1);
    let error = client_with(&fake, "glpat-wrong")
        .merge_request(&lava(), ItemNumber(1))
        .await
        .unwrap_err();
    assert!(matches!(error, ForgeError::Unauthorized), "{error:?}");
}

#[tokio::test]
async fn changed_files_follow_three_pages() {
    let (fake, project) = seeded().await;
    fake.add_merge_request(project, 2, SHA, numbered_diffs(250));
    let files = client(&fake)
        .changed_files(&lava(), ItemNumber(2))
        .await
        .unwrap();
    assert_eq!(files.files.len(), 250);
    assert!(!files.truncated);
    assert_eq!(files.files[249].file.path, "src/file_0249.py");
    assert_eq!(fake.count("GET", "/diffs"), 3);
}

#[tokio::test]
async fn a_2500_file_merge_request_is_read_completely() {
    let (fake, project) = seeded().await;
    fake.add_merge_request(project, 3, SHA, numbered_diffs(2500));
    let files = client(&fake)
        .changed_files(&lava(), ItemNumber(3))
        .await
        .unwrap();
    assert_eq!(files.files.len(), 2500);
    assert_eq!(fake.count("GET", "/diffs"), 25);
}

#[tokio::test]
async fn added_renamed_and_deleted_files_keep_their_kind_and_added_lines() {
    let (fake, project) = seeded().await;
    let mut deleted = Diff::added("old/0001_initial.py", &[]);
    deleted.new_file = false;
    deleted.deleted_file = true;
    fake.add_merge_request(
        project,
        4,
        SHA,
        vec![
            Diff::renamed("migrations/0001_a.py", "migrations/0002_a.py"),
            deleted,
            Diff::added(
                "db/migrate/20260101_add.rb",
                &["class Add < ActiveRecord::Migration[7.1]", "end"],
            ),
        ],
    );
    let files = client(&fake)
        .changed_files(&lava(), ItemNumber(4))
        .await
        .unwrap()
        .files;
    assert_eq!(
        files[0].file,
        ChangedFile::renamed("migrations/0001_a.py", "migrations/0002_a.py")
    );
    assert_eq!(
        files[1].file,
        ChangedFile::new("old/0001_initial.py", ChangeKind::Deleted)
    );
    assert_eq!(files[2].file.change, ChangeKind::Added);
    assert_eq!(
        files[2].added_lines.as_deref(),
        Some("class Add < ActiveRecord::Migration[7.1]\nend")
    );
}

#[tokio::test]
async fn a_collapsed_diff_has_no_lines_and_its_file_is_fetched_at_the_head() {
    let (fake, project) = seeded().await;
    fake.add_merge_request(
        project,
        5,
        SHA,
        vec![Diff::collapsed("db/changelog/changes.xml")],
    );
    fake.add_file(
        project,
        SHA,
        "db/changelog/changes.xml",
        "<changeSet id=\"7\" author=\"a\"/>",
    );
    let gitlab = client(&fake);
    let files = gitlab
        .changed_files(&lava(), ItemNumber(5))
        .await
        .unwrap()
        .files;
    assert_eq!(files[0].added_lines, None);
    let text = gitlab
        .file_text(&lava(), &CommitSha(SHA.into()), &files[0].file.path)
        .await
        .unwrap();
    assert_eq!(text.as_deref(), Some("<changeSet id=\"7\" author=\"a\"/>"));
    assert_eq!(fake.count("GET", "/repository/files/{path}/raw"), 1);
}

#[tokio::test]
async fn a_file_missing_at_the_commit_is_none_not_an_error() {
    let (fake, _) = seeded().await;
    let text = client(&fake)
        .file_text(&lava(), &CommitSha(SHA.into()), "no/such/file.py")
        .await
        .unwrap();
    assert_eq!(text, None);
}

#[tokio::test]
async fn milestones_include_open_closed_and_ancestor_group_milestones() {
    let fake = FakeGitLab::start().await;
    let top = fake.add_group("lava");
    let sub = fake.add_group("lava/server");
    let other = fake.add_group("elsewhere");
    let project = fake.add_project("lava/server/lava");
    fake.add_milestone(Some(project), None, "2026.11", "active", Some("2026-11-30"));
    fake.add_milestone(None, Some(sub), "2026.12", "active", None);
    fake.add_milestone(None, Some(top), "2026.10", "closed", None);
    fake.add_milestone(None, Some(other), "9999.01", "active", None);
    let milestones = client(&fake)
        .milestones(&ProjectPath("lava/server/lava".into()))
        .await
        .unwrap();
    let mut titles: Vec<_> = milestones.iter().map(|m| m.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, vec!["2026.10", "2026.11", "2026.12"]);
    let closed = milestones.iter().find(|m| m.title == "2026.10").unwrap();
    assert_eq!(closed.state, MilestoneState::Closed);
    let due = milestones
        .iter()
        .find(|m| m.title == "2026.11")
        .unwrap()
        .due_date;
    assert_eq!(due.map(|d| d.to_string()).as_deref(), Some("2026-11-30"));
}

#[tokio::test]
async fn a_group_milestone_description_is_edited_through_its_group() {
    let (fake, project) = seeded().await;
    let group = fake.state().groups[0].id;
    let own = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    let shared = fake.add_milestone(None, Some(group), "2026.12", "active", None);
    let gitlab = client(&fake);
    gitlab
        .set_milestone_description(&lava(), MilestoneId(shared), "Database changes expected.")
        .await
        .unwrap();
    gitlab
        .set_milestone_description(&lava(), MilestoneId(own), "Own text.")
        .await
        .unwrap();
    assert_eq!(
        fake.count("PUT", "/groups/{group}/milestones/{milestone}"),
        1
    );
    assert_eq!(
        fake.count("PUT", "/projects/{id}/milestones/{milestone}"),
        1
    );
    let s = fake.state();
    assert_eq!(
        s.milestone(shared).unwrap().description,
        "Database changes expected."
    );
    assert_eq!(s.milestone(own).unwrap().description, "Own text.");
}

#[tokio::test]
async fn labels_and_milestone_change_in_one_request() {
    let (fake, project) = seeded().await;
    let milestone = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    fake.state().merge_request_mut(project, 1).unwrap().labels =
        vec!["stale".into(), "keep".into()];
    let update = ItemUpdate {
        add_labels: vec!["Database changes".into()],
        remove_labels: vec!["stale".into()],
        milestone: Some(MilestoneUpdate::Set(MilestoneId(milestone))),
    };
    client(&fake)
        .update_item(&lava(), ItemKind::MergeRequest, ItemNumber(1), &update)
        .await
        .unwrap();
    assert_eq!(
        fake.writes(),
        vec!["PUT /api/v4/projects/{id}/merge_requests/{iid}"]
    );
    let mut s = fake.state();
    let mr = s.merge_request_mut(project, 1).unwrap();
    assert_eq!(
        mr.labels,
        vec!["keep".to_string(), "Database changes".to_string()]
    );
    assert_eq!(mr.milestone_id, Some(milestone));
}

#[tokio::test]
async fn an_issue_milestone_can_be_cleared_and_an_empty_update_sends_nothing() {
    let (fake, project) = seeded().await;
    let milestone = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    fake.add_issue(project, 12, &[]);
    fake.state().issue_mut(project, 12).unwrap().milestone_id = Some(milestone);
    let gitlab = client(&fake);
    gitlab
        .update_item(
            &lava(),
            ItemKind::Issue,
            ItemNumber(12),
            &ItemUpdate::default(),
        )
        .await
        .unwrap();
    assert!(fake.writes().is_empty());
    let clear = ItemUpdate {
        milestone: Some(MilestoneUpdate::Clear),
        ..ItemUpdate::default()
    };
    gitlab
        .update_item(&lava(), ItemKind::Issue, ItemNumber(12), &clear)
        .await
        .unwrap();
    assert_eq!(
        fake.state().issue_mut(project, 12).unwrap().milestone_id,
        None
    );
}

#[tokio::test]
async fn a_missing_label_is_created_once() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    gitlab
        .ensure_label(&lava(), "Database changes", "#cc338b")
        .await
        .unwrap();
    gitlab
        .ensure_label(&lava(), "Database changes", "#cc338b")
        .await
        .unwrap();
    assert_eq!(fake.count("POST", "/labels"), 1);
    let s = fake.state();
    assert_eq!(s.labels.len(), 1);
    assert_eq!(s.labels[0].color, "#cc338b");
}

#[tokio::test]
async fn the_bot_comment_is_created_then_edited_in_place_never_duplicated() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    let (p, mr) = (lava(), ItemNumber(1));
    let first = format!("{MARKER}\nDatabase changes found.");
    let id = gitlab
        .upsert_comment(&p, ItemKind::MergeRequest, mr, None, MARKER, &first)
        .await
        .unwrap();
    let second = format!("{MARKER}\nBatched in 2026.11.");
    let again = gitlab
        .upsert_comment(&p, ItemKind::MergeRequest, mr, Some(id), MARKER, &second)
        .await
        .unwrap();
    assert_eq!(again, id);
    // Id forgotten (e.g. a fresh store): found by its marker, not duplicated.
    let third = format!("{MARKER}\nGate passes.");
    let found = gitlab
        .upsert_comment(&p, ItemKind::MergeRequest, mr, None, MARKER, &third)
        .await
        .unwrap();
    assert_eq!(found, id);
    let s = fake.state();
    assert_eq!(s.notes.len(), 1);
    assert_eq!(s.notes[0].body, third);
    assert_eq!(fake_writes(&s), 3);
}

fn fake_writes(s: &crate::fake_gitlab::state::State) -> usize {
    s.requests.iter().filter(|r| r.method != "GET").count()
}

#[tokio::test]
async fn an_unchanged_comment_found_by_marker_is_not_rewritten() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    let body = format!("{MARKER}\nSame text.");
    gitlab
        .upsert_comment(
            &lava(),
            ItemKind::MergeRequest,
            ItemNumber(1),
            None,
            MARKER,
            &body,
        )
        .await
        .unwrap();
    fake.reset_requests();
    gitlab
        .upsert_comment(
            &lava(),
            ItemKind::MergeRequest,
            ItemNumber(1),
            None,
            MARKER,
            &body,
        )
        .await
        .unwrap();
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn a_deleted_bot_comment_is_replaced_by_a_new_one() {
    let (fake, project) = seeded().await;
    fake.add_issue(project, 12, &[]);
    let gitlab = client(&fake);
    let id = gitlab
        .upsert_comment(
            &lava(),
            ItemKind::Issue,
            ItemNumber(12),
            None,
            MARKER,
            &format!("{MARKER} a"),
        )
        .await
        .unwrap();
    fake.state().notes.clear();
    let new = gitlab
        .upsert_comment(
            &lava(),
            ItemKind::Issue,
            ItemNumber(12),
            Some(id),
            MARKER,
            &format!("{MARKER} b"),
        )
        .await
        .unwrap();
    assert_ne!(new, id);
    assert_eq!(fake.state().notes.len(), 1);
}

#[tokio::test]
async fn the_gate_status_is_named_schemagate_on_the_head_commit() {
    let (fake, _) = seeded().await;
    let status = CommitStatus {
        state: StatusState::Failure,
        description: "2026.12 is ahead of the next release 2026.11".into(),
        target_url: Some("https://example.org/docs".into()),
    };
    client(&fake)
        .set_status(&lava(), &CommitSha(SHA.into()), &status)
        .await
        .unwrap();
    let s = fake.state();
    assert_eq!(s.statuses.len(), 1);
    assert_eq!(s.statuses[0].name, "schemagate");
    assert_eq!(s.statuses[0].state, "failed");
    assert_eq!(s.statuses[0].sha, SHA);
    assert_eq!(
        s.statuses[0].description.as_deref(),
        Some(status.description.as_str())
    );
}

#[tokio::test]
async fn setting_pending_twice_is_not_an_error() {
    let (fake, _) = seeded().await;
    let pending = CommitStatus {
        state: StatusState::Pending,
        description: "checking".into(),
        target_url: None,
    };
    let gitlab = client(&fake);
    gitlab
        .set_status(&lava(), &CommitSha(SHA.into()), &pending)
        .await
        .unwrap();
    gitlab
        .set_status(&lava(), &CommitSha(SHA.into()), &pending)
        .await
        .unwrap();
    assert_eq!(fake.count("POST", "/statuses"), 2);
}

#[tokio::test]
async fn open_merge_requests_span_pages_and_leave_out_closed_ones() {
    let (fake, project) = seeded().await;
    for iid in 2..=130 {
        fake.add_merge_request(project, iid, SHA, vec![]);
    }
    fake.state().merge_request_mut(project, 7).unwrap().state = "merged".into();
    let open = client(&fake).open_merge_requests(&lava()).await.unwrap();
    assert_eq!(open.len(), 129);
    assert!(open.iter().all(|mr| mr.number != ItemNumber(7)));
    assert_eq!(fake.count("GET", "/projects/{id}/merge_requests"), 2);
}

#[tokio::test]
async fn issues_are_read_singly_and_by_label() {
    let (fake, project) = seeded().await;
    fake.add_issue(project, 12, &["Database changes"]);
    fake.add_issue(project, 13, &["bug"]);
    fake.add_issue(project, 14, &["Database changes", "bug"]);
    let gitlab = client(&fake);
    let issue = gitlab.issue(&lava(), ItemNumber(13)).await.unwrap();
    assert_eq!(issue.labels, vec!["bug".to_string()]);
    let labelled = gitlab
        .labelled_issues(&lava(), "Database changes")
        .await
        .unwrap();
    let numbers: Vec<_> = labelled.iter().map(|i| i.number.0).collect();
    assert_eq!(numbers, vec![12, 14]);
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_it_asks_for() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    gitlab.connect().await.unwrap();
    fake.reset_requests();
    fake.fail_next(
        "GET /api/v4/projects/{id}/merge_requests/{iid}",
        429,
        Some(1),
    );
    let started = Instant::now();
    let mr = gitlab.merge_request(&lava(), ItemNumber(1)).await.unwrap();
    assert_eq!(mr.number, ItemNumber(1));
    let s = fake.state();
    assert_eq!(s.requests.len(), 2, "one refused try and one retry");
    let gap = s.requests[1].at - s.requests[0].at;
    assert!(
        gap >= Duration::from_secs(1),
        "retried after {gap:?}, before Retry-After"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn a_server_error_is_retried_and_then_succeeds() {
    let (fake, _) = seeded().await;
    fake.fail_next(
        "GET /api/v4/projects/{id}/merge_requests/{iid}/diffs",
        500,
        None,
    );
    let files = client(&fake)
        .changed_files(&lava(), ItemNumber(1))
        .await
        .unwrap();
    assert_eq!(files.files.len(), 1);
    assert_eq!(fake.count("GET", "/diffs"), 2);
}

#[tokio::test]
async fn persistent_server_errors_end_as_unexpected_after_the_bounded_tries() {
    let (fake, _) = seeded().await;
    for _ in 0..3 {
        fake.fail_next("GET /api/v4/projects/{id}/merge_requests/{iid}", 503, None);
    }
    let gitlab = client(&fake);
    gitlab.connect().await.unwrap();
    let error = gitlab
        .merge_request(&lava(), ItemNumber(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ForgeError::Unexpected { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(fake.count("GET", "/merge_requests/{iid}"), 3);
}

#[tokio::test]
async fn a_deleted_merge_request_is_not_found() {
    let (fake, _) = seeded().await;
    let error = client(&fake)
        .merge_request(&lava(), ItemNumber(99))
        .await
        .unwrap_err();
    assert!(matches!(error, ForgeError::NotFound(_)), "{error:?}");
    assert_eq!(
        fake.count("GET", "/merge_requests/{iid}"),
        1,
        "404 is not retried"
    );
}

#[tokio::test]
async fn a_read_only_token_reads_but_its_writes_are_forbidden() {
    let (fake, _) = seeded().await;
    let gitlab = client_with(&fake, READ_ONLY_TOKEN);
    gitlab.merge_request(&lava(), ItemNumber(1)).await.unwrap();
    let update = ItemUpdate {
        add_labels: vec!["Database changes".into()],
        ..ItemUpdate::default()
    };
    let error = gitlab
        .update_item(&lava(), ItemKind::MergeRequest, ItemNumber(1), &update)
        .await
        .unwrap_err();
    assert!(matches!(error, ForgeError::Forbidden(_)), "{error:?}");
    assert_eq!(
        fake.count("PUT", "/merge_requests"),
        1,
        "403 is not retried"
    );
    assert!(
        fake.state()
            .merge_request_mut(1, 1)
            .is_none_or(|mr| mr.labels.is_empty())
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let (fake, _) = seeded().await;
    let error = client_with(&fake, "glpat-wrong")
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error, ForgeError::Unauthorized);
}

#[tokio::test]
async fn a_slow_gitlab_is_waited_for() {
    let (fake, _) = seeded().await;
    let gitlab = client(&fake);
    gitlab.connect().await.unwrap();
    fake.set_delay(Some(Duration::from_millis(300)));
    let started = Instant::now();
    gitlab.merge_request(&lava(), ItemNumber(1)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
}

fn desired(milestone: u64, state: StatusState, comment: &str) -> DesiredState {
    DesiredState {
        update: ItemUpdate {
            add_labels: vec!["Database changes".into()],
            remove_labels: vec![],
            milestone: Some(MilestoneUpdate::Set(MilestoneId(milestone))),
        },
        status: Some((
            CommitSha(SHA.into()),
            CommitStatus {
                state,
                description: "database changes batched in 2026.11".into(),
                target_url: None,
            },
        )),
        comment: Some(DesiredComment {
            marker: MARKER.into(),
            body: format!("{MARKER}\n{comment}"),
        }),
    }
}

/// The same writes once the label and milestone are on the item: the core
/// then decides an empty label/milestone delta.
fn settled(desired: &DesiredState) -> DesiredState {
    DesiredState {
        update: ItemUpdate::default(),
        ..desired.clone()
    }
}

#[tokio::test]
async fn applying_a_change_costs_one_write_each_and_reapplying_costs_none() {
    let (fake, project) = seeded().await;
    let milestone = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    let gitlab = client(&fake);
    gitlab.connect().await.unwrap();
    let (p, n) = (lava(), ItemNumber(1));
    let want = desired(milestone, StatusState::Success, "Batched in 2026.11.");
    fake.reset_requests();
    let applied = apply_changes(
        &gitlab,
        &p,
        ItemKind::MergeRequest,
        n,
        &PreviousWrites::default(),
        &want,
    )
    .await
    .unwrap();
    assert_eq!(applied.write_count(), 3);
    let mut writes = fake.writes();
    writes.sort();
    assert_eq!(
        writes,
        vec![
            "POST /api/v4/projects/{id}/merge_requests/{iid}/notes",
            "POST /api/v4/projects/{id}/statuses/{sha}",
            "PUT /api/v4/projects/{id}/merge_requests/{iid}",
        ]
    );
    let previous = PreviousWrites {
        status: applied.status.clone(),
        comment: applied.comment.clone(),
    };
    fake.reset_requests();
    let again = apply_changes(
        &gitlab,
        &p,
        ItemKind::MergeRequest,
        n,
        &previous,
        &settled(&want),
    )
    .await
    .unwrap();
    assert_eq!(again.write_count(), 0);
    assert!(
        fake.state().requests.is_empty(),
        "no request at all for an unchanged decision"
    );
    assert_eq!(again.comment.map(|c| c.id), applied.comment.map(|c| c.id));
}

#[tokio::test]
async fn a_changed_verdict_rewrites_only_status_and_comment() {
    let (fake, project) = seeded().await;
    let milestone = fake.add_milestone(Some(project), None, "2026.11", "active", None);
    let gitlab = client(&fake);
    let (p, n) = (lava(), ItemNumber(1));
    let first = desired(milestone, StatusState::Success, "Batched.");
    let applied = apply_changes(
        &gitlab,
        &p,
        ItemKind::MergeRequest,
        n,
        &PreviousWrites::default(),
        &first,
    )
    .await
    .unwrap();
    fake.reset_requests();
    let second = desired(milestone, StatusState::Failure, "Not announced yet.");
    let previous = PreviousWrites {
        status: applied.status,
        comment: applied.comment,
    };
    let again = apply_changes(
        &gitlab,
        &p,
        ItemKind::MergeRequest,
        n,
        &previous,
        &settled(&second),
    )
    .await
    .unwrap();
    assert_eq!(again.write_count(), 2);
    let mut writes = fake.writes();
    writes.sort();
    assert_eq!(
        writes,
        vec![
            "POST /api/v4/projects/{id}/statuses/{sha}",
            "PUT /api/v4/projects/{id}/merge_requests/{iid}/notes/{note}",
        ]
    );
    assert_eq!(fake.state().notes.len(), 1);
    let _ = CommentId(0);
}

#[tokio::test]
async fn a_429_in_the_middle_of_paging_retries_only_that_page() {
    let (fake, project) = seeded().await;
    fake.add_merge_request(project, 2, SHA, numbered_diffs(250));
    let gitlab = client(&fake);
    gitlab.connect().await.unwrap();
    fake.reset_requests();
    fake.state().faults.push_back(crate::fake_gitlab::Fault {
        route: "GET /api/v4/projects/{id}/merge_requests/{iid}/diffs".into(),
        uri: Some("page=2".into()),
        status: 429,
        retry_after: Some(1),
    });
    let files = gitlab.changed_files(&lava(), ItemNumber(2)).await.unwrap();
    assert_eq!(files.files.len(), 250);
    let s = fake.state();
    let pages: Vec<_> = s.requests.iter().map(|r| r.uri.clone()).collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    let page = |i: usize| {
        pages[i]
            .split("page=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (page(0), page(1), page(2), page(3)),
        ("1".into(), "2".into(), "2".into(), "3".into())
    );
    assert!(s.requests[2].at - s.requests[1].at >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_person_quoting_the_bot_comment_is_never_edited() {
    let (fake, project) = seeded().await;
    {
        let mut s = fake.state();
        let id = s.next_id();
        s.notes.push(crate::fake_gitlab::state::Note {
            id,
            project_id: project,
            noteable: crate::fake_gitlab::state::Noteable::MergeRequest,
            iid: 1,
            body: format!("> {MARKER}\n> Database changes found.\nWhy?"),
            author: "alice".into(),
            system: false,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        });
    }
    let body = format!("{MARKER}\nDatabase changes found.");
    client(&fake)
        .upsert_comment(
            &lava(),
            ItemKind::MergeRequest,
            ItemNumber(1),
            None,
            MARKER,
            &body,
        )
        .await
        .unwrap();
    let s = fake.state();
    assert_eq!(s.notes.len(), 2, "the bot created its own comment");
    assert!(
        s.notes[0].body.starts_with("> "),
        "the person's comment is untouched"
    );
    assert_eq!(s.notes[1].body, body);
}

#[tokio::test]
async fn a_group_milestone_created_after_the_listing_is_still_edited_through_its_group() {
    let (fake, _) = seeded().await;
    let group = fake.state().groups[0].id;
    let gitlab = client(&fake);
    gitlab.milestones(&lava()).await.unwrap();
    let late = fake.add_milestone(None, Some(group), "2027.01", "active", None);
    gitlab
        .set_milestone_description(&lava(), MilestoneId(late), "Later.")
        .await
        .unwrap();
    assert_eq!(fake.state().milestone(late).unwrap().description, "Later.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_paced_by_the_budget_gitlab_reports_and_never_go_over() {
    let (fake, _) = seeded().await;
    fake.set_budget(5, Duration::from_secs(1));
    let forge = std::sync::Arc::new(client(&fake));
    let started = Instant::now();
    // Sixteen workers at once: the first learns the budget, the rest share it.
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let forge = forge.clone();
            tokio::spawn(async move { forge.milestones(&lava()).await })
        })
        .collect();
    for call in calls {
        call.await
            .unwrap()
            .expect("every call succeeds once the window resets");
    }
    assert_eq!(fake.over_budget(), 0, "no call went over the budget");
    // 16 calls at 5 per window: 4 windows.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn retry_after_is_read_as_seconds_and_as_an_http_date() {
    use schemagate::forge::error::parse_retry_after_at;
    let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:30Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(
        parse_retry_after_at("120", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        parse_retry_after_at("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(Duration::ZERO),
        "a date already past means now"
    );
    assert_eq!(parse_retry_after_at("soon", now), None);
}
