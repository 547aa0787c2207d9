//! The validated configuration: parsed durations, compiled globs and version
//! schemes, enums instead of strings. Every value here has passed validation.

pub use crate::core::compat::Downtime;
use crate::core::ids::ProjectPath;
use crate::core::policy::Policy;
pub use crate::core::policy::{AnnounceTrigger, GateSwitches};
use crate::core::release::Scheme;
use globset::GlobSet;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "sqlite://schemagate.db";
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// GitHub caps webhook payloads at 25 MB; GitLab's are smaller.
pub const DEFAULT_MAX_BODY_BYTES: usize = 25 * 1024 * 1024;
pub const DEFAULT_LABEL: &str = "Database changes";
pub const DEFAULT_LABEL_COLOR: &str = "#d9534f";
pub const DEFAULT_LEAD_TIME: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// Upper bounds for durations, so converting them to chrono and adding them
/// to today's date can never overflow (and a typo of years is caught).
pub const MAX_LEAD_TIME: Duration = Duration::from_secs(366 * 24 * 60 * 60);
pub const MAX_SYNC_INTERVAL: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How long done jobs and delivery ids are kept: also the window in which a
/// redelivered webhook counts as a duplicate.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// The longest retention: a year.
pub const MAX_RETENTION: Duration = Duration::from_secs(365 * 24 * 60 * 60);
pub const MAX_DIGEST_INTERVAL: Duration = Duration::from_secs(366 * 24 * 60 * 60);
pub const DEFAULT_GITHUB_API_URL: &str = "https://api.github.com";
/// Where github.com's pages are, beside its public API.
pub const GITHUB_WEB_URL: &str = "https://github.com";

/// The whole validated configuration. Its default, the built-in one, has
/// server settings only: no forge, no projects.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub server: ServerConfig,
    pub gitlab: Option<GitlabConfig>,
    pub github: Option<GithubConfig>,
    pub mail: Option<MailConfig>,
    pub rules: RulesConfig,
    /// The top-level `[commands]` table as written; each project's resolved
    /// settings are in [`ProjectConfig::commands`].
    pub commands: CommandsConfig,
    /// `[status]`: who may see the status page.
    pub status: StatusConfig,
    pub projects: Vec<ProjectConfig>,
}

impl Config {
    /// The project with this path (`group/project` or `owner/repo`), compared case-insensitively
    /// as both forges do.
    pub fn project(&self, path: &str) -> Option<&ProjectConfig> {
        self.projects
            .iter()
            .find(|project| project.path.eq_ignore_ascii_case(path))
    }

    /// The project with this path on `forge` (the same path may be on both).
    pub fn project_on(&self, forge: ForgeKind, path: &str) -> Option<&ProjectConfig> {
        self.projects
            .iter()
            .find(|project| project.forge == forge && project.path.eq_ignore_ascii_case(path))
    }

    /// The project's page on its forge, when the configuration says where
    /// that is: GitLab's `url`, or GitHub's pages beside the public API or a
    /// GitHub Enterprise `…/api/v3`.
    pub fn project_web_url(&self, project: &ProjectConfig) -> Option<String> {
        let base = match project.forge {
            ForgeKind::GitLab => self.gitlab.as_ref()?.url.clone(),
            ForgeKind::GitHub => {
                let api = self.github.as_ref()?.api_url.as_str();
                if api == DEFAULT_GITHUB_API_URL {
                    GITHUB_WEB_URL.to_string()
                } else {
                    api.strip_suffix("/api/v3")?.to_string()
                }
            }
        };
        Some(format!("{}/{}", base.trim_end_matches('/'), project.path))
    }

    /// The projects on `forge` below the group `group` (a GitLab group
    /// milestone belongs to each of them).
    pub fn projects_in_group<'a>(
        &'a self,
        forge: ForgeKind,
        group: &str,
    ) -> impl Iterator<Item = &'a ProjectConfig> {
        let prefix = format!("{}/", group.to_ascii_lowercase());
        self.projects.iter().filter(move |project| {
            project.forge == forge && project.path.to_ascii_lowercase().starts_with(&prefix)
        })
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database: DatabaseUrl,
    pub sync_interval: Duration,
    /// Done jobs and delivery ids older than this are deleted.
    pub retention: Duration,
    /// Webhook bodies above this size get 413.
    pub max_body_bytes: usize,
    /// Observe mode: read, decide and record, write nothing to the forge
    /// and send no mail (`serve --observe` sets it too).
    pub observe: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.parse().expect("default listen address"),
            database: DatabaseUrl {
                url: DEFAULT_DATABASE.to_string(),
                kind: DatabaseKind::Sqlite,
            },
            sync_interval: DEFAULT_SYNC_INTERVAL,
            retention: DEFAULT_RETENTION,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            observe: false,
        }
    }
}

/// `[status]`: the status page and its JSON. Off unless a password is set
/// or the page is made public, since it shows MR titles of projects that
/// may be private.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusConfig {
    /// Serve the page to anyone.
    pub public: bool,
    /// The environment variable holding the password of HTTP Basic auth (user `schemagate`).
    pub password_env: Option<String>,
    /// Templates overriding the embedded ones (`index.html`, `project.html`, `mail.html`).
    pub templates_dir: Option<PathBuf>,
}

impl StatusConfig {
    /// Whether the page is served at all.
    pub fn enabled(&self) -> bool {
        self.public || self.password_env.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// The store's URL as written (for sqlx) and which database it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub url: String,
    pub kind: DatabaseKind,
}

#[derive(Debug, Clone)]
pub struct GitlabConfig {
    /// Base URL of the instance, without a trailing slash.
    pub url: String,
    /// Name of the environment variable holding the API token.
    pub token_env: String,
    /// Name of the environment variable holding the webhook secret token.
    pub webhook_secret_env: String,
}

#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// API base URL, without a trailing slash.
    pub api_url: String,
    pub auth: GithubAuth,
    /// Name of the environment variable holding the webhook HMAC secret.
    pub webhook_secret_env: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubAuth {
    /// A personal or fine-grained token read from this environment variable.
    Token { token_env: String },
    /// A GitHub App: its id and the file holding its PEM private key.
    App {
        app_id: u64,
        private_key_file: PathBuf,
    },
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp: SmtpEndpoint,
    /// The sender, `addr@example.org` or `Name <addr@example.org>`.
    pub from: String,
    /// Environment variables holding the SMTP credentials; both or neither.
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    /// Bounds connecting (TCP, TLS, greeting, EHLO) and then each SMTP command.
    pub timeout: Duration,
    /// PEM file of extra trusted root certificates (a private CA), added to the built-in roots.
    pub ca_file: Option<PathBuf>,
}

pub const DEFAULT_MAIL_TIMEOUT: Duration = Duration::from_secs(30);
/// A server silent for longer than this is down, not slow.
pub const MAX_MAIL_TIMEOUT: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// `smtp://` — no TLS (local relays, tests).
    #[default]
    Plain,
    /// `smtp://…?tls=starttls` — upgrade with STARTTLS, required.
    StartTls,
    /// `smtps://` — TLS from the first byte.
    ImplicitTls,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmtpEndpoint {
    pub url: String,
    pub host: String,
    /// The port from the URL, else 25 (plain), 587 (STARTTLS) or 465 (implicit TLS).
    pub port: u16,
    pub security: SmtpSecurity,
}

#[derive(Debug, Clone, Default)]
pub struct RulesConfig {
    /// User rule-pack files, relative paths resolved against the config file's directory.
    pub files: Vec<PathBuf>,
    /// The packs parsed from those files (empty when the config was parsed
    /// without reading files, see `config::parse`).
    pub packs: Vec<crate::core::rules::RulePack>,
}

/// Which forge a project is on: the one type every layer uses.
pub use crate::core::ids::ForgeKind;

/// A list of globs kept both as written (the rule engine is built from strings)
/// and compiled (`*` never crosses `/`).
#[derive(Debug, Clone, Default)]
pub struct GlobList {
    pub patterns: Vec<String>,
    pub set: GlobSet,
}

impl GlobList {
    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub forge: ForgeKind,
    /// `group/sub/project` (GitLab) or `owner/repo` (GitHub), as written.
    pub path: ProjectPath,
    pub label: String,
    /// `#rrggbb`, lower case.
    pub label_color: String,
    /// Built-in packs to use by name; `None` means all of them.
    pub rule_packs: Option<Vec<String>>,
    /// Extra globs that count as migrations (added as a project rule).
    pub extra_paths: GlobList,
    /// Globs never considered migrations.
    pub ignore_paths: GlobList,
    /// Words that label an issue as expecting database changes; empty turns it off.
    pub issue_keywords: Vec<String>,
    pub scheme: Scheme,
    pub batch: BatchConfig,
    pub gate: GateSwitches,
    /// Which migrations need downtime: any (default) or contract-only.
    pub downtime: Downtime,
    /// `None` when the project has no `announce` table: no warnings are mailed.
    pub announce: Option<AnnounceConfig>,
    /// Comment commands for this project: its own `commands` keys, else the
    /// top-level `[commands]` ones, key by key.
    pub commands: CommandsConfig,
}

impl ProjectConfig {
    /// The policy `core::policy::decide` applies to this project. Without an
    /// `announce` table no warning is ever mailed, so the trigger is
    /// `manual` (validation already requires `require_announcement = false`
    /// then, so no MR waits for a warning that cannot come).
    pub fn policy(&self) -> Policy {
        Policy {
            label: self.label.clone(),
            scheme: self.scheme.clone(),
            max_open_batches: self.batch.max_open_batches,
            // Validation bounds lead_time to MAX_LEAD_TIME, far inside
            // chrono's range; saturating keeps this total anyway.
            lead_time: chrono::Duration::from_std(self.batch.lead_time)
                .unwrap_or(chrono::Duration::MAX),
            assign_milestone: self.batch.assign_milestone,
            gate: self.gate,
            announce_trigger: self
                .announce
                .as_ref()
                .map_or(AnnounceTrigger::Manual, |announce| announce.trigger),
            downtime: self.downtime,
        }
    }
}

impl ProjectConfig {
    /// The announce list (empty without an `announce` table).
    pub fn announce_to(&self) -> &[String] {
        self.announce.as_ref().map_or(&[], |a| a.to.as_slice())
    }

    /// The mail settings the announcement planner reads.
    pub fn mail_policy(&self) -> crate::core::announcements::MailPolicy {
        let announce = self.announce.as_ref();
        crate::core::announcements::MailPolicy {
            digest_interval: announce.and_then(|a| match a.updates {
                Updates::None => None,
                // Validation bounds the interval far inside chrono's range.
                Updates::Digest { interval } => {
                    Some(chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX))
                }
            }),
            release_notice: announce.is_some_and(|a| a.release_notice),
        }
    }
}

impl From<&ProjectConfig> for Policy {
    fn from(project: &ProjectConfig) -> Policy {
        project.policy()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchConfig {
    pub max_open_batches: NonZeroUsize,
    /// How far away a milestone's due date must be for a new batch to go there.
    pub lead_time: Duration,
    /// Whether the bot puts unmilestoned database changes into the batch.
    pub assign_milestone: bool,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_open_batches: Policy::DEFAULT_MAX_OPEN_BATCHES,
            lead_time: DEFAULT_LEAD_TIME,
            assign_milestone: true,
        }
    }
}

/// What is mailed after the warning when more database changes join the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updates {
    None,
    /// At most one update mail per interval.
    Digest {
        interval: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct AnnounceConfig {
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub trigger: AnnounceTrigger,
    pub updates: Updates,
    pub release_notice: bool,
    /// Upgrade steps listed in the warning, in order.
    pub upgrade_steps: Vec<String>,
    /// The rule for the "upgrade through" sentences (none: no sentences).
    pub upgrade_policy: Option<crate::core::upgrade::UpgradePolicy>,
    /// Directory whose templates override the built-in ones.
    pub templates_dir: Option<PathBuf>,
}

/// The most approvers one list may hold: a list longer than this is a
/// group's membership copied by hand, which `group:` says better, and it
/// bounds what a refusal has to name.
pub const MAX_APPROVERS: usize = 100;

/// How people steer the bot with `/schemagate` comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandsConfig {
    /// Whether commands are acted on at all.
    pub enabled: bool,
    /// Who may approve an exception, beyond being able to merge; empty means
    /// everyone who can merge may.
    pub approvers: Vec<Approver>,
}

impl Default for CommandsConfig {
    fn default() -> Self {
        CommandsConfig {
            enabled: true,
            approvers: Vec::new(),
        }
    }
}

/// One entry of `approvers`, as written (case kept; forges compare without it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Approver {
    /// A GitLab username or GitHub login.
    Person(String),
    /// A GitLab group's full path, or a GitHub team as `org/team-slug`.
    Group(String),
}

impl fmt::Display for Approver {
    /// As the config file writes it: `alice`, `group:lava/release-managers`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Approver::Person(name) => f.write_str(name),
            Approver::Group(path) => write!(f, "group:{path}"),
        }
    }
}
