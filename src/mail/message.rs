//! One announcement as an RFC 5322 message: the headers a mailing list and
//! its readers rely on (a stable Message-ID, threading, Auto-Submitted), a
//! plain UTF-8 body, and the same mail as readable text for `--preview`.

use crate::mail::context::one_line;
use crate::mail::templates::MailKind;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{
    self, ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox};
use sha2::{Digest, Sha256};

/// A mail ready to send: every header value decided, the body rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// "Name <addr>" or "addr".
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    /// With angle brackets, "<…@domain>".
    pub message_id: String,
    /// The warning's Message-ID on updates and the release notice; also
    /// written as References so every client threads them.
    pub in_reply_to: Option<String>,
    pub date: DateTime<Utc>,
    pub body: String,
}

impl OutgoingMail {
    /// The lettre message: From, To, Reply-To, Subject, Message-ID,
    /// In-Reply-To, References, Date, Auto-Submitted, MIME headers;
    /// 7bit when the body is ASCII, quoted-printable otherwise. Err is one
    /// sentence (an address that does not parse, usually).
    pub fn to_message(&self) -> Result<Message, String> {
        let mailbox = |role: &str, text: &str| {
            text.parse::<Mailbox>()
                .map_err(|error| format!("the {role} address `{text}` is not usable: {error}"))
        };
        let mut builder = Message::builder().from(mailbox("sender", &self.from)?);
        if self.to.is_empty() {
            return Err("the mail has no recipient".to_string());
        }
        for to in &self.to {
            builder = builder.to(mailbox("recipient", to)?);
        }
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(mailbox("reply-to", reply_to)?);
        }
        // The subject was cleaned when rendered; cleaning again here keeps a
        // hand-built mail from smuggling a header through a line break.
        builder = builder
            .subject(one_line(&self.subject))
            .message_id(Some(one_line(&self.message_id)));
        if let Some(parent) = &self.in_reply_to {
            let parent = one_line(parent);
            builder = builder.in_reply_to(parent.clone()).references(parent);
        }
        let body = body(&self.body);
        builder
            .date(self.date.into())
            .header(AutoSubmitted)
            .header(header::MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| format!("the mail could not be built: {error}"))
    }

    /// The mail as the list will receive it: every header as sent, a blank
    /// line, then the body decoded (readable). Used by `announce --preview`.
    pub fn preview(&self) -> String {
        match self.to_message() {
            Ok(message) => {
                let headers = message.headers().to_string().replace("\r\n", "\n");
                format!("{headers}\n{}", normalized_body(&self.body))
            }
            Err(error) => format!("(this mail cannot be sent: {error})\n"),
        }
    }
}

/// Line endings as LF and exactly one final newline.
fn normalized_body(body: &str) -> String {
    let mut text = body.replace("\r\n", "\n");
    let trimmed = text.trim_end_matches('\n').len();
    text.truncate(trimmed);
    text.push('\n');
    text
}

/// 7bit when every byte is ASCII and no line is over SMTP's 998-octet
/// limit (lettre checks both), else quoted-printable, which stays readable
/// in archives that show the raw mail (base64 would not).
fn body(text: &str) -> Body {
    let text = normalized_body(text);
    // Passed as a String both times: lettre turns LF into CRLF only for
    // text, and the bytes handed back by a refused 7bit attempt are not text.
    Body::new_with_encoding(text.clone(), ContentTransferEncoding::SevenBit).unwrap_or_else(|_| {
        Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
            .expect("quoted-printable encodes any bytes")
    })
}

/// `Auto-Submitted: auto-generated` (RFC 3834): vacation responders and
/// list software must not answer a bot's mail automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if text.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("unexpected Auto-Submitted value `{text}`").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The longest sanitised project part kept in a Message-ID; the digest keeps
/// longer paths distinct.
const MAX_PROJECT_PART: usize = 64;
/// Used when the sender's address has no usable domain (validation prevents
/// it, but the id must stay valid regardless).
const FALLBACK_DOMAIN: &str = "schemagate.invalid";

/// Stable Message-ID from (forge, project, milestone id, kind, sequence) and
/// the sender's domain: the same inputs always give the same id, so a mail
/// resent after a crash is recognisable as the same mail, and any input
/// different gives a different id. The project path is case-insensitive, as
/// on both forges. The result is a valid RFC 5322 msg-id for any path: the
/// readable part is sanitised, and a digest of the exact key keeps two paths
/// that sanitise alike apart. `sequence` is 0 for warning and release, 1, 2, …
/// for updates.
pub fn message_id(
    forge: &str,
    project: &str,
    milestone: u64,
    kind: MailKind,
    sequence: u32,
    from: &str,
) -> String {
    let project = project.to_lowercase();
    let forge = forge.to_lowercase();
    let key = format!(
        "{forge}\n{project}\n{milestone}\n{}\n{sequence}",
        kind.word()
    );
    let digest = Sha256::digest(key.as_bytes());
    let digest = hex::encode(&digest[..6]);
    let project_part: String = dot_atom(&project).chars().take(MAX_PROJECT_PART).collect();
    let project_part = project_part.trim_matches('.');
    let kind_part = match sequence {
        0 => kind.word().to_string(),
        n => format!("{}-{n}", kind.word()),
    };
    let forge_part = dot_atom(&forge);
    let mut left = vec!["schemagate".to_string()];
    left.extend(
        [forge_part.as_str(), project_part]
            .into_iter()
            .filter(|part| !part.is_empty())
            .map(str::to_string),
    );
    left.push(format!("m{milestone}"));
    left.push(kind_part);
    left.push(digest);
    format!("<{}@{}>", left.join("."), sender_domain(from))
}

/// Letters, digits, `-` and `_` kept; `/` and `.` become dots; anything else
/// `-`; no empty dot-separated parts (RFC 5322 dot-atom-text).
fn dot_atom(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            '/' | '.' => '.',
            _ => '-',
        })
        .collect();
    mapped
        .split('.')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// The domain of the sender's address, lower case, as a dot-atom.
fn sender_domain(from: &str) -> String {
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => &from[open + 1..close],
        _ => from.trim(),
    };
    let domain = address
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_lowercase())
        .unwrap_or_default();
    let domain = dot_atom(&domain);
    if domain.is_empty() {
        FALLBACK_DOMAIN.to_string()
    } else {
        domain
    }
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
