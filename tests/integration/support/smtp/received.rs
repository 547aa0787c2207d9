//! Received mails read back from the test server's mailbox: envelope,
//! unfolded headers with RFC 2047 words decoded, and the body decoded per
//! its Content-Transfer-Encoding, so tests compare what a reader would see.

use std::path::Path;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// Unfolded, in order, values with RFC 2047 words decoded.
    pub headers: Vec<(String, String)>,
    /// Decoded per Content-Transfer-Encoding, LF line endings.
    pub body: String,
    /// Which connection (1, 2, …) carried it.
    pub session: u64,
}

impl ReceivedMail {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// Every header of this name (case-insensitive).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub fn header_names(&self) -> Vec<&str> {
        self.headers.iter().map(|(name, _)| name.as_str()).collect()
    }
}

pub(super) fn parse_record(path: &Path) -> ReceivedMail {
    use base64::Engine;
    let text = std::fs::read_to_string(path).expect("mailbox record");
    let record: serde_json::Value = serde_json::from_str(&text).expect("mailbox JSON");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(record["raw_base64"].as_str().unwrap_or_default())
        .expect("base64 message");
    let text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_string(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut headers {
        *value = decode_words(value);
    }
    let encoding = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-transfer-encoding"))
        .map(|(_, value)| value.to_ascii_lowercase())
        .unwrap_or_default();
    let body = match encoding.as_str() {
        "quoted-printable" => String::from_utf8_lossy(&decode_quoted_printable(body)).into_owned(),
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 body");
            String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
        }
        _ => body.to_string(),
    };
    ReceivedMail {
        raw,
        mail_from: record["mail_from"].as_str().unwrap_or_default().to_string(),
        rcpt_tos: record["rcpt_tos"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|to| to.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        headers,
        body,
        session: record["session"].as_u64().unwrap_or_default(),
    }
}

/// Quoted-printable (RFC 2045) with LF line endings already.
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); the space
/// between two adjacent encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from_start) = rest.split_at(start);
        let word = from_start[2..].splitn(3, '?').collect::<Vec<_>>();
        let decoded = match word.as_slice() {
            [_charset, encoding, tail] => tail.find("?=").map(|end| {
                let payload = &tail[..end];
                let bytes = if encoding.eq_ignore_ascii_case("b") {
                    base64::engine::general_purpose::STANDARD
                        .decode(payload)
                        .unwrap_or_default()
                } else {
                    decode_quoted_printable(&payload.replace('_', " "))
                };
                let consumed = 2 + word[0].len() + 1 + word[1].len() + 1 + end + 2;
                (String::from_utf8_lossy(&bytes).into_owned(), consumed)
            }),
            _ => None,
        };
        let Some((text, consumed)) = decoded else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            last_was_word = false;
            continue;
        };
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&text);
        rest = &from_start[consumed..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}
