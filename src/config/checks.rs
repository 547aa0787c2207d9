//! Checks on single values: addresses, URLs, names and paths. Each returns the
//! parsed value or a [`Problem`] saying what is wrong and how to fix it.

use crate::config::model::{DatabaseKind, DatabaseUrl, ForgeKind, SmtpEndpoint, SmtpSecurity};
use crate::core::ids::ProjectPath;
use lettre::message::Mailbox;
use std::net::SocketAddr;
use url::Url;

/// What is wrong with a value, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn new(message: impl Into<String>, fix: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            fix: fix.into(),
        }
    }
}

pub fn listen_address(text: &str) -> Result<SocketAddr, Problem> {
    text.parse().map_err(|_| {
        Problem::new(
            format!("`{text}` is not an IP address with a port"),
            "write IP:PORT, e.g. \"127.0.0.1:8080\" or \"[::]:8080\"",
        )
    })
}

pub fn database_url(text: &str) -> Result<DatabaseUrl, Problem> {
    let kind = if text.starts_with("sqlite:") {
        DatabaseKind::Sqlite
    } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        DatabaseKind::Postgres
    } else {
        return Err(Problem::new(
            format!("`{text}` is neither a SQLite nor a PostgreSQL URL"),
            "write \"sqlite://schemagate.db\" or \"postgres://user@host/dbname\"",
        ));
    };
    let has_password = |text| Url::parse(text).is_ok_and(|url| url.password().is_some());
    if kind == DatabaseKind::Postgres && has_password(text) {
        return Err(Problem::new(
            "the URL contains a password; secrets never go in the config text",
            "remove `:password` from the URL and set PGPASSWORD in the environment (or use ~/.pgpass)",
        ));
    }
    Ok(DatabaseUrl {
        url: text.to_string(),
        kind,
    })
}

/// An `http(s)://host[/path]` URL, returned without a trailing slash.
pub fn http_url(text: &str) -> Result<String, Problem> {
    let url = Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
    match url {
        Some(url) if !url.username().is_empty() || url.password().is_some() => Err(Problem::new(
            "the URL contains credentials; secrets never go in the config text",
            "remove `user:password@` from the URL and use the `_env` keys for credentials",
        )),
        Some(_) => Ok(text.trim_end_matches('/').to_string()),
        None => Err(Problem::new(
            format!("`{text}` is not an http:// or https:// URL"),
            "write the base URL, e.g. \"https://gitlab.example.org\"",
        )),
    }
}

/// The name of an environment variable (not its value).
pub fn env_var_name(text: &str) -> Result<String, Problem> {
    let mut chars = text.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(text.to_string())
    } else {
        Err(Problem::new(
            format!("`{text}` is not an environment variable name"),
            "write the NAME of the variable that holds the secret (letters, digits, _), e.g. \"GITLAB_TOKEN\", and export the secret in it",
        ))
    }
}

/// `addr@domain` or `Display Name <addr@domain>`: what the mailer can send
/// to, so an address is refused here rather than when a warning is due.
pub fn mailbox(text: &str) -> Result<String, Problem> {
    if text.parse::<Mailbox>().is_ok() {
        return Ok(text.trim().to_string());
    }
    let message = format!("`{text}` is not an email address");
    // A name such as `Smith, John` is only a name in double quotes.
    let quoted = (text.split_once('<'))
        .map(|(name, address)| format!("\"{}\" <{address}", name.trim()))
        .filter(|quoted| !text.trim_start().starts_with('"') && quoted.parse::<Mailbox>().is_ok());
    let Some(quoted) = quoted else {
        let fix = "write \"name@example.org\" or \"Display Name <name@example.org>\"";
        return Err(Problem::new(message, fix));
    };
    // As TOML would hold it: a literal string needs no escapes.
    let toml = match quoted.contains('\'') {
        true => format!("\"{}\"", quoted.replace('\\', "\\\\").replace('"', "\\\"")),
        false => format!("'{quoted}'"),
    };
    let fix = format!("put the display name in double quotes, e.g. {toml}");
    Err(Problem::new(message, fix))
}

/// `#rrggbb`, returned in lower case.
pub fn label_color(text: &str) -> Result<String, Problem> {
    match text.strip_prefix('#') {
        Some(hex) if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(text.to_ascii_lowercase())
        }
        _ => Err(Problem::new(
            format!("`{text}` is not a #RRGGBB colour"),
            "write six hex digits after #, e.g. \"#d9534f\"",
        )),
    }
}

/// One of a fixed set of names, read by `from_name`; an unknown one is
/// refused as an unknown `what`, with `fix`.
pub fn named<T>(
    what: &str,
    from_name: impl Fn(&str) -> Option<T>,
    fix: impl Into<String>,
) -> impl FnOnce(&str) -> Result<T, Problem> {
    move |name| from_name(name).ok_or_else(|| Problem::new(format!("unknown {what} `{name}`"), fix))
}

/// `write one of a, b, c` for a fixed set of names.
pub fn one_of(names: &[&str]) -> String {
    format!("write one of {}", names.join(", "))
}

/// `group/sub/project` on GitLab, exactly `owner/repo` on GitHub.
pub fn project_path(forge: Option<ForgeKind>, text: &str) -> Result<ProjectPath, Problem> {
    let segments: Vec<&str> = text.split('/').collect();
    let segment_ok = |segment: &&str| {
        !segment.is_empty()
            && !segment.starts_with(['.', '-'])
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let shape_ok = segments.len() >= 2 && segments.iter().all(segment_ok);
    match forge {
        Some(ForgeKind::GitHub) if !(shape_ok && segments.len() == 2) => Err(Problem::new(
            format!("`{text}` is not a GitHub repository path"),
            "write \"owner/repo\"",
        )),
        _ if !shape_ok => Err(Problem::new(
            format!("`{text}` is not a project path"),
            "write \"group/project\" (GitLab, subgroups allowed: \"group/sub/project\") or \"owner/repo\" (GitHub)",
        )),
        _ => Ok(ProjectPath::from(text)),
    }
}

/// `smtp://host[:port]`, `smtp://host[:port]?tls=starttls` or `smtps://host[:port]`.
pub fn smtp_url(text: &str) -> Result<SmtpEndpoint, Problem> {
    let general_fix =
        "write \"smtp://host:25\", \"smtp://host:587?tls=starttls\" or \"smtps://host:465\"";
    let (security, rest) = if let Some(rest) = text.strip_prefix("smtps://") {
        (SmtpSecurity::ImplicitTls, rest)
    } else if let Some(rest) = text.strip_prefix("smtp://") {
        (SmtpSecurity::Plain, rest)
    } else {
        return Err(Problem::new(
            format!("`{text}` is not an smtp:// or smtps:// URL"),
            general_fix,
        ));
    };
    let parsed = Url::parse(text).ok();
    if parsed
        .as_ref()
        .is_some_and(|url| !url.username().is_empty() || url.password().is_some())
    {
        return Err(Problem::new(
            "the URL contains credentials; secrets never go in the config text",
            "remove `user:password@` from the URL and set `user_env` and `password_env` to the names of environment variables holding them",
        ));
    }
    let query = rest.split_once('?').map_or("", |(_, query)| query);
    let security = match (security, query) {
        (security, "") => security,
        (SmtpSecurity::Plain, "tls=starttls") => SmtpSecurity::StartTls,
        (SmtpSecurity::ImplicitTls, "tls=starttls") => {
            return Err(Problem::new(
                "smtps:// already uses TLS; `?tls=starttls` contradicts it",
                "use \"smtps://host\" for implicit TLS or \"smtp://host?tls=starttls\" for STARTTLS",
            ));
        }
        (_, other) => {
            return Err(Problem::new(
                format!("unknown query `?{other}` in the SMTP URL"),
                "the only option is `?tls=starttls` on an smtp:// URL",
            ));
        }
    };
    let (host, port) = parsed
        .as_ref()
        .and_then(host_and_port)
        .ok_or_else(|| Problem::new(format!("`{text}` has no valid host and port"), general_fix))?;
    let port = port.unwrap_or(match security {
        SmtpSecurity::Plain => 25,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::ImplicitTls => 465,
    });
    Ok(SmtpEndpoint {
        url: text.to_string(),
        host,
        port,
        security,
    })
}

/// The host and port of a URL with nothing after them but `/`; port 0 is no port.
fn host_and_port(url: &Url) -> Option<(String, Option<u16>)> {
    let host = url.host_str().filter(|h| !h.is_empty())?;
    if !matches!(url.path(), "" | "/") || url.port() == Some(0) {
        return None;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host.to_string(), url.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_accepts_plain_and_named_addresses() {
        assert!(mailbox("bot@example.org").is_ok());
        assert!(mailbox("Release bot <bot@example.org>").is_ok());
        assert!(mailbox("bot@localhost").is_ok());
    }

    #[test]
    fn mailbox_rejects_malformed_addresses() {
        for bad in [
            "bot",
            "bot@",
            "@example.org",
            "bot@exa mple.org",
            "Name <bot@example.org",
            "bot@@example.org",
            "bot@example..org",
            "",
        ] {
            assert!(mailbox(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_display_name_that_needs_quotes_is_answered_with_the_quoted_form() {
        let problem = mailbox("Smith, John <j@example.org>").unwrap_err();
        assert_eq!(
            problem.fix,
            r#"put the display name in double quotes, e.g. '"Smith, John" <j@example.org>'"#
        );
        assert!(mailbox("\"Smith, John\" <j@example.org>").is_ok());
        let unrelated = mailbox("Bot <bot@example.org").unwrap_err();
        assert!(unrelated.fix.starts_with("write"), "{unrelated:?}");
    }

    #[test]
    fn smtp_url_resolves_security_and_default_ports() {
        let plain = smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (plain.host.as_str(), plain.port, plain.security),
            ("127.0.0.1", 2525, SmtpSecurity::Plain)
        );
        let starttls = smtp_url("smtp://mail.example.org?tls=starttls").unwrap();
        assert_eq!(
            (starttls.port, starttls.security),
            (587, SmtpSecurity::StartTls)
        );
        let implicit = smtp_url("smtps://mail.example.org").unwrap();
        assert_eq!(
            (implicit.port, implicit.security),
            (465, SmtpSecurity::ImplicitTls)
        );
    }

    #[test]
    fn smtp_url_rejects_credentials_other_schemes_and_bad_ports() {
        let credentials = smtp_url("smtp://bot:hunter2@mail.example.org").unwrap_err();
        assert!(credentials.fix.contains("password_env"), "{credentials:?}");
        assert!(smtp_url("http://mail.example.org").is_err());
        assert!(smtp_url("smtp://mail.example.org:99999").is_err());
        assert!(smtp_url("smtp://mail.example.org?tls=required").is_err());
        assert!(smtp_url("smtps://mail.example.org?tls=starttls").is_err());
        assert!(smtp_url("smtp://").is_err());
        assert!(smtp_url("smtp://mail.example.org:0").is_err());
        assert!(smtp_url("smtp://mail.example.org:25/relay").is_err());
    }

    #[test]
    fn smtp_url_reads_ipv6_hosts_and_a_trailing_slash() {
        let v6 = smtp_url("smtps://[::1]:4650/").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 4650));
        let bare = smtp_url("smtp://[2001:db8::5]").unwrap();
        assert_eq!((bare.host.as_str(), bare.port), ("2001:db8::5", 25));
    }

    #[test]
    fn database_url_knows_sqlite_and_postgres_and_refuses_passwords() {
        assert_eq!(
            database_url("sqlite://x.db").unwrap().kind,
            DatabaseKind::Sqlite
        );
        assert_eq!(
            database_url("sqlite::memory:").unwrap().kind,
            DatabaseKind::Sqlite
        );
        assert_eq!(
            database_url("postgresql://bot@db/schemagate").unwrap().kind,
            DatabaseKind::Postgres
        );
        assert!(database_url("mysql://db/x").is_err());
        let password = database_url("postgres://bot:pw@db/x").unwrap_err();
        assert!(password.fix.contains("PGPASSWORD"), "{password:?}");
    }

    #[test]
    fn project_path_shape_depends_on_the_forge() {
        assert!(project_path(Some(ForgeKind::GitLab), "lava/lava").is_ok());
        assert!(project_path(Some(ForgeKind::GitLab), "group/sub/project").is_ok());
        assert!(project_path(Some(ForgeKind::GitHub), "lablup/backend.ai").is_ok());
        assert!(project_path(Some(ForgeKind::GitHub), "a/b/c").is_err());
        assert!(project_path(Some(ForgeKind::GitLab), "lava").is_err());
        assert!(project_path(Some(ForgeKind::GitLab), "lava//lava").is_err());
        assert!(project_path(None, "/lava/lava").is_err());
        assert!(project_path(None, "lava/la va").is_err());
    }

    #[test]
    fn label_color_needs_six_hex_digits() {
        assert_eq!(label_color("#D9534F").unwrap(), "#d9534f");
        assert!(label_color("d9534f").is_err());
        assert!(label_color("#fff").is_err());
        assert!(label_color("#gggggg").is_err());
    }

    #[test]
    fn env_var_names_are_names_not_values() {
        assert!(env_var_name("GITLAB_TOKEN").is_ok());
        assert!(env_var_name("glpat-abcdef123").is_err());
        assert!(env_var_name("1TOKEN").is_err());
        assert!(env_var_name("").is_err());
    }

    #[test]
    fn http_url_trims_the_trailing_slash_and_refuses_credentials() {
        assert_eq!(
            http_url("https://gitlab.example.org/").unwrap(),
            "https://gitlab.example.org"
        );
        assert!(http_url("gitlab.example.org").is_err());
        assert!(http_url("https://user:pw@gitlab.example.org").is_err());
        assert!(listen_address("127.0.0.1:8080").is_ok());
        assert!(listen_address("localhost").is_err());
    }
}
