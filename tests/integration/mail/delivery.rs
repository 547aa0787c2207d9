//! What arrives: every header and the body intact, over plain SMTP,
//! STARTTLS and implicit TLS, with AUTH PLAIN and LOGIN, and nothing more
//! than intended when a title tries to add a header.

use super::*;

#[tokio::test]
async fn a_plain_send_arrives_with_every_header_and_the_utf8_body_intact() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut context = MailContext::sample();
    context.milestone.title = "2026.12 «Hiver»".to_string();
    context.changes[0] = ChangeInfo::new(
        "merge request",
        "!2714",
        2714,
        "Planificateur : priorités des tâches — ünïcödé",
        Some("https://gitlab.com/lava/lava/-/merge_requests/2714".to_string()),
        vec![MigrationInfo::new(
            "lava_scheduler_app/migrations/0062_testjob_priority.py",
            "schema",
            "django",
        )],
    );
    let mut mail = warning(&context);
    mail.message_id = message_id("gitlab", "lava/lava", 42, MailKind::Update, 1, FROM);
    let parent = message_id("gitlab", "lava/lava", 42, MailKind::Warning, 0, FROM);
    mail.in_reply_to = Some(parent.clone());
    mailer(&mail_config(&server.url(), ""))
        .send(&mail)
        .await
        .unwrap();

    let received = one_mail(&server).await;
    assert_eq!(
        received.header_names(),
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
    assert_eq!(
        received.header("From"),
        Some("\"Release bot\" <release-bot@example.org>")
    );
    assert_eq!(received.header("To"), Some(LIST));
    assert_eq!(
        received.header("Reply-To"),
        Some("lava-devel@lists.example.org")
    );
    assert_eq!(received.header("Subject"), Some(mail.subject.as_str()));
    assert!(mail.subject.contains("«Hiver»"), "{}", mail.subject);
    assert_eq!(
        received.header("Message-ID"),
        Some(mail.message_id.as_str())
    );
    assert_eq!(received.header("In-Reply-To"), Some(parent.as_str()));
    assert_eq!(received.header("References"), Some(parent.as_str()));
    assert_eq!(
        received.header("Date"),
        Some("Tue, 03 Nov 2026 09:30:00 +0000")
    );
    assert_eq!(received.header("Auto-Submitted"), Some("auto-generated"));
    assert_eq!(
        received.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        received.header("Content-Transfer-Encoding"),
        Some("quoted-printable")
    );
    assert_eq!(received.body, mail.body);
    assert!(
        received.body.contains("priorités des tâches — ünïcödé"),
        "{}",
        received.body
    );
    assert_eq!(received.rcpt_tos, [LIST]);
    assert_eq!(received.mail_from, "release-bot@example.org");
    assert!(received.raw.is_ascii(), "7bit-clean on the wire");

    // One connection, one command per round trip and no more: the greeting,
    // EHLO, MAIL, RCPT, DATA, the message, QUIT.
    assert_eq!(
        server.commands(received.session),
        ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    );
    assert_eq!(server.round_trips(received.session), 7);
}

#[tokio::test]
async fn an_ascii_mail_goes_7bit_and_a_leading_dot_survives() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut mail = sample_warning();
    // A line starting with "." must be dot-stuffed on the wire and come back whole.
    mail.body
        .push_str(".\n.. and a line that starts with dots\n");
    mailer(&mail_config(&server.url(), ""))
        .send(&mail)
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(received.header("Content-Transfer-Encoding"), Some("7bit"));
    assert_eq!(received.body, mail.body);
}

#[tokio::test]
async fn starttls_with_the_test_certificate() {
    let server = SmtpServer::start(SmtpOptions {
        tls: Some(Tls::StartTls),
        ..SmtpOptions::default()
    });
    mailer(&tls_config(&server, ""))
        .send(&sample_warning())
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(received.body, sample_warning().body);
    let commands = server.commands(received.session);
    assert_eq!(commands[..3], ["EHLO", "STARTTLS", "EHLO"], "{commands:?}");
    assert_eq!(server.round_trips(received.session), 9);
}

#[tokio::test]
async fn implicit_tls_with_the_test_certificate() {
    let server = SmtpServer::start(SmtpOptions {
        tls: Some(Tls::Implicit),
        ..SmtpOptions::default()
    });
    assert!(server.url().starts_with("smtps://localhost:"));
    mailer(&tls_config(&server, ""))
        .send(&sample_warning())
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(
        received.header("Subject"),
        Some(sample_warning().subject.as_str())
    );
    assert_eq!(
        server.commands(received.session),
        ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    );
}

#[tokio::test]
async fn auth_plain_with_credentials_from_the_environment() {
    let server = SmtpServer::start(auth_options(&[]));
    auth_mailer(&server, "s3cret-pw")
        .send(&sample_warning())
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(
        server.commands(received.session),
        ["EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA", "QUIT"]
    );
    // AUTH PLAIN sends the credentials with the command: one round trip more.
    assert_eq!(server.round_trips(received.session), 8);
}

#[tokio::test]
async fn auth_login_when_the_server_offers_only_login() {
    let server = SmtpServer::start(auth_options(&["LOGIN"]));
    auth_mailer(&server, "s3cret-pw")
        .send(&sample_warning())
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(
        server.commands(received.session),
        ["EHLO", "AUTH LOGIN", "MAIL", "RCPT", "DATA", "QUIT"]
    );
    // AUTH LOGIN asks for the user and the password separately: three.
    assert_eq!(server.round_trips(received.session), 10);
}

#[tokio::test]
async fn a_title_with_a_line_break_and_a_bcc_cannot_add_a_header_or_recipient() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut context = MailContext::sample();
    // Set by hand, as if a forge title bypassed the constructors.
    context.milestone.title = "2026.12\r\nBcc: evil@example.org".to_string();
    context.changes[0].title = "Fix\r\nBcc: evil@example.org\r\n\r\nInjected body".to_string();
    let mail = warning(&context);
    mailer(&mail_config(&server.url(), ""))
        .send(&mail)
        .await
        .unwrap();
    let received = one_mail(&server).await;
    assert_eq!(
        received.header_names(),
        [
            "From",
            "To",
            "Reply-To",
            "Subject",
            "Message-ID",
            "Date",
            "Auto-Submitted",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
        ]
    );
    assert_eq!(received.rcpt_tos, [LIST]);
    assert_eq!(
        received.header("Subject"),
        Some(
            "[lava/lava] Downtime ahead: upgrading to 2026.12 Bcc: evil@example.org needs database migrations"
        )
    );
}
