//! Message-IDs, the headers of a built message, its body encoding, and the
//! `--preview` text of each kind (insta snapshots).

use super::*;
use crate::mail::{MailContext, Templates};
use chrono::TimeZone;

const FROM: &str = "Release bot <release-bot@example.org>";

/// RFC 5322 `msg-id` in its dot-atom form: `<` dot-atom-text `@` dot-atom-text `>`.
fn is_valid_msg_id(id: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |text: &str| {
        !text.is_empty()
            && text
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(atext))
    };
    let Some(inner) = id.strip_prefix('<').and_then(|rest| rest.strip_suffix('>')) else {
        return false;
    };
    match inner.split_once('@') {
        Some((left, right)) => dot_atom(left) && dot_atom(right),
        None => false,
    }
}

fn id(project: &str, milestone: u64, kind: MailKind, sequence: u32) -> String {
    message_id("gitlab", project, milestone, kind, sequence, FROM)
}

#[test]
fn message_ids_are_stable_and_use_the_senders_domain() {
    let first = id("lava/lava", 42, MailKind::Warning, 0);
    assert_eq!(first, id("lava/lava", 42, MailKind::Warning, 0));
    assert!(
        first.starts_with("<schemagate.gitlab.lava.lava.m42.warning."),
        "{first}"
    );
    assert!(first.ends_with("@example.org>"), "{first}");
    assert!(is_valid_msg_id(&first), "{first}");
    let plain_from = message_id(
        "gitlab",
        "lava/lava",
        42,
        MailKind::Warning,
        0,
        "Bot@Example.ORG",
    );
    assert!(plain_from.ends_with("@example.org>"), "{plain_from}");
}

#[test]
fn any_input_different_gives_a_different_message_id() {
    let base = id("lava/lava", 42, MailKind::Update, 1);
    let others = [
        message_id("github", "lava/lava", 42, MailKind::Update, 1, FROM),
        id("lava/lava-server", 42, MailKind::Update, 1),
        id("lava/lava", 43, MailKind::Update, 1),
        id("lava/lava", 42, MailKind::Release, 1),
        id("lava/lava", 42, MailKind::Update, 2),
        message_id(
            "gitlab",
            "lava/lava",
            42,
            MailKind::Update,
            1,
            "bot@lists.example.org",
        ),
    ];
    for other in &others {
        assert_ne!(&base, other);
    }
    let mut all: Vec<&String> = others.iter().chain([&base]).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), others.len() + 1);
}

#[test]
fn the_project_path_is_case_insensitive_in_message_ids() {
    assert_eq!(
        id("LAVA/Lava", 42, MailKind::Warning, 0),
        id("lava/lava", 42, MailKind::Warning, 0)
    );
}

#[test]
fn odd_paths_give_valid_and_distinct_message_ids() {
    let odd = [
        "a/b.c",
        "a.b/c",
        "a/b-c",
        "a/b_c",
        "group/sub/../project",
        "ünïcode/prøject",
        "spaces are/not allowed",
        "x/<y>@z",
        "a/",
        "",
    ];
    let ids: Vec<String> = odd
        .iter()
        .map(|path| id(path, 7, MailKind::Warning, 0))
        .collect();
    for (path, id) in odd.iter().zip(&ids) {
        assert!(is_valid_msg_id(id), "{path:?} gave {id}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:#?}");
    let long = id(
        &format!("group/{}", "p".repeat(300)),
        7,
        MailKind::Warning,
        0,
    );
    assert!(is_valid_msg_id(&long) && long.len() < 150, "{long}");
}

#[test]
fn updates_carry_their_sequence_and_a_sender_without_domain_still_gives_a_valid_id() {
    let update = id("lava/lava", 42, MailKind::Update, 3);
    assert!(update.contains(".m42.update-3."), "{update}");
    let odd_sender = message_id(
        "gitlab",
        "lava/lava",
        42,
        MailKind::Warning,
        0,
        "not an address",
    );
    assert!(odd_sender.ends_with("@schemagate.invalid>"), "{odd_sender}");
    assert!(is_valid_msg_id(&odd_sender), "{odd_sender}");
}

fn date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 9, 30, 0).unwrap()
}

fn mail(subject: &str, body: &str) -> OutgoingMail {
    OutgoingMail {
        from: FROM.to_string(),
        to: vec!["lava-announce@lists.example.org".to_string()],
        reply_to: Some("lava-devel@lists.example.org".to_string()),
        subject: subject.to_string(),
        message_id: id("lava/lava", 42, MailKind::Update, 1),
        in_reply_to: Some(id("lava/lava", 42, MailKind::Warning, 0)),
        date: date(),
        body: body.to_string(),
    }
}

/// The header block of the formatted message, unfolded, as (name, value).
fn headers(message: &lettre::Message) -> Vec<(String, String)> {
    let text = String::from_utf8(message.formatted()).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
    head.split("\r\n")
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_string(), value.trim().to_string())
        })
        .collect()
}

#[test]
fn a_built_message_has_every_header_once() {
    let message = mail("Subject here", "Hello\n").to_message().unwrap();
    let names: Vec<String> = headers(&message)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        [
            "From",
            "To",
            "Reply-To",
            "Subject",
            "Message-ID",
            "In-Reply-To",
            "References",
            "Date",
            "Auto-Submitted",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
        ]
    );
    let value = |name: &str| {
        headers(&message)
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
    };
    assert_eq!(value("Auto-Submitted"), "auto-generated");
    assert_eq!(value("Date"), "Tue, 03 Nov 2026 09:30:00 +0000");
    assert_eq!(value("In-Reply-To"), value("References"));
    assert_eq!(value("Content-Type"), "text/plain; charset=utf-8");
    assert_eq!(value("Content-Transfer-Encoding"), "7bit");
    assert_eq!(
        message.envelope().to(),
        ["lava-announce@lists.example.org".parse().unwrap()]
    );
}

#[test]
fn a_non_ascii_body_goes_quoted_printable_and_the_subject_encoded() {
    let message = mail("Mise à jour: 2026.12", "Données migrées — ça marche.\n")
        .to_message()
        .unwrap();
    let raw = message.formatted();
    assert!(raw.is_ascii(), "the wire form must be ASCII");
    let encoding = headers(&message)
        .into_iter()
        .find(|(name, _)| name == "Content-Transfer-Encoding")
        .unwrap()
        .1;
    assert_eq!(encoding, "quoted-printable");
    let text = String::from_utf8(raw).unwrap();
    assert!(text.contains("Donn=C3=A9es migr=C3=A9es"), "{text}");
    let subject = text
        .lines()
        .find(|line| line.starts_with("Subject: "))
        .unwrap();
    assert!(subject.contains("=?utf-8?"), "{subject}");
}

#[test]
fn a_subject_with_a_line_break_cannot_add_a_header() {
    let message = mail("Release 2026.12\r\nBcc: evil@example.org", "Body\n")
        .to_message()
        .unwrap();
    let names: Vec<String> = headers(&message)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        !names.iter().any(|name| name.eq_ignore_ascii_case("bcc")),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|name| *name == "Subject").count(), 1);
    assert_eq!(message.envelope().to().len(), 1);
}

#[test]
fn an_unparsable_address_is_one_clear_sentence() {
    let mut bad = mail("x", "y");
    bad.to = vec!["not an address".to_string()];
    let error = bad.to_message().unwrap_err();
    assert!(
        error.starts_with("the recipient address `not an address` is not usable"),
        "{error}"
    );
}

/// The three previews as `announce --preview` prints them, from the sample
/// context, a fixed date and the real Message-IDs.
fn preview(kind: MailKind) -> String {
    let rendered = Templates::builtin()
        .render(kind, &MailContext::sample())
        .unwrap();
    let sample = MailContext::sample();
    let sequence = u32::from(kind == MailKind::Update);
    let warning = id("lava/lava", 42, MailKind::Warning, 0);
    OutgoingMail {
        from: FROM.to_string(),
        to: sample.to,
        reply_to: sample.reply_to,
        subject: rendered.subject,
        message_id: id("lava/lava", 42, kind, sequence),
        in_reply_to: (kind != MailKind::Warning).then_some(warning),
        date: date(),
        body: rendered.body,
    }
    .preview()
}

#[test]
fn preview_of_the_warning() {
    insta::assert_snapshot!("preview_warning", preview(MailKind::Warning));
}

#[test]
fn preview_of_an_update() {
    insta::assert_snapshot!("preview_update", preview(MailKind::Update));
}

#[test]
fn preview_of_the_release_notice() {
    insta::assert_snapshot!("preview_release", preview(MailKind::Release));
}
