//! Scenarios: which mails a LAVA-like project owes (warning, digest updates,
//! release notice), on 2026-11-03 (see `World::lava`).

use super::*;
use crate::core::policy::AnnounceTrigger;
use crate::core::policy::tests::{M2026_11, M2026_12, World};
use chrono::TimeZone;

const DAY: i64 = 24 * 60 * 60;

fn mail(digest_days: Option<i64>, release_notice: bool) -> MailPolicy {
    MailPolicy {
        digest_interval: digest_days.map(|d| Duration::seconds(d * DAY)),
        release_notice,
    }
}

fn sent(
    milestone: MilestoneId,
    kind: AnnouncementKind,
    sequence: u32,
    at: &str,
    items: &[&str],
) -> LedgerEntry {
    LedgerEntry {
        milestone,
        kind,
        sequence,
        state: LedgerState::Sent,
        sent_at: Some(
            chrono::NaiveDate::parse_from_str(at, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(9, 30, 0)
                .unwrap()
                .and_utc(),
        ),
        items: items.iter().map(|s| s.to_string()).collect(),
    }
}

fn due(world: &World, mail: &MailPolicy, ledger: &[LedgerEntry]) -> Vec<DueMail> {
    due_mails(
        &world.project,
        &world.milestones,
        &world.policy,
        mail,
        ledger,
        world.now,
    )
}

fn warning(milestone: MilestoneId) -> DueMail {
    DueMail {
        milestone,
        kind: AnnouncementKind::Warning,
        sequence: 0,
    }
}

#[test]
fn no_warning_while_the_batch_is_behind_the_next_release() {
    let world = World::lava().db_change_in(7, M2026_12);
    assert!(due(&world, &mail(None, false), &[]).is_empty());
}

#[test]
fn the_warning_is_due_once_the_next_release_closes() {
    let world = World::lava().db_change_in(7, M2026_12).closed(M2026_11);
    assert_eq!(
        due(&world, &mail(None, false), &[]),
        vec![warning(M2026_12)]
    );
}

#[test]
fn first_change_owes_the_warning_at_once_and_manual_never() {
    let first = World::lava()
        .db_change_in(7, M2026_12)
        .policy(|p| p.announce_trigger = AnnounceTrigger::FirstChange);
    assert_eq!(
        due(&first, &mail(None, false), &[]),
        vec![warning(M2026_12)]
    );
    let manual = World::lava()
        .db_change_in(7, M2026_12)
        .closed(M2026_11)
        .policy(|p| p.announce_trigger = AnnounceTrigger::Manual);
    assert!(due(&manual, &mail(None, false), &[]).is_empty());
}

#[test]
fn a_warning_given_up_for_good_is_not_tried_again_on_its_own() {
    let world = World::lava().db_change_in(7, M2026_12).closed(M2026_11);
    let failed = LedgerEntry {
        state: LedgerState::Failed,
        sent_at: None,
        ..sent(M2026_12, AnnouncementKind::Warning, 0, "2026-11-01", &[])
    };
    assert!(due(&world, &mail(None, false), std::slice::from_ref(&failed)).is_empty());
    let unsent = LedgerEntry {
        state: LedgerState::Unsent,
        ..failed
    };
    assert_eq!(
        due(&world, &mail(None, false), &[unsent]),
        vec![warning(M2026_12)]
    );
}

#[test]
fn a_warning_begun_before_its_release_shipped_still_goes_out() {
    let shipped = World::lava()
        .db_change_in(7, M2026_12)
        .closed(M2026_11)
        .closed(M2026_12);
    let begun = LedgerEntry {
        state: LedgerState::Unsent,
        sent_at: None,
        ..sent(M2026_12, AnnouncementKind::Warning, 0, "2026-11-01", &[])
    };
    let mail = mail(None, true);
    assert_eq!(
        due(&shipped, &mail, std::slice::from_ref(&begun)),
        vec![warning(M2026_12)]
    );
    // Never begun: a release that shipped unannounced is not warned of afterwards.
    assert!(due(&shipped, &mail, &[]).is_empty());
    let failed = LedgerEntry {
        state: LedgerState::Failed,
        ..begun
    };
    assert!(due(&shipped, &mail, &[failed]).is_empty());
}

#[test]
fn a_change_joining_an_announced_batch_owes_one_update() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .db_change_in(8, M2026_12)
        .closed(M2026_11)
        .warning_sent(M2026_12, "2026-11-01");
    let ledger = [sent(
        M2026_12,
        AnnouncementKind::Warning,
        0,
        "2026-11-01",
        &["merge_request:7"],
    )];
    let update = DueMail {
        milestone: M2026_12,
        kind: AnnouncementKind::Update,
        sequence: 1,
    };
    assert_eq!(due(&world, &mail(Some(1), false), &ledger), vec![update]);
    // Without digests configured, nothing.
    assert!(due(&world, &mail(None, false), &ledger).is_empty());
    let delta = batch_delta(&ledger, M2026_12, &current_items(&world.project, M2026_12));
    assert_eq!(
        delta.added.into_iter().collect::<Vec<_>>(),
        vec!["merge_request:8"]
    );
}

#[test]
fn updates_wait_for_the_digest_interval_after_the_last_update() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .db_change_in(8, M2026_12)
        .db_change_in(9, M2026_12)
        .closed(M2026_11)
        .warning_sent(M2026_12, "2026-10-30");
    let ledger = [
        sent(
            M2026_12,
            AnnouncementKind::Warning,
            0,
            "2026-10-30",
            &["merge_request:7"],
        ),
        sent(
            M2026_12,
            AnnouncementKind::Update,
            1,
            "2026-11-03",
            &["merge_request:7", "merge_request:8"],
        ),
    ];
    // Sent at 09:30 today; now is 12:00: a day has not passed.
    assert!(due(&world, &mail(Some(1), false), &ledger).is_empty());
    let mut tomorrow = world.clone();
    tomorrow.now = Utc.with_ymd_and_hms(2026, 11, 4, 10, 0, 0).unwrap();
    assert_eq!(
        due(&tomorrow, &mail(Some(1), false), &ledger),
        vec![DueMail {
            milestone: M2026_12,
            kind: AnnouncementKind::Update,
            sequence: 2
        }]
    );
}

#[test]
fn a_batch_that_lost_every_change_owes_an_update_saying_so() {
    let world = World::lava()
        .closed(M2026_11)
        .warning_sent(M2026_12, "2026-11-01");
    let ledger = [sent(
        M2026_12,
        AnnouncementKind::Warning,
        0,
        "2026-11-01",
        &["merge_request:7"],
    )];
    let delta = batch_delta(&ledger, M2026_12, &current_items(&world.project, M2026_12));
    assert!(delta.emptied);
    assert_eq!(due(&world, &mail(Some(1), false), &ledger).len(), 1);
}

#[test]
fn an_unsent_update_is_retried_under_its_own_sequence() {
    let ledger = [
        sent(M2026_12, AnnouncementKind::Warning, 0, "2026-11-01", &[]),
        LedgerEntry {
            state: LedgerState::Unsent,
            sent_at: None,
            ..sent(M2026_12, AnnouncementKind::Update, 3, "2026-11-01", &[])
        },
    ];
    assert_eq!(next_update_sequence(&ledger, M2026_12), Some(3));
    let failed = [LedgerEntry {
        state: LedgerState::Failed,
        ..ledger[1].clone()
    }];
    assert_eq!(next_update_sequence(&failed, M2026_12), None);
}

#[test]
fn closing_an_announced_batch_owes_the_release_notice_once() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_12, "2026-11-01")
        .closed(M2026_11)
        .closed(M2026_12);
    let notice = DueMail {
        milestone: M2026_12,
        kind: AnnouncementKind::ReleaseNotice,
        sequence: 0,
    };
    assert_eq!(due(&world, &mail(None, true), &[]), vec![notice]);
    assert!(due(&world, &mail(None, false), &[]).is_empty());
    let done = [sent(
        M2026_12,
        AnnouncementKind::ReleaseNotice,
        0,
        "2026-11-03",
        &[],
    )];
    assert!(due(&world, &mail(None, true), &done).is_empty());
}

#[test]
fn turning_release_notices_on_later_owes_one_for_the_latest_release_only() {
    let world = World::lava()
        .db_change_in(6, M2026_11)
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_11, "2026-10-01")
        .warning_sent(M2026_12, "2026-11-01")
        .closed(M2026_11)
        .closed(M2026_12);
    let owed: Vec<MilestoneId> = due(&world, &mail(None, true), &[])
        .iter()
        .filter(|d| d.kind == AnnouncementKind::ReleaseNotice)
        .map(|d| d.milestone)
        .collect();
    assert_eq!(owed, vec![M2026_12]);
}

#[test]
fn a_closed_milestone_never_announced_gets_no_release_notice() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .closed(M2026_11)
        .closed(M2026_12);
    assert!(due(&world, &mail(None, true), &[]).is_empty());
}

#[test]
fn kinds_round_trip_through_their_words() {
    for kind in AnnouncementKind::ALL {
        assert_eq!(AnnouncementKind::from_word(kind.word()), Some(kind));
    }
    assert_eq!(AnnouncementKind::from_word("digest"), None);
}

#[test]
fn a_new_batch_after_a_shipped_one_still_owes_its_warning() {
    let world = World::lava()
        .db_change_in(7, M2026_11)
        .warning_sent(M2026_11, "2026-10-01")
        .closed(M2026_11)
        .db_change_in(8, M2026_12)
        .policy(|p| p.announce_trigger = AnnounceTrigger::FirstChange);
    let ledger = [sent(
        M2026_11,
        AnnouncementKind::Warning,
        0,
        "2026-10-01",
        &["merge_request:7"],
    )];
    assert_eq!(
        due(&world, &mail(None, false), &ledger),
        vec![warning(M2026_12)]
    );
}

fn release(id: u64, title: &str, open: bool) -> Milestone {
    Milestone {
        id: MilestoneId(id),
        title: title.into(),
        state: if open {
            crate::core::types::MilestoneState::Open
        } else {
            crate::core::types::MilestoneState::Closed
        },
        start_date: None,
        due_date: None,
        description: String::new(),
        web_url: None,
    }
}

#[test]
fn backend_ai_admins_are_told_to_finish_each_series_first() {
    use crate::core::release::Scheme;
    use crate::core::upgrade::UpgradePolicy;
    let milestones = [
        release(1, "23.09.9", false),
        release(2, "23.09.10", false),
        release(3, "24.03.0", false),
        release(4, "24.03.1", false),
        release(5, "24.09.0", true),
    ];
    let sentences = upgrade_sentences(
        &Scheme::YyMmPatch,
        &milestones[4],
        &milestones,
        &[],
        UpgradePolicy::StopGaps,
        &[],
    );
    assert_eq!(
        sentences,
        vec![
            "From 23.09.9 or older, upgrade to 23.09.10 first.".to_string(),
            "From 24.03.0 or older, upgrade to 24.03.1 first.".to_string(),
        ]
    );
}

#[test]
fn db_stop_gaps_also_stops_at_releases_whose_warning_went_out() {
    use crate::core::release::Scheme;
    use crate::core::upgrade::UpgradePolicy;
    let milestones = [
        release(1, "24.03.0", false),
        release(2, "24.03.1", false),
        release(3, "24.03.2", false),
        release(4, "24.03.3", true),
    ];
    let warned = [sent(
        MilestoneId(2),
        AnnouncementKind::Warning,
        0,
        "2024-04-01",
        &[],
    )];
    let sentences = upgrade_sentences(
        &Scheme::YyMmPatch,
        &milestones[3],
        &milestones,
        &warned,
        UpgradePolicy::DbStopGaps,
        &[],
    );
    assert_eq!(
        sentences,
        vec!["From 24.03.0 or older, upgrade to 24.03.1 first.".to_string()]
    );
    // Not a release title, or nothing before it: no sentences.
    let backlog = release(9, "Backlog", true);
    assert!(
        upgrade_sentences(
            &Scheme::Calver,
            &backlog,
            &[],
            &[],
            UpgradePolicy::StopGaps,
            &[]
        )
        .is_empty()
    );
}

#[test]
fn direct_goes_straight_and_names_the_squash_stop_when_the_history_is_known() {
    use crate::core::release::Scheme;
    use crate::core::squash::SquashCut;
    use crate::core::upgrade::UpgradePolicy;
    let milestones = [
        release(1, "2025.10", false),
        release(2, "2025.12", false),
        release(3, "2026.02", false),
        release(4, "2026.04", false),
        release(5, "2026.07", true),
    ];
    let v = |t: &str| Scheme::Calver.parse(t).unwrap();
    let straight = upgrade_sentences(
        &Scheme::Calver,
        &milestones[4],
        &milestones,
        &[],
        UpgradePolicy::Direct,
        &[],
    );
    assert_eq!(
        straight,
        ["From any earlier release, upgrade straight to 2026.07."]
    );
    let cut = SquashCut {
        release: v("2026.04"),
        last_carrier: v("2026.02"),
        deleted: vec![
            "app/migrations/0001_initial.py".into(),
            "app/migrations/0002_b.py".into(),
        ],
        squashed: vec!["app/migrations/0001_squashed_0002_b.py".into()],
        // 2025.12 already carries both: only 2025.10 needs the stop.
        complete: [v("2025.12"), v("2026.02")].into_iter().collect(),
    };
    let sentences = upgrade_sentences(
        &Scheme::Calver,
        &milestones[4],
        &milestones,
        &[],
        UpgradePolicy::Direct,
        &[cut],
    );
    assert_eq!(
        sentences,
        [
            "From 2025.10 or older, upgrade to 2026.02 first: 2026.04 deletes \
          app/migrations/0001_initial.py, 0002_b.py, which the squashed \
          app/migrations/0001_squashed_0002_b.py replaces, and a database must have applied \
          them all before."
        ]
    );
}
