use super::*;

fn block(numbers: &[(ItemKind, ItemNumber, &str)]) -> BatchBlock {
    BatchBlock {
        items: numbers
            .iter()
            .map(|(kind, number, title)| BlockItem {
                kind: *kind,
                number: *number,
                title: title.to_string(),
                web_url: (*kind == ItemKind::MergeRequest)
                    .then(|| format!("https://forge.example/mr/{number}")),
                placed_by_bot: *kind == ItemKind::MergeRequest,
                exception: None,
                conflicts: Vec::new(),
                breaking: Vec::new(),
            })
            .collect(),
        warning: None,
        sending: None,
    }
}

#[test]
fn a_sent_warning_is_said_in_words_and_in_a_machine_readable_line() {
    let mut b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    let sent_at = DateTime::parse_from_rfc3339("2026-11-03T09:30:00Z")
        .unwrap()
        .with_timezone(&Utc);
    b.warning = Some(WarningNote {
        sent_at,
        to: vec!["lava-announce@lists.example.org".into()],
    });
    let text = apply_batch_block("Notes", Some(&b));
    assert!(
        text.contains("Downtime warning sent to lava-announce@lists.example.org on 2026-11-03.\n"),
        "{text}"
    );
    assert_eq!(warning_sent_in(&text), Some(sent_at));
    // Without the line, or outside the bot's block, nothing is read.
    b.warning = None;
    assert_eq!(warning_sent_in(&apply_batch_block("Notes", Some(&b))), None);
    assert_eq!(
        warning_sent_in("<!-- schemagate:warning-sent 2026-11-03T09:30:00Z -->"),
        None
    );
}

#[test]
fn a_block_reads_back_as_the_items_their_placement_and_the_warning() {
    let mut b = block(&[
        (
            ItemKind::MergeRequest,
            ItemNumber(42),
            "Add <device> health",
        ),
        (ItemKind::Issue, ItemNumber(12), "Plan: the schema"),
    ]);
    b.items[1].placed_by_bot = false;
    b.items.push(BlockItem {
        kind: ItemKind::MergeRequest,
        number: ItemNumber(7),
        title: "Person's pick".into(),
        web_url: None,
        placed_by_bot: false,
        exception: None,
        conflicts: Vec::new(),
        breaking: Vec::new(),
    });
    let sent_at = DateTime::parse_from_rfc3339("2026-11-03T09:30:00Z")
        .unwrap()
        .with_timezone(&Utc);
    b.warning = Some(WarningNote {
        sent_at,
        to: vec!["list@example.org".into()],
    });
    let text = apply_batch_block("People's notes.", Some(&b));
    assert!(
        text.contains("<!-- schemagate:items mr:7 mr:42:bot issue:12 -->"),
        "{text}"
    );
    let read = read_batch_block(&text).expect("a block");
    let mut expected = b.items.clone();
    expected.sort_by_key(|i| (i.kind, i.number));
    assert_eq!(read.items, expected);
    assert_eq!(read.warning_sent, Some(sent_at));
    assert_eq!(read_batch_block("no block here"), None);
    // A block an older version wrote has no placement line: nobody's.
    let old = text.replace("<!-- schemagate:items mr:7 mr:42:bot issue:12 -->\n", "");
    let read = read_batch_block(&old).expect("a block");
    assert_eq!(read.items.len(), 3);
    assert!(read.items.iter().all(|i| !i.placed_by_bot));
}

fn sending(refusals: u32, given_up: bool) -> WarningSending {
    WarningSending {
        milestone: MilestoneId(2),
        message_id: "<schemagate.warning@lava.example.org>".into(),
        since: DateTime::parse_from_rfc3339("2026-11-03T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc),
        refusals,
        given_up,
    }
}

#[test]
fn a_sending_line_without_refusals_is_written_and_read_as_before_they_were_counted() {
    let mut b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    b.sending = Some(sending(0, false));
    let text = apply_batch_block("", Some(&b));
    let line = "<!-- schemagate:warning-sending 2026-11-03T09:30:00Z \
                <schemagate.warning@lava.example.org> -->\n";
    assert!(text.contains(line), "{text}");
    let read = read_batch_block(&text).unwrap().sending.unwrap();
    assert_eq!((read.refusals, read.given_up), (0, false));
    assert_eq!(read.message_id, "<schemagate.warning@lava.example.org>");
}

#[test]
fn refusals_are_counted_on_the_sending_line_and_read_back() {
    let mut b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    b.sending = Some(sending(2, false));
    let text = apply_batch_block("", Some(&b));
    assert!(
        text.contains("<schemagate.warning@lava.example.org> refusals=2 -->\n"),
        "{text}"
    );
    let read = read_batch_block(&text).unwrap().sending.unwrap();
    assert_eq!((read.refusals, read.given_up), (2, false));
    // A field this version does not know is skipped, not a broken line.
    let later = text.replace("refusals=2", "retries=9 refusals=2");
    let read = read_batch_block(&later).unwrap().sending.unwrap();
    assert_eq!(read.refusals, 2);
}

#[test]
fn a_warning_given_up_is_said_in_words_and_in_the_refused_line() {
    let mut b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    b.sending = Some(sending(3, true));
    let text = apply_batch_block("Notes", Some(&b));
    assert!(
        text.contains("\nDowntime warning refused for good by the mail server on 2026-11-03:"),
        "{text}"
    );
    assert!(
        text.contains(
            "<!-- schemagate:warning-refused 2026-11-03T09:30:00Z \
             <schemagate.warning@lava.example.org> refusals=3 -->\n"
        ),
        "{text}"
    );
    assert!(!text.contains("warning-sending"), "{text}");
    let read = read_batch_block(&text).unwrap().sending.unwrap();
    assert_eq!((read.refusals, read.given_up), (3, true));
    // Rendered again from what was read, the text stays the same.
    let mut again = sending(read.refusals, read.given_up);
    again.since = read.since;
    b.sending = Some(again);
    assert_eq!(apply_batch_block(&text, Some(&b)), text);
    // Sent after all: the note and the line are gone.
    b.warning = Some(WarningNote {
        sent_at: read.since,
        to: Vec::new(),
    });
    let sent = apply_batch_block(&text, Some(&b));
    assert!(!sent.contains("refused"), "{sent}");
}

#[test]
fn block_is_appended_after_a_blank_line_and_says_downtime() {
    let b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    let text = apply_batch_block("Release notes follow.", Some(&b));
    assert!(text.starts_with("Release notes follow.\n\n<!-- schemagate:batch:start -->\n"));
    assert!(text.ends_with(BLOCK_END));
    assert!(text.contains("upgrading to this release needs downtime"));
    assert!(
        text.contains("- [Merge request 42](https://forge.example/mr/42): Add device health\n")
    );
}

#[test]
fn block_lists_merge_requests_then_issues_by_number() {
    let b = block(&[
        (ItemKind::Issue, ItemNumber(3), "Plan schema"),
        (ItemKind::MergeRequest, ItemNumber(50), "Second"),
        (ItemKind::MergeRequest, ItemNumber(7), "First"),
    ]);
    let text = render_batch_block(&b);
    let first = text.find("Merge request 7").unwrap();
    let second = text.find("Merge request 50").unwrap();
    let issue = text.find("- Issue 3: Plan schema").unwrap();
    assert!(first < second && second < issue);
}

#[test]
fn applying_the_same_block_twice_gives_identical_text() {
    let b = block(&[(ItemKind::MergeRequest, ItemNumber(42), "Add device health")]);
    let once = apply_batch_block("Intro\n", Some(&b));
    let twice = apply_batch_block(&once, Some(&b));
    assert_eq!(once, twice);
}

#[test]
fn replacing_the_block_keeps_text_on_both_sides_byte_for_byte() {
    let old = block(&[(ItemKind::MergeRequest, ItemNumber(1), "Old")]);
    let new = block(&[(ItemKind::MergeRequest, ItemNumber(2), "New")]);
    let rendered = render_batch_block(&old);
    let description = format!("Before  \r\n\n{rendered}\n\nAfter *text*\n");
    let updated = apply_batch_block(&description, Some(&new));
    assert_eq!(
        updated,
        format!(
            "Before  \r\n\n{}\n\nAfter *text*\n",
            render_batch_block(&new)
        )
    );
}

#[test]
fn removing_the_block_restores_the_original_description() {
    let b = block(&[(ItemKind::Issue, ItemNumber(12), "Plan")]);
    for original in ["", "Notes", "Notes\n", "Notes\n\n"] {
        let with = apply_batch_block(original, Some(&b));
        assert_eq!(apply_batch_block(&with, None), original, "for {original:?}");
    }
}

#[test]
fn removing_a_block_in_the_middle_leaves_the_surrounding_text() {
    let b = block(&[(ItemKind::Issue, ItemNumber(12), "Plan")]);
    let description = format!("A\n{}\nB", render_batch_block(&b));
    assert_eq!(apply_batch_block(&description, None), "A\n\nB");
}

#[test]
fn a_stray_start_marker_before_the_block_is_left_alone() {
    let b = block(&[(ItemKind::Issue, ItemNumber(12), "Plan")]);
    let description = format!("quote: {BLOCK_START} end\n\n{}", render_batch_block(&b));
    let removed = apply_batch_block(&description, None);
    assert_eq!(removed, format!("quote: {BLOCK_START} end"));
}

#[test]
fn description_without_block_and_no_changes_is_untouched() {
    assert_eq!(apply_batch_block("Just notes\n", None), "Just notes\n");
}

#[test]
fn titles_cannot_smuggle_markers_or_break_lines() {
    let b = block(&[(
        ItemKind::Issue,
        ItemNumber(9),
        "evil <!-- schemagate:batch:end -->\nx",
    )]);
    let text = apply_batch_block("", Some(&b));
    assert_eq!(text.matches(BLOCK_END).count(), 1);
    assert!(text.contains("- Issue 9: evil &lt;!-- schemagate:batch:end --&gt; x\n"));
}

#[test]
fn block_for_a_milestone_without_database_changes_is_none() {
    let project = ProjectState {
        db_changes: vec![DbItemRef {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(5),
            title: "Add table".into(),
            web_url: None,
            milestone: MilestoneId(2),
            placed_by_bot: false,
            exception: None,
            conflicts: Vec::new(),
            breaking: Vec::new(),
        }],
        warnings_sent: Vec::new(),
        warnings_sending: Vec::new(),
        warnings_failed: Vec::new(),
    };
    assert!(BatchBlock::for_milestone(MilestoneId(1), &project, &[]).is_none());
    let b = BatchBlock::for_milestone(MilestoneId(2), &project, &[]).unwrap();
    assert_eq!(b.items[0].number, 5);
}
