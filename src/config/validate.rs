//! The one validation step: [`RawConfig`] in, [`Config`] out, every problem
//! reported at its span. Server, forge, mail and rules sections live here;
//! projects in `validate_project`.

use crate::config::checks::{self, Problem};
use crate::config::duration::{format_duration, parse_duration};
use crate::config::model::*;
use crate::config::packs::{known_pack_names, parse_user_packs};
use crate::config::raw::{Field, RawConfig, RawGithub, RawGitlab, RawMail, RawServer};
use crate::config::report::Report;
use crate::config::validate_project::validate_projects;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SECOND: Duration = Duration::from_secs(1);

/// Validates a deserialized file. Files named in it (rule packs, key file,
/// templates) are resolved against `base_dir` and checked to exist when it is given.
pub fn validate(
    root: &Field<RawConfig>,
    report: &mut Report<'_>,
    base_dir: Option<&Path>,
) -> Option<Config> {
    let (raw, _) = report.table(root, "")?;
    let files = FileCheck { base_dir };
    let server = report
        .table(&raw.server, "server")
        .map(|(server, _)| validate_server(server, report));
    let gitlab = report
        .table(&raw.gitlab, "gitlab")
        .map(|(gitlab, at)| validate_gitlab(gitlab, at, report));
    let github = report
        .table(&raw.github, "github")
        .map(|(github, at)| validate_github(github, at, report, &files));
    let mail = report
        .table(&raw.mail, "mail")
        .map(|(mail, at)| validate_mail(mail, at, report, &files));
    let rule_files = rule_files(raw, report, &files);
    // User packs can only be read when the file's directory is known; without
    // it, pack names cannot be checked either.
    let user_packs = match base_dir {
        Some(_) => Some(parse_user_packs(&rule_files, report)),
        None if rule_files.is_empty() => Some(Vec::new()),
        None => None,
    };
    let sections = Sections {
        gitlab: gitlab.is_some(),
        github: github.is_some(),
        mail: mail.is_some(),
        rule_packs: user_packs.as_deref().map(known_pack_names),
    };
    let projects = report
        .get(&raw.project, "project")
        .map(|projects| validate_projects(projects, report, &sections, &files));
    let rules = RulesConfig {
        files: rule_files.into_iter().map(|(path, _, _)| path).collect(),
        packs: user_packs.unwrap_or_default(),
    };
    let server = server.unwrap_or_default();
    Some(Config {
        server,
        gitlab,
        github,
        mail,
        rules,
        projects: projects.unwrap_or_default(),
    })
}

/// The rule-pack files named in `rules.files`, with their spans and key paths.
fn rule_files(
    raw: &RawConfig,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Vec<(PathBuf, Range<usize>, String)> {
    let rules = report
        .table(&raw.rules, "rules")
        .and_then(|(rules, _)| report.list(&rules.files, "rules.files"));
    (rules.unwrap_or_default().into_iter())
        .filter_map(|(path, item, _)| {
            Some((
                report.parse(item, &path, |text| files.existing(text, false))?,
                item.span.clone(),
                path,
            ))
        })
        .collect()
}

/// Which optional top-level sections exist, for cross-checks from projects.
pub struct Sections {
    pub gitlab: bool,
    pub github: bool,
    pub mail: bool,
    /// Every pack name a project may list, when known.
    pub rule_packs: Option<Vec<String>>,
}

/// A duration key within `range`: its start rejects values too small to make
/// sense, its end keeps every duration far inside what chrono and the timers
/// can add to a date (a value of years would otherwise overflow or panic).
pub fn duration(
    report: &mut Report<'_>,
    field: &Option<Field<String>>,
    path: &str,
    range: RangeInclusive<Duration>,
) -> Option<Duration> {
    let (min, max) = (
        format_duration(*range.start()),
        format_duration(*range.end()),
    );
    report.parse(field, path, |text| match parse_duration(text) {
        Ok(value) if range.contains(&value) => Ok(value),
        Ok(value) if value < *range.start() => Err(Problem::new(format!("`{text}` is too short; the minimum is {min}"), "write a longer duration")),
        Ok(_) => Err(Problem::new(format!("`{text}` is too long; the maximum is {max}"), format!("write a duration of at most {max}"))),
        Err(message) => Err(Problem::new(message, "write a number followed by s, m, h, d or w, e.g. \"30s\", \"10m\", \"2h\", \"14d\" (groups add up: \"1h30m\")")),
    })
}

/// Resolves paths named in the config and, when loading from a file, checks they exist.
pub struct FileCheck<'a> {
    pub base_dir: Option<&'a Path>,
}

impl FileCheck<'_> {
    pub fn existing(&self, text: &str, want_dir: bool) -> Result<PathBuf, Problem> {
        if text.trim().is_empty() {
            return Err(Problem::new(
                "the path is empty",
                "write a file path or remove the key",
            ));
        }
        let Some(base) = self.base_dir else {
            return Ok(PathBuf::from(text));
        };
        let path = base.join(text);
        if (want_dir && path.is_dir()) || (!want_dir && path.is_file()) {
            return Ok(path);
        }
        let kind = if want_dir { "directory" } else { "file" };
        Err(Problem::new(
            format!("{kind} `{}` does not exist", path.display()),
            format!(
                "create it or correct the path (relative paths start at the config file's directory, {})",
                base.display()
            ),
        ))
    }
}

fn validate_server(raw: &RawServer, report: &mut Report<'_>) -> ServerConfig {
    let defaults = ServerConfig::default();
    let body_limit = |&bytes: &i64| {
        let fix = format!("write a byte count of at least 1024 (default {DEFAULT_MAX_BODY_BYTES})");
        usize::try_from(bytes)
            .ok()
            .filter(|&b| b >= 1024)
            .ok_or_else(|| Problem::new(format!("{bytes} is not a usable body limit"), fix))
    };
    ServerConfig {
        listen: report
            .parse(&raw.listen, "server.listen", |t| checks::listen_address(t))
            .unwrap_or(defaults.listen),
        database: report
            .parse(&raw.database, "server.database", |t| {
                checks::database_url(t)
            })
            .unwrap_or(defaults.database),
        sync_interval: duration(
            report,
            &raw.sync_interval,
            "server.sync_interval",
            SECOND..=MAX_SYNC_INTERVAL,
        )
        .unwrap_or(defaults.sync_interval),
        retention: duration(
            report,
            &raw.retention,
            "server.retention",
            SECOND..=MAX_RETENTION,
        )
        .unwrap_or(defaults.retention),
        max_body_bytes: report
            .parse(&raw.max_body_bytes, "server.max_body_bytes", body_limit)
            .unwrap_or(defaults.max_body_bytes),
    }
}

fn env_name(
    report: &mut Report<'_>,
    field: &Option<Field<String>>,
    path: &str,
    default: &str,
) -> String {
    let name = report.parse_or(field, path, default.to_string(), |t| {
        checks::env_var_name(t)
    });
    name.unwrap_or_default()
}

fn validate_gitlab(
    raw: &RawGitlab,
    at: &Field<RawGitlab>,
    report: &mut Report<'_>,
) -> GitlabConfig {
    let fix = "add `url = \"https://gitlab.example.org\"` (your GitLab instance) to [gitlab]";
    report.required(&raw.url, "gitlab.url", &at.span, fix);
    GitlabConfig {
        url: report
            .parse(&raw.url, "gitlab.url", |t| checks::http_url(t))
            .unwrap_or_default(),
        token_env: env_name(report, &raw.token_env, "gitlab.token_env", "GITLAB_TOKEN"),
        webhook_secret_env: env_name(
            report,
            &raw.webhook_secret_env,
            "gitlab.webhook_secret_env",
            "GITLAB_WEBHOOK_SECRET",
        ),
    }
}

fn validate_github(
    raw: &RawGithub,
    at: &Field<RawGithub>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> GithubConfig {
    let api_url = report.parse_or(
        &raw.api_url,
        "github.api_url",
        DEFAULT_GITHUB_API_URL.to_string(),
        |t| checks::http_url(t),
    );
    let auth = github_auth(raw, at, report, files);
    GithubConfig {
        api_url: api_url.unwrap_or_default(),
        auth: auth.unwrap_or(GithubAuth::Token {
            token_env: "GITHUB_TOKEN".to_string(),
        }),
        webhook_secret_env: env_name(
            report,
            &raw.webhook_secret_env,
            "github.webhook_secret_env",
            "GITHUB_WEBHOOK_SECRET",
        ),
    }
}

fn github_auth(
    raw: &RawGithub,
    at: &Field<RawGithub>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<GithubAuth> {
    match (&raw.app_id, &raw.private_key_file, &raw.token_env) {
        (Some(_), _, Some(_)) | (None, Some(_), Some(_)) => {
            let fix = "keep either `token_env` or `app_id` + `private_key_file`, not both";
            report.at(
                &at.key_span("token_env"),
                "github.token_env",
                "both a token and a GitHub App are configured",
                fix,
            );
            None
        }
        (Some(app_id), Some(key_file), None) => {
            let app_id = report.parse(app_id, "github.app_id", |&id| {
                let fix = "copy the App ID from the App's settings page";
                u64::try_from(id)
                    .ok()
                    .filter(|&id| id > 0)
                    .ok_or_else(|| Problem::new("the App id must be a positive number", fix))
            });
            let key = report.parse(key_file, "github.private_key_file", |text| {
                files.existing(text, false)
            });
            app_id
                .zip(key)
                .map(|(app_id, private_key_file)| GithubAuth::App {
                    app_id,
                    private_key_file,
                })
        }
        (Some(app_id), None, None) => {
            let fix = "add `private_key_file = \"/path/to/app.pem\"` to [github]";
            report.at(
                &app_id.span,
                "github.app_id",
                "`app_id` needs `private_key_file`",
                fix,
            );
            None
        }
        (None, Some(key_file), None) => {
            let fix = "add `app_id = <the App's id>` to [github]";
            report.at(
                &key_file.span,
                "github.private_key_file",
                "`private_key_file` needs `app_id`",
                fix,
            );
            None
        }
        (None, None, token_env) => Some(GithubAuth::Token {
            token_env: env_name(report, token_env, "github.token_env", "GITHUB_TOKEN"),
        }),
    }
}

fn validate_mail(
    raw: &RawMail,
    at: &Field<RawMail>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> MailConfig {
    let (smtp_fix, from_fix) = (
        "add `smtp_url = \"smtp://host:25\"` to [mail]",
        "add `from = \"Release bot <bot@example.org>\"` to [mail]",
    );
    report.required(&raw.smtp_url, "mail.smtp_url", &at.span, smtp_fix);
    report.required(&raw.from, "mail.from", &at.span, from_fix);
    let smtp = report.parse(&raw.smtp_url, "mail.smtp_url", |t| checks::smtp_url(t));
    let from = report.parse(&raw.from, "mail.from", |t| checks::mailbox(t));
    let user_env = report.parse(&raw.user_env, "mail.user_env", |t| checks::env_var_name(t));
    let password_env = report.parse(&raw.password_env, "mail.password_env", |t| {
        checks::env_var_name(t)
    });
    credentials_pair(raw, at, report);
    let timeout = duration(
        report,
        &raw.timeout,
        "mail.timeout",
        SECOND..=MAX_MAIL_TIMEOUT,
    );
    let ca_file = report.parse(&raw.ca_file, "mail.ca_file", |text| {
        files.existing(text, false)
    });
    if ca_file.is_some()
        && smtp
            .as_ref()
            .is_some_and(|smtp| smtp.security == SmtpSecurity::Plain)
    {
        let fix = "use \"smtp://host?tls=starttls\" or \"smtps://host\", or remove `ca_file`";
        report.at(
            &at.key_span("ca_file"),
            "mail.ca_file",
            "`ca_file` has no effect on a plain smtp:// URL",
            fix,
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

/// The SMTP login takes both names or neither.
fn credentials_pair(raw: &RawMail, at: &Field<RawMail>, report: &mut Report<'_>) {
    match (&raw.user_env, &raw.password_env) {
        (Some(_), None) => {
            let fix = "add `password_env = \"SMTP_PASSWORD\"` or remove `user_env`";
            report.at(
                &at.key_span("user_env"),
                "mail.user_env",
                "`user_env` without `password_env`",
                fix,
            );
        }
        (None, Some(_)) => {
            let fix = "add `user_env = \"SMTP_USER\"` or remove `password_env`";
            report.at(
                &at.key_span("password_env"),
                "mail.password_env",
                "`password_env` without `user_env`",
                fix,
            );
        }
        _ => {}
    }
}
