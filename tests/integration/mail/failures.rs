//! Failures, each classified as the engine needs it: transient (retry
//! with backoff) or permanent (stop, report); and the /healthz probe.

use super::*;

#[tokio::test]
async fn an_untrusted_certificate_is_refused_as_transient() {
    let server = SmtpServer::start(SmtpOptions {
        tls: Some(Tls::Implicit),
        ..SmtpOptions::default()
    });
    // Without ca_file only the public roots are trusted: the self-signed
    // certificate must fail the handshake, not be accepted quietly.
    let config = mail_config(&server.url(), "timeout = \"5s\"\n");
    let message = transient(mailer(&config).send(&sample_warning()).await);
    assert!(message.contains("connecting"), "{message}");
    assert!(server.mails().is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_permanent_and_never_shown() {
    let server = SmtpServer::start(auth_options(&[]));
    let message = permanent(
        auth_mailer(&server, "wrong-pw")
            .send(&sample_warning())
            .await,
    );
    assert!(
        message.contains("AUTH") && message.contains("535"),
        "{message}"
    );
    assert!(!message.contains("wrong-pw"), "{message}");
    assert!(server.mails().is_empty());
}

#[tokio::test]
async fn sending_without_the_required_login_is_permanent() {
    let server = SmtpServer::start(auth_options(&[]));
    let message = permanent(
        mailer(&mail_config(&server.url(), ""))
            .send(&sample_warning())
            .await,
    );
    assert!(message.contains("530"), "{message}");
}

#[tokio::test]
async fn a_451_is_transient_and_the_retry_goes_through() {
    let server = SmtpServer::start(SmtpOptions::default());
    server.set_faults(serde_json::json!({"temp_fail": 1}));
    let mailer = mailer(&mail_config(&server.url(), ""));
    let message = transient(mailer.send(&sample_warning()).await);
    assert!(message.contains("451"), "{message}");
    assert!(server.mails().is_empty());
    mailer.send(&sample_warning()).await.unwrap();
    assert_eq!(server.wait_for_mails(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn a_refused_recipient_is_permanent() {
    let server = SmtpServer::start(SmtpOptions::default());
    server.set_faults(serde_json::json!({"perm_fail": true}));
    let message = permanent(
        mailer(&mail_config(&server.url(), ""))
            .send(&sample_warning())
            .await,
    );
    assert!(
        message.contains("RCPT TO") && message.contains("550"),
        "{message}"
    );
    assert!(server.mails().is_empty());
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let port = dead_port();
    let config = mail_config(&format!("smtp://127.0.0.1:{port}"), "");
    let message = transient(mailer(&config).send(&sample_warning()).await);
    assert!(message.contains(&port.to_string()), "{message}");
}

#[tokio::test]
async fn a_server_that_stalls_after_data_times_out_as_transient() {
    let server = SmtpServer::start(SmtpOptions::default());
    server.set_faults(serde_json::json!({"stall_after_data": true}));
    let mailer = mailer(&mail_config(&server.url(), "timeout = \"1s\"\n"));
    let started = Instant::now();
    let message = transient(mailer.send(&sample_warning()).await);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        message.contains("did not answer the message within 1s"),
        "{message}"
    );
    // The server kept the mail: this is the "sent but not confirmed" case a
    // resend under the same Message-ID covers.
    let mails = server.wait_for_mails(1, WAIT).await;
    assert_eq!(
        mails[0].header("Message-ID"),
        Some(sample_warning().message_id.as_str())
    );
}

#[tokio::test]
async fn probe_speaks_smtp_to_a_live_server_and_fails_on_a_dead_one() {
    let mut server = SmtpServer::start(SmtpOptions {
        tls: Some(Tls::StartTls),
        ..SmtpOptions::default()
    });
    let mailer = mailer(&tls_config(&server, ""));
    mailer.probe().await.unwrap();
    assert_eq!(server.commands(1), ["EHLO", "STARTTLS", "EHLO", "QUIT"]);
    assert!(server.mails().is_empty());

    let port = server.port;
    server.stop();
    let error = mailer.probe().await.unwrap_err();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");

    // Back on the same port, with the same certificate and mailbox.
    let server = SmtpServer::start_on(
        port,
        SmtpOptions {
            tls: Some(Tls::StartTls),
            ..SmtpOptions::default()
        },
        server.dir(),
    );
    mailer.probe().await.unwrap();
    mailer.send(&sample_warning()).await.unwrap();
    assert_eq!(server.wait_for_mails(1, WAIT).await.len(), 1);
}
