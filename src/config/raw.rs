//! The configuration file as written: serde structs that mirror the TOML
//! tables one to one and reject unknown keys. Every field is optional here so
//! that a missing key is reported by validation with its location and a fix,
//! instead of stopping serde at the first gap.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub server: Option<RawServer>,
    pub gitlab: Option<RawGitlab>,
    pub github: Option<RawGithub>,
    pub mail: Option<RawMail>,
    pub rules: Option<RawRules>,
    #[serde(default)]
    pub project: Vec<RawProject>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    pub database: Option<String>,
    pub sync_interval: Option<String>,
    pub retention: Option<String>,
    pub max_body_bytes: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGitlab {
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub webhook_secret_env: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGithub {
    pub api_url: Option<String>,
    pub token_env: Option<String>,
    pub app_id: Option<i64>,
    pub private_key_file: Option<String>,
    pub webhook_secret_env: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    pub smtp_url: Option<String>,
    pub from: Option<String>,
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    pub timeout: Option<String>,
    pub ca_file: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    #[serde(default)]
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub forge: Option<String>,
    pub path: Option<String>,
    pub label: Option<String>,
    pub label_color: Option<String>,
    pub rule_packs: Option<Vec<String>>,
    #[serde(default)]
    pub extra_paths: Vec<String>,
    #[serde(default)]
    pub ignore_paths: Vec<String>,
    #[serde(default)]
    pub issue_keywords: Vec<String>,
    pub releases: Option<RawReleases>,
    pub batch: Option<RawBatch>,
    pub gate: Option<RawGate>,
    pub announce: Option<RawAnnounce>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReleases {
    pub scheme: Option<String>,
    pub title_regex: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBatch {
    pub max_open_batches: Option<i64>,
    pub lead_time: Option<String>,
    pub assign_milestone: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub block_ahead_of_next_release: Option<bool>,
    pub require_batch: Option<bool>,
    pub require_announcement: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnnounce {
    pub to: Option<Vec<String>>,
    pub reply_to: Option<String>,
    pub trigger: Option<String>,
    pub updates: Option<String>,
    pub digest_interval: Option<String>,
    pub release_notice: Option<bool>,
    #[serde(default)]
    pub upgrade_steps: Vec<String>,
    pub upgrade_policy: Option<String>,
    pub templates_dir: Option<String>,
}
