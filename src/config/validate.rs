//! The one validation step: toml's spanned tree in, [`Config`] out, every problem
//! reported at its span. Server, forge, mail and rules sections live here;
//! projects in `validate_project`, comment commands in `validate_commands`.

use crate::config::checks::{self, Problem};
use crate::config::duration::{format_duration, parse_duration};
use crate::config::model::*;
use crate::config::packs::{known_pack_names, parse_user_packs};
use crate::config::report::Report;
use crate::config::tree::{Field, Table};
use crate::config::validate_commands::{self, Inherited};
use crate::config::validate_project::validate_projects;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SECOND: Duration = Duration::from_secs(1);

/// Validates the parsed file. Files named in it (rule packs, key file,
/// templates) are resolved against `base_dir` and checked to exist when it is given.
pub fn validate(root: Table<'_>, report: &mut Report<'_>, base_dir: Option<&Path>) -> Config {
    const KEYS: &[&str] = &[
        "server", "gitlab", "github", "mail", "rules", "commands", "status", "project",
    ];
    report.unknown_keys(&root, KEYS);
    let files = FileCheck { base_dir };
    let server = report.table(root.get("server"), SERVER_KEYS);
    let gitlab = report.table(root.get("gitlab"), GITLAB_KEYS);
    let github = report.table(root.get("github"), GITHUB_KEYS);
    let mail = report.table(root.get("mail"), MAIL_KEYS);
    let server = server.map(|server| validate_server(&server, report));
    let gitlab = gitlab.map(|gitlab| validate_gitlab(&gitlab, report));
    let github = github.map(|github| validate_github(&github, report, &files));
    let mail = mail.map(|mail| validate_mail(&mail, report, &files));
    let status = report.table(root.get("status"), STATUS_KEYS);
    let status = status.map(|status| validate_status(&status, report, &files));
    let rule_files = rule_files(&root, report, &files);
    let commands = report.table(root.get("commands"), validate_commands::KEYS);
    let commands = validate_commands::top_level(commands, report);
    // User packs can only be read when the file's directory is known; without
    // it, pack names cannot be checked either.
    let user_packs = match base_dir {
        Some(_) => Some(parse_user_packs(&rule_files, report)),
        None if rule_files.is_empty() => Some(Vec::new()),
        None => None,
    };
    // Present, even when of the wrong type: that error is enough, and each
    // project should not say again that the section is missing.
    let sections = Sections {
        gitlab: root.has("gitlab"),
        github: root.has("github"),
        mail: root.has("mail"),
        rule_packs: user_packs.as_deref().map(known_pack_names),
        commands,
    };
    let projects = report.items(root.get("project"));
    let projects = projects.map(|projects| validate_projects(projects, report, &sections, &files));
    Config {
        server: server.unwrap_or_default(),
        gitlab,
        github,
        mail,
        rules: RulesConfig {
            files: rule_files.into_iter().map(|(path, _)| path).collect(),
            packs: user_packs.unwrap_or_default(),
        },
        commands: sections.commands.config.clone(),
        status: status.unwrap_or_default(),
        projects: projects.unwrap_or_default(),
    }
}

/// The rule-pack files named in `rules.files`, with their fields.
fn rule_files<'a>(
    root: &Table<'a>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Vec<(PathBuf, Field<'a>)> {
    let rules = report.table(root.get("rules"), &["files"]);
    let listed = rules.and_then(|rules| report.strings(rules.get("files")));
    (listed.unwrap_or_default().into_iter())
        .filter_map(|(item, text)| Some((report.check(&item, files.existing(text, false))?, item)))
        .collect()
}

/// Which optional top-level sections exist, for cross-checks from projects,
/// and the top-level settings projects inherit.
pub struct Sections<'a> {
    pub gitlab: bool,
    pub github: bool,
    pub mail: bool,
    /// Every pack name a project may list, when known.
    pub rule_packs: Option<Vec<String>>,
    /// `[commands]`, which each project's `commands` keys override.
    pub commands: Inherited<'a>,
}

/// A duration key within `range`: its start rejects values too small to make
/// sense, its end keeps every duration far inside what chrono and the timers
/// can add to a date (a value of years would otherwise overflow or panic).
pub fn duration(
    report: &mut Report<'_>,
    field: Option<Field<'_>>,
    range: RangeInclusive<Duration>,
) -> Option<Duration> {
    let (min, max) = (
        format_duration(*range.start()),
        format_duration(*range.end()),
    );
    report.parse(field, |text: &str| match parse_duration(text) {
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

fn validate_server(raw: &Table<'_>, report: &mut Report<'_>) -> ServerConfig {
    let defaults = ServerConfig::default();
    let body_limit = |bytes: i64| {
        let fix = format!("write a byte count of at least 1024 (default {DEFAULT_MAX_BODY_BYTES})");
        usize::try_from(bytes)
            .ok()
            .filter(|&b| b >= 1024)
            .ok_or_else(|| Problem::new(format!("{bytes} is not a usable body limit"), fix))
    };
    let sync_interval = SECOND..=MAX_SYNC_INTERVAL;
    ServerConfig {
        listen: report.value(raw.get("listen"), defaults.listen, checks::listen_address),
        database: report.value(raw.get("database"), defaults.database, checks::database_url),
        sync_interval: duration(report, raw.get("sync_interval"), sync_interval)
            .unwrap_or(defaults.sync_interval),
        retention: duration(report, raw.get("retention"), SECOND..=MAX_RETENTION)
            .unwrap_or(defaults.retention),
        max_body_bytes: report.value(
            raw.get("max_body_bytes"),
            defaults.max_body_bytes,
            body_limit,
        ),
        observe: report.get(raw.get("observe")).unwrap_or(defaults.observe),
    }
}

fn validate_status(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> StatusConfig {
    let password_env = raw.get("password_env");
    let templates_dir = raw.get("templates_dir");
    StatusConfig {
        public: report.get(raw.get("public")).unwrap_or(false),
        password_env: report
            .parse_or(password_env, None, |name: &str| {
                checks::env_var_name(name).map(Some)
            })
            .flatten(),
        templates_dir: report
            .parse_or(templates_dir, None, |t| files.existing(t, true).map(Some))
            .flatten(),
    }
}

const STATUS_KEYS: &[&str] = &["public", "password_env", "templates_dir"];

const SERVER_KEYS: &[&str] = &[
    "listen",
    "database",
    "sync_interval",
    "retention",
    "max_body_bytes",
    "observe",
];
const GITLAB_KEYS: &[&str] = &["url", "token_env", "webhook_secret_env"];
const GITHUB_KEYS: &[&str] = &[
    "api_url",
    "token_env",
    "app_id",
    "private_key_file",
    "webhook_secret_env",
];
const MAIL_KEYS: &[&str] = &[
    "smtp_url",
    "from",
    "user_env",
    "password_env",
    "timeout",
    "ca_file",
];

/// An environment variable's name at `key`, else `default`.
fn env_name(report: &mut Report<'_>, table: &Table<'_>, key: &str, default: &str) -> String {
    report.value(table.get(key), default.to_string(), checks::env_var_name)
}

fn validate_gitlab(raw: &Table<'_>, report: &mut Report<'_>) -> GitlabConfig {
    let fix = "add `url = \"https://gitlab.example.org\"` (your GitLab instance) to [gitlab]";
    report.required(raw, "url", fix);
    GitlabConfig {
        url: report.value(raw.get("url"), String::new(), checks::http_url),
        token_env: env_name(report, raw, "token_env", "GITLAB_TOKEN"),
        webhook_secret_env: env_name(report, raw, "webhook_secret_env", "GITLAB_WEBHOOK_SECRET"),
    }
}

fn validate_github(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> GithubConfig {
    let api_url = report.value(
        raw.get("api_url"),
        DEFAULT_GITHUB_API_URL.into(),
        checks::http_url,
    );
    let auth = github_auth(raw, report, files);
    GithubConfig {
        api_url,
        auth: auth.unwrap_or(GithubAuth::Token {
            token_env: "GITHUB_TOKEN".to_string(),
        }),
        webhook_secret_env: env_name(report, raw, "webhook_secret_env", "GITHUB_WEBHOOK_SECRET"),
    }
}

fn github_auth(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<GithubAuth> {
    let (app_id, key_file) = (raw.get("app_id"), raw.get("private_key_file"));
    match (&app_id, &key_file, raw.has("token_env")) {
        (Some(_), _, true) | (None, Some(_), true) => {
            let fix = "keep either `token_env` or `app_id` + `private_key_file`, not both";
            let message = "both a token and a GitHub App are configured";
            report.at_key(raw, "token_env", message, fix);
            None
        }
        (Some(_), Some(_), false) => {
            let app_id = report.parse(app_id, |id: i64| {
                let fix = "copy the App ID from the App's settings page";
                let id = u64::try_from(id).ok().filter(|&id| id > 0);
                id.ok_or_else(|| Problem::new("the App id must be a positive number", fix))
            });
            let key = report.parse(key_file, |text| files.existing(text, false));
            let (app_id, private_key_file) = (app_id?, key?);
            Some(GithubAuth::App {
                app_id,
                private_key_file,
            })
        }
        (Some(field), None, false) => {
            let fix = "add `private_key_file = \"/path/to/app.pem\"` to [github]";
            report.at_field(field, "`app_id` needs `private_key_file`", fix);
            None
        }
        (None, Some(field), false) => {
            let fix = "add `app_id = <the App's id>` to [github]";
            report.at_field(field, "`private_key_file` needs `app_id`", fix);
            None
        }
        (None, None, _) => Some(GithubAuth::Token {
            token_env: env_name(report, raw, "token_env", "GITHUB_TOKEN"),
        }),
    }
}

fn validate_mail(raw: &Table<'_>, report: &mut Report<'_>, files: &FileCheck<'_>) -> MailConfig {
    let smtp_fix = "add `smtp_url = \"smtp://host:25\"` to [mail]";
    report.required(raw, "smtp_url", smtp_fix);
    let from_fix = "add `from = \"Release bot <bot@example.org>\"` to [mail]";
    report.required(raw, "from", from_fix);
    let smtp = report.parse(raw.get("smtp_url"), checks::smtp_url);
    let from = report.parse(raw.get("from"), checks::mailbox);
    let user_env = report.parse(raw.get("user_env"), checks::env_var_name);
    let password_env = report.parse(raw.get("password_env"), checks::env_var_name);
    credentials_pair(raw, report);
    let timeout = duration(report, raw.get("timeout"), SECOND..=MAX_MAIL_TIMEOUT);
    let ca_file = report.parse(raw.get("ca_file"), |text| files.existing(text, false));
    let plain = smtp
        .as_ref()
        .is_some_and(|smtp| smtp.security == SmtpSecurity::Plain);
    if ca_file.is_some() && plain {
        let fix = "use \"smtp://host?tls=starttls\" or \"smtps://host\", or remove `ca_file`";
        let message = "`ca_file` has no effect on a plain smtp:// URL";
        report.at_key(raw, "ca_file", message, fix);
    }
    MailConfig {
        smtp: smtp.unwrap_or_default(),
        from: from.unwrap_or_default(),
        user_env,
        password_env,
        timeout: timeout.unwrap_or(DEFAULT_MAIL_TIMEOUT),
        ca_file,
    }
}

/// The SMTP login takes both names or neither.
fn credentials_pair(raw: &Table<'_>, report: &mut Report<'_>) {
    let (fix, message, key) = match (raw.has("user_env"), raw.has("password_env")) {
        (true, false) => (
            "add `password_env = \"SMTP_PASSWORD\"` or remove `user_env`",
            "`user_env` without `password_env`",
            "user_env",
        ),
        (false, true) => (
            "add `user_env = \"SMTP_USER\"` or remove `password_env`",
            "`password_env` without `user_env`",
            "password_env",
        ),
        _ => return,
    };
    report.at_key(raw, key, message, fix);
}
