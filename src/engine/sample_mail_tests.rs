//! The sample preview's context and mail: the configuration's parts, the
//! sample's release, said as the project's forge says it.

use super::*;

const LIST: &str = "ops-announce@lists.example.net";

fn config(forge: &str, connection: &str, announce: &str) -> Config {
    let text = format!(
        r#"{connection}
[mail]
smtp_url = "smtp://127.0.0.1:9"
from = "Ops bot <ops-bot@example.net>"

[[project]]
forge = "{forge}"
path = "ops/tracker"
releases = {{ scheme = "calver" }}
announce = {{ to = ["{LIST}"], reply_to = "ops-devel@lists.example.net", upgrade_steps = ["Stop the tracker"]{announce} }}
"#
    );
    crate::config::parse("sample-test.toml", &text).unwrap_or_else(|errors| panic!("{errors}"))
}

/// `[github]` at the public API.
const GITHUB: &str = "[github]\ntoken_env = \"T\"\n";

fn github() -> Config {
    config("github", GITHUB, "")
}

fn gitlab() -> Config {
    let connection = "[gitlab]\nurl = \"https://git.example.net/\"\ntoken_env = \"T\"\nwebhook_secret_env = \"S\"\n";
    config("gitlab", connection, "")
}

fn context(config: &Config, kind: AnnouncementKind, title: Option<&str>) -> MailContext {
    sample_context(config, &config.projects[0], kind, title)
}

#[test]
fn what_the_configuration_says_replaces_the_sample() {
    let context = context(&github(), AnnouncementKind::Warning, None);
    assert_eq!(context.project.path, "ops/tracker");
    assert_eq!(context.project.forge, "GitHub");
    assert_eq!(context.to, [LIST]);
    assert_eq!(
        context.reply_to.as_deref(),
        Some("ops-devel@lists.example.net")
    );
    assert_eq!(context.upgrade_steps, ["Stop the tracker"]);
    // No upgrade policy configured: a real mail gives no path either.
    assert!(context.upgrade_path.is_empty());
    // The milestone and its changes stay the sample's.
    assert_eq!(context.milestone.title, "2026.12");
    assert_eq!(context.milestone.due_date.as_deref(), Some("2026-12-15"));
    assert_eq!(context.changes.len(), MailContext::sample().changes.len());
    // The downtime sentence is the one a real mail says about them.
    assert!(
        context
            .downtime_reason
            .starts_with("2026.12 brings 2 changes"),
        "{}",
        context.downtime_reason
    );
}

#[test]
fn changes_and_pages_are_said_as_the_projects_forge_says_them() {
    let on_github = context(&github(), AnnouncementKind::Warning, None);
    let first = &on_github.changes[0];
    assert_eq!(
        (first.kind.as_str(), first.reference.as_str()),
        ("pull request", "#2714")
    );
    assert_eq!(
        first.web_url.as_deref(),
        Some("https://github.com/ops/tracker/pull/2714")
    );
    assert_eq!(
        on_github.milestone.web_url.as_deref(),
        Some("https://github.com/ops/tracker/milestone/42")
    );
    let on_gitlab = context(&gitlab(), AnnouncementKind::Warning, None);
    assert_eq!(on_gitlab.changes[0].reference, "!2714");
    assert_eq!(
        on_gitlab.changes[0].web_url.as_deref(),
        Some("https://git.example.net/ops/tracker/-/merge_requests/2714")
    );
    // As in a real mail, the project's own page is not given.
    assert_eq!(on_gitlab.project.web_url, None);
}

#[test]
fn a_github_enterprise_api_gives_its_pages_and_an_unknown_api_none() {
    let enterprise = "[github]\napi_url = \"https://ghe.example.net/api/v3\"\ntoken_env = \"T\"\nwebhook_secret_env = \"S\"\n";
    let on_enterprise = context(
        &config("github", enterprise, ""),
        AnnouncementKind::Warning,
        None,
    );
    assert_eq!(
        on_enterprise.changes[1].web_url.as_deref(),
        Some("https://ghe.example.net/ops/tracker/pull/2731")
    );
    let odd = "[github]\napi_url = \"https://proxy.example.net/gh\"\ntoken_env = \"T\"\nwebhook_secret_env = \"S\"\n";
    let unknown = context(&config("github", odd, ""), AnnouncementKind::Warning, None);
    assert_eq!(unknown.milestone.web_url, None);
    assert!(unknown.changes.iter().all(|c| c.web_url.is_none()));
}

#[test]
fn only_an_update_lists_what_joined_and_left_and_the_left_are_bare_references() {
    let config = github();
    let warning = context(&config, AnnouncementKind::Warning, None);
    assert!(warning.added.is_empty() && warning.removed.is_empty());
    assert_eq!(warning.warning_sent_on, None);
    let update = context(&config, AnnouncementKind::Update, None);
    assert_eq!(update.added.len(), 1);
    assert_eq!(update.added[0].reference, "#2731");
    assert_eq!(update.removed.len(), 1);
    assert_eq!(update.removed[0].reference, "#2702");
    assert_eq!(update.removed[0].title, "");
    assert_eq!(update.warning_sent_on.as_deref(), Some("2026-11-03"));
}

#[test]
fn the_milestone_title_given_replaces_the_samples() {
    let notice = context(&github(), AnnouncementKind::ReleaseNotice, Some("2027.03"));
    assert_eq!(notice.milestone.title, "2027.03");
    assert!(notice.downtime_reason.starts_with("2027.03 brings"));
}

#[test]
fn an_upgrade_policy_in_the_configuration_gives_the_samples_path() {
    let config = config("github", GITHUB, ", upgrade_policy = \"consecutive\"");
    let warning = context(&config, AnnouncementKind::Warning, None);
    assert_eq!(warning.upgrade_path, MailContext::sample().upgrade_path);
}

#[test]
fn the_mail_carries_the_configured_sender_and_list_threaded_as_sent() {
    let config = gitlab();
    let project = &config.projects[0];
    let update = sample_mail(&config, project, AnnouncementKind::Update, None).unwrap();
    assert_eq!(update.from, "Ops bot <ops-bot@example.net>");
    assert_eq!(update.to, [LIST]);
    assert_eq!(
        update.reply_to.as_deref(),
        Some("ops-devel@lists.example.net")
    );
    assert!(update.subject.starts_with("[ops/tracker] Update"));
    let warning = sample_mail(&config, project, AnnouncementKind::Warning, None).unwrap();
    assert_eq!(warning.in_reply_to, None);
    assert_eq!(update.in_reply_to.as_ref(), Some(&warning.message_id));
    assert!(
        update.message_id.contains(".m42.update-1."),
        "{}",
        update.message_id
    );
    assert!(update.message_id.ends_with("@example.net>"));
    assert!(warning.date < update.date);
}

#[test]
fn a_project_without_an_announce_table_is_refused_in_one_sentence() {
    let mut config = github();
    config.projects[0].announce = None;
    let project = config.projects[0].clone();
    let error = sample_mail(&config, &project, AnnouncementKind::Warning, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "project ops/tracker has no `announce` table"
    );
}
