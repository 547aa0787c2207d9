//! The engine against the fake forges and a temp-file SQLite store: jobs
//! are enqueued, claimed and handled until the queue is empty, then the
//! fake's state and its request counts are checked (docs/policy.md and docs/design.md's API economy).

use crate::fake_github::state::{Access as GhAccess, PrFile};
use crate::fake_github::{FakeGitHub, PullSeed};
use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use chrono::{Duration as Days, Utc};
use schemagate::config::Config;
use schemagate::core::block::BLOCK_START;
use schemagate::core::comment::COMMENT_MARKER;
use schemagate::core::types::MilestoneId;
use schemagate::engine::{Engine, FixedClock, Forges, JobOutcome, Work};
use schemagate::forge::github::GitHubClient;
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};
use schemagate::store::{ItemKey, NewJob, PendingWrites, Store};
use schemagate::tasks::{self, SyncMode, SyncObserver};
use schemagate::work::{MilestoneAction, MilestoneScope};
use std::sync::Arc;
use std::time::Duration;

mod approvers;
mod commands;
mod comments;
mod conflicts;

const LABEL: &str = "Database changes";
const MIGRATION: &str = "lava_scheduler_app/migrations/0042_add_device.py";
const SHA: &str = "1111111111111111111111111111111111111111";
const SHA2: &str = "2222222222222222222222222222222222222222";
const MIGRATION_TEXT: &str = "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"lava_scheduler_app\", \"0041_auto\")]\n    operations = [\n        migrations.AddField(model_name=\"device\", name=\"note\", field=models.TextField()),\n    ]\n";

fn day(offset: i64) -> String {
    (Utc::now() + Days::days(offset))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn config_text(forge: &str, url: &str, path: &str, db: &str, extra: &str) -> String {
    let forge_table = match forge {
        "gitlab" => format!(
            "[gitlab]\nurl = \"{url}\"\ntoken_env = \"SG_ENGINE_TEST_TOKEN\"\nwebhook_secret_env = \"SG_ENGINE_TEST_SECRET\"\n"
        ),
        _ => format!(
            "[github]\napi_url = \"{url}\"\ntoken_env = \"SG_ENGINE_TEST_TOKEN\"\nwebhook_secret_env = \"SG_ENGINE_TEST_SECRET\"\n"
        ),
    };
    // A test that names its own packs keeps them.
    let packs = if extra.contains("rule_packs") {
        ""
    } else {
        "rule_packs = [\"django\"]\n"
    };
    format!(
        "[server]\ndatabase = \"{db}\"\n\n{forge_table}\n[[project]]\nforge = \"{forge}\"\npath = \"{path}\"\n{packs}releases = {{ scheme = \"calver\" }}\ngate = {{ require_announcement = false }}\n{extra}\n"
    )
}

/// The engine, its store and a temp directory that lives as long as they do.
struct Bot {
    engine: Engine,
    store: Store,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

async fn bot(forge: &str, url: &str, path: &str, extra: &str, forges: Forges) -> Bot {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("schemagate.db").display());
    let config: Config = schemagate::config::parse(
        "engine-test.toml",
        &config_text(forge, url, path, &db, extra),
    )
    .unwrap_or_else(|e| panic!("test config is valid: {e}"));
    // The clock stands still unless a test moves it; the harness claims and
    // completes jobs through the engine's own store, so both read it.
    let clock = Arc::new(FixedClock::at(Utc::now()));
    let store = Store::connect(&config.server.database).await.unwrap();
    let engine = Engine::new(Arc::new(config), store, forges).with_clock(clock.clone());
    let store = engine.store().clone();
    Bot {
        engine,
        store,
        clock,
        _dir: dir,
    }
}

impl Bot {
    async fn enqueue(&self, work: &Work) {
        self.store
            .enqueue(&NewJob {
                serial_key: &work.serial_key(),
                payload: &work.to_json(),
            })
            .await
            .unwrap();
    }

    /// Claims and handles jobs until none is left; the outcomes in order.
    async fn drain(&self) -> Vec<JobOutcome> {
        let mut outcomes = Vec::new();
        for _ in 0..500 {
            let Some(job) = self
                .store
                .claim("engine-test", Duration::from_secs(60))
                .await
                .unwrap()
            else {
                return outcomes;
            };
            let outcome = self
                .engine
                .handle(&job, None)
                .await
                .unwrap_or_else(|e| panic!("job {} failed: {e}", job.payload));
            self.store.complete(job.id, "engine-test").await.unwrap();
            outcomes.push(outcome);
        }
        panic!("the queue never emptied");
    }

    async fn run(&self, work: Work) -> Vec<JobOutcome> {
        self.enqueue(&work).await;
        self.drain().await
    }
}

/// The engine on `lava/lava` of the fake GitHub `fake`, with a token.
async fn github_bot(fake: &FakeGitHub) -> Bot {
    github_bot_with(fake, "").await
}

/// [`github_bot`] with `extra` project settings.
async fn github_bot_with(fake: &FakeGitHub, extra: &str) -> Bot {
    let client = GitHubClient::with_token(fake.base_url(), "ghp-engine")
        .unwrap()
        .with_retry_policy(quick_retry());
    let forges = Forges {
        gitlab: None,
        github: Some(Arc::new(client)),
    };
    bot("github", fake.base_url(), "lava/lava", extra, forges).await
}

/// The engine on `lava/lava` of the fake GitLab `fake`, with `token`
/// and `extra` project settings.
async fn gitlab_bot(fake: &FakeGitLab, token: &str, extra: &str) -> Bot {
    let client = GitLabClient::new(GitLabSettings {
        url: fake.url.clone(),
        token: token.into(),
        retry: quick_retry(),
    })
    .unwrap();
    let forges = Forges {
        gitlab: Some(Arc::new(client)),
        github: None,
    };
    bot("gitlab", &fake.url.clone(), "lava/lava", extra, forges).await
}

// ---------------------------------------------------------------- GitLab

/// Fake GitLab with `lava/lava`, releases 2026.11 (due in 5 days, the next)
/// and 2026.12 (due in 40), and the engine pointed at it.
struct Lab {
    fake: FakeGitLab,
    project: u64,
    next: u64,
    later: u64,
    bot: Bot,
}

fn lava() -> ProjectPath {
    ProjectPath("lava/lava".into())
}

async fn lab_with(extra: &str) -> Lab {
    lab_with_token(extra, TOKEN).await
}

async fn lab_with_token(extra: &str, token: &str) -> Lab {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    let next = fake.add_milestone(Some(project), None, "2026.11", "active", Some(&day(5)));
    let later = fake.add_milestone(Some(project), None, "2026.12", "active", Some(&day(40)));
    let bot = gitlab_bot(&fake, token, extra).await;
    Lab {
        fake,
        project,
        next,
        later,
        bot,
    }
}

async fn lab() -> Lab {
    lab_with("").await
}

impl Lab {
    fn add_db_mr(&self, iid: u64, sha: &str) {
        self.fake.add_merge_request(
            self.project,
            iid,
            sha,
            vec![Diff::added(
                MIGRATION,
                &MIGRATION_TEXT.lines().collect::<Vec<_>>(),
            )],
        );
        self.fake
            .add_file(self.project, sha, MIGRATION, MIGRATION_TEXT);
    }

    fn add_plain_mr(&self, iid: u64, milestone: Option<u64>) {
        self.fake.add_merge_request(
            self.project,
            iid,
            SHA,
            vec![Diff::added("lava_server/views.py", &["def view(): pass"])],
        );
        self.fake
            .state()
            .merge_request_mut(self.project, iid)
            .unwrap()
            .milestone_id = milestone;
    }

    fn mr_event(&self, iid: u64) -> Work {
        Work::Evaluate {
            forge: ForgeKind::GitLab,
            project: lava(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(iid),
        }
    }

    fn mr(&self, iid: u64) -> crate::fake_gitlab::state::MergeRequest {
        self.fake
            .state()
            .merge_requests
            .iter()
            .find(|m| m.project_id == self.project && m.iid == iid)
            .cloned()
            .unwrap()
    }

    fn issue(&self, iid: u64) -> crate::fake_gitlab::state::Issue {
        self.fake
            .state()
            .issues
            .iter()
            .find(|i| i.project_id == self.project && i.iid == iid)
            .cloned()
            .unwrap()
    }

    fn description(&self, milestone: u64) -> String {
        self.fake
            .state()
            .milestone(milestone)
            .unwrap()
            .description
            .clone()
    }

    /// The latest `schemagate` status on `sha`: (state, description).
    fn status(&self, sha: &str) -> Option<(String, String)> {
        self.fake
            .state()
            .statuses
            .iter()
            .rev()
            .find(|s| s.sha == sha && s.name == "schemagate")
            .map(|s| (s.state.clone(), s.description.clone().unwrap_or_default()))
    }

    fn bot_notes(&self, iid: u64) -> usize {
        self.fake
            .state()
            .notes
            .iter()
            .filter(|n| n.iid == iid && n.body.contains(COMMENT_MARKER))
            .count()
    }

    async fn record(&self, kind: ItemKind, number: u64) -> schemagate::store::ItemRecord {
        self.bot
            .store
            .item(&ItemKey {
                forge: ForgeKind::GitLab,
                project: "lava/lava".into(),
                kind,
                number: schemagate::forge::ItemNumber(number),
            })
            .await
            .unwrap()
            .expect("a record")
    }
}

#[tokio::test]
async fn a_database_mr_is_labelled_batched_commented_gated_and_listed_in_the_block() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    let outcomes = lab.bot.run(lab.mr_event(12)).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );

    let mr = lab.mr(12);
    assert_eq!(mr.labels, vec![LABEL.to_string()]);
    assert_eq!(
        mr.milestone_id,
        Some(lab.later),
        "lead time puts it in 2026.12"
    );
    assert_eq!(lab.bot_notes(12), 1);
    let (state, description) = lab.status(SHA).expect("a status");
    assert_eq!(state, "failed");
    assert!(
        description.contains("ahead of the next release"),
        "{description}"
    );
    let block = lab.description(lab.later);
    assert!(block.contains(BLOCK_START), "{block}");
    assert!(block.contains("Merge request 12"), "{block}");
    assert!(!lab.description(lab.next).contains(BLOCK_START));

    let record = lab.record(ItemKind::MergeRequest, 12).await;
    assert!(record.ownership.bot_added_label);
    assert_eq!(
        record.ownership.bot_set_milestone,
        Some(MilestoneId(lab.later))
    );
    assert_eq!(record.pending, None);
    assert!(record.evaluated.is_some());
}

#[tokio::test]
async fn the_same_event_again_makes_no_write_and_reads_no_files() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.bot.run(lab.mr_event(12)).await;
    lab.fake.reset_requests();

    lab.bot.run(lab.mr_event(12)).await;
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
    assert_eq!(lab.fake.count("GET", "diffs"), 0);
    assert_eq!(lab.fake.count("GET", "repository/files"), 0);
    assert_eq!(
        lab.fake.count("GET", "milestones"),
        0,
        "milestones come from the cache"
    );
    assert_eq!(lab.bot_notes(12), 1);
}

#[tokio::test]
async fn a_force_push_removing_the_migration_removes_the_bots_label_and_block_entry() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.bot.run(lab.mr_event(12)).await;
    {
        let mut state = lab.fake.state();
        let mr = state.merge_request_mut(lab.project, 12).unwrap();
        mr.sha = SHA2.into();
        mr.diffs = vec![Diff::added("lava_server/views.py", &["def view(): pass"])];
    }
    lab.bot.run(lab.mr_event(12)).await;

    let mr = lab.mr(12);
    assert!(mr.labels.is_empty(), "{:?}", mr.labels);
    assert!(!lab.description(lab.later).contains(BLOCK_START));
    let record = lab.record(ItemKind::MergeRequest, 12).await;
    assert_eq!(record.db_change, None);
    assert!(!record.ownership.bot_added_label);
    // The milestone the bot set stays (it never clears one); 2026.12 is
    // still ahead of the next release, so the gate keeps failing for that.
    let (state, description) = lab.status(SHA2).expect("a status on the new head");
    assert_eq!(state, "failed");
    assert!(description.contains("ahead"), "{description}");
    assert_eq!(
        lab.bot_notes(12),
        1,
        "the comment is edited, not duplicated"
    );
}

#[tokio::test]
async fn a_label_differing_from_the_configured_one_only_in_case_is_the_same_label() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    // A person labelled it before the bot saw it, in lower case.
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .labels = vec!["database changes".into()];
    lab.bot.run(lab.mr_event(12)).await;
    assert_eq!(lab.mr(12).labels, vec!["database changes".to_string()]);
    // The label is created only when the bot is about to add it.
    assert!(
        !lab.fake.writes().iter().any(|w| w.ends_with("/labels")),
        "the label was taken for missing: {:?}",
        lab.fake.writes()
    );
    assert!(
        !lab.record(ItemKind::MergeRequest, 12)
            .await
            .ownership
            .bot_added_label
    );

    // The bot's own label, renamed to lower case on the forge, is still the
    // bot's: when the migration goes it is removed under the forge's spelling.
    let lab = self::lab().await;
    lab.add_db_mr(13, SHA);
    lab.bot.run(lab.mr_event(13)).await;
    assert_eq!(lab.mr(13).labels, vec![LABEL.to_string()]);
    {
        let mut state = lab.fake.state();
        let mr = state.merge_request_mut(lab.project, 13).unwrap();
        mr.labels = vec!["DATABASE CHANGES".into()];
        mr.sha = SHA2.into();
        mr.diffs = vec![Diff::added("lava_server/views.py", &["def view(): pass"])];
    }
    lab.bot.run(lab.mr_event(13)).await;
    assert!(lab.mr(13).labels.is_empty(), "{:?}", lab.mr(13).labels);
    assert!(
        !lab.record(ItemKind::MergeRequest, 13)
            .await
            .ownership
            .bot_added_label
    );
}

#[tokio::test]
async fn a_token_refused_after_the_label_landed_leaves_the_label_the_bots() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    // The label and milestone write lands; the status write is refused.
    lab.fake.fail_next("statuses", 403, None);
    lab.bot.run(lab.mr_event(12)).await;
    assert_eq!(lab.mr(12).labels, vec!["Database changes".to_string()]);
    assert!(lab.status(SHA).is_none(), "the status was refused");

    // A later push removes the migration: the label is the bot's, so it goes.
    {
        let mut state = lab.fake.state();
        let mr = state.merge_request_mut(lab.project, 12).unwrap();
        mr.sha = SHA2.into();
        mr.diffs = vec![Diff::added("lava_server/views.py", &["def view(): pass"])];
    }
    lab.bot.run(lab.mr_event(12)).await;
    assert!(lab.mr(12).labels.is_empty(), "{:?}", lab.mr(12).labels);
    let record = lab.record(ItemKind::MergeRequest, 12).await;
    assert_eq!(record.pending, None);
}

#[tokio::test]
async fn a_label_a_person_removed_is_not_added_again() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.bot.run(lab.mr_event(12)).await;
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .labels
        .clear();
    lab.bot.run(lab.mr_event(12)).await;

    assert!(lab.mr(12).labels.is_empty());
    let record = lab.record(ItemKind::MergeRequest, 12).await;
    assert!(record.ownership.label_removed_by_person);
    assert!(!record.ownership.bot_added_label);
}

#[tokio::test]
async fn an_issue_the_database_mr_closes_gets_the_label_and_the_batch_milestone() {
    let lab = lab().await;
    lab.fake.add_issue(lab.project, 3, &[]);
    lab.add_db_mr(12, SHA);
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .description = "Adds a note to devices.\n\nCloses #3".into();
    lab.bot.run(lab.mr_event(12)).await;

    let issue = lab.issue(3);
    assert_eq!(issue.labels, vec![LABEL.to_string()]);
    assert_eq!(issue.milestone_id, Some(lab.later));
    let block = lab.description(lab.later);
    assert!(block.contains("Issue 3"), "{block}");

    // The MR is closed without merging: it leaves the batch, and the label
    // the bot carried to the issue goes with it.
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .state = "closed".into();
    lab.bot
        .run(Work::Evaluate {
            forge: ForgeKind::GitLab,
            project: lava(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(12),
        })
        .await;
    assert!(lab.issue(3).labels.is_empty());
    assert!(!lab.description(lab.later).contains("Merge request 12"));
}

#[tokio::test]
async fn closing_the_next_release_re_evaluates_and_lifts_ahead_of_the_next_release() {
    let lab = lab().await;
    lab.add_plain_mr(7, Some(lab.later));
    lab.bot.run(lab.mr_event(7)).await;
    let (state, description) = lab.status(SHA).unwrap();
    assert_eq!(state, "failed");
    assert!(description.contains("ahead of the next release 2026.11"));

    lab.fake
        .state()
        .milestones
        .iter_mut()
        .find(|m| m.id == lab.next)
        .unwrap()
        .state = "closed".into();
    lab.bot
        .run(Work::MilestoneChanged {
            forge: ForgeKind::GitLab,
            scope: MilestoneScope::Project(lava()),
            title: "2026.11".into(),
            action: MilestoneAction::Closed,
        })
        .await;
    let (state, description) = lab.status(SHA).unwrap();
    assert_eq!(state, "success", "{description}");
    assert_eq!(description, "no database changes");
}

#[tokio::test]
async fn a_milestone_edit_that_changes_nothing_the_gate_reads_re_evaluates_nothing() {
    let lab = lab().await;
    lab.add_plain_mr(7, Some(lab.later));
    lab.bot.run(lab.mr_event(7)).await;
    lab.fake.reset_requests();
    lab.bot
        .run(Work::MilestoneChanged {
            forge: ForgeKind::GitLab,
            scope: MilestoneScope::Project(lava()),
            title: "2026.11".into(),
            action: MilestoneAction::Edited,
        })
        .await;
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
    assert_eq!(
        lab.fake.count("GET", "/merge_requests/{iid}"),
        0,
        "no MR was fetched for evaluation"
    );
}

#[tokio::test]
async fn a_description_only_edit_costs_one_milestone_read_and_no_listing() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.bot.run(lab.mr_event(12)).await;
    // The bot's own block write comes back as an edit (GitHub sends one).
    lab.fake.reset_requests();
    lab.bot
        .run(Work::MilestoneChanged {
            forge: ForgeKind::GitLab,
            scope: MilestoneScope::Project(lava()),
            title: "2026.12".into(),
            action: MilestoneAction::Edited,
        })
        .await;
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
    assert_eq!(lab.fake.count("GET", "/milestones"), 1);
    assert_eq!(lab.fake.count("GET", "/merge_requests"), 0);
    assert_eq!(lab.fake.count("GET", "/issues"), 0);
}

#[tokio::test]
async fn a_half_applied_run_converges_without_extra_writes_or_misattributed_ownership() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    // A run was killed after its write-ahead note and after the label landed,
    // before the milestone: the record still has the ownership from before.
    lab.bot
        .store
        .save_item(
            &ItemKey {
                forge: ForgeKind::GitLab,
                project: "lava/lava".into(),
                kind: ItemKind::MergeRequest,
                number: schemagate::forge::ItemNumber(12),
            },
            &schemagate::store::ItemRecord {
                pending: Some(PendingWrites {
                    add_labels: vec![LABEL.into()],
                    remove_labels: Vec::new(),
                    milestone: Some(MilestoneId(lab.later)),
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .labels = vec![LABEL.into()];
    lab.fake.reset_requests();

    lab.bot.run(lab.mr_event(12)).await;
    let mr = lab.mr(12);
    assert_eq!(mr.labels, vec![LABEL.to_string()]);
    assert_eq!(mr.milestone_id, Some(lab.later));
    let edits = lab.fake.count("PUT", "/merge_requests/{iid}");
    assert_eq!(edits, 1, "one write for the missing milestone only");
    let record = lab.record(ItemKind::MergeRequest, 12).await;
    assert!(record.ownership.bot_added_label, "the label is the bot's");
    assert!(!record.ownership.label_removed_by_person);
    assert_eq!(
        record.ownership.bot_set_milestone,
        Some(MilestoneId(lab.later))
    );
    assert_eq!(record.pending, None);

    // Later, a force-push removes the migration: the bot may take its label back.
    {
        let mut state = lab.fake.state();
        let mr = state.merge_request_mut(lab.project, 12).unwrap();
        mr.sha = SHA2.into();
        mr.diffs = Vec::new();
    }
    lab.bot.run(lab.mr_event(12)).await;
    assert!(lab.mr(12).labels.is_empty());
}

#[tokio::test]
async fn a_deleted_mr_and_an_unconfigured_project_end_the_job_cleanly() {
    let lab = lab().await;
    let outcomes = lab.bot.run(lab.mr_event(99)).await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { reason }] if reason.contains("no longer exists")),
        "{outcomes:?}"
    );
    let outcomes = lab
        .bot
        .run(Work::Evaluate {
            forge: ForgeKind::GitLab,
            project: ProjectPath("other/project".into()),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(1),
        })
        .await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { reason }] if reason.contains("not configured")),
        "{outcomes:?}"
    );
    let bad = lab
        .bot
        .store
        .enqueue(&NewJob {
            serial_key: "x",
            payload: "{not json",
        })
        .await;
    assert!(bad.is_ok());
    let outcomes = lab.bot.drain().await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { .. }]),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn a_read_only_token_drops_the_job_with_a_clear_reason_and_writes_nothing() {
    let lab = lab_with_token("", READ_ONLY_TOKEN).await;
    lab.add_db_mr(12, SHA);
    let outcomes = lab.bot.run(lab.mr_event(12)).await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { reason }] if reason.contains("the token for gitlab cannot write to lava/lava")),
        "{outcomes:?}"
    );
    // The refusal names the write and the right it lacks.
    let [JobOutcome::Dropped { reason }] = &outcomes[..] else {
        unreachable!()
    };
    assert!(
        reason.contains("(creating the label on the project)")
            && reason.contains("it needs the `api` scope and at least the Reporter role"),
        "{reason}"
    );
    assert!(lab.mr(12).labels.is_empty());
    assert_eq!(lab.bot_notes(12), 0);
}

#[tokio::test]
async fn a_group_milestone_event_re_evaluates_the_projects_under_the_group() {
    let lab = lab().await;
    lab.add_plain_mr(7, Some(lab.later));
    lab.bot.run(lab.mr_event(7)).await;
    lab.fake
        .state()
        .milestones
        .iter_mut()
        .find(|m| m.id == lab.next)
        .unwrap()
        .state = "closed".into();
    let group_event = |group: &str| Work::MilestoneChanged {
        forge: ForgeKind::GitLab,
        scope: MilestoneScope::Group(group.into()),
        title: "2026.11".into(),
        action: MilestoneAction::Closed,
    };
    let outcomes = lab.bot.run(group_event("elsewhere")).await;
    assert!(
        matches!(&outcomes[..], [JobOutcome::Dropped { reason }] if reason.contains("elsewhere")),
        "{outcomes:?}"
    );
    assert_eq!(lab.status(SHA).unwrap().0, "failed");
    let outcomes = lab.bot.run(group_event("Lava")).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );
    assert_eq!(lab.status(SHA).unwrap().0, "success");
}

#[derive(Default)]
struct Counter(std::sync::Mutex<(usize, Vec<String>)>);

impl SyncObserver for Counter {
    fn started(&self, items: usize) {
        self.0.lock().unwrap().0 = items;
    }
    fn item_done(&self, item: &str) {
        self.0.lock().unwrap().1.push(item.to_string());
    }
}

#[tokio::test]
async fn sync_dry_run_plans_the_writes_then_apply_does_them_and_a_second_sync_does_nothing() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.add_plain_mr(7, Some(lab.next));
    let project = lab.bot.engine.config().projects[0].clone();

    let observer = Counter::default();
    let plan = tasks::sync(&lab.bot.engine, &project, SyncMode::DryRun, &observer)
        .await
        .unwrap();
    assert_eq!(
        lab.fake.writes(),
        Vec::<String>::new(),
        "a dry run writes nothing"
    );
    assert_eq!(observer.0.lock().unwrap().0, 2);
    let lines = plan.planned.join("\n");
    assert!(
        lines.contains("would add label \"Database changes\" to !12"),
        "{lines}"
    );
    assert!(
        lines.contains("would set milestone 2026.12 on !12"),
        "{lines}"
    );
    assert!(lines.contains("would set status failure on !12 (1111111): 2026.12 is ahead of the next release 2026.11"), "{lines}");
    assert!(lines.contains("would post a comment on !12"), "{lines}");
    assert!(
        lines.contains("would set status success on !7 (1111111): no database changes"),
        "{lines}"
    );
    assert!(!lines.contains("comment on !7"), "{lines}");
    assert!(
        lines.contains("would update the description of milestone 2026.12"),
        "{lines}"
    );
    assert!(!lines.contains("milestone 2026.11"), "{lines}");
    assert_eq!(plan.evaluated, 2);

    let applied = tasks::sync(
        &lab.bot.engine,
        &project,
        SyncMode::Apply,
        &Counter::default(),
    )
    .await
    .unwrap();
    assert_eq!(applied.evaluated, 2);
    assert_eq!(lab.mr(12).milestone_id, Some(lab.later));
    assert!(lab.description(lab.later).contains("Merge request 12"));
    assert_eq!(lab.bot_notes(12), 1);

    lab.fake.reset_requests();
    let again = tasks::sync(
        &lab.bot.engine,
        &project,
        SyncMode::DryRun,
        &Counter::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.evaluated, 0, "{again:?}");
    assert_eq!(again.unchanged, 2);
    assert!(again.planned.is_empty(), "{:?}", again.planned);
    let again = tasks::sync(
        &lab.bot.engine,
        &project,
        SyncMode::Apply,
        &Counter::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.writes, 0);
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
}

#[tokio::test]
async fn a_sync_right_after_the_events_finds_nothing_to_do() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.add_db_mr(13, SHA2);
    lab.add_plain_mr(7, Some(lab.next));
    for iid in [7, 12, 13] {
        lab.bot.run(lab.mr_event(iid)).await;
    }
    let block = lab.description(lab.later);
    assert!(
        block.contains("Merge request 12") && block.contains("Merge request 13"),
        "{block}"
    );
    let project = lab.bot.engine.config().projects[0].clone();
    let report = tasks::sync(
        &lab.bot.engine,
        &project,
        SyncMode::DryRun,
        &Counter::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.evaluated, 0, "{report:?}");
    assert!(report.planned.is_empty(), "{:?}", report.planned);
}

#[tokio::test]
async fn a_new_day_on_the_engines_clock_re_evaluates_each_item_once() {
    let lab = lab().await;
    lab.add_db_mr(12, SHA);
    lab.bot.run(lab.mr_event(12)).await;
    let project = lab.bot.engine.config().projects[0].clone();
    let sync = || async {
        tasks::sync(
            &lab.bot.engine,
            &project,
            SyncMode::Apply,
            &Counter::default(),
        )
        .await
        .unwrap()
    };
    assert_eq!(sync().await.evaluated, 0, "the same day: nothing changed");
    // Dates that pass (a due date, a start date) can change a verdict, so
    // the day is part of every fingerprint; the clock is moved, not waited for.
    lab.bot.clock.advance(Days::days(1));
    assert_eq!(sync().await.evaluated, 1, "the next day: evaluated again");
    assert_eq!(sync().await.evaluated, 0, "and then only once");
}

// ---------------------------------------------------------------- GitHub

#[tokio::test]
async fn on_github_a_database_pr_gets_label_milestone_comment_status_and_block() {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava", "lava");
    fake.add_token("ghp-engine", GhAccess::ReadWrite);
    let due = |offset| format!("{}T08:00:00Z", day(offset));
    let next = fake.add_milestone("lava/lava", "2026.11", "open", Some(&due(5)));
    let later = fake.add_milestone("lava/lava", "2026.12", "open", Some(&due(40)));
    let number = fake.add_pull(
        "lava/lava",
        PullSeed {
            title: "Add device notes",
            body: "",
            head_sha: SHA,
            labels: &[],
            milestone: None,
        },
    );
    let patch: String = MIGRATION_TEXT.lines().map(|l| format!("+{l}\n")).collect();
    fake.set_files(
        "lava/lava",
        number,
        vec![PrFile {
            filename: MIGRATION.into(),
            status: "added".into(),
            previous_filename: None,
            patch: Some(patch),
        }],
    );
    fake.set_content("lava/lava", SHA, MIGRATION, MIGRATION_TEXT);
    let bot = github_bot(&fake).await;
    let event = Work::Evaluate {
        forge: ForgeKind::GitHub,
        project: lava(),
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
    };
    let outcomes = bot.run(event.clone()).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );

    fake.with_state(|s| {
        let repo = &s.repos["lava/lava"];
        let pr = &repo.issues[&number];
        assert!(pr.labels.iter().any(|l| l == LABEL), "{:?}", pr.labels);
        assert_eq!(pr.milestone, Some(later));
        assert_eq!(
            repo.comments
                .iter()
                .filter(|c| c.body.contains(COMMENT_MARKER))
                .count(),
            1
        );
        let status = repo.statuses.iter().rev().find(|s| s.sha == SHA).unwrap();
        assert_eq!(status.state, "failure");
        let block = repo
            .milestone(later)
            .unwrap()
            .description
            .clone()
            .unwrap_or_default();
        assert!(block.contains(BLOCK_START), "{block}");
        assert!(
            !repo
                .milestone(next)
                .unwrap()
                .description
                .clone()
                .unwrap_or_default()
                .contains(BLOCK_START)
        );
    });

    fake.clear_requests();
    bot.run(event).await;
    assert_eq!(fake.writes(), Vec::<String>::new());
}
