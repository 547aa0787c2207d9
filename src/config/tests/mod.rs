//! Behaviour of `parse` and `load` on whole configuration texts.

use super::*;
use crate::core::policy::Policy;
use std::time::Duration;

mod commands;
mod mail;
mod wording;

const MINIMAL: &str = r#"
[gitlab]
url = "https://gitlab.example.org"

[[project]]
forge = "gitlab"
path = "group/project"
releases = { scheme = "calver" }
gate = { require_announcement = false }
"#;

fn issues(text: &str) -> Vec<ConfigIssue> {
    match parse("test.toml", text) {
        Ok(_) => panic!("expected errors, the config was accepted"),
        Err(errors) => errors.errors,
    }
}

fn issue<'a>(issues: &'a [ConfigIssue], key_path: &str) -> &'a ConfigIssue {
    issues
        .iter()
        .find(|issue| issue.key_path == key_path)
        .unwrap_or_else(|| panic!("no issue at {key_path}: {issues:#?}"))
}

fn at(issue: &ConfigIssue) -> (usize, usize) {
    (issue.line, issue.column)
}

#[test]
fn example_config_parses_with_its_documented_values() {
    let text = include_str!("../../../config/example.toml");
    let config = parse("config/example.toml", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.server.sync_interval, Duration::from_secs(600));
    assert_eq!(config.gitlab.as_ref().unwrap().url, "https://gitlab.com");
    let mail = config.mail.as_ref().unwrap();
    assert_eq!((mail.smtp.host.as_str(), mail.smtp.port), ("127.0.0.1", 25));
    assert_eq!(config.projects.len(), 2);

    let lava = config.project("lava/lava").unwrap();
    assert_eq!(lava.forge, ForgeKind::GitLab);
    assert_eq!(lava.scheme.name(), "calver");
    assert!(lava.scheme.parse("2024.05.post1").is_some());
    assert_eq!(
        lava.rule_packs.as_deref(),
        Some(&["django".to_string()][..])
    );
    assert_eq!(lava.batch.lead_time, Duration::from_secs(14 * 86400));
    assert!(lava.extra_paths.is_match("share/upgrade/0042.sql"));
    assert!(!lava.extra_paths.is_match("share/upgrade/old/0042.sql"));
    let announce = lava.announce.as_ref().unwrap();
    assert_eq!(announce.trigger, AnnounceTrigger::WorkStarts);
    assert_eq!(
        announce.updates,
        Updates::Digest {
            interval: Duration::from_secs(86400)
        }
    );
    assert_eq!(announce.upgrade_steps.len(), 4);

    let backend = config.project("lablup/backend.ai").unwrap();
    assert_eq!(backend.forge, ForgeKind::GitHub);
    assert_eq!(backend.scheme.name(), "yy.mm.patch");
    assert_eq!(backend.batch.lead_time, Duration::from_secs(7 * 86400));
    assert_eq!(backend.label, "Database changes");
    assert_eq!(
        backend.announce.as_ref().unwrap().trigger,
        AnnounceTrigger::FirstChange
    );
}

#[test]
fn minimal_project_gets_the_documented_defaults() {
    let config = parse("minimal", MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    let project = &config.projects[0];
    assert_eq!(project.label, "Database changes");
    assert_eq!(project.label_color, "#d9534f");
    assert_eq!(project.rule_packs, None);
    assert_eq!(project.batch, BatchConfig::default());
    assert_eq!(project.batch.max_open_batches.get(), 1);
    assert_eq!(project.batch.lead_time, Duration::from_secs(14 * 86400));
    assert!(project.gate.block_ahead_of_next_release && project.gate.require_batch);
    assert!(project.announce.is_none());
    assert_eq!(config.gitlab.as_ref().unwrap().token_env, "GITLAB_TOKEN");
    assert_eq!(config.server.database.url, "sqlite://schemagate.db");
}

#[test]
fn defaults_without_a_file_listen_locally_with_sqlite() {
    let config = Config::default();
    assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.server.database.kind, DatabaseKind::Sqlite);
    assert_eq!(config.server.sync_interval, Duration::from_secs(600));
    assert!(config.projects.is_empty());
    let empty = parse("empty", "").unwrap();
    assert_eq!(empty.server.listen, config.server.listen);
}

#[test]
fn errors_in_several_tables_are_all_reported_with_line_and_column() {
    let text = r#"[server]
listen = "localhost"
sync_interval = "10x"

[gitlab]
url = "https://gitlab.example.org"
token = "glpat-123"

[[project]]
forge = "gitlab"
path = "group/project"
releases = { scheme = "calver" }
batch = { max_open_batches = 0, lead_time = "two weeks" }
gate = { require_announcement = false }
"#;
    let found = issues(text);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_eq!(at(issue(&found, "server.listen")), (2, 10));
    assert_eq!(at(issue(&found, "server.sync_interval")), (3, 17));
    assert_eq!(at(issue(&found, "gitlab.token")), (7, 1));
    // Two errors in one inline table, each at its own value.
    assert_eq!(
        at(issue(&found, "project[0].batch.max_open_batches")),
        (13, 30)
    );
    assert_eq!(at(issue(&found, "project[0].batch.lead_time")), (13, 45));
    let lines: Vec<usize> = found.iter().map(|issue| issue.line).collect();
    assert!(lines.is_sorted(), "issues come in file order: {lines:?}");
}

#[test]
fn several_serde_errors_are_collected_not_just_the_first() {
    let text = r#"[server]
listen = 8080
colour = "blue"

[[project]]
forge = 1
path = "group/project"
releases = { scheme = "calver" }
gate = { require_announcement = "no" }
"#;
    let found = issues(text);
    assert_eq!(at(issue(&found, "server.listen")), (2, 10));
    assert_eq!(at(issue(&found, "server.colour")), (3, 1));
    assert_eq!(at(issue(&found, "project[0].forge")), (6, 9));
    assert_eq!(
        at(issue(&found, "project[0].gate.require_announcement")),
        (9, 33)
    );
    // A dropped `forge` is not reported a second time as missing.
    assert_eq!(
        found
            .iter()
            .filter(|i| i.key_path == "project[0].forge")
            .count(),
        1
    );
}

#[test]
fn wrong_types_in_one_list_keep_their_written_indexes() {
    let text = MINIMAL.replace(
        "releases",
        "issue_keywords = [1, \"migration\", 2, \"\"]\nreleases",
    );
    let found = issues(&text);
    assert_eq!(at(issue(&found, "project[0].issue_keywords[0]")), (8, 19));
    assert_eq!(at(issue(&found, "project[0].issue_keywords[2]")), (8, 35));
    // The empty keyword sits at [3] in the file but at [1] after the drops:
    // it is held back rather than reported at the wrong element.
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn bad_duration_says_how_to_write_one() {
    let text = MINIMAL.replace("releases", "batch = { lead_time = \"14\" }\nreleases");
    let found = issues(&text);
    let lead_time = issue(&found, "project[0].batch.lead_time");
    assert!(
        lead_time.message.contains("no unit"),
        "{}",
        lead_time.message
    );
    assert!(lead_time.fix.contains("\"14d\""), "{}", lead_time.fix);
}

#[test]
fn bad_glob_is_reported_at_its_list_element() {
    let text = MINIMAL.replace(
        "releases",
        "ignore_paths = [\"docs/**\", \"db/[a-\"]\nreleases",
    );
    let found = issues(&text);
    let glob = issue(&found, "project[0].ignore_paths[1]");
    assert!(
        glob.message.contains("not a valid glob"),
        "{}",
        glob.message
    );
    assert_eq!(at(glob), (8, 28));
}

#[test]
fn title_regex_without_version_group_is_refused() {
    let text = MINIMAL.replace(
        "{ scheme = \"calver\" }",
        "{ title_regex = \"^Release (.*)$\" }",
    );
    let found = issues(&text);
    let regex = issue(&found, "project[0].releases.title_regex");
    assert!(regex.message.contains("version"), "{}", regex.message);
}

#[test]
fn title_regex_syntax_error_is_one_line() {
    let text = MINIMAL.replace(
        "{ scheme = \"calver\" }",
        "{ title_regex = \"^(?P<version>[0-9.]+$\" }",
    );
    let found = issues(&text);
    let regex = issue(&found, "project[0].releases.title_regex");
    assert!(
        regex.message.starts_with("invalid regex: "),
        "{}",
        regex.message
    );
    assert!(!regex.message.contains('\n'));
}

#[test]
fn title_regex_with_version_group_is_compiled() {
    let text = MINIMAL.replace(
        "{ scheme = \"calver\" }",
        "{ title_regex = '^Release (?P<version>[0-9.]+)$' }",
    );
    let config = parse("t", &text).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.projects[0].scheme.parse("Release 1.2").is_some());
    assert!(config.projects[0].scheme.parse("Backlog").is_none());
}

#[test]
fn scheme_and_title_regex_together_are_refused() {
    let text = MINIMAL.replace(
        "{ scheme = \"calver\" }",
        "{ scheme = \"calver\", title_regex = \"^(?P<version>.*)$\" }",
    );
    let found = issues(&text);
    assert_eq!(
        issue(&found, "project[0].releases.title_regex").message,
        "both `scheme` and `title_regex` are set"
    );
}

#[test]
fn missing_or_unknown_scheme_is_refused() {
    let found = issues(&MINIMAL.replace("releases = { scheme = \"calver\" }\n", ""));
    assert!(
        issue(&found, "project[0].releases")
            .message
            .contains("missing")
    );
    let found = issues(&MINIMAL.replace("calver", "romver"));
    assert_eq!(
        issue(&found, "project[0].releases.scheme").message,
        "unknown scheme `romver`"
    );
}

#[test]
fn an_unknown_downtime_rule_is_refused_with_the_choices() {
    let found = issues(&MINIMAL.replace(
        "releases = { scheme = \"calver\" }\n",
        "releases = { scheme = \"calver\" }\ndowntime = \"expand-only\"\n",
    ));
    let downtime = issue(&found, "project[0].downtime");
    assert_eq!(downtime.message, "unknown downtime rule `expand-only`");
    assert!(
        downtime.fix.contains("any-migration") && downtime.fix.contains("contract-only"),
        "{}",
        downtime.fix
    );
}

#[test]
fn unknown_forge_is_refused() {
    let found = issues(&MINIMAL.replace("forge = \"gitlab\"", "forge = \"bitbucket\""));
    let forge = issue(&found, "project[0].forge");
    assert_eq!(forge.message, "unknown forge `bitbucket`");
    assert_eq!(at(forge), (6, 9));
}

#[test]
fn project_on_a_forge_without_its_section_is_refused() {
    let text = MINIMAL.replace("[gitlab]\nurl = \"https://gitlab.example.org\"\n", "");
    let found = issues(&text);
    let forge = issue(&found, "project[0].forge");
    assert!(
        forge.message.contains("no [gitlab] section"),
        "{}",
        forge.message
    );
}

#[test]
fn github_path_must_be_owner_slash_repo() {
    let text = MINIMAL
        .replace("[gitlab]\nurl = \"https://gitlab.example.org\"", "[github]")
        .replace("forge = \"gitlab\"", "forge = \"github\"")
        .replace("group/project", "org/team/repo");
    let found = issues(&text);
    assert!(issue(&found, "project[0].path").fix.contains("owner/repo"));
}

#[test]
fn bad_email_addresses_are_refused_where_they_are() {
    let text = format!(
        "{MINIMAL}announce = {{ to = [\"ok@example.org\", \"not-an-address\"], reply_to = \"x@\" }}\n[mail]\nsmtp_url = \"smtp://localhost\"\nfrom = \"Bot <bot@example.org\"\n"
    );
    let found = issues(&text);
    assert_eq!(
        issue(&found, "project[0].announce.to[1]").message,
        "`not-an-address` is not an email address"
    );
    assert!(
        issue(&found, "project[0].announce.reply_to")
            .message
            .contains("`x@`")
    );
    assert!(
        issue(&found, "mail.from")
            .message
            .contains("not an email address")
    );
}

#[test]
fn env_keys_hold_names_not_secret_values() {
    let text = MINIMAL.replace("url = ", "token_env = \"glpat-abc.def\"\nurl = ");
    let found = issues(&text);
    assert!(
        issue(&found, "gitlab.token_env")
            .message
            .contains("not an environment variable name")
    );
}

#[test]
fn duplicate_projects_are_refused_with_the_first_line() {
    let second = "\n[[project]]\nforge = \"gitlab\"\npath = \"Group/Project\"\nreleases = { scheme = \"semver\" }\ngate = { require_announcement = false }\n";
    let found = issues(&format!("{MINIMAL}{second}"));
    let duplicate = issue(&found, "project[1].path");
    assert!(
        duplicate.message.contains("first at line 7"),
        "{}",
        duplicate.message
    );
}

#[test]
fn duplicate_projects_are_refused_even_when_they_have_other_errors() {
    let second = "\n[[project]]\nforge = \"gitlab\"\npath = \"group/project\"\nlabel = \"\"\nreleases = { scheme = \"nope\" }\n";
    let first_broken = MINIMAL.replace("scheme = \"calver\"", "scheme = \"nope\"");
    let found = issues(&format!("{first_broken}{second}"));
    assert!(
        issue(&found, "project[0].releases.scheme")
            .message
            .contains("nope")
    );
    assert!(issue(&found, "project[1].label").message.contains("empty"));
    let duplicate = issue(&found, "project[1].path");
    assert!(
        duplicate
            .message
            .contains("configured twice (first at line 7)"),
        "{}",
        duplicate.message
    );
}

#[test]
fn digest_updates_need_an_interval() {
    let text = format!(
        "{MINIMAL}announce = {{ to = [\"a@example.org\"], updates = \"digest\" }}\n[mail]\nsmtp_url = \"smtp://localhost\"\nfrom = \"a@example.org\"\n"
    );
    let found = issues(&text);
    assert!(
        issue(&found, "project[0].announce.updates")
            .message
            .contains("digest_interval")
    );
}

#[test]
fn unknown_trigger_and_updates_are_refused() {
    let text = format!(
        "{MINIMAL}announce = {{ to = [\"a@example.org\"], trigger = \"soon\", updates = \"always\" }}\n[mail]\nsmtp_url = \"smtp://localhost\"\nfrom = \"a@example.org\"\n"
    );
    let found = issues(&text);
    assert!(
        issue(&found, "project[0].announce.trigger")
            .fix
            .contains("work-starts")
    );
    assert!(
        issue(&found, "project[0].announce.updates")
            .fix
            .contains("\"digest\"")
    );
}

#[test]
fn announcing_needs_a_mail_section() {
    let found = issues(&format!(
        "{MINIMAL}announce = {{ to = [\"a@example.org\"] }}\n"
    ));
    assert!(
        issue(&found, "project[0].announce")
            .message
            .contains("[mail]")
    );
}

#[test]
fn github_token_and_app_together_are_refused() {
    let found = issues(
        "[github]\ntoken_env = \"GITHUB_TOKEN\"\napp_id = 12\nprivate_key_file = \"app.pem\"\n",
    );
    assert!(issue(&found, "github.token_env").fix.contains("not both"));
    let config = parse(
        "t",
        "[github]\napp_id = 12\nprivate_key_file = \"app.pem\"\n",
    )
    .unwrap();
    assert_eq!(
        config.github.unwrap().auth,
        GithubAuth::App {
            app_id: 12,
            private_key_file: "app.pem".into()
        }
    );
}

#[test]
fn durations_too_long_for_the_calendar_are_rejected_with_their_maximum() {
    let text = MINIMAL
        .replace("[gitlab]", "[server]\nsync_interval = \"2w\"\n\n[gitlab]")
        .replace(
            "releases",
            "batch = { lead_time = \"999999999999w\" }\nreleases",
        );
    let found = issues(&text);
    let lead_time = issue(&found, "project[0].batch.lead_time");
    assert!(
        lead_time.message.contains("too long; the maximum is 366d"),
        "{}",
        lead_time.message
    );
    assert_eq!(lead_time.fix, "write a duration of at most 366d");
    let sync = issue(&found, "server.sync_interval");
    assert!(
        sync.message.contains("the maximum is 1w"),
        "{}",
        sync.message
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn durations_at_their_maximum_are_accepted() {
    let text = MINIMAL
        .replace("[gitlab]", "[server]\nsync_interval = \"7d\"\n\n[gitlab]")
        .replace("releases", "batch = { lead_time = \"366d\" }\nreleases");
    let config = parse("max", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.projects[0].batch.lead_time, MAX_LEAD_TIME);
    assert_eq!(config.server.sync_interval, MAX_SYNC_INTERVAL);
}

#[test]
fn digest_interval_is_bounded_too() {
    let text = MINIMAL.replace("gate = { require_announcement = false }", "").replace(
        "releases",
        "announce = { to = [\"a@example.org\"], updates = \"digest\", digest_interval = \"60w\" }\nreleases",
    ) + "\n[mail]\nsmtp_url = \"smtp://127.0.0.1:25\"\nfrom = \"bot@example.org\"\n";
    let found = issues(&text);
    let interval = issue(&found, "project[0].announce.digest_interval");
    assert!(
        interval.message.contains("the maximum is 366d"),
        "{}",
        interval.message
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn label_color_and_batch_limits_are_checked() {
    let text = MINIMAL.replace(
        "releases",
        "label_color = \"red\"\nbatch = { max_open_batches = -2 }\nreleases",
    );
    let found = issues(&text);
    assert!(
        issue(&found, "project[0].label_color")
            .fix
            .contains("#d9534f")
    );
    assert!(
        issue(&found, "project[0].batch.max_open_batches")
            .message
            .contains("-2")
    );
}

#[test]
fn syntax_errors_are_reported_together_with_other_errors() {
    let text = "[server]\nlisten = \"127.0.0.1:8080\nsync_interval = \"5q\"\n\n[mail]\nfrom = \"bot@example.org\"\n";
    let found = issues(text);
    assert_eq!(issue(&found, "server.listen").line, 2);
    assert_eq!(at(issue(&found, "server.sync_interval")), (3, 17));
    assert!(issue(&found, "mail.smtp_url").message.contains("missing"));
}

#[test]
fn globs_keep_their_text_and_do_not_cross_directories() {
    let text = MINIMAL.replace("releases", "extra_paths = [\"db/*.sql\"]\nreleases");
    let config = parse("t", &text).unwrap();
    let globs = &config.projects[0].extra_paths;
    assert_eq!(globs.patterns, ["db/*.sql"]);
    assert!(globs.is_match("db/0001.sql"));
    assert!(!globs.is_match("db/old/0001.sql"));
}

#[test]
fn project_lookup_ignores_case() {
    let config = parse("t", MINIMAL).unwrap();
    assert!(config.project("GROUP/project").is_some());
    assert!(config.project("group/other").is_none());
}

#[test]
fn load_resolves_files_next_to_the_config_and_reports_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("local.toml"), LOCAL_PACK).unwrap();
    let text = "[rules]\nfiles = [\"local.toml\", \"absent.toml\"]\n";
    let path = dir.path().join("schemagate.toml");
    std::fs::write(&path, text).unwrap();
    let Err(ConfigError::Invalid { errors }) = load(Some(&path)) else {
        panic!("a missing rules file must be an error");
    };
    assert_eq!(errors.errors.len(), 1, "{errors}");
    assert_eq!(errors.errors[0].key_path, "rules.files[1]");
    assert_eq!((errors.errors[0].line, errors.errors[0].column), (2, 24));

    std::fs::write(&path, "[rules]\nfiles = [\"local.toml\"]\n").unwrap();
    let config = load(Some(&path)).unwrap();
    assert_eq!(config.rules.files, [dir.path().join("local.toml")]);
    assert_eq!(config.rules.packs[0].name, "acme");
}

const LOCAL_PACK: &str = "name = \"acme\"\ntitle = \"Acme\"\ndescription = \"Acme's SQL runner\"\n\n[[rule]]\nid = \"sql\"\npaths = [\"dbupdates/*.sql\"]\n";

#[test]
fn user_packs_are_validated_and_their_names_are_usable_in_projects() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), LOCAL_PACK).unwrap();
    std::fs::write(dir.path().join("broken.toml"), "name = \"broken\"\ntitle = \"B\"\ndescription = \"b\"\n[[rule]]\nid = \"x\"\npaths = [\"a/[\"]\n").unwrap();
    let path = dir.path().join("schemagate.toml");
    let with_packs = |files: &str, packs: &str| {
        format!(
            "[rules]\nfiles = [{files}]\n{}",
            MINIMAL.replace("releases", &format!("rule_packs = [{packs}]\nreleases"))
        )
    };

    std::fs::write(&path, with_packs("\"acme.toml\"", "\"acme\", \"django\"")).unwrap();
    let config = load(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
    let rules = config.rule_set(config.projects.first()).unwrap();
    let names: Vec<&str> = rules.packs().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["django", "acme"]);

    std::fs::write(
        &path,
        with_packs("\"acme.toml\", \"broken.toml\"", "\"acme\", \"djangoo\""),
    )
    .unwrap();
    let Err(ConfigError::Invalid { errors }) = load(Some(&path)) else {
        panic!("a broken pack and an unknown pack name must be errors");
    };
    let text = errors.to_string();
    assert!(
        text.contains("rules.files[1]") && text.contains("broken.toml:6:"),
        "{text}"
    );
    assert!(text.contains("unknown rule pack `djangoo`"), "{text}");
    assert!(text.contains("use one of: django, alembic"), "{text}");
}

#[test]
fn load_of_a_missing_explicit_file_is_a_clear_error() {
    let error = load(Some(std::path::Path::new("/nonexistent/sg.toml"))).unwrap_err();
    assert!(matches!(error, ConfigError::NotFound(_)));
    assert!(
        error
            .to_string()
            .contains("/nonexistent/sg.toml does not exist")
    );
}

#[test]
fn example_projects_become_the_policies_decide_applies() {
    let text = include_str!("../../../config/example.toml");
    let config = parse("config/example.toml", text).unwrap_or_else(|e| panic!("{e}"));

    let lava = config.project("lava/lava").unwrap().policy();
    assert_eq!(lava.label, "Database changes");
    assert_eq!(lava.scheme.name(), "calver");
    assert_eq!(lava.max_open_batches.get(), 1);
    assert_eq!(lava.lead_time, chrono::Duration::days(14));
    assert!(lava.assign_milestone);
    assert_eq!(lava.downtime, crate::core::compat::Downtime::AnyMigration);
    assert_eq!(lava.gate, GateSwitches::default());
    assert_eq!(lava.announce_trigger, AnnounceTrigger::WorkStarts);

    let backend = Policy::from(config.project("lablup/backend.ai").unwrap());
    assert_eq!(backend.scheme.name(), "yy.mm.patch");
    assert_eq!(backend.lead_time, chrono::Duration::days(7));
    assert_eq!(backend.announce_trigger, AnnounceTrigger::FirstChange);
}

#[test]
fn every_project_setting_reaches_the_policy() {
    let text = MINIMAL.replace(
        "gate = { require_announcement = false }",
        "label = \"DB\"\ndowntime = \"contract-only\"\nbatch = { max_open_batches = 3, lead_time = \"2d12h\", assign_milestone = false }\ngate = { require_announcement = false, require_batch = false, block_ahead_of_next_release = false }",
    );
    let config = parse("custom", &text).unwrap_or_else(|e| panic!("{e}"));
    let policy = config.projects[0].policy();
    assert_eq!(policy.label, "DB");
    assert_eq!(policy.downtime, crate::core::compat::Downtime::ContractOnly);
    assert_eq!(policy.max_open_batches.get(), 3);
    assert_eq!(policy.lead_time, chrono::Duration::hours(60));
    assert!(!policy.assign_milestone);
    assert_eq!(
        policy.gate,
        GateSwitches {
            block_ahead_of_next_release: false,
            block_migration_conflicts: true,
            require_batch: false,
            require_announcement: false,
        }
    );
    assert_eq!(
        policy.announce_trigger,
        AnnounceTrigger::Manual,
        "no announce table: no warning is ever due by itself"
    );
}

const MAIL: &str = "[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"bot@example.org\"\n";
