//! The project the status page shows, written through the store's public
//! API as the bot would have left it: 8 release milestones (3 shipped), 400
//! open MRs each with its view (a third failing the gate), 40 of them
//! database changes over the 5 open releases, a few issues, the downtime
//! warning of the next release sent, and the last sync.

use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use schemagate::core::ids::ProjectKey;
use schemagate::core::policy::{DbItemRef, ExceptionNote, GateState, Verdict};
use schemagate::core::status::ItemSeen;
use schemagate::core::types::{
    ChangeKind, Match, MigrationKind, Milestone, MilestoneId, MilestoneState,
};
use schemagate::forge::{ForgeKind, ItemKind, ItemNumber, ItemState, ProjectPath};
use schemagate::store::{
    AnnouncementKey, AnnouncementKind, ItemKey, ItemRecord, SendOutcome, Store,
};
use std::time::Duration;

pub const PROJECT: &str = "lava/lava";
const WEB: &str = "https://gitlab.example.org/lava/lava";
pub const OPEN_MRS: u64 = 400;
/// One open MR in this many is a database change: 40 of 400.
const DB_EVERY: u64 = 10;
const ISSUES: u64 = 6;
const FIRST_MR: u64 = 2101;
const FIRST_ISSUE: u64 = 640;
const SHIPPED: usize = 3;
const RELEASES: usize = 8;
/// How the 40 database changes spread over the 5 open releases, earliest first.
const DB_SPREAD: [usize; 5] = [16, 12, 6, 4, 2];

/// What was seeded, for the report.
pub struct Seeded {
    pub releases: usize,
    pub shipped: usize,
    pub open_mrs: usize,
    pub db_changes: usize,
    pub failing: usize,
    pub issues: usize,
}

const ACTIONS: [&str; 12] = [
    "Fix",
    "Add",
    "Refactor",
    "Speed up",
    "Document",
    "Drop Python 3.9 support in",
    "Handle timeouts in",
    "Log more context in",
    "Test",
    "Simplify",
    "Cache",
    "Paginate",
];
const SUBJECTS: [&str; 17] = [
    "the device health checks",
    "the job log viewer",
    "the scheduler's device selection",
    "multinode job submission",
    "the results API",
    "the dispatcher's heartbeat",
    "the XML-RPC token handling",
    "test shell parsing",
    "the LXC protocol",
    "device dictionaries in the admin",
    "the notification callbacks",
    "the worker's power commands",
    "`lava-server manage` commands",
    "the REST API v0.2 filters",
    "the fastboot deploy action",
    "job definition validation",
    "the device type templates",
];
const TABLES: [&str; 6] = [
    "testjob",
    "device",
    "devicetype",
    "worker",
    "testcase",
    "notification",
];
const APPS: [&str; 3] = ["lava_scheduler_app", "lava_results_app", "lava_server"];

fn title(n: u64) -> String {
    let n = n as usize;
    format!(
        "{} {}",
        ACTIONS[n % ACTIONS.len()],
        SUBJECTS[(n / 3) % SUBJECTS.len()]
    )
}

fn db_title(n: u64) -> String {
    let n = n as usize;
    format!(
        "Add {}.{} and backfill it for {}",
        TABLES[n % TABLES.len()],
        ["priority", "retired_at", "owner_group", "health_reason"][(n / 7) % 4],
        SUBJECTS[n % SUBJECTS.len()]
    )
}

/// 8 monthly releases around today: 3 shipped, then 5 open, 30 days apart.
fn milestones() -> Vec<Milestone> {
    let today = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("a date");
    (0..RELEASES)
        .map(|k| {
            let month = (first - Months::new(SHIPPED as u32)) + Months::new(k as u32);
            let shipped = k < SHIPPED;
            let due = match shipped {
                true => today - Days::new(30 * (SHIPPED - k) as u64),
                false => today + Days::new(5 + 30 * (k - SHIPPED) as u64),
            };
            let id = 4100 + k as u64;
            Milestone {
                id: MilestoneId(id),
                title: format!("{}.{:02}", month.year(), month.month()),
                state: match shipped {
                    true => MilestoneState::Closed,
                    false => MilestoneState::Open,
                },
                start_date: None,
                due_date: Some(due),
                description: String::new(),
                web_url: Some(format!("{WEB}/-/milestones/{}", k + 40)),
            }
        })
        .collect()
}

fn migrations(n: u64) -> Vec<Match> {
    let app = APPS[(n as usize) % APPS.len()];
    (0..1 + n % 3)
        .map(|m| Match {
            path: format!("{app}/migrations/{:04}_{}_{m}.py", 60 + n % 900, db_slug(n)),
            change: ChangeKind::Added,
            framework: "django".into(),
            kind: match (n + m) % 4 {
                0 => MigrationKind::Data,
                _ => MigrationKind::Schema,
            },
            reason: String::new(),
            order: None,
            compat: Default::default(),
            operations: Vec::new(),
        })
        .collect()
}

fn db_slug(n: u64) -> &'static str {
    [
        "add_priority",
        "backfill_owner",
        "retire_devices",
        "index_health",
    ][(n % 4) as usize]
}

/// 1 or 2 failed rules with their advice, in the gate's words.
fn failing_verdict(n: u64, own: &str, next: &str, batch: &str) -> Verdict {
    let rules = [
        (
            format!("{own} is ahead of the next release {next}; merge after {next} ships"),
            format!("Wait until {next} is closed: the gate passes again by itself."),
        ),
        (
            format!(
                "the database changes of this cycle are batched in {batch}; move this merge request there"
            ),
            format!("Set this merge request's milestone to {batch}."),
        ),
        (
            format!("the downtime warning for {batch} has not been sent yet"),
            format!(
                "Merge after the downtime warning for {batch} is sent: it goes out when work \
                 starts on {batch} (when it becomes the next release or its start date comes)."
            ),
        ),
    ];
    let count = 1 + (n / 3) as usize % 2;
    let chosen: Vec<_> = (0..count)
        .map(|i| &rules[(n as usize + i) % rules.len()])
        .collect();
    Verdict {
        state: GateState::Failure,
        summary: chosen[0].0.clone(),
        reasons: chosen.iter().map(|(reason, _)| reason.clone()).collect(),
        advice: chosen.iter().map(|(_, advice)| advice.clone()).collect(),
    }
}

fn key(kind: ItemKind, number: u64) -> ItemKey {
    ItemKey {
        forge: ForgeKind::GitLab,
        project: ProjectPath(PROJECT.into()),
        kind,
        number: ItemNumber(number),
    }
}

pub async fn seed(store: &Store) -> Seeded {
    let project = ProjectKey::new(ForgeKind::GitLab, PROJECT);
    let milestones = milestones();
    store
        .save_milestones(&project, &milestones)
        .await
        .expect("milestones saved");
    let open: Vec<&Milestone> = milestones.iter().filter(|m| m.is_open()).collect();
    let title_of = |id: MilestoneId| {
        let found = milestones.iter().find(|m| m.id == id).expect("a milestone");
        found.title.clone()
    };
    // The next release is also the batch: the earliest open release holding changes.
    let next = open[0].title.clone();
    let batch = &next;
    // Which open release the i-th database change goes to.
    let spread: Vec<MilestoneId> = DB_SPREAD
        .iter()
        .enumerate()
        .flat_map(|(k, count)| std::iter::repeat_n(open[k].id, *count))
        .collect();
    let (mut db_changes, mut failing, mut warned_items) = (0, 0, Vec::new());
    for i in 0..OPEN_MRS {
        let n = FIRST_MR + i;
        let is_db = i % DB_EVERY == 3;
        let milestone = match is_db {
            true => Some(spread[db_changes]),
            false if i % 7 == 0 => None,
            false => Some(open[(i as usize / 7) % open.len()].id),
        };
        let own = milestone.map_or_else(|| "no milestone".to_string(), title_of);
        let verdict = match i % 3 == 0 {
            true => {
                failing += 1;
                failing_verdict(n, &own, &next, batch)
            }
            false => Verdict {
                state: GateState::Success,
                summary: match is_db {
                    true => format!("database change in the batch {own}"),
                    false => "no database change".to_string(),
                },
                reasons: Vec::new(),
                advice: Vec::new(),
            },
        };
        let title = if is_db { db_title(n) } else { title(n) };
        let web_url = Some(format!("{WEB}/-/merge_requests/{n}"));
        let db_change = is_db.then(|| DbItemRef {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(n),
            title: title.clone(),
            web_url: web_url.clone(),
            milestone: milestone.expect("a database change has a milestone"),
            placed_by_bot: i % 2 == 1,
            // Two changes outside the batch sit where they are by exception.
            exception: (db_changes == 20 || db_changes == 30).then(|| ExceptionNote {
                approver: "stevan.radakovic".into(),
                reason: "security fix that cannot wait for the batch; the column is nullable"
                    .into(),
            }),
            conflicts: Vec::new(),
            breaking: Vec::new(),
        });
        if is_db {
            if db_changes < DB_SPREAD[0] {
                warned_items.push(format!("merge_request:{n}"));
            }
            db_changes += 1;
        }
        let view = ItemSeen {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(n),
            title,
            web_url,
            state: ItemState::Open,
            draft: i % 17 == 5,
            milestone,
            verdict: Some(verdict),
            migrations: if is_db { migrations(n) } else { Vec::new() },
            target_branch: Some("master".into()),
        };
        let record = ItemRecord {
            db_change,
            view: Some(view),
            ..ItemRecord::default()
        };
        store
            .save_item(&key(ItemKind::MergeRequest, n), &record)
            .await
            .expect("MR saved");
    }
    for i in 0..ISSUES {
        let n = FIRST_ISSUE + i;
        let view = ItemSeen {
            kind: ItemKind::Issue,
            number: ItemNumber(n),
            title: format!("{} is flaky on the staging instance", title(n)),
            web_url: Some(format!("{WEB}/-/issues/{n}")),
            state: ItemState::Open,
            draft: false,
            milestone: Some(open[i as usize % 2].id),
            verdict: None,
            migrations: Vec::new(),
            target_branch: None,
        };
        let record = ItemRecord {
            view: Some(view),
            ..ItemRecord::default()
        };
        store
            .save_item(&key(ItemKind::Issue, n), &record)
            .await
            .expect("issue saved");
    }
    warn_sent(store, open[0].id, &warned_items).await;
    store
        .record_sync(&project, None)
        .await
        .expect("sync recorded");
    Seeded {
        releases: milestones.len(),
        shipped: SHIPPED,
        open_mrs: OPEN_MRS as usize,
        db_changes,
        failing,
        issues: ISSUES as usize,
    }
}

/// The next release's downtime warning, recorded as sent.
async fn warn_sent(store: &Store, milestone: MilestoneId, items: &[String]) {
    let key = AnnouncementKey {
        forge: ForgeKind::GitLab,
        project: PROJECT.into(),
        milestone,
        kind: AnnouncementKind::Warning,
        sequence: 0,
    };
    let message_id = format!("<warning-{}@schemagate.example.org>", milestone.0);
    store
        .begin_announcement(&key, &message_id, items, Duration::from_secs(60))
        .await
        .expect("warning begun");
    store
        .finish_announcement(&key, SendOutcome::Sent, &[])
        .await
        .expect("warning sent");
}
