//! SMTP delivery through lettre: plain, STARTTLS or implicit TLS, AUTH PLAIN
//! or LOGIN, a timeout on connecting and on every command, and failures
//! sorted into transient (retry later) and permanent (the same mail will
//! never go through). One connection per mail, no pool: a crash can then
//! lose at most the mail in flight, and each send starts from a clean state.

use crate::config::{MailConfig, SmtpSecurity};
use crate::mail::message::OutgoingMail;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Why a mail was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 4xx reply, connection refused/reset, timeout, TLS handshake failure: retry later.
    #[error("{0}")]
    Transient(String),
    /// 5xx reply, a refused recipient/sender, bad credentials: retrying the same mail won't help.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// Sends announcements through the configured SMTP server. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    host: String,
    port: u16,
    security: SmtpSecurity,
    /// Built once: reading the CA file and setting up rustls per mail would be waste.
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    from: String,
    timeout: Duration,
    hello: ClientId,
}

impl fmt::Debug for Mailer {
    /// Everything but the credentials (lettre hides the secret too, but the
    /// user name is nobody's business in a log either).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server())
            .field("security", &self.inner.security)
            .field("auth", &self.inner.credentials.is_some())
            .field("from", &self.inner.from)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

/// SMTP AUTH mechanisms offered, in order of preference.
const MECHANISMS: [Mechanism; 2] = [Mechanism::Plain, Mechanism::Login];

impl Mailer {
    /// From config; credentials read through `env` from the variables
    /// `user_env`/`password_env` name (an unset variable is an Err with one
    /// sentence naming it), the CA file read and parsed. No network here.
    pub fn new(
        config: &MailConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Mailer, String> {
        let credentials = match (&config.user_env, &config.password_env) {
            (Some(user_env), Some(password_env)) => {
                let read = |name: &str, key: &str| match env(name) {
                    Some(value) if !value.is_empty() => Ok(value),
                    Some(_) => Err(format!(
                        "the environment variable {name} (mail.{key}) is empty; set it to the SMTP login"
                    )),
                    None => Err(format!(
                        "the environment variable {name} (mail.{key}) is not set; set it to the SMTP login"
                    )),
                };
                Some(Credentials::new(
                    read(user_env, "user_env")?,
                    read(password_env, "password_env")?,
                ))
            }
            _ => None,
        };
        let host = config.smtp.host.clone();
        let tls = match config.smtp.security {
            SmtpSecurity::Plain => None,
            SmtpSecurity::StartTls | SmtpSecurity::ImplicitTls => {
                Some(tls_parameters(&host, config.ca_file.as_deref())?)
            }
        };
        Ok(Mailer {
            inner: Arc::new(Inner {
                port: config.smtp.port,
                security: config.smtp.security,
                tls,
                credentials,
                from: config.from.clone(),
                timeout: config.timeout,
                hello: ClientId::default(),
                host,
            }),
        })
    }

    /// The configured sender.
    pub fn from(&self) -> &str {
        &self.inner.from
    }

    /// Delivers one mail over a fresh connection: connect (TLS as
    /// configured), EHLO, AUTH when configured, MAIL, RCPT for each
    /// recipient, DATA, the message, QUIT. Once the server has accepted the
    /// message the send counts as done, whatever QUIT does.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let message = mail.to_message().map_err(SendError::Permanent)?;
        let envelope = message.envelope();
        let payload = DataPayload::new(&message.formatted())?;
        let mut connection = self.open().await?;
        if let Some(credentials) = &self.inner.credentials {
            self.step("AUTH", connection.auth(&MECHANISMS, credentials))
                .await?;
        }
        // The body is 7bit or quoted-printable and headers are encoded, so
        // the message is ASCII and needs neither 8BITMIME nor SMTPUTF8.
        self.step(
            "MAIL FROM",
            connection.command(Mail::new(envelope.from().cloned(), vec![])),
        )
        .await?;
        for recipient in envelope.to() {
            self.step(
                "RCPT TO",
                connection.command(Rcpt::new(recipient.clone(), vec![])),
            )
            .await?;
        }
        self.step("DATA", connection.command(Data)).await?;
        self.step("the message", connection.command(payload))
            .await?;
        // Delivered; a slow or failing QUIT must not make the caller resend.
        let _ = tokio::time::timeout(self.inner.timeout, connection.quit()).await;
        Ok(())
    }

    /// Connect, TLS as configured, EHLO, QUIT within the timeout, for
    /// /healthz. No AUTH: a health check polled often must not hammer the
    /// server's login (some lock an account after failed tries). Err is one sentence.
    pub async fn probe(&self) -> Result<(), String> {
        let mut connection = self.open().await.map_err(|error| error.to_string())?;
        self.step("QUIT", connection.quit())
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    }

    fn server(&self) -> String {
        format!("{}:{}", self.inner.host, self.inner.port)
    }

    /// A connection that has read the greeting, sent EHLO and, for
    /// STARTTLS, upgraded and sent EHLO again. Connecting, the TLS handshake,
    /// the greeting and EHLO share one timeout.
    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let inner = &self.inner;
        let implicit = match inner.security {
            SmtpSecurity::ImplicitTls => inner.tls.clone(),
            _ => None,
        };
        let connect = AsyncSmtpConnection::connect_tokio1(
            (inner.host.as_str(), inner.port),
            Some(inner.timeout),
            &inner.hello,
            implicit,
            None,
        );
        let mut connection = self.step("connecting", connect).await?;
        if inner.security == SmtpSecurity::StartTls {
            if !connection.can_starttls() {
                // Transient: a relay that lost its certificate, or a network
                // stripping STARTTLS, may recover; never fall back to plain.
                return Err(SendError::Transient(format!(
                    "SMTP server {} does not offer STARTTLS, which smtp_url requires",
                    self.server()
                )));
            }
            let tls = inner.tls.clone().expect("STARTTLS has TLS parameters");
            self.step("STARTTLS", connection.starttls(tls, &inner.hello))
                .await?;
        }
        Ok(connection)
    }

    /// Runs one SMTP step within the timeout and classifies its failure.
    async fn step<T>(
        &self,
        what: &str,
        future: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
    ) -> Result<T, SendError> {
        let answered = tokio::time::timeout(self.inner.timeout, future)
            .await
            .map_err(|_elapsed| {
                SendError::Transient(format!(
                    "SMTP server {} did not answer {what} within {}s",
                    self.server(),
                    self.inner.timeout.as_secs_f64()
                ))
            })?;
        answered.map_err(|error| classify(&self.server(), what, &error))
    }
}

/// The message as one DATA payload: dot-stuffed (RFC 5321 §4.5.2) and
/// ended with the lone dot, so it leaves in a single write. lettre's own
/// `message()` writes the terminator separately, and on a real TCP stack
/// Nagle then holds it back until the server's delayed ACK: 40 ms a mail.
#[derive(Debug)]
struct DataPayload(String);

impl DataPayload {
    fn new(formatted: &[u8]) -> Result<DataPayload, SendError> {
        // Headers are encoded and the body is 7bit or quoted-printable.
        let text = std::str::from_utf8(formatted)
            .ok()
            .filter(|text| text.is_ascii())
            .ok_or_else(|| SendError::Permanent("the built message is not ASCII".to_string()))?;
        let mut payload = String::with_capacity(text.len() + 16);
        for line in text.split_inclusive("\r\n") {
            if line.starts_with('.') {
                payload.push('.');
            }
            payload.push_str(line);
        }
        if !payload.ends_with("\r\n") {
            payload.push_str("\r\n");
        }
        payload.push_str(".\r\n");
        Ok(DataPayload(payload))
    }
}

impl fmt::Display for DataPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// lettre's error kinds as retry advice. Only replies can be permanent (5xx)
/// or the client's own refusal to go on (no common AUTH mechanism); every
/// connection-level failure may heal. lettre's messages carry the server's
/// reply, never a command, so no credential can appear in them.
fn classify(server: &str, what: &str, error: &lettre::transport::smtp::Error) -> SendError {
    let message = format!("SMTP server {server} failed at {what}: {error}");
    if error.is_permanent() || error.is_client() {
        SendError::Permanent(message)
    } else {
        // is_transient (4xx), is_timeout, is_tls, network and connection errors.
        SendError::Transient(message)
    }
}

/// TLS for `host`: the webpki roots, plus every certificate in `ca_file`.
fn tls_parameters(host: &str, ca_file: Option<&std::path::Path>) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|error| format!("cannot read mail.ca_file {}: {error}", path.display()))?;
        if !pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|window| window == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(format!(
                "mail.ca_file {} holds no PEM certificate",
                path.display()
            ));
        }
        let certificate = Certificate::from_pem(&pem).map_err(|error| {
            format!("mail.ca_file {} is not valid PEM: {error}", path.display())
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build_rustls()
        .map_err(|error| format!("cannot set up TLS for the SMTP server {host}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SmtpEndpoint;

    fn config(user_env: Option<&str>, password_env: Option<&str>) -> MailConfig {
        MailConfig {
            smtp: SmtpEndpoint {
                url: "smtp://127.0.0.1:2525".to_string(),
                host: "127.0.0.1".to_string(),
                port: 2525,
                security: SmtpSecurity::Plain,
            },
            from: "Bot <bot@example.org>".to_string(),
            user_env: user_env.map(str::to_string),
            password_env: password_env.map(str::to_string),
            timeout: Duration::from_secs(5),
            ca_file: None,
        }
    }

    #[test]
    fn an_unset_credential_variable_is_named_and_its_value_never_shown() {
        let env = |name: &str| (name == "SMTP_USER").then(|| "bot".to_string());
        let error =
            Mailer::new(&config(Some("SMTP_USER"), Some("SMTP_PASSWORD")), &env).unwrap_err();
        assert!(error.contains("SMTP_PASSWORD"), "{error}");
        assert!(error.contains("not set"), "{error}");
        assert!(!error.contains("bot"), "{error}");
    }

    #[test]
    fn debug_output_holds_no_credentials() {
        let env = |name: &str| Some(format!("secret-{name}"));
        let mailer = Mailer::new(&config(Some("SMTP_USER"), Some("SMTP_PASSWORD")), &env).unwrap();
        let debug = format!("{mailer:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(debug.contains("auth: true"), "{debug}");
        assert_eq!(mailer.from(), "Bot <bot@example.org>");
    }

    #[test]
    fn the_data_payload_is_dot_stuffed_and_terminated_once() {
        let payload = DataPayload::new(b"Subject: x\r\n\r\n.hidden\r\n..two\r\nend.\r\n").unwrap();
        assert_eq!(
            payload.to_string(),
            "Subject: x\r\n\r\n..hidden\r\n...two\r\nend.\r\n.\r\n"
        );
        let unterminated = DataPayload::new(b"Subject: x\r\n\r\nlast").unwrap();
        assert_eq!(unterminated.to_string(), "Subject: x\r\n\r\nlast\r\n.\r\n");
        assert!(
            DataPayload::new("Subject: é\r\n".as_bytes())
                .unwrap_err()
                .is_permanent()
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let mut config = config(None, None);
        config.smtp.security = SmtpSecurity::StartTls;
        config.ca_file = Some(path);
        let error = Mailer::new(&config, &|_| None).unwrap_err();
        assert!(error.contains("no PEM certificate"), "{error}");
    }
}
