//! What the status page reads, in the store against real databases (each
//! body runs on a fresh SQLite file and a fresh PostgreSQL database): item
//! views written with their records, the milestones and the last sync,
//! observe mode's held-back writes, dead jobs per project, and a database
//! an earlier release left at schema version 6 upgraded to 7.

use crate::support::db::TestDb;
use schemagate::core::ids::ProjectKey;
use schemagate::core::status::ItemSeen;
use schemagate::core::types::{Milestone, MilestoneId, MilestoneState};
use schemagate::forge::{ForgeKind, ItemKind, ItemNumber, ItemState, ProjectPath};
use schemagate::store::{ItemKey, ItemRecord, NewJob, Store};

crate::both_backends!(
    an_items_view_is_saved_and_read_with_its_record,
    milestones_and_the_last_sync_are_kept_per_project,
    observed_writes_are_replaced_forgotten_and_cleared,
    dead_jobs_are_counted_per_project,
    a_database_an_earlier_release_left_at_version_6_upgrades_to_7,
);

fn mr(project: &str, number: u64) -> ItemKey {
    ItemKey {
        forge: ForgeKind::GitLab,
        project: ProjectPath(project.into()),
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
    }
}

fn view(number: u64, title: &str) -> ItemSeen {
    ItemSeen {
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
        title: title.into(),
        web_url: None,
        state: ItemState::Open,
        draft: false,
        milestone: Some(MilestoneId(7)),
        verdict: None,
        migrations: Vec::new(),
        target_branch: Some("main".into()),
    }
}

async fn an_items_view_is_saved_and_read_with_its_record(db: TestDb) {
    let store = db.store().await;
    let record = ItemRecord {
        view: Some(view(12, "Add “priorities” <b>")),
        ..ItemRecord::default()
    };
    store
        .save_item(&mr("Lava/Lava", 12), &record)
        .await
        .unwrap();
    store
        .save_item(
            &mr("lava/other", 1),
            &ItemRecord {
                view: Some(view(1, "elsewhere")),
                ..ItemRecord::default()
            },
        )
        .await
        .unwrap();
    store
        .save_item(&mr("lava/lava", 13), &ItemRecord::default())
        .await
        .unwrap();
    let read = store.item(&mr("lava/lava", 12)).await.unwrap().unwrap();
    assert_eq!(read, record);
    let views = store
        .item_views(ForgeKind::GitLab, "LAVA/lava")
        .await
        .unwrap();
    assert_eq!(views, vec![view(12, "Add “priorities” <b>")]);
    store.delete_item(&mr("lava/lava", 12)).await.unwrap();
    assert!(
        store
            .item_views(ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn milestones_and_the_last_sync_are_kept_per_project(db: TestDb) {
    let store = db.store().await;
    let key = ProjectKey::new(ForgeKind::GitHub, "Octo/Demo");
    assert_eq!(
        store
            .project_record(ForgeKind::GitHub, "octo/demo")
            .await
            .unwrap(),
        Default::default()
    );
    let milestone = Milestone {
        id: MilestoneId(3),
        title: "2026.12".into(),
        state: MilestoneState::Open,
        start_date: None,
        due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 15),
        description: "a long block the page never shows".into(),
        web_url: Some("https://github.com/octo/demo/milestone/3".into()),
    };
    store
        .save_milestones(&key, std::slice::from_ref(&milestone))
        .await
        .unwrap();
    store
        .record_sync(&key, Some("could not reach the forge"))
        .await
        .unwrap();
    let record = store
        .project_record(ForgeKind::GitHub, "octo/demo")
        .await
        .unwrap();
    let kept = record.milestones.unwrap();
    assert_eq!(kept[0].title, "2026.12");
    assert_eq!(kept[0].description, "", "descriptions are left out");
    assert!(record.milestones_read_at.is_some());
    let sync = record.last_sync.unwrap();
    assert_eq!(sync.error.as_deref(), Some("could not reach the forge"));
    store.record_sync(&key, None).await.unwrap();
    let record = store
        .project_record(ForgeKind::GitHub, "octo/demo")
        .await
        .unwrap();
    assert_eq!(record.last_sync.unwrap().error, None);
    assert_eq!(
        record.milestones.unwrap().len(),
        1,
        "a sync keeps the milestones"
    );
    assert!(
        store
            .project_record(ForgeKind::GitLab, "octo/demo")
            .await
            .unwrap()
            .milestones
            .is_none()
    );
}

async fn observed_writes_are_replaced_forgotten_and_cleared(db: TestDb) {
    let store = db.store().await;
    let key = ProjectKey::new(ForgeKind::GitLab, "lava/lava");
    let lines = |text: &str| vec![text.to_string()];
    store
        .observe(&key, "merge_request:4", &lines("would add label"), None)
        .await
        .unwrap();
    store
        .observe(
            &key,
            "merge_request:4",
            &lines("would post a comment"),
            None,
        )
        .await
        .unwrap();
    store
        .observe(
            &key,
            "mail:7:warning:0",
            &lines("would send"),
            Some("Subject: Downtime"),
        )
        .await
        .unwrap();
    store
        .observe(&key, "block:7", &lines("would update"), None)
        .await
        .unwrap();
    let held = store
        .observed(ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    let subjects: Vec<(&str, &str)> = held
        .iter()
        .map(|o| (o.subject.as_str(), o.lines[0].as_str()))
        .collect();
    assert_eq!(
        subjects,
        [
            ("block:7", "would update"),
            ("mail:7:warning:0", "would send"),
            ("merge_request:4", "would post a comment"),
        ]
    );
    assert_eq!(
        store
            .observed_preview(ForgeKind::GitLab, "lava/lava", "mail:7:warning:0")
            .await
            .unwrap()
            .as_deref(),
        Some("Subject: Downtime")
    );
    store.observe(&key, "block:7", &[], None).await.unwrap();
    assert_eq!(
        store
            .observed(ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.clear_observed().await.unwrap(), 2);
    assert!(
        store
            .observed(ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn dead_jobs_are_counted_per_project(db: TestDb) {
    let store = db.store().await;
    for serial_key in [
        "gitlab:lava/lava:mr:1",
        "gitlab:lava/lava-extra:mr:1",
        "github:lava/lava:mr:1",
    ] {
        store
            .enqueue(&NewJob {
                serial_key,
                payload: "{}",
            })
            .await
            .unwrap();
    }
    // Each job fails its only attempt.
    while let Some(job) = store
        .claim("w", std::time::Duration::from_secs(30))
        .await
        .unwrap()
    {
        store
            .retry_later(job.id, "w", "broken", std::time::Duration::ZERO, 1)
            .await
            .unwrap();
    }
    assert_eq!(store.queue_depth().await.unwrap().dead, 3);
    let count = |forge, path| {
        let store: Store = store.clone();
        async move {
            store
                .dead_jobs_of(&ProjectKey::new(forge, path))
                .await
                .unwrap()
        }
    };
    assert_eq!(count(ForgeKind::GitLab, "Lava/Lava").await, 1);
    assert_eq!(count(ForgeKind::GitLab, "lava/lava-extra").await, 1);
    assert_eq!(count(ForgeKind::GitHub, "lava/lava").await, 1);
    assert_eq!(count(ForgeKind::GitLab, "lava").await, 0);
}

/// A database the previous release (schema version 6) left with an item:
/// opening it applies version 7, keeps the item, and reads it without a view.
async fn a_database_an_earlier_release_left_at_version_6_upgrades_to_7(db: TestDb) {
    use sqlx::{Connection, Executor};
    let mut old = db.at_schema_version(6).await;
    // A record as the earlier release wrote it (it had no view).
    let record = serde_json::to_string(&ItemRecord::default()).unwrap();
    assert!(!record.contains("view"), "{record}");
    old.execute(sqlx::AssertSqlSafe(format!(
        "INSERT INTO items (forge, project, kind, number, record, db_change, updated_at) \
         VALUES ('gitlab', 'lava/lava', 'merge_request', 12, '{record}', NULL, 1760000000000)"
    )))
    .await
    .unwrap();
    old.close().await.unwrap();
    let store = db.store().await;
    assert_eq!(db.schema_history().await, [1, 2, 3, 4, 5, 6, 7]);
    let record = store.item(&mr("lava/lava", 12)).await.unwrap().unwrap();
    assert_eq!(record.view, None);
    assert!(
        store
            .item_views(ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap()
            .is_empty()
    );
    let record = ItemRecord {
        view: Some(view(12, "now shown")),
        ..record
    };
    store
        .save_item(&mr("lava/lava", 12), &record)
        .await
        .unwrap();
    assert_eq!(
        store
            .item_views(ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap()
            .len(),
        1
    );
}
