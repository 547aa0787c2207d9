//! Templates: the built-ins carry what docs/announcements.md promises, overrides replace
//! file by file, and a broken template is reported at its file, line, column.

use super::*;
use crate::mail::wrap::WIDTH;

/// The body with its wrapping undone, so sentences can be searched whole.
fn flat(body: &str) -> String {
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn render(kind: MailKind, context: &MailContext) -> RenderedMail {
    Templates::builtin()
        .render(kind, context)
        .unwrap_or_else(|error| panic!("{error}"))
}

fn override_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn load_errors(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<TemplateError>) {
    let dir = override_dir(files);
    let errors = Templates::load(Some(dir.path())).expect_err("the override should be refused");
    (dir, errors)
}

/// What every built-in mail must tell an admin about the batch.
fn assert_batch_content(kind: MailKind, body: &str) {
    let text = flat(body);
    let sample = MailContext::sample();
    for needle in [
        "lava/lava",
        "https://gitlab.com/lava/lava/-/milestones/42",
        "it runs 3 database migrations (2 schema, 1 data) that need the service stopped while they run.",
        "!2714 Scheduler: add job priorities",
        "https://gitlab.com/lava/lava/-/merge_requests/2714",
        "* schema: lava_scheduler_app/migrations/0062_testjob_priority.py",
        "* data: lava_scheduler_app/migrations/0063_backfill_priority.py",
        "!2731 Keep a history of device health changes",
        "* schema: lava_scheduler_app/migrations/0064_devicehealthhistory.py",
        "1. Put the instance in maintenance mode 2. Back up the database 3. Upgrade the packages and run `lava-server manage migrate` 4. Back up the database again and leave maintenance mode",
        "From 2026.09 or older, upgrade to 2026.10 first.",
        "Write to lava-devel@lists.example.org.",
        "lava-announce@lists.example.org",
    ] {
        assert!(
            text.contains(needle),
            "{} lacks {needle:?}:\n{body}",
            kind.word()
        );
    }
    assert_eq!(sample.changes.len(), 2);
}

#[test]
fn the_warning_carries_the_release_its_changes_steps_path_and_where_to_reply() {
    let mail = render(MailKind::Warning, &MailContext::sample());
    assert_eq!(
        mail.subject,
        "[lava/lava] Downtime ahead: upgrading to 2026.12 needs database migrations"
    );
    assert_batch_content(MailKind::Warning, &mail.body);
    assert!(
        flat(&mail.body).contains("Due date: 2026-12-15"),
        "{}",
        mail.body
    );
}

#[test]
fn the_release_notice_says_the_release_is_out_and_needs_downtime() {
    let mail = render(MailKind::Release, &MailContext::sample());
    assert_eq!(
        mail.subject,
        "[lava/lava] 2026.12 is released: upgrading needs downtime"
    );
    assert_batch_content(MailKind::Release, &mail.body);
    assert!(
        flat(&mail.body)
            .contains("lava/lava 2026.12 has been released. Upgrading to it needs downtime"),
        "{}",
        mail.body
    );
}

#[test]
fn the_release_notice_of_a_release_that_shipped_no_database_change_says_no_downtime() {
    let mut context = MailContext::sample();
    context.changes.clear();
    context.downtime_expected = false;
    context.downtime_reason = "none of the database changes announced for 2026.12 shipped in it, so the downtime announced for it is not needed after all.".into();
    let mail = render(MailKind::Release, &context);
    assert_eq!(
        mail.subject,
        "[lava/lava] 2026.12 is released: no downtime needed after all"
    );
    let text = flat(&mail.body);
    assert!(
        text.contains("Upgrading to it needs no downtime after all: none of the database changes announced for 2026.12 shipped in it"),
        "{}",
        mail.body
    );
    for absent in [
        "Database changes in this release",
        "How to upgrade",
        "needs downtime",
    ] {
        assert!(!text.contains(absent), "{absent:?} in:\n{}", mail.body);
    }
}

#[test]
fn an_update_lists_what_joined_and_left_and_the_whole_batch() {
    let mail = render(MailKind::Update, &MailContext::sample());
    assert_batch_content(MailKind::Update, &mail.body);
    let text = flat(&mail.body);
    let added = text
        .find("Added since the last mail")
        .expect("added section");
    let removed = text
        .find("No longer in this release")
        .expect("removed section");
    assert!(text[added..removed].contains("!2731 Keep a history of device health changes"));
    assert!(text[removed..].contains("!2702 Rename worker columns"));
    assert!(!text.contains("no longer expected"), "{}", mail.body);
}

#[test]
fn an_update_for_a_batch_without_database_changes_says_downtime_is_no_longer_expected() {
    let mut context = MailContext::sample();
    context.removed.append(&mut context.changes);
    context.added.clear();
    context.downtime_expected = false;
    let mail = render(MailKind::Update, &context);
    assert_eq!(
        mail.subject,
        "[lava/lava] Update: upgrading to 2026.12 no longer needs downtime"
    );
    let text = flat(&mail.body);
    assert!(
        text.contains("Downtime is no longer expected for lava/lava 2026.12."),
        "{}",
        mail.body
    );
    assert!(!text.contains("How to upgrade"), "{}", mail.body);
}

#[test]
fn without_reply_to_readers_are_told_to_reply_to_the_mail() {
    let mut context = MailContext::sample();
    context.reply_to = None;
    for kind in MailKind::ALL {
        let text = flat(&render(kind, &context).body);
        assert!(
            text.contains("Reply to this mail."),
            "{}: {text}",
            kind.word()
        );
        assert!(!text.contains("Write to"), "{}: {text}", kind.word());
    }
}

#[test]
fn bodies_are_wrapped_at_72_columns_whatever_the_titles() {
    let mut context = MailContext::sample();
    context.changes[0].title = "A very long merge request title that goes on and on about the scheduler and its priorities".to_string();
    for kind in MailKind::ALL {
        let body = render(kind, &context).body;
        for line in body.lines() {
            assert!(
                line.chars().count() <= WIDTH || !line.trim().contains(' '),
                "{}: {line:?}",
                kind.word()
            );
        }
        assert!(body.ends_with(".\n") && !body.ends_with("\n\n"), "{body:?}");
    }
}

#[test]
fn a_subject_never_holds_a_line_break_even_from_unnormalised_values() {
    let mut context = MailContext::sample();
    // Built by hand, bypassing `MilestoneInfo::new`'s normalisation.
    context.milestone.title = "2026.12\r\nBcc: evil@example.org".to_string();
    let mail = render(MailKind::Warning, &context);
    assert!(!mail.subject.contains(['\r', '\n']), "{:?}", mail.subject);
    assert_eq!(
        mail.subject,
        "[lava/lava] Downtime ahead: upgrading to 2026.12 Bcc: evil@example.org needs database migrations"
    );
}

#[test]
fn an_override_dir_replaces_only_the_files_it_has() {
    let dir = override_dir(&[(
        "update.txt",
        "Subject: Changes in {{ milestone.title }}\n\nNow {{ changes | length }} changes.\n",
    )]);
    let templates = Templates::load(Some(dir.path())).unwrap();
    let sample = MailContext::sample();
    let update = templates.render(MailKind::Update, &sample).unwrap();
    assert_eq!(update.subject, "Changes in 2026.12");
    assert_eq!(update.body, "Now 2 changes.\n");
    for kind in [MailKind::Warning, MailKind::Release] {
        assert_eq!(
            templates.render(kind, &sample).unwrap(),
            Templates::builtin().render(kind, &sample).unwrap()
        );
    }
}

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    let (dir, errors) = load_errors(&[(
        "warning.txt",
        "Subject: Warning\n\nHello,\n\n{% for change in changes %}\n- {{ change.title }}\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(
        error.file,
        dir.path().join("warning.txt").display().to_string()
    );
    assert!(error.message.starts_with("syntax error"), "{error}");
    // The unclosed loop is found at the end of the input, on the last line.
    assert_eq!(error.line, 6, "{error}");
    let (dir, errors) = load_errors(&[("release.txt", "Subject: {{ milestone.title }\n\nBody\n")]);
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.line, e.column))
            .collect::<Vec<_>>(),
        vec![(1, 29)],
        "{errors:?}"
    );
    assert!(errors[0].to_string().starts_with(&format!(
        "{}:1:29: syntax error",
        dir.path().join("release.txt").display()
    )));
}

#[test]
fn an_unknown_variable_is_reported_where_it_is_used() {
    let (dir, errors) = load_errors(&[(
        "warning.txt",
        "Subject: {{ project.path }}\n\nRelease {{ milestone.title }}\n  due {{ milestone.due }}\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        format!(
            "{}:4:10: unknown variable or attribute in `milestone.due`",
            dir.path().join("warning.txt").display()
        )
    );
    let (_dir, errors) =
        load_errors(&[("update.txt", "Subject: [{{ projekt.path }}] x\n\nBody\n")]);
    assert_eq!((errors[0].line, errors[0].column), (1, 14), "{errors:?}");
}

#[test]
fn strict_undefined_refuses_unknown_names_in_conditions_too() {
    let (_dir, errors) = load_errors(&[(
        "release.txt",
        "Subject: x\n\n{% if milestone.closed %}closed{% endif %}\n",
    )]);
    assert_eq!((errors[0].line, errors[0].column), (3, 7), "{errors:?}");
}

#[test]
fn a_mistake_in_a_branch_the_full_sample_skips_is_still_found() {
    // The sample has a reply_to, so only the sparse variant takes this branch.
    let (_dir, errors) = load_errors(&[(
        "warning.txt",
        "Subject: x\n\n{% if reply_to %}Write to {{ reply_to }}{% else %}Reply to {{ sender }}{% endif %}\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].column), (3, 63), "{errors:?}");
}

#[test]
fn problems_in_several_files_are_all_reported() {
    let (_dir, errors) = load_errors(&[
        ("warning.txt", "Subject: {{ nope }}\n\nBody\n"),
        ("update.txt", "Subject: x\n\n{% if %}\n"),
        ("release.txt", "No subject line\n\nBody\n"),
    ]);
    let files: Vec<&str> = errors
        .iter()
        .map(|e| e.file.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        files,
        ["warning.txt", "update.txt", "release.txt"],
        "{errors:?}"
    );
    assert!(errors[2].message.contains("`Subject: …`"), "{errors:?}");
}

#[test]
fn the_subject_line_must_be_followed_by_a_blank_line() {
    let (_dir, errors) = load_errors(&[("warning.txt", "Subject: x\nBody at once\n")]);
    assert_eq!((errors[0].line, errors[0].column), (2, 1), "{errors:?}");
    assert!(errors[0].message.contains("blank"), "{errors:?}");
}

#[test]
fn crlf_files_render_without_carriage_returns() {
    let dir = override_dir(&[(
        "warning.txt",
        "Subject: CRLF {{ milestone.title }}\r\n\r\nLine one\r\nLine two\r\n",
    )]);
    let templates = Templates::load(Some(dir.path())).unwrap();
    let mail = templates
        .render(MailKind::Warning, &MailContext::sample())
        .unwrap();
    assert_eq!(mail.subject, "CRLF 2026.12");
    assert_eq!(mail.body, "Line one\nLine two\n");
}

#[test]
fn builtin_sources_are_labelled_as_built_in() {
    // Errors in a built-in only happen in a broken build, but must still say where.
    let source = read_source(MailKind::Warning, None).unwrap();
    assert_eq!(source.file, "templates/mail/warning.txt (built-in)");
}

#[test]
fn templates_can_be_shared_between_tasks() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shareable::<Templates>();
    shareable::<crate::mail::Mailer>();
}
