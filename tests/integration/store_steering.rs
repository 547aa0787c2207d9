//! What people asked the bot about each item, in the store against real
//! databases (each body runs on a fresh SQLite file and a fresh PostgreSQL
//! database, see support/db.rs): approved exceptions replaced and ended,
//! the command record stored once per comment version (also from two
//! replicas at once), the latest answers, items kept apart, the record
//! outliving pruning and the item's own record, and a database
//! an earlier release left at schema version 5 upgraded to 6.

use crate::support::db::TestDb;
use chrono::{DateTime, TimeZone, Utc};
use schemagate::core::exceptions::{
    CommandRecord, CoveredFile, EndKind, Ending, Exception, Outcome, Steering,
};
use schemagate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};
use schemagate::store::{AnnouncementState, ItemKey, Store, StoreError};

crate::both_backends!(
    an_approval_holds_until_a_second_one_replaces_it,
    ending_an_exception_returns_it_once,
    a_comment_version_is_recorded_once,
    two_replicas_recording_one_comment_at_once_store_it_once,
    two_replicas_approving_at_once_leave_one_exception_holding,
    the_answers_are_the_latest_ones_oldest_first,
    items_projects_and_forges_keep_their_own_record,
    pruning_and_forgetting_the_item_keep_the_audit_trail,
    a_database_an_earlier_release_left_at_version_5_upgrades_to_6,
);

fn item(forge: ForgeKind, project: &str, kind: ItemKind, number: u64) -> ItemKey {
    ItemKey {
        forge,
        project: ProjectPath(project.into()),
        kind,
        number: ItemNumber(number),
    }
}

fn mr(number: u64) -> ItemKey {
    item(
        ForgeKind::GitLab,
        "lava/lava",
        ItemKind::MergeRequest,
        number,
    )
}

/// A time on the day of the tests, at whole milliseconds (what the store keeps).
fn at(minute: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap() + chrono::Duration::milliseconds(ms)
}

fn approval(approver: &str, minute: u32) -> Exception {
    Exception {
        approver: approver.into(),
        reason: format!("{approver}: the hotfix must ship — “now”"),
        approved_at: at(minute, 250),
        covers: vec![
            CoveredFile {
                path: "lava_scheduler_app/migrations/0042_fix.py".into(),
                digest: "sha256:1".into(),
            },
            CoveredFile {
                path: "lava_scheduler_app/migrations/0043_more.py".into(),
                digest: "sha256:2".into(),
            },
        ],
        comment: Some(9_000_000_000 + u64::from(minute)),
        ended: None,
    }
}

fn command(verb: &str, minute: u32, outcome: Outcome) -> CommandRecord {
    CommandRecord {
        author: "bob".into(),
        verb: verb.into(),
        outcome,
        answer: format!("{verb}: {outcome:?}"),
        at: at(minute, 7),
        comment: Some(41),
    }
}

fn verbs(steering: &Steering) -> Vec<&str> {
    steering.answers.iter().map(|a| a.verb.as_str()).collect()
}

async fn an_approval_holds_until_a_second_one_replaces_it(db: TestDb) {
    let store = db.store().await;
    let key = mr(1);
    assert_eq!(store.steering(&key, 5).await.unwrap(), Steering::default());
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    let steering = store.steering(&key, 5).await.unwrap();
    assert_eq!(steering.exceptions, vec![approval("alice", 1)]);
    assert_eq!(steering.active(), Some(&approval("alice", 1)));

    store
        .approve_exception(&key, &approval("carol", 2))
        .await
        .unwrap();
    let steering = store.steering(&key, 5).await.unwrap();
    let replaced = Exception {
        ended: Some(Ending {
            at: approval("carol", 2).approved_at,
            how: EndKind::Replaced,
        }),
        ..approval("alice", 1)
    };
    assert_eq!(steering.exceptions, vec![replaced, approval("carol", 2)]);
    assert_eq!(
        steering.active().map(|e| e.approver.as_str()),
        Some("carol")
    );
    // Another replica reads the same history.
    assert_eq!(db.store().await.steering(&key, 5).await.unwrap(), steering);
}

async fn ending_an_exception_returns_it_once(db: TestDb) {
    let store = db.store().await;
    let key = mr(2);
    let lapsed = Ending {
        at: at(5, 0),
        how: EndKind::Lapsed {
            why: "edited 0042_fix.py".into(),
        },
    };
    assert_eq!(store.end_exception(&key, &lapsed).await.unwrap(), None);
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    let ended = store.end_exception(&key, &lapsed).await.unwrap();
    let expected = Exception {
        ended: Some(lapsed.clone()),
        ..approval("alice", 1)
    };
    assert_eq!(ended, Some(expected.clone()));
    assert_eq!(store.end_exception(&key, &lapsed).await.unwrap(), None);
    let steering = store.steering(&key, 5).await.unwrap();
    assert_eq!(steering.exceptions, vec![expected.clone()]);
    assert_eq!(steering.active(), None);

    // A new approval after the end holds; withdrawing it keeps who did.
    store
        .approve_exception(&key, &approval("carol", 6))
        .await
        .unwrap();
    let withdrawn = Ending {
        at: at(7, 0),
        how: EndKind::Withdrawn { by: "dave".into() },
    };
    let ended = store.end_exception(&key, &withdrawn).await.unwrap();
    assert_eq!(ended.unwrap().ended, Some(withdrawn.clone()));
    let history = store.steering(&key, 5).await.unwrap().exceptions;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], expected, "the first ending is untouched");
    assert_eq!(history[1].ended, Some(withdrawn));
}

async fn a_comment_version_is_recorded_once(db: TestDb) {
    let store = db.store().await;
    let key = mr(3);
    let lines = [
        command("recheck", 1, Outcome::Acted),
        command("approve", 1, Outcome::Refused),
        command("aprove", 1, Outcome::Invalid),
    ];
    assert!(!store.comment_handled(&key, "41:aaa").await.unwrap());
    assert_eq!(
        store.record_commands(&key, "41:aaa", &lines).await.unwrap(),
        3
    );
    assert!(store.comment_handled(&key, "41:aaa").await.unwrap());
    assert_eq!(
        store.record_commands(&key, "41:aaa", &lines).await.unwrap(),
        0
    );
    // Handled again with a line more (a retried job that got further): only it is new.
    let more = [lines.as_slice(), &[command("help", 1, Outcome::Acted)]].concat();
    assert_eq!(
        store.record_commands(&key, "41:aaa", &more).await.unwrap(),
        1
    );
    let steering = store.steering(&key, 10).await.unwrap();
    assert_eq!(
        steering.answers,
        more[1..],
        "stored as given, in line order; a recheck is no answer"
    );
    assert_eq!(steering.handled, ["41:aaa"]);

    // The edited comment is another version: its commands count anew.
    assert!(!store.comment_handled(&key, "41:bbb").await.unwrap());
    assert_eq!(
        store
            .record_commands(&key, "41:bbb", &lines[..1])
            .await
            .unwrap(),
        1
    );
    assert!(store.comment_handled(&key, "41:bbb").await.unwrap());
    assert_eq!(store.record_commands(&key, "41:ccc", &[]).await.unwrap(), 0);
    assert!(
        !store.comment_handled(&key, "41:ccc").await.unwrap(),
        "a comment without commands leaves no record"
    );
}

async fn two_replicas_recording_one_comment_at_once_store_it_once(db: TestDb) {
    let key = mr(4);
    let lines: Vec<CommandRecord> = (0..20)
        .map(|n| command(&format!("verb{n}"), 1, Outcome::Acted))
        .collect();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, key, lines) = (db.store().await, key.clone(), lines.clone());
        tasks.push(tokio::spawn(async move {
            store.record_commands(&key, "41:aaa", &lines).await.unwrap()
        }));
    }
    let mut new = 0;
    for task in tasks {
        new += task.await.unwrap();
    }
    assert_eq!(new, 20, "each line stored by exactly one replica");
    let steering = db.store().await.steering(&key, 100).await.unwrap();
    assert_eq!(steering.answers, lines);
}

/// Jobs of one MR are serialised, so this takes two processes outside the
/// queue (a `schemagate sync` beside `serve`): whatever the interleaving,
/// one exception holds afterwards. On PostgreSQL the loser of a race may
/// fail (the database refuses a second active exception) and, like a job,
/// succeeds when tried again.
async fn two_replicas_approving_at_once_leave_one_exception_holding(db: TestDb) {
    let key = mr(5);
    let mut tasks = Vec::new();
    for (n, approver) in ["alice", "carol", "dave", "erin"].into_iter().enumerate() {
        let (store, key) = (db.store().await, key.clone());
        tasks.push(tokio::spawn(async move {
            let exception = approval(approver, n as u32);
            for _ in 0..10 {
                match store.approve_exception(&key, &exception).await {
                    Ok(()) => return,
                    Err(StoreError::Database(_)) => continue,
                    Err(other) => panic!("{other}"),
                }
            }
            panic!("{approver}'s approval failed ten times");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let exceptions = db.store().await.steering(&key, 0).await.unwrap().exceptions;
    assert_eq!(exceptions.len(), 4, "{exceptions:?}");
    let holding = exceptions.iter().filter(|e| e.is_active()).count();
    assert_eq!(holding, 1, "{exceptions:?}");
    assert!(exceptions[..3].iter().all(|e| !e.is_active()));
    assert!(
        exceptions[..3]
            .iter()
            .all(|e| e.ended.as_ref().unwrap().how == EndKind::Replaced)
    );
}

async fn the_answers_are_the_latest_ones_oldest_first(db: TestDb) {
    let store = db.store().await;
    let key = mr(6);
    for minute in 0..8 {
        let line = command(&format!("c{minute}"), minute, Outcome::Acted);
        store
            .record_commands(&key, &format!("{minute}:x"), &[line])
            .await
            .unwrap();
    }
    // Found late (a missed webhook caught by a sync), given before the rest.
    store
        .record_commands(&key, "late:x", &[command("early", 0, Outcome::Refused)])
        .await
        .unwrap();
    let latest = store.steering(&key, 3).await.unwrap();
    assert_eq!(verbs(&latest), ["c5", "c6", "c7"]);
    let all = store.steering(&key, 100).await.unwrap();
    assert_eq!(all.answers.len(), 9);
    assert_eq!(
        &verbs(&all)[..2],
        ["c0", "early"],
        "recorded order breaks a tie"
    );
    assert!(store.steering(&key, 0).await.unwrap().answers.is_empty());
    assert_eq!(
        store
            .steering(&key, usize::MAX)
            .await
            .unwrap()
            .answers
            .len(),
        9
    );
}

async fn items_projects_and_forges_keep_their_own_record(db: TestDb) {
    let store = db.store().await;
    let key = mr(7);
    let neighbours = [
        mr(8),
        item(ForgeKind::GitLab, "lava/lava", ItemKind::Issue, 7),
        item(
            ForgeKind::GitLab,
            "lava/lava-docs",
            ItemKind::MergeRequest,
            7,
        ),
        item(ForgeKind::GitHub, "lava/lava", ItemKind::MergeRequest, 7),
    ];
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    store
        .record_commands(&key, "41:aaa", &[command("approve", 1, Outcome::Acted)])
        .await
        .unwrap();
    for other in &neighbours {
        assert_eq!(store.steering(other, 5).await.unwrap(), Steering::default());
        assert!(!store.comment_handled(other, "41:aaa").await.unwrap());
        let ending = Ending {
            at: at(2, 0),
            how: EndKind::Replaced,
        };
        assert_eq!(store.end_exception(other, &ending).await.unwrap(), None);
        // The same comment key on another item is that item's own.
        let line = [command("help", 2, Outcome::Acted)];
        assert_eq!(
            store.record_commands(other, "41:aaa", &line).await.unwrap(),
            1
        );
        store
            .approve_exception(other, &approval("carol", 2))
            .await
            .unwrap();
    }
    let steering = store.steering(&key, 5).await.unwrap();
    assert_eq!(
        steering.exceptions,
        vec![approval("alice", 1)],
        "still holds"
    );
    assert_eq!(verbs(&steering), ["approve"]);
    // The project path is compared as the rest of the store does: case-free.
    let shouting = item(ForgeKind::GitLab, "LAVA/Lava", ItemKind::MergeRequest, 7);
    assert_eq!(store.steering(&shouting, 5).await.unwrap(), steering);
}

async fn pruning_and_forgetting_the_item_keep_the_audit_trail(db: TestDb) {
    let store = db.store().await;
    let key = mr(9);
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    store
        .record_commands(&key, "41:a", &[command("approve", 1, Outcome::Acted)])
        .await
        .unwrap();
    let before = store.steering(&key, 5).await.unwrap();
    store.prune(std::time::Duration::ZERO).await.unwrap();
    store.delete_item(&key).await.unwrap();
    assert_eq!(store.steering(&key, 5).await.unwrap(), before);
}

/// A database the previous release (schema version 5) left with rows in
/// it: opening it applies the versions after 5, keeps the rows, and the new tables
/// take exceptions and commands.
async fn a_database_an_earlier_release_left_at_version_5_upgrades_to_6(db: TestDb) {
    use sqlx::{Connection, Executor};
    let mut old = db.at_schema_version(5).await;
    old.execute(
        "INSERT INTO announcements (forge, project, milestone, kind, sequence, message_id, \
           state, attempts, created_at, sent_at, last_error, items, refusals) \
         VALUES ('gitlab', 'lava/lava', 7, 'warning', 0, '<w7@lava>', 'sent', 1, \
           1760000000000, 1760000001000, NULL, '[]', 0)",
    )
    .await
    .unwrap();
    old.close().await.unwrap();
    assert_eq!(db.schema_history().await, [1, 2, 3, 4, 5]);

    let store = db.store().await;
    assert_eq!(db.schema_history().await, [1, 2, 3, 4, 5, 6, 7]);
    let ledger = store
        .announcements(ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(ledger[0].state, AnnouncementState::Sent);
    let key = mr(12);
    assert_eq!(store.steering(&key, 5).await.unwrap(), Steering::default());
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    let line = [command("approve", 1, Outcome::Acted)];
    assert_eq!(store.record_commands(&key, "41:a", &line).await.unwrap(), 1);
    let steering = store.steering(&key, 5).await.unwrap();
    assert_eq!(steering.active(), Some(&approval("alice", 1)));
    assert_eq!(steering.answers, line);
    drop(store);
    // Opening it again applies nothing more.
    let _again: Store = db.store().await;
    assert_eq!(db.schema_history().await, [1, 2, 3, 4, 5, 6, 7]);
}
