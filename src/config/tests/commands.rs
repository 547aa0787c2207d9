//! `[commands]` and a project's `commands`: defaults, overriding key by key,
//! and every refused approver named at its entry.

use super::*;

const GITHUB: &str = r#"
[github]

[[project]]
forge = "github"
path = "lava/lava"
releases = { scheme = "calver" }
gate = { require_announcement = false }
"#;

fn person(name: &str) -> Approver {
    Approver::Person(name.into())
}

fn group(path: &str) -> Approver {
    Approver::Group(path.into())
}

#[test]
fn without_a_commands_table_commands_are_on_and_merging_is_enough() {
    let config = parse("t", MINIMAL).unwrap();
    assert_eq!(config.commands, CommandsConfig::default());
    let commands = &config.projects[0].commands;
    assert!(commands.enabled);
    assert!(commands.approvers.is_empty());
}

#[test]
fn projects_inherit_the_top_level_table_and_override_it_key_by_key() {
    let text = format!(
        "[commands]\nenabled = false\napprovers = [\"alice\", \"group:lava/release-managers\"]\n{MINIMAL}\
         commands = {{ enabled = true }}\n\n[[project]]\nforge = \"gitlab\"\npath = \"lava/other\"\n\
         releases = {{ scheme = \"calver\" }}\ngate = {{ require_announcement = false }}\n\
         commands = {{ approvers = [\"Bob\"] }}\n\n[[project]]\nforge = \"gitlab\"\npath = \"lava/third\"\n\
         releases = {{ scheme = \"calver\" }}\ngate = {{ require_announcement = false }}\n"
    );
    let config = parse("t", &text).unwrap_or_else(|e| panic!("{e}"));
    let top = vec![person("alice"), group("lava/release-managers")];
    assert_eq!(config.commands.approvers, top);
    let only_enabled = &config.project("group/project").unwrap().commands;
    assert!(only_enabled.enabled, "its own `enabled`");
    assert_eq!(only_enabled.approvers, top, "the top-level approvers");
    let only_approvers = &config.project("lava/other").unwrap().commands;
    assert!(!only_approvers.enabled, "the top-level `enabled`");
    assert_eq!(only_approvers.approvers, [person("Bob")]);
    let neither = &config.project("lava/third").unwrap().commands;
    assert_eq!(
        (neither.enabled, &neither.approvers),
        (false, &top),
        "both inherited"
    );
}

#[test]
fn approvers_display_as_written() {
    assert_eq!(person("Alice").to_string(), "Alice");
    assert_eq!(
        group("lava/release-managers").to_string(),
        "group:lava/release-managers"
    );
}

#[test]
fn bad_approvers_are_refused_at_their_entry_naming_it() {
    let text = format!(
        "[commands]\napprovers = [\"\", \"bob smith\", \"group:\", \"@carol\", \"lava/rm\", \"team:x\", \"group:a//b\", \"ok\"]\n{MINIMAL}"
    );
    let found = issues(&text);
    let said = |index: usize| {
        let entry = issue(&found, &format!("commands.approvers[{index}]"));
        format!("{} — {}", entry.message, entry.fix)
    };
    assert!(
        said(0).starts_with("empty approver — remove it"),
        "{}",
        said(0)
    );
    assert!(
        said(1).contains("`bob smith` contains whitespace"),
        "{}",
        said(1)
    );
    assert!(said(2).contains("`group:` names no group"), "{}", said(2));
    assert!(said(3).contains("\"carol\""), "{}", said(3));
    assert!(said(4).contains("\"group:lava/rm\""), "{}", said(4));
    assert!(said(5).contains("`team:x` is neither"), "{}", said(5));
    assert!(
        said(6).contains("`group:a//b` is not a group path"),
        "{}",
        said(6)
    );
    assert_eq!(found.len(), 7, "{found:#?}");
    assert_eq!(at(issue(&found, "commands.approvers[1]")), (2, 18));
}

#[test]
fn duplicates_are_refused_without_regard_to_case() {
    let text = MINIMAL.replace(
        "gate =",
        "commands = { approvers = [\"alice\", \"group:Lava/RM\", \"Alice\", \"group:lava/rm\"] }\ngate =",
    );
    let found = issues(&text);
    let second = issue(&found, "project[0].commands.approvers[2]");
    assert_eq!(
        second.message,
        "`Alice` is listed twice: project[0].commands.approvers[0] names it too (names compare without case)"
    );
    assert_eq!(second.fix, "remove one of them");
    assert!(
        issue(&found, "project[0].commands.approvers[3]")
            .message
            .contains("approvers[1]")
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn more_than_a_hundred_approvers_are_refused_at_the_list() {
    let names: Vec<String> = (0..=MAX_APPROVERS).map(|i| format!("\"p{i}\"")).collect();
    let text = format!("[commands]\napprovers = [{}]\n{MINIMAL}", names.join(", "));
    let found = issues(&text);
    let list = issue(&found, "commands.approvers");
    assert_eq!(
        list.message,
        "101 approvers are listed; at most 100 are allowed"
    );
    assert!(list.fix.contains("group:"), "{}", list.fix);
    let hundred = format!(
        "[commands]\napprovers = [{}]\n{MINIMAL}",
        names[..MAX_APPROVERS].join(", ")
    );
    let config = parse("t", &hundred).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.projects[0].commands.approvers.len(), MAX_APPROVERS);
}

#[test]
fn a_github_team_is_org_slash_slug_and_a_gitlab_group_any_depth() {
    let nested = MINIMAL.replace(
        "gate =",
        "commands = { approvers = [\"group:lava\", \"group:lava/sub/rm\"] }\ngate =",
    );
    let config = parse("t", &nested).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.projects[0].commands.approvers,
        [group("lava"), group("lava/sub/rm")]
    );

    let github = GITHUB.replace(
        "gate =",
        "commands = { approvers = [\"group:lava/rm\", \"group:lava\", \"group:a/b/c\"] }\ngate =",
    );
    let found = issues(&github);
    let team = issue(&found, "project[0].commands.approvers[1]");
    assert_eq!(team.message, "`group:lava` is not a GitHub team");
    assert!(team.fix.contains("group:org/team-slug"), "{}", team.fix);
    assert!(
        issue(&found, "project[0].commands.approvers[2]")
            .message
            .contains("a/b/c")
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn an_inherited_list_is_checked_against_each_project_s_forge_at_its_entry() {
    let text = format!(
        "[commands]\napprovers = [\"alice\", \"group:lava/sub/rm\"]\n\n[gitlab]\nurl = \"https://g.example.org\"\n{}\
         \n[[project]]\nforge = \"gitlab\"\npath = \"lava/gl\"\nreleases = {{ scheme = \"calver\" }}\n\
         gate = {{ require_announcement = false }}\n",
        GITHUB
    );
    let found = issues(&text);
    let entry = issue(&found, "commands.approvers[1]");
    assert_eq!(
        entry.message,
        "`group:lava/sub/rm` is not a GitHub team, and project `lava/lava` uses this list"
    );
    assert!(
        entry
            .fix
            .ends_with("or give project `lava/lava` its own `commands.approvers`"),
        "{}",
        entry.fix
    );
    assert_eq!(at(entry), (2, 23));
    assert_eq!(found.len(), 1, "the GitLab project takes it: {found:#?}");

    // With a list of its own, the GitHub project does not use the top one.
    let own = text.replacen(
        "gate = { require_announcement = false }",
        "gate = { require_announcement = false }\ncommands = { approvers = [\"group:lava/rm\"] }",
        1,
    );
    let config = parse("t", &own).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config
            .project_on(ForgeKind::GitHub, "lava/lava")
            .unwrap()
            .commands
            .approvers,
        [group("lava/rm")]
    );
}

#[test]
fn wrong_types_in_commands_are_named_with_their_key() {
    let text = format!(
        "[commands]\nenabled = \"yes\"\napprovers = \"alice\"\n{MINIMAL}commands = {{ enable = false }}\n"
    );
    let found = issues(&text);
    assert_eq!(
        issue(&found, "commands.enabled").message,
        "expected a boolean, found string \"yes\""
    );
    let approvers = issue(&found, "commands.approvers");
    assert_eq!(approvers.message, "expected a list, found string \"alice\"");
    assert_eq!(
        approvers.fix,
        "write a list, e.g. `approvers = [\"alice\", \"group:lava/release-managers\"]`"
    );
    assert!(
        issue(&found, "project[0].commands.enable")
            .fix
            .starts_with("did you mean `enabled`?")
    );
}

#[test]
fn the_example_and_the_docs_show_every_commands_key() {
    let example = include_str!("../../../config/example.toml");
    let config = parse("config/example.toml", example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.commands, CommandsConfig::default());
    let docs = include_str!("../../../docs/configuration.md");
    for key in crate::config::validate_commands::KEYS {
        let rows = docs.matches(&format!("| `{key}` |")).count();
        assert_eq!(rows, 2, "`{key}` in [commands] and project.commands");
        assert!(example.contains(&format!("\n{key} = ")), "{key}");
        assert!(
            example.contains(&format!("# {key} = ")),
            "{key} per project"
        );
    }
}
