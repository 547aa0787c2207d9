//! Behaviour of `parse` and `load` on the mail settings: `[mail]` (timeout,
//! CA file) and a project's `announce` table with the announcement gate.

use super::*;

#[test]
fn announcement_gate_defaults_off_without_an_announce_table_and_on_with_one() {
    let without = parse(
        "test.toml",
        &MINIMAL.replace("gate = { require_announcement = false }\n", ""),
    )
    .expect("a project without `announce` needs no gate settings");
    assert!(!without.projects[0].gate.require_announcement);
    assert!(without.projects[0].gate.require_batch);
    let with = parse(
        "test.toml",
        &format!(
            "[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"bot@example.org\"\n{}announce = {{ to = [\"a@example.org\"] }}\n",
            MINIMAL.replace("gate = { require_announcement = false }\n", "")
        ),
    )
    .expect("a project that announces");
    assert!(with.projects[0].gate.require_announcement);
}

#[test]
fn required_announcement_without_announce_table_is_refused() {
    let found = issues(&MINIMAL.replace(
        "gate = { require_announcement = false }",
        "gate = { require_announcement = true }",
    ));
    let gate = issue(&found, "project[0].gate.require_announcement");
    assert!(
        gate.message.contains("no `announce` table"),
        "{}",
        gate.message
    );
    assert!(gate.fix.contains("announce = {"), "{}", gate.fix);
    assert_eq!(at(gate), (9, 33));
}

#[test]
fn an_unknown_upgrade_policy_is_refused_with_the_choices() {
    let found = issues(&format!(
        "[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"bot@example.org\"\n{MINIMAL}announce = {{ to = [\"a@example.org\"], upgrade_policy = \"skip-all\" }}\n"
    ));
    let policy = issue(&found, "project[0].announce.upgrade_policy");
    assert!(policy.fix.contains("stop-gaps"), "{}", policy.fix);
}

#[test]
fn an_invalid_recipient_is_refused() {
    let found = issues(&format!(
        "[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"bot@example.org\"\n{MINIMAL}announce = {{ to = [\"not an address\"] }}\n"
    ));
    assert!(
        issue(&found, "project[0].announce.to[0]")
            .message
            .contains("not an email address")
    );
}

#[test]
fn mail_timeout_defaults_to_30s_and_ca_file_to_none() {
    let config = parse("test.toml", MAIL).unwrap_or_else(|e| panic!("{e}"));
    let mail = config.mail.unwrap();
    assert_eq!(mail.timeout, Duration::from_secs(30));
    assert_eq!(mail.ca_file, None);
}

#[test]
fn mail_timeout_and_ca_file_are_read() {
    let text = "[mail]\nsmtp_url = \"smtps://mail.example.org\"\nfrom = \"bot@example.org\"\ntimeout = \"1m30s\"\nca_file = \"private-ca.pem\"\n";
    let mail = parse("test.toml", text)
        .unwrap_or_else(|e| panic!("{e}"))
        .mail
        .unwrap();
    assert_eq!(mail.timeout, Duration::from_secs(90));
    assert_eq!(
        mail.ca_file.as_deref(),
        Some(std::path::Path::new("private-ca.pem"))
    );
}

#[test]
fn a_bad_mail_timeout_is_refused_where_it_is() {
    let at_line_4 = |value: &str| {
        let found = issues(&format!("{MAIL}timeout = \"{value}\"\n"));
        let timeout = issue(&found, "mail.timeout").clone();
        assert_eq!(at(&timeout), (4, 11), "{timeout:?}");
        timeout
    };
    assert!(at_line_4("30").message.contains("has no unit"));
    assert!(at_line_4("0s").message.contains("too short"));
    assert!(at_line_4("1h").message.contains("the maximum is 10m"));
}

#[test]
fn a_ca_file_must_exist_next_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sg.toml");
    let text = "[mail]\nsmtp_url = \"smtp://mail.example.org?tls=starttls\"\nfrom = \"bot@example.org\"\nca_file = \"ca.pem\"\n";
    std::fs::write(&path, text).unwrap();
    let Err(ConfigError::Invalid { errors }) = load(Some(&path)) else {
        panic!("a missing ca_file was accepted");
    };
    let missing = issue(&errors.errors, "mail.ca_file");
    assert!(missing.message.contains("does not exist"), "{missing:?}");
    assert_eq!(at(missing), (4, 11));
    std::fs::write(dir.path().join("ca.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    let mail = load(Some(&path)).unwrap().mail.unwrap();
    assert_eq!(mail.ca_file, Some(dir.path().join("ca.pem")));
}

#[test]
fn a_ca_file_on_a_plain_smtp_url_is_refused() {
    let found = issues(&format!("{MAIL}ca_file = \"ca.pem\"\n"));
    let ca = issue(&found, "mail.ca_file");
    assert!(ca.message.contains("no effect"), "{ca:?}");
    assert!(ca.fix.contains("tls=starttls"), "{ca:?}");
}
