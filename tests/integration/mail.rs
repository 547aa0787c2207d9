//! The mail transport against a real SMTP server (aiosmtpd): what arrives,
//! over plain, STARTTLS and implicit TLS, with AUTH PLAIN and LOGIN
//! (`delivery`); and how each failure is classified, transient (retry) or
//! permanent (stop), and what the health probe says (`failures`).
//! The helpers here build mails and mailers the way the engine does.

mod delivery;
mod failures;

use crate::support::smtp::{ReceivedMail, SmtpOptions, SmtpServer, Tls};
use chrono::TimeZone;
use schemagate::config::MailConfig;
use schemagate::mail::{
    ChangeInfo, MailContext, MailKind, Mailer, MigrationInfo, OutgoingMail, SendError, Templates,
    message_id,
};
use std::time::{Duration, Instant};

const FROM: &str = "Release bot <release-bot@example.org>";
const LIST: &str = "lava-announce@lists.example.org";
const WAIT: Duration = Duration::from_secs(10);

/// `[mail]` through the real config parser, so the keys tested are the documented ones.
fn mail_config(url: &str, extra: &str) -> MailConfig {
    let text = format!("[mail]\nsmtp_url = \"{url}\"\nfrom = \"{FROM}\"\n{extra}");
    schemagate::config::parse("mail-test.toml", &text)
        .unwrap_or_else(|errors| panic!("{errors}"))
        .mail
        .expect("a [mail] section")
}

fn tls_config(server: &SmtpServer, extra: &str) -> MailConfig {
    let ca = server.ca_file().expect("a TLS server");
    mail_config(
        &server.url(),
        &format!("ca_file = \"{}\"\ntimeout = \"5s\"\n{extra}", ca.display()),
    )
}

fn mailer(config: &MailConfig) -> Mailer {
    Mailer::new(config, &|_| None).expect("a mailer")
}

/// A warning rendered by the built-in template from `context`.
fn warning(context: &MailContext) -> OutgoingMail {
    let rendered = Templates::builtin()
        .render(MailKind::Warning, context)
        .expect("the built-in warning renders");
    OutgoingMail {
        from: FROM.to_string(),
        to: context.to.clone(),
        reply_to: context.reply_to.clone(),
        subject: rendered.subject,
        message_id: message_id("gitlab", "lava/lava", 42, MailKind::Warning, 0, FROM),
        in_reply_to: None,
        date: chrono::Utc.with_ymd_and_hms(2026, 11, 3, 9, 30, 0).unwrap(),
        body: rendered.body,
    }
}

fn sample_warning() -> OutgoingMail {
    warning(&MailContext::sample())
}

async fn one_mail(server: &SmtpServer) -> ReceivedMail {
    let mails = server.wait_for_mails(1, WAIT).await;
    assert_eq!(mails.len(), 1, "exactly one mail expected");
    mails.into_iter().next().unwrap()
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn transient(result: Result<(), SendError>) -> String {
    match result {
        Err(SendError::Transient(message)) => message,
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

fn permanent(result: Result<(), SendError>) -> String {
    match result {
        Err(SendError::Permanent(message)) => message,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

fn auth_options(mechanisms: &[&str]) -> SmtpOptions {
    SmtpOptions {
        auth: Some(("bot".to_string(), "s3cret-pw".to_string())),
        mechanisms: mechanisms.iter().map(|m| m.to_string()).collect(),
        ..SmtpOptions::default()
    }
}

fn auth_mailer(server: &SmtpServer, password: &'static str) -> Mailer {
    let config = mail_config(
        &server.url(),
        "user_env = \"SMTP_USER\"\npassword_env = \"SMTP_PASSWORD\"\ntimeout = \"5s\"\n",
    );
    let env = move |name: &str| match name {
        "SMTP_USER" => Some("bot".to_string()),
        "SMTP_PASSWORD" => Some(password.to_string()),
        _ => None,
    };
    Mailer::new(&config, &env).expect("a mailer")
}
