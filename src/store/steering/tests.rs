//! The steering record on an in-memory store; tests/integration/store_steering.rs
//! runs the same rules on SQLite files and PostgreSQL.

use super::*;
use crate::core::exceptions::{CoveredFile, Outcome};
use crate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};
use chrono::{DateTime, TimeZone, Utc};

fn mr(number: u64) -> ItemKey {
    ItemKey {
        forge: ForgeKind::GitLab,
        project: ProjectPath("lava/lava".into()),
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
    }
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap()
}

fn approval(approver: &str, minute: u32) -> Exception {
    Exception {
        approver: approver.into(),
        reason: format!("{approver} says the hotfix needs it"),
        approved_at: at(minute),
        covers: vec![CoveredFile {
            path: "lava_scheduler_app/migrations/0042_fix.py".into(),
            digest: "d1".into(),
        }],
        comment: Some(u64::from(minute)),
        ended: None,
    }
}

fn command(verb: &str, minute: u32) -> CommandRecord {
    CommandRecord {
        author: "bob".into(),
        verb: verb.into(),
        outcome: Outcome::Acted,
        answer: format!("{verb} done"),
        at: at(minute),
        comment: None,
    }
}

#[tokio::test]
async fn an_approval_replaces_the_one_that_held_and_an_end_ends_it_once() {
    let store = Store::in_memory().await.unwrap();
    let key = mr(1);
    assert!(store.steering(&key, 5).await.unwrap().is_empty());
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    store
        .approve_exception(&key, &approval("carol", 2))
        .await
        .unwrap();
    let steering = store.steering(&key, 5).await.unwrap();
    let first = Exception {
        ended: Some(Ending {
            at: at(2),
            how: EndKind::Replaced,
        }),
        ..approval("alice", 1)
    };
    assert_eq!(steering.exceptions, vec![first, approval("carol", 2)]);
    let withdrawn = Ending {
        at: at(3),
        how: EndKind::Withdrawn { by: "dave".into() },
    };
    let ended = store.end_exception(&key, &withdrawn).await.unwrap();
    let ended = ended.expect("carol's held");
    assert_eq!(ended.approver, "carol");
    assert_eq!(ended.ended.as_ref(), Some(&withdrawn));
    assert_eq!(store.steering(&key, 5).await.unwrap().exceptions[1], ended);
    assert_eq!(store.end_exception(&key, &withdrawn).await.unwrap(), None);
}

#[tokio::test]
async fn a_comment_version_is_recorded_once_and_answers_are_the_latest_oldest_first() {
    let store = Store::in_memory().await.unwrap();
    let key = mr(2);
    assert!(!store.comment_handled(&key, "c1:abc").await.unwrap());
    let first = [command("recheck", 4), command("help", 5)];
    assert_eq!(
        store.record_commands(&key, "c1:abc", &first).await.unwrap(),
        2
    );
    assert_eq!(
        store.record_commands(&key, "c1:abc", &first).await.unwrap(),
        0
    );
    assert!(store.comment_handled(&key, "c1:abc").await.unwrap());
    assert!(!store.comment_handled(&key, "c1:def").await.unwrap());
    // A comment given earlier but handled later still takes its place.
    let late = [command("approve", 1)];
    store.record_commands(&key, "c0:xyz", &late).await.unwrap();
    let verbs = |steering: Steering| {
        steering
            .answers
            .into_iter()
            .map(|a| a.verb)
            .collect::<Vec<_>>()
    };
    // Rechecks are on the record but not among the answers (they change
    // nothing to show), nor among the versions a thread's reader skips.
    let steering = store.steering(&key, 5).await.unwrap();
    assert_eq!(steering.handled, ["c1:abc", "c0:xyz"]);
    assert_eq!(verbs(steering), ["approve", "help"]);
    assert_eq!(verbs(store.steering(&key, 1).await.unwrap()), ["help"]);
    assert!(verbs(store.steering(&key, 0).await.unwrap()).is_empty());
    assert!(
        store.steering(&mr(3), 5).await.unwrap().is_empty(),
        "another MR's record is its own"
    );
}

#[tokio::test]
async fn a_corrupt_row_is_a_store_error_naming_its_table() {
    let store = Store::in_memory().await.unwrap();
    let key = mr(4);
    store
        .approve_exception(&key, &approval("alice", 1))
        .await
        .unwrap();
    store
        .record_commands(&key, "c1", &[command("help", 1)])
        .await
        .unwrap();
    let run = async |statement: &'static str| {
        let mut transaction = store.begin_write().await.unwrap();
        sqlx::query(statement)
            .execute(&mut *transaction)
            .await
            .unwrap();
        transaction.commit().await.unwrap();
    };
    for (table, statement) in [
        ("item_exceptions", "UPDATE item_exceptions SET covers = '{'"),
        (
            "item_exceptions",
            "UPDATE item_exceptions SET ended_at = 1, ending = '{\"end\":\"forgotten\"}'",
        ),
        ("item_exceptions", "UPDATE item_exceptions SET ended_at = 1"),
        (
            "item_exceptions",
            "UPDATE item_exceptions SET approved_at = -9223372036854775807",
        ),
        ("item_commands", "UPDATE item_commands SET outcome = 'done'"),
        ("item_commands", "UPDATE item_commands SET comment_id = -1"),
    ] {
        run(statement).await;
        let error = store.steering(&key, 5).await.unwrap_err();
        let StoreError::Corrupt { table: named, .. } = &error else {
            panic!("not a corrupt row: {error:?}");
        };
        assert_eq!(*named, table, "{statement}: {error}");
        // Put the rows right again for the next case.
        run(
            "UPDATE item_exceptions SET covers = '[]', ended_at = NULL, ending = NULL, \
             approved_at = 0",
        )
        .await;
        run("UPDATE item_commands SET outcome = 'acted', comment_id = NULL").await;
        assert!(store.steering(&key, 5).await.is_ok());
    }
}
