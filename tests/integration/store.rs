//! The store against real databases: every test body runs once on a fresh
//! SQLite file and once on a fresh PostgreSQL database (see support/db.rs).
//! Covers delivery dedup (also under concurrency), the queue's claim/lease/
//! retry/release rules, several replicas draining one queue, items and the
//! project views, milestone epochs, the announcement ledger and the schema
//! (store_steering.rs covers exceptions and the command record).

use crate::support::db::TestDb;
use chrono::Utc;
use schemagate::clock::FixedClock;
use schemagate::config::{DatabaseKind, DatabaseUrl};
use schemagate::core::detect::RuleSet;
use schemagate::core::exceptions::{CommandRecord, Outcome};
use schemagate::core::policy::{DbItemRef, ItemKind as PolicyItemKind};
use schemagate::core::types::{ChangeKind, ChangedFile, MilestoneId};
use schemagate::forge::{ForgeKind, ItemKind};
use schemagate::store::{
    AnnouncementKey, AnnouncementKind, AnnouncementState, Begun, Enqueued, ItemKey, ItemRecord,
    JobId, NewDelivery, NewJob, QueueDepth, SendOutcome, Store, StoreError,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(60);

crate::both_backends!(
    same_delivery_twice_makes_one_job,
    same_delivery_from_two_replicas_at_once_makes_one_job,
    claimed_job_is_completed_once,
    job_with_expired_lease_is_claimed_by_another_worker,
    jobs_with_one_serial_key_never_run_at_once,
    eight_workers_on_two_replicas_drain_500_jobs_exactly_once,
    failed_job_waits_for_its_backoff_then_dies_after_max_attempts,
    released_job_runs_again_without_using_an_attempt,
    extended_lease_keeps_the_job,
    follow_up_work_coalesces_with_queued_work_only,
    prune_forgets_old_done_jobs_and_deliveries,
    a_batch_of_deliveries_is_stored_in_one_go_with_duplicates_undone,
    prune_deletes_a_backlog_larger_than_one_chunk,
    item_record_round_trips_and_ignores_path_case,
    project_state_lists_db_changes_and_sent_warnings,
    merge_requests_closing_counts_only_database_changes,
    milestone_epochs_count_every_bump,
    announcement_is_begun_and_sent_once,
    only_permanent_refusals_count_toward_giving_a_mail_up,
    a_refusal_is_reported_until_a_mail_goes_out_after_it,
    a_job_whose_worker_dies_every_time_goes_dead_and_can_be_retried,
    reconnecting_keeps_data_and_applies_the_schema_once,
    processes_connecting_to_a_fresh_database_at_once_all_succeed,
    leases_retry_times_and_stamps_follow_the_clock_the_store_is_given,
    a_database_an_earlier_release_left_at_version_2_upgrades_with_its_rows,
);

fn job<'a>(serial_key: &'a str, payload: &'a str) -> NewJob<'a> {
    NewJob {
        serial_key,
        payload,
    }
}

fn delivery<'a>(forge: ForgeKind, id: &'a str, payload: &'a str) -> NewDelivery<'a> {
    NewDelivery {
        forge,
        delivery_id: id,
        event_name: "Merge Request Hook",
        job: job("mr:lava/lava!1", payload),
    }
}

async fn same_delivery_twice_makes_one_job(db: TestDb) {
    let store = db.store().await;
    let first = store
        .enqueue_delivery(&delivery(ForgeKind::GitLab, "d-1", "{}"))
        .await
        .unwrap();
    assert!(matches!(first, Enqueued::New(_)), "{first:?}");
    let again = store
        .enqueue_delivery(&delivery(ForgeKind::GitLab, "d-1", "{\"other\":1}"))
        .await
        .unwrap();
    assert_eq!(again, Enqueued::Duplicate);
    // Delivery ids are per forge.
    let github = store
        .enqueue_delivery(&delivery(ForgeKind::GitHub, "d-1", "{}"))
        .await
        .unwrap();
    assert!(matches!(github, Enqueued::New(_)), "{github:?}");
    assert_eq!(store.jobs().await.unwrap().len(), 2);
}

async fn same_delivery_from_two_replicas_at_once_makes_one_job(db: TestDb) {
    let replicas = [db.store().await, db.store().await];
    let mut tasks = Vec::new();
    for (copy, store) in replicas.iter().cycle().take(4).enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut new = Vec::new();
            for n in 0..25 {
                let id = format!("delivery-{n}");
                let payload = format!("{{\"copy\":{copy}}}");
                let outcome = store
                    .enqueue_delivery(&delivery(ForgeKind::GitHub, &id, &payload))
                    .await
                    .unwrap();
                if let Enqueued::New(job) = outcome {
                    new.push((id, job));
                }
            }
            new
        }));
    }
    let mut stored = Vec::new();
    for task in tasks {
        stored.extend(task.await.unwrap());
    }
    let ids: HashSet<&String> = stored.iter().map(|(id, _)| id).collect();
    assert_eq!(stored.len(), 25, "each delivery stored once: {stored:?}");
    assert_eq!(ids.len(), 25);
    assert_eq!(replicas[0].jobs().await.unwrap().len(), 25);
}

async fn claimed_job_is_completed_once(db: TestDb) {
    let store = db.store().await;
    let id = store.enqueue(&job("k", "{\"n\":1}")).await.unwrap();
    assert_eq!(
        store.queue_depth().await.unwrap(),
        QueueDepth {
            queued: 1,
            running: 0,
            dead: 0
        }
    );
    let claimed = store.claim("w1", LONG).await.unwrap().expect("a job");
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.payload, "{\"n\":1}");
    assert_eq!(claimed.serial_key, "k");
    assert_eq!(claimed.attempts, 0);
    assert!(claimed.enqueued_at_ms > 0);
    assert_eq!(store.queue_depth().await.unwrap().running, 1);
    assert!(store.claim("w2", LONG).await.unwrap().is_none());
    assert!(
        !store.complete(id, "w2").await.unwrap(),
        "w2 holds no lease"
    );
    assert!(store.complete(id, "w1").await.unwrap());
    assert!(!store.complete(id, "w1").await.unwrap(), "already done");
    let jobs = store.jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].state.as_str(), jobs[0].claims, jobs[0].completions),
        ("done", 1, 1)
    );
    assert_eq!(store.queue_depth().await.unwrap(), QueueDepth::default());
    assert!(store.claim("w1", LONG).await.unwrap().is_none());
}

async fn job_with_expired_lease_is_claimed_by_another_worker(db: TestDb) {
    let store = db.store().await;
    let other_replica = db.store().await;
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    let crashed = store
        .claim("crashed", Duration::from_millis(500))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(crashed.id, id);
    assert!(other_replica.claim("w2", LONG).await.unwrap().is_none());
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        store.queue_depth().await.unwrap().queued,
        1,
        "expired = waiting"
    );
    let again = other_replica
        .claim("w2", LONG)
        .await
        .unwrap()
        .expect("reclaimed");
    assert_eq!(again.id, id);
    assert_eq!(again.attempts, 1);
    assert!(!store.complete(id, "crashed").await.unwrap(), "lease lost");
    assert!(other_replica.complete(id, "w2").await.unwrap());
    let summary = &store.jobs().await.unwrap()[0];
    assert_eq!((summary.claims, summary.completions), (2, 1));
}

async fn jobs_with_one_serial_key_never_run_at_once(db: TestDb) {
    let store = db.store().await;
    let k1 = store.enqueue(&job("mr:1", "{\"a\":1}")).await.unwrap();
    let k2 = store.enqueue(&job("mr:1", "{\"a\":2}")).await.unwrap();
    let other = store.enqueue(&job("mr:2", "{}")).await.unwrap();
    let first = store.claim("w1", LONG).await.unwrap().unwrap();
    assert_eq!(first.id, k1);
    let second = store.claim("w2", LONG).await.unwrap().unwrap();
    assert_eq!(second.id, other, "mr:1 is held, so the other key goes next");
    assert!(store.claim("w3", LONG).await.unwrap().is_none());
    assert!(store.complete(k1, "w1").await.unwrap());
    let third = store.claim("w3", LONG).await.unwrap().unwrap();
    assert_eq!(third.id, k2);
}

/// Records which serial keys are being worked right now, across every worker.
#[derive(Default)]
struct InFlight {
    keys: Mutex<HashSet<String>>,
    overlaps: Mutex<Vec<String>>,
}

impl InFlight {
    fn start(&self, key: &str) {
        if !self.keys.lock().unwrap().insert(key.to_string()) {
            self.overlaps.lock().unwrap().push(key.to_string());
        }
    }

    fn end(&self, key: &str) {
        self.keys.lock().unwrap().remove(key);
    }
}

async fn eight_workers_on_two_replicas_drain_500_jobs_exactly_once(db: TestDb) {
    const JOBS: usize = 500;
    let replicas = [db.store().await, db.store().await];
    for n in 0..JOBS {
        let key = format!("mr:{}", n % 5);
        let payload = format!("{{\"n\":{n}}}");
        replicas[n % 2].enqueue(&job(&key, &payload)).await.unwrap();
    }
    let in_flight = Arc::new(InFlight::default());
    let completed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..8 {
        let store = replicas[worker % 2].clone();
        let in_flight = in_flight.clone();
        let completed = completed.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            while completed.load(Ordering::SeqCst) < JOBS {
                assert!(
                    started.elapsed() < Duration::from_secs(120),
                    "drain stalled"
                );
                let Some(job) = store.claim(&name, LONG).await.unwrap() else {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                };
                in_flight.start(&job.serial_key);
                tokio::time::sleep(Duration::from_millis(5)).await;
                in_flight.end(&job.serial_key);
                assert!(store.complete(job.id, &name).await.unwrap());
                completed.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    eprintln!(
        "{:?}: 500 jobs drained by 8 workers in {:?}",
        db.url.kind,
        started.elapsed()
    );
    assert!(in_flight.overlaps.lock().unwrap().is_empty());
    let jobs = replicas[0].jobs().await.unwrap();
    assert_eq!(jobs.len(), JOBS);
    for job in &jobs {
        assert_eq!(
            (job.state.as_str(), job.claims, job.completions),
            ("done", 1, 1),
            "{job:?}"
        );
    }
}

async fn failed_job_waits_for_its_backoff_then_dies_after_max_attempts(db: TestDb) {
    let store = db.store().await;
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    let backoff = Duration::from_millis(300);
    for attempt in 0..2 {
        let claimed = store.claim("w", LONG).await.unwrap().expect("runnable");
        assert_eq!((claimed.id, claimed.attempts), (id, attempt));
        let error = format!("forge down {attempt}");
        store
            .retry_later(id, "w", &error, backoff, 3)
            .await
            .unwrap();
        assert!(
            store.claim("w", LONG).await.unwrap().is_none(),
            "backing off"
        );
        assert_eq!(store.queue_depth().await.unwrap().queued, 1);
        tokio::time::sleep(backoff + Duration::from_millis(50)).await;
    }
    let last = store.claim("w", LONG).await.unwrap().unwrap();
    assert_eq!(last.attempts, 2);
    store
        .retry_later(id, "w", "still down", Duration::ZERO, 3)
        .await
        .unwrap();
    assert!(store.claim("w", LONG).await.unwrap().is_none(), "dead");
    assert_eq!(
        store.queue_depth().await.unwrap(),
        QueueDepth {
            queued: 0,
            running: 0,
            dead: 1
        }
    );
    let summary = &store.jobs().await.unwrap()[0];
    assert_eq!(summary.state, "dead");
    assert_eq!(summary.claims, 3);
    assert_eq!(summary.last_error.as_deref(), Some("still down"));
}

async fn released_job_runs_again_without_using_an_attempt(db: TestDb) {
    let store = db.store().await;
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    let claimed = store.claim("w1", LONG).await.unwrap().unwrap();
    store.release(claimed.id, "w1").await.unwrap();
    let again = store
        .claim("w2", LONG)
        .await
        .unwrap()
        .expect("released at once");
    assert_eq!((again.id, again.attempts), (id, 0));
    // The release freed the key lease, and w1 can no longer finish the job.
    assert!(!store.complete(id, "w1").await.unwrap());
    store
        .retry_later(id, "w2", "boom", Duration::ZERO, 1)
        .await
        .unwrap();
    let summary = &store.jobs().await.unwrap()[0];
    assert_eq!(summary.claims, 2, "claims stays honest");
    assert_eq!(summary.state, "dead", "one counted attempt reached max 1");
}

async fn extended_lease_keeps_the_job(db: TestDb) {
    let store = db.store().await;
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    store.enqueue(&job("k", "{\"second\":1}")).await.unwrap();
    store
        .claim("w1", Duration::from_millis(300))
        .await
        .unwrap()
        .unwrap();
    assert!(store.extend_lease(id, "w1", LONG).await.unwrap());
    assert!(!store.extend_lease(id, "w2", LONG).await.unwrap());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        store.claim("w2", LONG).await.unwrap().is_none(),
        "neither the job nor its key may be taken"
    );
    assert!(store.complete(id, "w1").await.unwrap());
}

async fn follow_up_work_coalesces_with_queued_work_only(db: TestDb) {
    let store = db.store().await;
    let first = store.enqueue(&job("mr:1", "{\"sync\":1}")).await.unwrap();
    assert_eq!(
        store.enqueue(&job("mr:1", "{\"sync\":1}")).await.unwrap(),
        first
    );
    let other_payload = store.enqueue(&job("mr:1", "{\"sync\":2}")).await.unwrap();
    let other_key = store.enqueue(&job("mr:2", "{\"sync\":1}")).await.unwrap();
    assert_ne!(other_payload, first);
    assert_ne!(other_key, first);
    let running = store.claim("w", LONG).await.unwrap().unwrap();
    assert_eq!(running.id, first);
    let after_start = store.enqueue(&job("mr:1", "{\"sync\":1}")).await.unwrap();
    assert_ne!(after_start, first, "running work is not coalesced with");
    assert_eq!(store.jobs().await.unwrap().len(), 4);
}

async fn prune_forgets_old_done_jobs_and_deliveries(db: TestDb) {
    let store = db.store().await;
    let Enqueued::New(done) = store
        .enqueue_delivery(&delivery(ForgeKind::GitLab, "old", "{}"))
        .await
        .unwrap()
    else {
        panic!("first delivery is new");
    };
    store.claim("w", LONG).await.unwrap().unwrap();
    assert!(store.complete(done, "w").await.unwrap());
    let waiting = store.enqueue(&job("other", "{}")).await.unwrap();
    let kept = store.prune(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(
        (kept.jobs, kept.deliveries),
        (0, 0),
        "all younger than an hour"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let pruned = store.prune(Duration::from_millis(1)).await.unwrap();
    assert_eq!((pruned.jobs, pruned.deliveries), (1, 1));
    let ids: Vec<JobId> = store.jobs().await.unwrap().iter().map(|j| j.id).collect();
    assert_eq!(ids, vec![waiting], "queued work is never pruned");
    let resent = store
        .enqueue_delivery(&delivery(ForgeKind::GitLab, "old", "{}"))
        .await
        .unwrap();
    assert!(
        matches!(resent, Enqueued::New(_)),
        "outside the dedup window"
    );
}

async fn a_batch_of_deliveries_is_stored_in_one_go_with_duplicates_undone(db: TestDb) {
    let store = db.store().await;
    store
        .enqueue_delivery(&delivery(ForgeKind::GitLab, "seen", "{}"))
        .await
        .unwrap();
    let batch = [
        delivery(ForgeKind::GitLab, "a", "{\"n\":1}"),
        delivery(ForgeKind::GitLab, "seen", "{\"n\":2}"),
        delivery(ForgeKind::GitLab, "b", "{\"n\":3}"),
        delivery(ForgeKind::GitLab, "a", "{\"n\":4}"),
        delivery(ForgeKind::GitHub, "a", "{\"n\":5}"),
    ];
    let outcomes = store.enqueue_deliveries(&batch).await.unwrap();
    let new: Vec<bool> = outcomes
        .iter()
        .map(|outcome| matches!(outcome, Enqueued::New(_)))
        .collect();
    assert_eq!(new, [true, false, true, false, true], "{outcomes:?}");
    // The undone duplicates left no job behind: the first delivery's and three new ones.
    assert_eq!(store.jobs().await.unwrap().len(), 4);
    let mut payloads = Vec::new();
    while let Some(job) = store.claim("w", LONG).await.unwrap() {
        payloads.push(job.payload.clone());
        store.complete(job.id, "w").await.unwrap();
    }
    assert_eq!(payloads, ["{}", "{\"n\":1}", "{\"n\":3}", "{\"n\":5}"]);
}

async fn prune_deletes_a_backlog_larger_than_one_chunk(db: TestDb) {
    let store = db.store().await;
    let ids: Vec<String> = (0..2_500).map(|n| format!("d-{n}")).collect();
    for chunk in ids.chunks(250) {
        let batch: Vec<NewDelivery<'_>> = chunk
            .iter()
            .map(|id| delivery(ForgeKind::GitLab, id, "{}"))
            .collect();
        store.enqueue_deliveries(&batch).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let pruned = store.prune(Duration::from_millis(1)).await.unwrap();
    assert_eq!(pruned.deliveries, 2_500, "every chunk was deleted");
    assert_eq!(pruned.jobs, 0, "queued jobs stay");
    assert_eq!(store.jobs().await.unwrap().len(), 2_500);
}

fn key(project: &str, kind: ItemKind, number: u64) -> ItemKey {
    ItemKey {
        forge: ForgeKind::GitLab,
        project: schemagate::forge::ProjectPath(project.to_string()),
        kind,
        number: schemagate::forge::ItemNumber(number),
    }
}

fn db_change(kind: PolicyItemKind, number: u64, milestone: u64) -> DbItemRef {
    DbItemRef {
        kind,
        number: schemagate::forge::ItemNumber(number),
        title: format!("Change {number}"),
        web_url: Some(format!(
            "https://gitlab.example.org/lava/lava/-/merge_requests/{number}"
        )),
        milestone: MilestoneId(milestone),
        placed_by_bot: true,
        exception: None,
        conflicts: Vec::new(),
        breaking: Vec::new(),
    }
}

fn mr_record(number: u64, milestone: Option<u64>, closes: Vec<u64>) -> ItemRecord {
    ItemRecord {
        db_change: milestone.map(|m| db_change(PolicyItemKind::MergeRequest, number, m)),
        closes: closes
            .into_iter()
            .map(schemagate::forge::ItemNumber)
            .collect(),
        evaluated: Some(format!("facts-{number}")),
        ..ItemRecord::default()
    }
}

async fn item_record_round_trips_and_ignores_path_case(db: TestDb) {
    let store = db.store().await;
    let mr = key("LAVA/lava", ItemKind::MergeRequest, 7);
    assert_eq!(store.item(&mr).await.unwrap(), None);
    let mut record = mr_record(7, Some(12), vec![3]);
    record.ownership.bot_added_label = true;
    record.ownership.bot_set_milestone = Some(MilestoneId(12));
    store.save_item(&mr, &record).await.unwrap();
    let same_mr = key("lava/LAVA", ItemKind::MergeRequest, 7);
    assert_eq!(store.item(&same_mr).await.unwrap(), Some(record.clone()));
    assert_eq!(
        store
            .item(&key("lava/lava", ItemKind::Issue, 7))
            .await
            .unwrap(),
        None,
        "an issue with the MR's number is another item"
    );
    record.ownership.label_removed_by_person = true;
    store.save_item(&same_mr, &record).await.unwrap();
    assert_eq!(store.item(&mr).await.unwrap(), Some(record));
    store.delete_item(&mr).await.unwrap();
    assert_eq!(store.item(&same_mr).await.unwrap(), None);
}

async fn project_state_lists_db_changes_and_sent_warnings(db: TestDb) {
    let store = db.store().await;
    let project = "lava/lava";
    let mr = |n| key(project, ItemKind::MergeRequest, n);
    store
        .save_item(&mr(1), &mr_record(1, Some(12), vec![]))
        .await
        .unwrap();
    store
        .save_item(&mr(2), &mr_record(2, Some(13), vec![]))
        .await
        .unwrap();
    store
        .save_item(&mr(3), &mr_record(3, None, vec![]))
        .await
        .unwrap();
    let issue = ItemRecord {
        db_change: Some(db_change(PolicyItemKind::Issue, 9, 12)),
        ..ItemRecord::default()
    };
    store
        .save_item(&key(project, ItemKind::Issue, 9), &issue)
        .await
        .unwrap();
    store
        .save_item(
            &key("other/project", ItemKind::MergeRequest, 1),
            &mr_record(1, Some(12), vec![]),
        )
        .await
        .unwrap();
    for (milestone, kind, sent) in [
        (12, AnnouncementKind::Warning, true),
        (13, AnnouncementKind::Warning, false),
        (13, AnnouncementKind::Update, true),
    ] {
        let key = ledger_key("Lava/Lava", MilestoneId(milestone), kind, 0);
        store
            .begin_announcement(&key, "<id@example.org>", &[], CLAIM)
            .await
            .unwrap();
        if sent {
            store
                .finish_announcement(&key, SendOutcome::Sent, &[])
                .await
                .unwrap();
        }
    }
    let state = store
        .project_state(ForgeKind::GitLab, "LAVA/LAVA")
        .await
        .unwrap();
    let mut changes: Vec<(u64, u64)> = state
        .db_changes
        .iter()
        .map(|c| (c.number.0, c.milestone.0))
        .collect();
    changes.sort_unstable();
    assert_eq!(changes, vec![(1, 12), (2, 13), (9, 12)]);
    assert_eq!(state.db_changes_in(MilestoneId(12)).count(), 2);
    assert_eq!(state.warnings_sent.len(), 1, "{:?}", state.warnings_sent);
    let sent_at = state.warning_sent(MilestoneId(12)).expect("warning sent");
    let age = chrono::Utc::now() - sent_at;
    assert!(age.num_seconds().abs() < 60, "sent_at is now: {sent_at}");
    assert!(state.warning_sent(MilestoneId(13)).is_none());
    let github = store
        .project_state(ForgeKind::GitHub, project)
        .await
        .unwrap();
    assert!(github.db_changes.is_empty());
}

async fn merge_requests_closing_counts_only_database_changes(db: TestDb) {
    let store = db.store().await;
    let project = "lava/lava";
    let mr = |n| key(project, ItemKind::MergeRequest, n);
    store
        .save_item(&mr(5), &mr_record(5, Some(12), vec![12, 13, 12]))
        .await
        .unwrap();
    store
        .save_item(&mr(6), &mr_record(6, None, vec![12]))
        .await
        .unwrap();
    store
        .save_item(&mr(7), &mr_record(7, Some(12), vec![12]))
        .await
        .unwrap();
    let closing = |issue| {
        store.merge_requests_closing(
            ForgeKind::GitLab,
            "LAVA/lava",
            schemagate::forge::ItemNumber(issue),
        )
    };
    assert_eq!(closing(12).await.unwrap(), vec![5, 7]);
    assert_eq!(closing(13).await.unwrap(), vec![5]);
    assert!(closing(14).await.unwrap().is_empty());
    // A force-push took MR 7's migrations away; a description edit dropped 13 from MR 5.
    store
        .save_item(&mr(7), &mr_record(7, None, vec![12]))
        .await
        .unwrap();
    store
        .save_item(&mr(5), &mr_record(5, Some(12), vec![12]))
        .await
        .unwrap();
    assert_eq!(closing(12).await.unwrap(), vec![5]);
    assert!(closing(13).await.unwrap().is_empty());
    store.delete_item(&mr(5)).await.unwrap();
    assert!(closing(12).await.unwrap().is_empty());
}

async fn milestone_epochs_count_every_bump(db: TestDb) {
    let store = db.store().await;
    let forge = ForgeKind::GitHub;
    assert_eq!(store.milestones_epoch(forge, "o/r").await.unwrap(), 0);
    assert_eq!(store.bump_milestones_epoch(forge, "o/r").await.unwrap(), 1);
    assert_eq!(store.bump_milestones_epoch(forge, "O/R").await.unwrap(), 2);
    let replica = db.store().await;
    let mut bumps = Vec::new();
    for n in 0..10 {
        let store = if n % 2 == 0 {
            store.clone()
        } else {
            replica.clone()
        };
        bumps.push(tokio::spawn(async move {
            store.bump_milestones_epoch(forge, "o/r").await.unwrap()
        }));
    }
    let mut seen = Vec::new();
    for bump in bumps {
        seen.push(bump.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (3..=12).collect::<Vec<i64>>(),
        "every bump counted once"
    );
    assert_eq!(store.milestones_epoch(forge, "o/r").await.unwrap(), 12);
    assert_eq!(store.milestones_epoch(forge, "o/other").await.unwrap(), 0);
    assert_eq!(
        store
            .milestones_epoch(ForgeKind::GitLab, "o/r")
            .await
            .unwrap(),
        0
    );
}

fn ledger_key(
    project: &str,
    milestone: MilestoneId,
    kind: AnnouncementKind,
    sequence: u32,
) -> AnnouncementKey {
    AnnouncementKey {
        forge: ForgeKind::GitLab,
        project: project.to_string(),
        milestone,
        kind,
        sequence,
    }
}

async fn a_job_whose_worker_dies_every_time_goes_dead_and_can_be_retried(db: TestDb) {
    let store = db.store().await;
    let poison = store.enqueue(&job("poison", "{}")).await.unwrap();
    let short = Duration::from_millis(5);
    // Each claim's worker "dies": the job is never completed, its lease runs out.
    for attempt in 0..schemagate::store::MAX_ATTEMPTS {
        let claimed = store.claim("w", short).await.unwrap().expect("claimable");
        assert_eq!((claimed.id, claimed.attempts), (poison, attempt));
        tokio::time::sleep(short * 3).await;
    }
    // Meanwhile other work is still served, and the poison job is dead.
    let other = store.enqueue(&job("other", "{}")).await.unwrap();
    let next = store
        .claim("w", LONG)
        .await
        .unwrap()
        .expect("the other job");
    assert_eq!(next.id, other);
    assert!(store.complete(other, "w").await.unwrap());
    assert_eq!(store.claim("w", LONG).await.unwrap(), None);
    let summary = store
        .jobs()
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.id == poison)
        .unwrap();
    assert_eq!(summary.state, "dead");
    assert!(
        summary
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("crashed or was killed")),
        "{summary:?}"
    );
    assert_eq!(store.queue_depth().await.unwrap().dead, 1);
    // Retried by hand: queued again with every attempt back.
    assert_eq!(store.retry_dead(None).await.unwrap(), vec![poison]);
    let again = store.claim("w", LONG).await.unwrap().expect("requeued");
    assert_eq!((again.id, again.attempts), (poison, 0));
    assert_eq!(
        store.retry_dead(Some(&[poison])).await.unwrap(),
        Vec::<JobId>::new()
    );
}

/// Long enough for any test step.
const CLAIM: std::time::Duration = std::time::Duration::from_secs(60);

async fn only_permanent_refusals_count_toward_giving_a_mail_up(db: TestDb) {
    let store = db.store().await;
    let (forge, project) = (ForgeKind::GitLab, "lava/lava");
    let key = ledger_key(project, MilestoneId(12), AnnouncementKind::Warning, 0);
    let outcomes = [
        SendOutcome::Retry("451 try later"),
        SendOutcome::RefusedOnce("550 no such list"),
        SendOutcome::Retry("connection refused"),
        SendOutcome::RefusedOnce("550 no such list"),
    ];
    for outcome in outcomes {
        let begun = store
            .begin_announcement(&key, "<a@x>", &[], CLAIM)
            .await
            .unwrap();
        assert!(matches!(begun, Begun::Claimed(_)), "{begun:?}");
        store.finish_announcement(&key, outcome, &[]).await.unwrap();
    }
    let row = store.announcement(&key).await.unwrap().unwrap();
    assert_eq!((row.attempts, row.refusals), (4, 2));
    assert_eq!(row.state, AnnouncementState::Pending);
    let state = store.project_state(forge, project).await.unwrap();
    assert!(state.warnings_failed.is_empty(), "{state:?}");
    // Given up: the refusal is counted, and the project state says so.
    store
        .begin_announcement(&key, "<a@x>", &[], CLAIM)
        .await
        .unwrap();
    store
        .finish_announcement(&key, SendOutcome::Failed("550 no such list"), &[])
        .await
        .unwrap();
    let row = store.announcement(&key).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.attempts, row.refusals),
        (AnnouncementState::Failed, 5, 3)
    );
    let state = store.project_state(forge, "Lava/Lava").await.unwrap();
    assert_eq!(state.warnings_failed, vec![MilestoneId(12)]);
    assert!(state.warnings_sent.is_empty(), "{state:?}");
}

async fn a_refusal_is_reported_until_a_mail_goes_out_after_it(db: TestDb) {
    let store = db.store().await;
    assert_eq!(store.latest_refusal().await.unwrap(), None);
    let refused = ledger_key("lava/lava", MilestoneId(12), AnnouncementKind::Warning, 0);
    store
        .begin_announcement(&refused, "<a@x>", &[], CLAIM)
        .await
        .unwrap();
    let sentence =
        "the mail server refused the downtime warning for lava/lava 2026.12 for good: 550";
    store
        .finish_announcement(&refused, SendOutcome::Failed(sentence), &[])
        .await
        .unwrap();
    // Any process reading the store sees it, not only the one that sent.
    let other = db.store().await;
    assert_eq!(
        other.latest_refusal().await.unwrap().as_deref(),
        Some(sentence)
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let later = ledger_key("lava/lava", MilestoneId(13), AnnouncementKind::Warning, 0);
    store
        .begin_announcement(&later, "<b@x>", &[], CLAIM)
        .await
        .unwrap();
    store
        .finish_announcement(&later, SendOutcome::Sent, &[])
        .await
        .unwrap();
    assert_eq!(other.latest_refusal().await.unwrap(), None);
}

async fn announcement_is_begun_and_sent_once(db: TestDb) {
    let store = db.store().await;
    let (forge, project) = (ForgeKind::GitLab, "lava/lava");
    let key = ledger_key(project, MilestoneId(12), AnnouncementKind::Warning, 0);
    let items = vec!["merge_request:7".to_string()];
    let Begun::Claimed(first) = store
        .begin_announcement(&key, "<a@x>", &items, CLAIM)
        .await
        .unwrap()
    else {
        panic!("the first begin claims the send")
    };
    assert_eq!(
        (first.state, first.attempts),
        (AnnouncementState::Sending, 1)
    );
    assert_eq!(first.message_id, "<a@x>");
    assert_eq!(first.items, items);
    // A second process while the first holds the claim: it must not send.
    let second = store
        .begin_announcement(&key, "<b@x>", &["issue:3".to_string()], CLAIM)
        .await
        .unwrap();
    let Begun::Busy(busy) = &second else {
        panic!("a live claim makes a second sender wait: {second:?}")
    };
    assert_eq!(busy.attempts, 1);
    store
        .finish_announcement(&key, SendOutcome::Retry("smtp down"), &[])
        .await
        .unwrap();
    let pending = &store.announcements(forge, project).await.unwrap()[0];
    assert_eq!(pending.state, AnnouncementState::Pending);
    assert_eq!(pending.last_error.as_deref(), Some("smtp down"));
    assert_eq!(pending.sent_at_ms, None);
    // A retry after the failed attempt claims it again, with the first
    // Message-ID and the items the first attempt listed.
    let retry = store
        .begin_announcement(&key, "<b@x>", &["issue:3".to_string()], CLAIM)
        .await
        .unwrap();
    let Begun::Claimed(retry) = retry else {
        panic!("a pending row is claimed again: {retry:?}")
    };
    assert_eq!(
        (retry.state, retry.attempts),
        (AnnouncementState::Sending, 2)
    );
    assert_eq!(retry.message_id, "<a@x>", "the first Message-ID is kept");
    assert_eq!(retry.items, items, "the first attempt's items are kept");
    store
        .finish_announcement(&key, SendOutcome::Sent, &[job("k:follow", "{}")])
        .await
        .unwrap();
    assert_eq!(
        store.jobs().await.unwrap().len(),
        1,
        "the follow-up job commits with the sent mark"
    );
    let after_sent = store
        .begin_announcement(&key, "<a@x>", &[], CLAIM)
        .await
        .unwrap();
    let Begun::AlreadySent(after_sent) = after_sent else {
        panic!("a sent row is never sent again: {after_sent:?}")
    };
    assert_eq!(
        (after_sent.state, after_sent.attempts),
        (AnnouncementState::Sent, 2)
    );
    assert!(after_sent.sent_at_ms.is_some());
    assert_eq!(after_sent.last_error, None);
    assert_eq!(after_sent.items, items, "a sent row keeps what it listed");
    // A late failure report cannot undo a send.
    store
        .finish_announcement(&key, SendOutcome::Failed("late"), &[])
        .await
        .unwrap();
    let rows = store.announcements(forge, project).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, AnnouncementState::Sent);
    // Another kind, or another update, of the same milestone is its own row.
    for sequence in [1, 2] {
        let update = ledger_key(project, MilestoneId(12), AnnouncementKind::Update, sequence);
        let begun = store
            .begin_announcement(&update, "<u@x>", &[], CLAIM)
            .await
            .unwrap();
        assert!(matches!(begun, Begun::Claimed(_)), "{begun:?}");
        let row = begun.row();
        assert_eq!((row.state, row.attempts), (AnnouncementState::Sending, 1));
    }
    assert_eq!(store.announcements(forge, project).await.unwrap().len(), 3);
    // A mail given up for good is `failed`, and can be begun again by hand.
    let update = ledger_key(project, MilestoneId(12), AnnouncementKind::Update, 2);
    store
        .finish_announcement(&update, SendOutcome::Failed("550 no such list"), &[])
        .await
        .unwrap();
    assert_eq!(
        store.announcement(&update).await.unwrap().unwrap().state,
        AnnouncementState::Failed
    );
    let again = store
        .begin_announcement(&update, "<u@x>", &[], CLAIM)
        .await
        .unwrap();
    assert!(matches!(again, Begun::Claimed(_)), "{again:?}");
    assert_eq!(
        (again.row().state, again.row().attempts),
        (AnnouncementState::Sending, 2)
    );
    // A sender that died leaves `sending` behind: once its claim runs out,
    // another process takes the send over.
    let orphan = ledger_key(project, MilestoneId(14), AnnouncementKind::Warning, 0);
    store
        .begin_announcement(&orphan, "<o@x>", &[], std::time::Duration::ZERO)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let taken = store
        .begin_announcement(&orphan, "<o@x>", &[], CLAIM)
        .await
        .unwrap();
    assert!(matches!(taken, Begun::Claimed(_)), "{taken:?}");
    assert_eq!(taken.row().attempts, 2);
}

async fn reconnecting_keeps_data_and_applies_the_schema_once(db: TestDb) {
    let store = db.store().await;
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    drop(store);
    let again = db.store().await;
    let jobs = again.jobs().await.unwrap();
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
    let history = history_rows(&db.url).await;
    assert_eq!(
        history,
        schema_versions(),
        "each schema version recorded once"
    );
}

/// Two replicas reading one clock that a test sets: a lease runs out, a
/// backoff passes and a done job ages when the clock moves, without waiting.
async fn leases_retry_times_and_stamps_follow_the_clock_the_store_is_given(db: TestDb) {
    let start = Utc::now() - chrono::Duration::days(3);
    let clock = Arc::new(FixedClock::at(start));
    let store = db.store().await.with_clock(clock.clone());
    let other_replica = db.store().await.with_clock(clock.clone());
    let id = store.enqueue(&job("k", "{}")).await.unwrap();
    let first = store
        .claim("w1", Duration::from_secs(30))
        .await
        .unwrap()
        .expect("due at once");
    assert_eq!(first.enqueued_at_ms, start.timestamp_millis());
    clock.advance(chrono::Duration::seconds(29));
    assert!(
        other_replica.claim("w2", LONG).await.unwrap().is_none(),
        "the lease holds for 30 s of the clock"
    );
    clock.advance(chrono::Duration::seconds(2));
    let second = other_replica
        .claim("w2", LONG)
        .await
        .unwrap()
        .expect("the lease ran out");
    assert_eq!((second.id, second.attempts), (id, 1));
    other_replica
        .retry_later(id, "w2", "forge down", Duration::from_secs(600), 5)
        .await
        .unwrap();
    clock.advance(chrono::Duration::seconds(599));
    assert!(
        store.claim("w1", LONG).await.unwrap().is_none(),
        "backing off"
    );
    clock.advance(chrono::Duration::seconds(1));
    let third = store
        .claim("w1", LONG)
        .await
        .unwrap()
        .expect("the backoff passed");
    assert_eq!(third.attempts, 2);
    assert!(store.complete(id, "w1").await.unwrap());
    let hour = Duration::from_secs(3600);
    assert_eq!(store.prune(hour).await.unwrap().jobs, 0, "done just now");
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(store.prune(hour).await.unwrap().jobs, 1, "done an hour ago");
}

/// What the migrator of an earlier release left behind: versions 1 and 2
/// applied from the files and recorded in its history table, with rows
/// written then (an announcement under the key it had before `sequence`).
/// Opening it applies the rest and keeps every row.
async fn a_database_an_earlier_release_left_at_version_2_upgrades_with_its_rows(db: TestDb) {
    use sqlx::{Connection, Executor};
    let mut old = db.at_schema_version(2).await;
    old.execute(
        "INSERT INTO announcements (forge, project, milestone, kind, message_id, state, \
           attempts, created_at, sent_at, last_error) \
         VALUES ('gitlab', 'lava/lava', 7, 'warning', '<w7@lava>', 'sent', 1, \
           1760000000000, 1760000001000, NULL)",
    )
    .await
    .unwrap();
    let record = mr_record(12, Some(7), vec![3]);
    sqlx::query(
        "INSERT INTO items (forge, project, kind, number, record, db_change, updated_at) \
         VALUES ('gitlab', 'lava/lava', 'merge_request', 12, $1, $2, 1760000000000)",
    )
    .bind(serde_json::to_string(&record).unwrap())
    .bind(serde_json::to_string(&record.db_change).unwrap())
    .execute(&mut old)
    .await
    .unwrap();
    old.execute(
        "INSERT INTO jobs (serial_key, payload, state, run_at, enqueued_at) \
         VALUES ('k', '{}', 'queued', 1760000000000, 1760000000000)",
    )
    .await
    .unwrap();
    old.close().await.unwrap();

    let store = db.store().await;
    let every_version: Vec<i64> = crate::support::db::schema_files("sqlite")
        .into_iter()
        .map(|(version, _)| version)
        .collect();
    assert_eq!(db.schema_history().await, every_version);
    let ledger = store
        .announcements(ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    let warning = &ledger[0];
    assert_eq!(
        (warning.sequence, warning.state, warning.refusals),
        (0, AnnouncementState::Sent, 0)
    );
    assert_eq!(warning.message_id, "<w7@lava>");
    assert_eq!(warning.sent_at_ms, Some(1_760_000_001_000));
    assert!(warning.items.is_empty());
    let item = store
        .item(&key("lava/lava", ItemKind::MergeRequest, 12))
        .await
        .unwrap();
    assert_eq!(item, Some(record));
    let claimed = store.claim("w", LONG).await.unwrap().expect("the old job");
    assert_eq!(claimed.enqueued_at_ms, 1_760_000_000_000);
    // The columns the later versions added are in use.
    let update = ledger_key("lava/lava", MilestoneId(7), AnnouncementKind::Update, 1);
    let begun = store
        .begin_announcement(&update, "<u7.1@lava>", &["issue:3".into()], LONG)
        .await
        .unwrap();
    assert!(matches!(begun, Begun::Claimed(_)), "{begun:?}");
    let mr = key("lava/lava", ItemKind::MergeRequest, 12);
    let help = CommandRecord {
        author: "alice".into(),
        verb: "help".into(),
        outcome: Outcome::Acted,
        answer: "Commands: …".into(),
        at: Utc::now(),
        comment: Some(99),
    };
    assert_eq!(
        store.record_commands(&mr, "99:a", &[help]).await.unwrap(),
        1
    );
    assert!(store.comment_handled(&mr, "99:a").await.unwrap());
}

/// One file per version under `schema/<dialect>/`; both dialects have the
/// same versions (a unit test of the store checks it).
fn schema_versions() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/sqlite");
    std::fs::read_dir(dir).expect("schema/sqlite").count() as i64
}

/// The two dialects' schema files are written twice (their DDL differs);
/// they must end at the same tables, columns, nullability and indexes.
#[tokio::test]
async fn both_dialects_end_at_the_same_tables_columns_and_indexes() {
    crate::support::db::with_postgres(|postgres| async move {
        crate::support::db::with_sqlite(|sqlite| async move {
            drop((sqlite.store().await, postgres.store().await));
            let lite = schema_shape(&sqlite.url).await;
            assert!(lite.len() > 20, "{lite:?}");
            assert_eq!(lite, schema_shape(&postgres.url).await);
        })
        .await;
    })
    .await;
}

/// `table.column NULL` or `NOT NULL` for every column, and `index name` for
/// every index a schema file made (not the ones keys make), sorted.
async fn schema_shape(url: &DatabaseUrl) -> Vec<String> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let (columns, indexes) = match url.kind {
        DatabaseKind::Sqlite => (
            "SELECT m.name AS tbl, p.name AS col, \
               CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 1 ELSE 0 END AS not_null \
             FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        ),
        DatabaseKind::Postgres => (
            "SELECT table_name::text AS tbl, column_name::text AS col, \
               (CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END)::bigint AS not_null \
             FROM information_schema.columns WHERE table_schema = 'public'",
            "SELECT indexname::text AS name FROM pg_indexes \
             WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'",
        ),
    };
    let mut connection = sqlx::AnyConnection::connect(&url.url).await.unwrap();
    let mut shape = Vec::new();
    for row in sqlx::query(columns)
        .fetch_all(&mut connection)
        .await
        .unwrap()
    {
        let (table, column): (String, String) = (row.get("tbl"), row.get("col"));
        let not_null: i64 = row.get("not_null");
        let null = if not_null == 1 { "NOT NULL" } else { "NULL" };
        shape.push(format!("{table}.{column} {null}"));
    }
    for row in sqlx::query(indexes)
        .fetch_all(&mut connection)
        .await
        .unwrap()
    {
        shape.push(format!("index {}", row.get::<String, _>("name")));
    }
    shape.sort();
    shape
}

async fn history_rows(url: &DatabaseUrl) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&url.url).await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM schemagate_schema_history")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    row.try_get("n").unwrap()
}

async fn processes_connecting_to_a_fresh_database_at_once_all_succeed(db: TestDb) {
    let mut connecting = Vec::new();
    for _ in 0..4 {
        let url = db.url.clone();
        connecting.push(tokio::spawn(async move { Store::connect(&url).await }));
    }
    let mut stores = Vec::new();
    for task in connecting {
        stores.push(task.await.unwrap().expect("every connect succeeds"));
    }
    stores[0].enqueue(&job("k", "{}")).await.unwrap();
    assert_eq!(stores[3].jobs().await.unwrap().len(), 1);
    assert_eq!(history_rows(&db.url).await, schema_versions());
}

#[tokio::test]
async fn unreachable_postgres_is_a_connect_error_within_seconds() {
    let url = DatabaseUrl {
        // Port 1 on loopback: nothing listens, the connection is refused.
        url: "postgres://schemagate@127.0.0.1:1/schemagate".to_string(),
        kind: DatabaseKind::Postgres,
    };
    let started = Instant::now();
    let error = match Store::connect(&url).await {
        Ok(_) => panic!("connected to a closed port"),
        Err(error) => error,
    };
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let StoreError::Connect { url: shown, reason } = &error else {
        panic!("not a connect error: {error:?}");
    };
    assert_eq!(shown, &url.url);
    let message = error.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(reason.contains("refused"), "{message}");
    eprintln!("{message}");
}

#[tokio::test]
async fn sqlite_in_a_missing_directory_is_a_connect_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl {
        url: format!("sqlite://{}/no/such/dir/store.db", dir.path().display()),
        kind: DatabaseKind::Sqlite,
    };
    let error = match Store::connect(&url).await {
        Ok(_) => panic!("opened a file in a missing directory"),
        Err(error) => error,
    };
    assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
}

#[tokio::test]
async fn sqlite_file_is_created_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let url = DatabaseUrl {
        url: format!("sqlite://{}", path.display()),
        kind: DatabaseKind::Sqlite,
    };
    let store = Store::connect(&url).await.unwrap();
    store.ping().await.unwrap();
    assert!(path.exists());
}

#[test]
fn the_bots_own_schema_files_are_detected_as_migrations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::builtin();
    let mut files = Vec::new();
    let mut dirs = vec![root.join("schema")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    assert!(files.len() >= 2, "{files:?}");
    for file in &files {
        let found = rules.classify_path(&ChangedFile::new(file, ChangeKind::Added));
        let found = found.unwrap_or_else(|| panic!("{file} is not detected as a migration"));
        assert_eq!(found.framework, "flyway", "{file}");
    }
}
