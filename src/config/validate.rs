//! The one validation step: [`RawConfig`] in, [`Config`] out, every problem
//! reported with its key path. Server, forge, mail and rules sections live
//! here; projects in `validate_project`.

use crate::config::checks::{self, Problem};
use crate::config::duration::parse_duration;
use crate::config::model::*;
use crate::config::packs::{known_pack_names, parse_user_packs};
use crate::config::raw::{RawConfig, RawGithub, RawGitlab, RawMail, RawServer};
use crate::config::report::Report;
use crate::config::validate_project::validate_projects;
use std::path::{Path, PathBuf};

/// Validates a deserialized file. Files named in it (rule packs, key file,
/// templates) are resolved against `base_dir` and checked to exist when it is given.
pub fn validate(raw: &RawConfig, report: &mut Report<'_>, base_dir: Option<&Path>) -> Config {
    let files = FileCheck { base_dir };
    let server = validate_server(raw.server.as_ref(), report);
    let gitlab = raw.gitlab.as_ref().map(|g| validate_gitlab(g, report));
    let github = raw
        .github
        .as_ref()
        .map(|g| validate_github(g, report, &files));
    let mail = raw.mail.as_ref().map(|m| validate_mail(m, report, &files));
    let rule_files: Vec<(usize, PathBuf)> = raw
        .rules
        .iter()
        .flat_map(|rules| rules.files.iter().enumerate())
        .filter_map(|(i, file)| {
            files
                .file(report, &format!("rules.files[{i}]"), file)
                .map(|path| (i, path))
        })
        .collect();
    // User packs can only be read when the file's directory is known; without
    // it, pack names cannot be checked either.
    let user_packs = match base_dir {
        Some(_) => Some(parse_user_packs(&rule_files, report)),
        None if rule_files.is_empty() => Some(Vec::new()),
        None => None,
    };
    let rule_packs = user_packs.as_deref().map(known_pack_names);
    let rules = RulesConfig {
        files: rule_files.into_iter().map(|(_, path)| path).collect(),
        packs: user_packs.unwrap_or_default(),
    };
    let sections = Sections {
        gitlab: gitlab.is_some(),
        github: github.is_some(),
        mail: mail.is_some(),
        rule_packs,
    };
    let projects = validate_projects(&raw.project, report, &sections, &files);
    Config {
        server,
        gitlab,
        github,
        mail,
        rules,
        projects,
    }
}

/// Which optional top-level sections exist, for cross-checks from projects.
pub struct Sections {
    pub gitlab: bool,
    pub github: bool,
    pub mail: bool,
    /// Every pack name a project may list, when known.
    pub rule_packs: Option<Vec<String>>,
}

/// Records a problem at `key_path` and turns the result into an `Option`.
pub fn check<T>(report: &mut Report<'_>, key_path: &str, result: Result<T, Problem>) -> Option<T> {
    result
        .map_err(|problem| report.value(key_path, problem.message, problem.fix))
        .ok()
}

/// A duration key within `min..=max`: `min` rejects values too small to make
/// sense, `max` keeps every duration far inside what chrono and the timers
/// can add to a date (a value of years would otherwise overflow or panic).
pub fn duration(
    report: &mut Report<'_>,
    key_path: &str,
    text: &str,
    range: std::ops::RangeInclusive<std::time::Duration>,
) -> Option<std::time::Duration> {
    use crate::config::duration::format_duration;
    match parse_duration(text) {
        Ok(value) if range.contains(&value) => Some(value),
        Ok(value) if value < *range.start() => {
            report.value(
                key_path,
                format!(
                    "`{text}` is too short; the minimum is {}",
                    format_duration(*range.start())
                ),
                "write a longer duration",
            );
            None
        }
        Ok(_) => {
            report.value(
                key_path,
                format!(
                    "`{text}` is too long; the maximum is {}",
                    format_duration(*range.end())
                ),
                format!(
                    "write a duration of at most {}",
                    format_duration(*range.end())
                ),
            );
            None
        }
        Err(message) => {
            report.value(
                key_path,
                message,
                "write a number followed by s, m, h, d or w, e.g. \"30s\", \"10m\", \"2h\", \"14d\" (groups add up: \"1h30m\")",
            );
            None
        }
    }
}

/// Resolves paths named in the config and, when loading from a file, checks they exist.
pub struct FileCheck<'a> {
    pub base_dir: Option<&'a Path>,
}

impl FileCheck<'_> {
    pub fn file(&self, report: &mut Report<'_>, key_path: &str, text: &str) -> Option<PathBuf> {
        self.existing(report, key_path, text, false)
    }

    pub fn dir(&self, report: &mut Report<'_>, key_path: &str, text: &str) -> Option<PathBuf> {
        self.existing(report, key_path, text, true)
    }

    fn existing(
        &self,
        report: &mut Report<'_>,
        key_path: &str,
        text: &str,
        want_dir: bool,
    ) -> Option<PathBuf> {
        if text.trim().is_empty() {
            report.value(
                key_path,
                "the path is empty",
                "write a file path or remove the key",
            );
            return None;
        }
        let Some(base) = self.base_dir else {
            return Some(PathBuf::from(text));
        };
        let path = base.join(text);
        let found = if want_dir {
            path.is_dir()
        } else {
            path.is_file()
        };
        if found {
            return Some(path);
        }
        let kind = if want_dir { "directory" } else { "file" };
        report.value(
            key_path,
            format!("{kind} `{}` does not exist", path.display()),
            format!("create it or correct the path (relative paths start at the config file's directory, {})", base.display()),
        );
        None
    }
}

fn validate_server(raw: Option<&RawServer>, report: &mut Report<'_>) -> ServerConfig {
    let defaults = ServerConfig::default();
    let Some(raw) = raw else {
        return defaults;
    };
    let listen = raw
        .listen
        .as_deref()
        .and_then(|text| check(report, "server.listen", checks::listen_address(text)));
    let database = raw
        .database
        .as_deref()
        .and_then(|text| check(report, "server.database", checks::database_url(text)));
    let sync_interval = raw.sync_interval.as_deref().and_then(|text| {
        duration(
            report,
            "server.sync_interval",
            text,
            std::time::Duration::from_secs(1)..=MAX_SYNC_INTERVAL,
        )
    });
    let retention = raw.retention.as_deref().and_then(|text| {
        duration(
            report,
            "server.retention",
            text,
            std::time::Duration::from_secs(1)..=MAX_RETENTION,
        )
    });
    let max_body_bytes = raw.max_body_bytes.and_then(|bytes| {
        let size = usize::try_from(bytes).ok().filter(|&b| b >= 1024);
        if size.is_none() {
            report.value(
                "server.max_body_bytes",
                format!("{bytes} is not a usable body limit"),
                format!("write a byte count of at least 1024 (default {DEFAULT_MAX_BODY_BYTES})"),
            );
        }
        size
    });
    ServerConfig {
        listen: listen.unwrap_or(defaults.listen),
        database: database.unwrap_or(defaults.database),
        sync_interval: sync_interval.unwrap_or(defaults.sync_interval),
        retention: retention.unwrap_or(defaults.retention),
        max_body_bytes: max_body_bytes.unwrap_or(defaults.max_body_bytes),
    }
}

fn env_name(report: &mut Report<'_>, key_path: &str, value: Option<&str>, default: &str) -> String {
    match value {
        Some(text) => check(report, key_path, checks::env_var_name(text)).unwrap_or_default(),
        None => default.to_string(),
    }
}

fn validate_gitlab(raw: &RawGitlab, report: &mut Report<'_>) -> GitlabConfig {
    let url = match raw.url.as_deref() {
        Some(text) => check(report, "gitlab.url", checks::http_url(text)).unwrap_or_default(),
        None => {
            report.value(
                "gitlab.url",
                "missing key `url`",
                "add `url = \"https://gitlab.example.org\"` (your GitLab instance) to [gitlab]",
            );
            String::new()
        }
    };
    GitlabConfig {
        url,
        token_env: env_name(
            report,
            "gitlab.token_env",
            raw.token_env.as_deref(),
            "GITLAB_TOKEN",
        ),
        webhook_secret_env: env_name(
            report,
            "gitlab.webhook_secret_env",
            raw.webhook_secret_env.as_deref(),
            "GITLAB_WEBHOOK_SECRET",
        ),
    }
}

fn validate_github(
    raw: &RawGithub,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> GithubConfig {
    let api_url = match raw.api_url.as_deref() {
        Some(text) => check(report, "github.api_url", checks::http_url(text)).unwrap_or_default(),
        None => DEFAULT_GITHUB_API_URL.to_string(),
    };
    let auth = match (
        raw.app_id,
        raw.private_key_file.as_deref(),
        raw.token_env.as_deref(),
    ) {
        (Some(_), _, Some(_)) | (None, Some(_), Some(_)) => {
            report.key(
                "github.token_env",
                "both a token and a GitHub App are configured",
                "keep either `token_env` or `app_id` + `private_key_file`, not both",
            );
            None
        }
        (Some(app_id), Some(key_file), None) => {
            let app_id = u64::try_from(app_id).ok().filter(|&id| id > 0);
            if app_id.is_none() {
                report.value(
                    "github.app_id",
                    "the App id must be a positive number",
                    "copy the App ID from the App's settings page",
                );
            }
            let key = files.file(report, "github.private_key_file", key_file);
            app_id
                .zip(key)
                .map(|(app_id, private_key_file)| GithubAuth::App {
                    app_id,
                    private_key_file,
                })
        }
        (Some(_), None, None) => {
            report.value(
                "github.app_id",
                "`app_id` needs `private_key_file`",
                "add `private_key_file = \"/path/to/app.pem\"` to [github]",
            );
            None
        }
        (None, Some(_), None) => {
            report.value(
                "github.private_key_file",
                "`private_key_file` needs `app_id`",
                "add `app_id = <the App's id>` to [github]",
            );
            None
        }
        (None, None, token_env) => Some(GithubAuth::Token {
            token_env: env_name(report, "github.token_env", token_env, "GITHUB_TOKEN"),
        }),
    };
    GithubConfig {
        api_url,
        auth: auth.unwrap_or(GithubAuth::Token {
            token_env: "GITHUB_TOKEN".to_string(),
        }),
        webhook_secret_env: env_name(
            report,
            "github.webhook_secret_env",
            raw.webhook_secret_env.as_deref(),
            "GITHUB_WEBHOOK_SECRET",
        ),
    }
}

fn validate_mail(raw: &RawMail, report: &mut Report<'_>, files: &FileCheck<'_>) -> MailConfig {
    let smtp = match raw.smtp_url.as_deref() {
        Some(text) => check(report, "mail.smtp_url", checks::smtp_url(text)),
        None => {
            report.value(
                "mail.smtp_url",
                "missing key `smtp_url`",
                "add `smtp_url = \"smtp://host:25\"` to [mail]",
            );
            None
        }
    };
    let from = match raw.from.as_deref() {
        Some(text) => check(report, "mail.from", checks::mailbox(text)),
        None => {
            report.value(
                "mail.from",
                "missing key `from`",
                "add `from = \"Release bot <bot@example.org>\"` to [mail]",
            );
            None
        }
    };
    let user_env = raw
        .user_env
        .as_deref()
        .and_then(|text| check(report, "mail.user_env", checks::env_var_name(text)));
    let password_env = raw
        .password_env
        .as_deref()
        .and_then(|text| check(report, "mail.password_env", checks::env_var_name(text)));
    match (&raw.user_env, &raw.password_env) {
        (Some(_), None) => report.key(
            "mail.user_env",
            "`user_env` without `password_env`",
            "add `password_env = \"SMTP_PASSWORD\"` or remove `user_env`",
        ),
        (None, Some(_)) => report.key(
            "mail.password_env",
            "`password_env` without `user_env`",
            "add `user_env = \"SMTP_USER\"` or remove `password_env`",
        ),
        _ => {}
    }
    let timeout = raw.timeout.as_deref().and_then(|text| {
        duration(
            report,
            "mail.timeout",
            text,
            std::time::Duration::from_secs(1)..=MAX_MAIL_TIMEOUT,
        )
    });
    let ca_file = raw
        .ca_file
        .as_deref()
        .and_then(|text| files.file(report, "mail.ca_file", text));
    if ca_file.is_some()
        && smtp
            .as_ref()
            .is_some_and(|smtp| smtp.security == SmtpSecurity::Plain)
    {
        report.key(
            "mail.ca_file",
            "`ca_file` has no effect on a plain smtp:// URL",
            "use \"smtp://host?tls=starttls\" or \"smtps://host\", or remove `ca_file`",
        );
    }
    MailConfig {
        smtp: smtp.unwrap_or(SmtpEndpoint {
            url: String::new(),
            host: String::new(),
            port: 25,
            security: SmtpSecurity::Plain,
        }),
        from: from.unwrap_or_default(),
        user_env,
        password_env,
        timeout: timeout.unwrap_or(DEFAULT_MAIL_TIMEOUT),
        ca_file,
    }
}
