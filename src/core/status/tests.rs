//! The status a project's records make: releases in order with the next
//! marked, downtime and why, the warning's state from the ledger and the
//! trigger, blocked MRs, and what observe mode held back.

use super::*;
use crate::core::announcements::AnnouncementKind;
use crate::core::ids::ForgeKind;
use crate::core::policy::{
    AnnounceTrigger, DbItemRef, ExceptionNote, GateState, Policy, ProjectState, WarningSent,
};
use crate::core::release::Scheme;
use crate::core::types::{ChangeKind, MigrationKind, Milestone, MilestoneState};
use chrono::{NaiveDate, TimeZone, Utc};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
}

fn milestone(id: u64, title: &str, open: bool) -> Milestone {
    Milestone {
        id: MilestoneId(id),
        title: title.into(),
        state: if open {
            MilestoneState::Open
        } else {
            MilestoneState::Closed
        },
        start_date: None,
        due_date: NaiveDate::from_ymd_opt(2026, 12, u32::try_from(id % 28 + 1).unwrap()),
        description: String::new(),
        web_url: Some(format!(
            "https://gitlab.example/lava/lava/-/milestones/{id}"
        )),
    }
}

fn milestones() -> Vec<Milestone> {
    vec![
        milestone(9, "2026.12", true),
        milestone(1, "2026.01", false),
        milestone(2, "2026.02", false),
        milestone(3, "2026.03", false),
        milestone(4, "2026.04", false),
        milestone(8, "2026.11", true),
        milestone(20, "Backlog", true),
    ]
}

fn change(number: u64, milestone: u64) -> DbItemRef {
    DbItemRef {
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
        title: format!("MR {number}"),
        web_url: Some(format!(
            "https://gitlab.example/lava/lava/-/merge_requests/{number}"
        )),
        milestone: MilestoneId(milestone),
        placed_by_bot: true,
        exception: None,
        conflicts: Vec::new(),
        breaking: Vec::new(),
    }
}

fn seen(number: u64, state: ItemState, failing: Option<&str>) -> ItemSeen {
    ItemSeen {
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
        title: format!("MR {number}"),
        web_url: None,
        state,
        draft: false,
        milestone: Some(MilestoneId(9)),
        verdict: Some(Verdict {
            state: if failing.is_some() {
                GateState::Failure
            } else {
                GateState::Success
            },
            summary: String::new(),
            reasons: failing.map(|r| vec![r.to_string()]).unwrap_or_default(),
            advice: failing
                .map(|_| vec!["merge it later".to_string()])
                .unwrap_or_default(),
        }),
        migrations: vec![Match {
            path: format!("app/migrations/{number:04}_x.py"),
            change: ChangeKind::Added,
            framework: "django".into(),
            kind: MigrationKind::Schema,
            reason: String::new(),
            order: None,
            compat: crate::core::compat::Compat::Expand,
            operations: Vec::new(),
        }],
        target_branch: None,
    }
}

struct World {
    milestones: Vec<Milestone>,
    state: ProjectState,
    items: Vec<ItemSeen>,
    mails: Vec<MailRecord>,
    observed: Vec<Observed>,
    policy: Policy,
    announces: bool,
}

impl World {
    fn new() -> World {
        let mut policy = Policy::new(Scheme::Calver);
        policy.announce_trigger = AnnounceTrigger::WorkStarts;
        World {
            milestones: milestones(),
            state: ProjectState::default(),
            items: Vec::new(),
            mails: Vec::new(),
            observed: Vec::new(),
            policy,
            announces: true,
        }
    }

    fn status(&self) -> ProjectStatus {
        build(&Recorded {
            forge: ForgeKind::GitLab,
            path: "lava/lava",
            project_url: Some("https://gitlab.example/lava/lava".into()),
            policy: &self.policy,
            announces: self.announces,
            milestones: &self.milestones,
            milestones_read_at: Some(now()),
            state: &self.state,
            items: &self.items,
            mails: &self.mails,
            observed: &self.observed,
            last_sync: None,
            forge_health: Some("ok".into()),
            dead_jobs: 0,
            page_path: "/projects/gitlab/lava/lava",
            now: now(),
        })
    }
}

fn release<'s>(status: &'s ProjectStatus, title: &str) -> &'s ReleaseStatus {
    status
        .releases
        .iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no release {title} in {:?}", status.releases))
}

#[test]
fn releases_come_in_release_order_with_three_shipped_and_the_next_marked() {
    let status = World::new().status();
    let titles: Vec<&str> = status.releases.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        ["2026.02", "2026.03", "2026.04", "2026.11", "2026.12"]
    );
    assert_eq!(status.next_release.as_deref(), Some("2026.11"));
    let next: Vec<&str> = (status.releases.iter())
        .filter(|r| r.next)
        .map(|r| r.title.as_str())
        .collect();
    assert_eq!(next, ["2026.11"]);
    assert_eq!(release(&status, "2026.02").state, "closed");
    assert!(!release(&status, "2026.11").downtime);
    assert_eq!(
        release(&status, "2026.11").warning.state,
        WarningState::NotDue
    );
}

#[test]
fn a_batch_needs_downtime_names_its_changes_and_its_warning_is_due_when_work_starts() {
    let mut world = World::new();
    world.state.db_changes = vec![change(4, 8), change(2, 8)];
    world.items = vec![
        seen(2, ItemState::Merged, None),
        seen(4, ItemState::Open, None),
    ];
    let status = world.status();
    let next = release(&status, "2026.11");
    assert!(next.downtime && next.batch);
    assert_eq!(next.downtime_why, "it holds 2 database changes: !2, !4");
    let refs: Vec<&str> = next
        .db_changes
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(refs, ["!2", "!4"]);
    assert_eq!(next.db_changes[0].state, "merged");
    assert_eq!(next.db_changes[1].migrations[0].kind, "schema");
    // The next release: work has started, the warning is owed now.
    assert_eq!(next.warning.state, WarningState::Pending);
    assert_eq!(next.warning.note, "due now");
    // Without an announce list nothing is owed.
    world.announces = false;
    let quiet = world.status();
    assert_eq!(
        release(&quiet, "2026.11").warning.state,
        WarningState::NotDue
    );
    assert_eq!(
        release(&quiet, "2026.11").warning.note,
        "no announce list is configured"
    );
}

#[test]
fn the_ledger_says_sent_refused_or_pending() {
    let mut world = World::new();
    world.state.db_changes = vec![change(4, 8)];
    let sent_at = now() - chrono::Duration::days(2);
    world.state.warnings_sent = vec![WarningSent {
        milestone: MilestoneId(8),
        sent_at,
    }];
    let row = |state: &'static str, error: Option<&str>| MailRecord {
        milestone: MilestoneId(8),
        kind: AnnouncementKind::Warning,
        sequence: 0,
        state,
        sent_at: (state == "sent").then_some(sent_at),
        error: error.map(str::to_string),
    };
    world.mails = vec![row("sent", None)];
    let warning = release(&world.status(), "2026.11").warning.clone();
    assert_eq!(warning.state, WarningState::Sent);
    assert_eq!(warning.sent_at, Some(sent_at));
    assert_eq!(warning.note, "sent on 2026-11-18");
    world.state.warnings_sent.clear();
    world.mails = vec![row("failed", Some("550 no such list"))];
    let warning = release(&world.status(), "2026.11").warning.clone();
    assert_eq!(warning.state, WarningState::Refused);
    assert_eq!(warning.error.as_deref(), Some("550 no such list"));
    world.mails = vec![row("pending", Some("connection refused"))];
    let status = world.status();
    let warning = &release(&status, "2026.11").warning;
    assert_eq!(warning.state, WarningState::Pending);
    assert_eq!(release(&status, "2026.11").mails[0].state, "pending");
}

#[test]
fn a_change_outside_the_batch_is_no_downtime_but_an_excepted_one_is() {
    let mut world = World::new();
    // 2026.11 is the batch; a person put !7 into 2026.12.
    let mut outside = change(7, 9);
    outside.placed_by_bot = false;
    world.state.db_changes = vec![change(4, 8), outside.clone()];
    let status = world.status();
    let later = release(&status, "2026.12");
    assert!(!later.downtime && !later.batch);
    assert_eq!(
        later.downtime_why,
        "its 1 database change (!7) is outside the batch and blocked until moved"
    );
    outside.exception = Some(ExceptionNote {
        approver: "alice".into(),
        reason: "security fix".into(),
    });
    world.state.db_changes = vec![change(4, 8), outside];
    let status = world.status();
    let later = release(&status, "2026.12");
    assert!(later.downtime);
    assert_eq!(
        later.downtime_why,
        "an approved exception let a database change in: !7"
    );
    assert_eq!(later.exceptions[0].approver, "alice");
    assert_eq!(later.exceptions[0].reference, "!7");
}

#[test]
fn open_mrs_whose_gate_fails_are_blocked_with_their_reasons_and_advice() {
    let mut world = World::new();
    world.items = vec![
        seen(
            9,
            ItemState::Open,
            Some("2026.12 is ahead of the next release 2026.11"),
        ),
        seen(3, ItemState::Open, None),
        seen(5, ItemState::Closed, Some("stale")),
        seen(1, ItemState::Open, Some("no milestone")),
    ];
    let status = world.status();
    let refs: Vec<&str> = status
        .blocked
        .iter()
        .map(|b| b.reference.as_str())
        .collect();
    assert_eq!(refs, ["!1", "!9"]);
    assert_eq!(status.blocked[1].milestone.as_deref(), Some("2026.12"));
    assert_eq!(
        status.blocked[1].reasons,
        ["2026.12 is ahead of the next release 2026.11"]
    );
    assert_eq!(status.blocked[1].advice, ["merge it later"]);
}

#[test]
fn what_observe_mode_held_back_is_listed_per_item_block_and_mail() {
    let mut world = World::new();
    world.state.db_changes = vec![change(4, 8)];
    world.items = vec![seen(4, ItemState::Open, None)];
    let held = |subject: &str, line: &str| Observed {
        subject: subject.into(),
        lines: vec![line.into()],
        at: now(),
    };
    world.observed = vec![
        held(
            "merge_request:4",
            "would add label \"Database changes\" to !4",
        ),
        held(
            "block:8",
            "would update the description of milestone 2026.11",
        ),
        held("mail:8:warning:0", "would send the downtime warning"),
        held("nonsense", "ignored"),
    ];
    let status = world.status();
    let planned: Vec<(&str, &str)> = (status.planned.iter())
        .map(|p| (p.reference.as_str(), p.writes[0].as_str()))
        .collect();
    assert_eq!(
        planned,
        [
            ("!4", "would add label \"Database changes\" to !4"),
            (
                "2026.11",
                "would update the description of milestone 2026.11"
            ),
        ]
    );
    let next = release(&status, "2026.11");
    assert_eq!(next.planned_mails.len(), 1);
    assert_eq!(
        next.planned_mails[0].preview_url,
        "/projects/gitlab/lava/lava/-/mail/8/warning/0"
    );
    assert_eq!(next.warning.note, "observe mode: it would be sent now");
    assert_eq!(next.warning.state, WarningState::Pending);
}

#[test]
fn mail_subjects_parse_strictly() {
    assert_eq!(
        mail_subject("mail:8:update:2"),
        Some((MilestoneId(8), AnnouncementKind::Update, 2))
    );
    assert_eq!(mail_subject("mail:8:update:2:x"), None);
    assert_eq!(mail_subject("mail:x:warning:0"), None);
    assert_eq!(mail_subject("block:8"), None);
}

#[test]
fn the_json_shape_names_refs_and_states_as_documented() {
    let mut world = World::new();
    world.state.db_changes = vec![change(4, 8)];
    world.items = vec![seen(4, ItemState::Open, None)];
    let json = serde_json::to_value(world.status()).unwrap();
    let next = &json["releases"][3];
    assert_eq!(next["title"], "2026.11");
    assert_eq!(next["next"], true);
    assert_eq!(next["db_changes"][0]["ref"], "!4");
    assert_eq!(next["db_changes"][0]["state"], "open");
    assert_eq!(next["warning"]["state"], "pending");
    assert!(next["warning"]["sent_at"].is_null());
    assert_eq!(json["dead_jobs"], 0);
    assert_eq!(json["forge"], "gitlab");
}
