//! Scenarios: every row of the gate table in docs/policy.md, and each switch.

use super::*;

#[test]
fn non_db_mr_in_a_later_milestone_fails_ahead() {
    let world = World::lava();
    let d = world.decide(&mr(1).person_milestone(M2026_12));
    d.fails_with(&[AHEAD_OF_2026_11]);
    assert_eq!(d.verdict_ref().summary, AHEAD_OF_2026_11);
    assert!(d.comment.unwrap().contains("Wait until 2026.11 is closed"));
}

#[test]
fn closing_the_next_release_turns_an_ahead_failure_into_success() {
    let item = mr(1).person_milestone(M2026_12);
    World::lava().decide(&item).fails_with(&[AHEAD_OF_2026_11]);
    let shipped = World::lava().closed(M2026_11);
    shipped.decide(&item).passes_with("no database changes");
}

#[test]
fn mr_in_the_next_release_is_not_ahead() {
    World::lava()
        .decide(&mr(1).person_milestone(M2026_11))
        .passes_with("no database changes");
}

#[test]
fn mr_in_a_non_release_milestone_is_not_ahead() {
    World::lava()
        .decide(&mr(1).person_milestone(BACKLOG))
        .passes_with("no database changes");
}

#[test]
fn non_db_mr_without_milestone_passes_with_no_database_changes() {
    let d = World::lava().decide(&mr(1));
    d.passes_with("no database changes");
    assert!(d.comment.is_none(), "nothing to say, no comment yet");
    d.no_label_or_milestone_writes();
}

#[test]
fn db_mr_assigned_to_a_later_batch_is_held_until_the_next_release_ships() {
    // No batch yet; 2026.11 is within the lead time, so the batch starts in 2026.12.
    let d = World::lava().decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    d.fails_with(&[AHEAD_OF_2026_11, NOT_SENT_2026_12]);
    assert_eq!(
        d.verdict_ref().summary,
        format!("{AHEAD_OF_2026_11} (and 1 more)")
    );
}

#[test]
fn require_announcement_fails_until_sent_passes_after() {
    let item = mr(1).with_migration().person_milestone(M2026_11);
    let before = World::lava().decide(&item);
    before.fails_with(&[NOT_SENT_2026_11]);
    let after = World::lava()
        .warning_sent(M2026_11, "2026-11-03")
        .decide(&item);
    after.passes_with("database changes batched in 2026.11, announced 2026-11-03");
}

#[test]
fn announcement_advice_follows_the_trigger() {
    let item = mr(1).with_migration().person_milestone(M2026_11);
    let manual = World::lava()
        .policy(|p| p.announce_trigger = AnnounceTrigger::Manual)
        .decide(&item);
    assert!(
        manual
            .comment
            .unwrap()
            .contains("send it with `schemagate announce --milestone 2026.11`")
    );
    let work_starts = World::lava().decide(&item);
    assert!(
        work_starts
            .comment
            .unwrap()
            .contains("it goes out when work starts on 2026.11")
    );
}

#[test]
fn a_warning_refused_for_good_is_advised_to_be_sent_by_hand_until_it_is() {
    let item = mr(1).with_migration().person_milestone(M2026_11);
    let refused = World::lava().warning_refused(M2026_11).decide(&item);
    refused.fails_with(&[NOT_SENT_2026_11]);
    let comment = refused.comment.unwrap();
    assert!(
        comment.contains("the mail server refused it for good"),
        "{comment}"
    );
    assert!(
        comment.contains(
            "fix the mail settings, then send it with `schemagate announce --milestone 2026.11`"
        ),
        "{comment}"
    );
    let sent_by_hand = World::lava()
        .warning_refused(M2026_11)
        .warning_sent(M2026_11, "2026-11-04")
        .decide(&item);
    sent_by_hand.passes_with("database changes batched in 2026.11, announced 2026-11-04");
}

#[test]
fn a_warning_the_server_less_ledger_gave_up_is_advised_to_be_cleared_from_the_block() {
    let item = mr(1).with_migration().person_milestone(M2026_11);
    let mut world = World::lava().warning_refused(M2026_11);
    let since = world.now;
    world
        .project
        .warnings_sending
        .push(crate::core::policy::WarningSending {
            milestone: M2026_11,
            message_id: "<warning@lava.example.org>".into(),
            since,
            refusals: 3,
            given_up: true,
        });
    let refused = world.decide(&item);
    refused.fails_with(&[NOT_SENT_2026_11]);
    let comment = refused.comment.unwrap();
    assert!(
        comment.contains(
            "fix the mail settings, then delete the refusal note and its `warning-refused` line \
             from 2026.11's block, and the next run sends it"
        ),
        "{comment}"
    );
    assert!(!comment.contains("schemagate announce"), "{comment}");
}

#[test]
fn db_mr_in_the_batch_passes_when_announcement_is_not_required() {
    World::lava()
        .policy(|p| p.gate.require_announcement = false)
        .decide(&mr(1).with_migration().person_milestone(M2026_11))
        .passes_with("database changes batched in 2026.11, downtime warning not sent yet");
}

/// One row per rule: the scenario fails with the rule on and passes with
/// only that rule switched off.
#[test]
fn gate_switches_off_each_rule() {
    struct Row {
        rule: &'static str,
        world: World,
        item: ItemFacts,
        switch_off: fn(&mut GateSwitches),
        passes_with: &'static str,
    }
    let rows = [
        Row {
            rule: "ahead of the next release",
            world: World::lava(),
            item: mr(1).person_milestone(M2026_12),
            switch_off: |g| g.block_ahead_of_next_release = false,
            passes_with: "no database changes",
        },
        Row {
            rule: "no release milestone and none assignable",
            world: World::lava().closed(M2026_12).closed(M2027_01),
            item: mr(1).with_migration(),
            switch_off: |g| g.require_batch = false,
            passes_with: "database changes without a release milestone",
        },
        Row {
            rule: "outside the batch",
            world: World::lava()
                .db_change_in(7, M2026_11)
                .warning_sent(M2026_11, "2026-11-01"),
            item: mr(1).with_migration().person_milestone(BACKLOG),
            switch_off: |g| g.require_batch = false,
            passes_with: "database changes in Backlog, not batched",
        },
        Row {
            rule: "downtime warning not sent",
            world: World::lava(),
            item: mr(1).with_migration().person_milestone(M2026_11),
            switch_off: |g| g.require_announcement = false,
            passes_with: "database changes batched in 2026.11, downtime warning not sent yet",
        },
    ];
    for row in rows {
        let on = row.world.decide(&row.item);
        assert!(
            !on.verdict_ref().passed(),
            "{}: fails with the rule on",
            row.rule
        );
        let off = row.world.policy(|p| (row.switch_off)(&mut p.gate));
        let d = off.decide(&row.item);
        assert_eq!(d.verdict_ref().summary, row.passes_with, "{}", row.rule);
        assert!(
            d.verdict_ref().passed(),
            "{}: passes with the rule off",
            row.rule
        );
    }
}

#[test]
fn failing_comment_explains_the_files_the_batch_and_what_to_do() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_12, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(M2027_01));
    let comment = d.comment.unwrap();
    assert!(comment.starts_with("<!-- schemagate:comment -->\n"));
    assert!(comment.contains(
        "`lava_scheduler_app/migrations/0042_device_health.py` (django, added): **schema**"
    ));
    assert!(comment.contains("batched in 2026.12; downtime warning sent 2026-11-01."));
    assert!(comment.contains("**Milestone:** 2027.01.\n"));
    assert!(comment.contains("**Gate:** failing\n"));
    assert!(comment.contains("- Set this MR's milestone to 2026.12."));
}

/// A GitLab group milestone titled like a project milestone.
const GROUP_2026_11: MilestoneId = MilestoneId(50);
const GROUP_2026_12: MilestoneId = MilestoneId(51);

#[test]
fn ahead_compares_versions_so_a_same_titled_milestone_is_not_ahead() {
    let mut world = World::lava();
    world.milestones.push(Milestone {
        id: GROUP_2026_11,
        title: "2026.11".into(),
        state: MilestoneState::Open,
        start_date: None,
        due_date: Some(date("2026-11-20")),
        description: String::new(),
        web_url: None,
    });
    world.milestones.push(Milestone {
        id: GROUP_2026_12,
        title: "2026.12".into(),
        state: MilestoneState::Open,
        start_date: None,
        due_date: None,
        description: String::new(),
        web_url: None,
    });
    let rows: [(&str, MilestoneId, Option<&str>); 4] = [
        ("project milestone of the next release", M2026_11, None),
        ("group milestone of the next release", GROUP_2026_11, None),
        (
            "project milestone of a later release",
            M2026_12,
            Some(AHEAD_OF_2026_11),
        ),
        (
            "group milestone of a later release",
            GROUP_2026_12,
            Some(AHEAD_OF_2026_11),
        ),
    ];
    for (name, milestone, ahead) in rows {
        let d = world.decide(&mr(1).person_milestone(milestone));
        match ahead {
            None => assert_eq!(d.verdict_ref().summary, "no database changes", "{name}"),
            Some(reason) => assert_eq!(d.verdict_ref().reasons, [reason], "{name}"),
        }
    }
}

#[test]
fn huge_lead_time_asks_for_an_undated_milestone_instead_of_panicking() {
    let world = World::lava()
        .due(M2027_01, Some("2027-01-31"))
        .policy(|p| p.lead_time = chrono::Duration::MAX);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(
        d.milestone_change, None,
        "no dated release is far enough away"
    );
    assert!(
        d.comment
            .unwrap()
            .contains("Create a release milestone without a due date;"),
    );
}

#[test]
fn huge_lead_time_still_assigns_an_undated_release() {
    let world = World::lava()
        .due(M2027_01, None)
        .policy(|p| p.lead_time = chrono::Duration::MAX);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2027_01)));
}
