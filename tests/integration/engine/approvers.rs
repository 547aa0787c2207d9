//! Who may approve, asked of the engine over HTTP against the fake forges:
//! merging is enough without a list (GitLab Maintainer, GitHub `write`),
//! a list narrows it (listed by name or through a group or team, and still
//! able to merge), a refusal says what approving needs, and the forge's
//! answers are kept for a minute by the engine's clock, errors never.

use super::*;
use schemagate::engine::{Failure, Permission};

const APPROVERS: &str = "commands = { approvers = [\"alice\", \"group:lava/release-managers\"] }";

fn refused(needs: &str) -> Permission {
    Permission::Refused {
        needs: needs.to_string(),
    }
}

impl Lab {
    async fn may_approve(&self, user: &str) -> Result<Permission, Failure> {
        let engine = &self.bot.engine;
        engine.may_approve(ForgeKind::GitLab, &lava(), user).await
    }

    fn group_id(&self, path: &str) -> u64 {
        self.fake.state().group(path).unwrap().id
    }

    fn requests(&self) -> usize {
        self.fake.state().requests.len()
    }
}

#[tokio::test]
async fn on_gitlab_a_maintainer_may_approve_and_a_developer_is_told_what_it_needs() {
    let lab = lab().await;
    lab.fake.add_project_member(lab.project, "mary", 40);
    lab.fake.add_project_member(lab.project, "dev", 30);
    let lava_group = lab.group_id("lava");
    lab.fake.add_group_member(lava_group, "gina", 50);
    assert_eq!(lab.may_approve("mary").await.unwrap(), Permission::Allowed);
    assert_eq!(
        lab.may_approve("gina").await.unwrap(),
        Permission::Allowed,
        "an Owner of the parent group"
    );
    assert_eq!(
        lab.may_approve("dev").await.unwrap(),
        refused("Maintainer on lava/lava")
    );
    assert_eq!(
        lab.may_approve("stranger").await.unwrap(),
        refused("Maintainer on lava/lava")
    );
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
}

/// The engine on the fake GitHub's `lava/lava`, with `extra` in its project table.
async fn hub(extra: &str) -> (FakeGitHub, Bot) {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava", "lava");
    fake.add_token("ghp-engine", GhAccess::ReadWrite);
    let client = GitHubClient::with_token(fake.base_url(), "ghp-engine")
        .unwrap()
        .with_retry_policy(quick_retry());
    let forges = Forges {
        gitlab: None,
        github: Some(Arc::new(client)),
    };
    let bot = bot("github", fake.base_url(), "lava/lava", extra, forges).await;
    (fake, bot)
}

async fn ask(bot: &Bot, user: &str) -> Result<Permission, Failure> {
    bot.engine
        .may_approve(ForgeKind::GitHub, &lava(), user)
        .await
}

#[tokio::test]
async fn on_github_write_may_approve_and_read_is_told_what_it_needs() {
    let (fake, bot) = hub("").await;
    fake.set_role("lava/lava", "wendy", "write");
    fake.set_role("lava/lava", "max", "maintain");
    fake.set_role("lava/lava", "tara", "triage");
    fake.set_role("lava/lava", "rob", "read");
    assert_eq!(ask(&bot, "wendy").await.unwrap(), Permission::Allowed);
    assert_eq!(ask(&bot, "max").await.unwrap(), Permission::Allowed);
    assert_eq!(
        ask(&bot, "tara").await.unwrap(),
        refused("write on lava/lava")
    );
    assert_eq!(
        ask(&bot, "rob").await.unwrap(),
        refused("write on lava/lava")
    );
}

#[tokio::test]
async fn with_approvers_a_listed_group_member_may_and_an_unlisted_maintainer_may_not() {
    let lab = lab_with(APPROVERS).await;
    let managers = lab.fake.add_group("lava/release-managers");
    lab.fake.add_group_member(managers, "rm", 30);
    lab.fake.add_project_member(lab.project, "rm", 40);
    lab.fake.add_project_member(lab.project, "mary", 40);
    lab.fake.add_project_member(lab.project, "Alice", 40);
    lab.fake.add_group_member(managers, "junior", 30);
    let needs = "to be one of the approvers of lava/lava (alice, group lava/release-managers) and Maintainer there";

    assert_eq!(lab.may_approve("rm").await.unwrap(), Permission::Allowed);
    assert_eq!(lab.may_approve("mary").await.unwrap(), refused(needs));
    assert_eq!(
        lab.may_approve("junior").await.unwrap(),
        refused(needs),
        "listed through the group, but cannot merge"
    );

    let groups_asked = lab.fake.count("GET", "/groups/{group}/members/all/");
    assert_eq!(lab.may_approve("alice").await.unwrap(), Permission::Allowed);
    assert_eq!(
        lab.fake.count("GET", "/groups/{group}/members/all/"),
        groups_asked,
        "listed by name (without case): no group is asked"
    );
}

#[tokio::test]
async fn with_approvers_a_github_team_member_who_can_merge_may_approve() {
    let (fake, bot) = hub("commands = { approvers = [\"group:lava/release-managers\"] }").await;
    fake.add_team_member("lava/release-managers", "wendy", "active");
    fake.set_role("lava/lava", "wendy", "write");
    fake.set_role("lava/lava", "max", "admin");
    assert_eq!(ask(&bot, "wendy").await.unwrap(), Permission::Allowed);
    assert_eq!(
        ask(&bot, "max").await.unwrap(),
        refused(
            "to be one of the approvers of lava/lava (team lava/release-managers) and write there"
        )
    );
}

#[tokio::test]
async fn answers_are_kept_for_a_minute_by_the_engine_clock_yes_and_no_alike() {
    let lab = lab_with(APPROVERS).await;
    let managers = lab.fake.add_group("lava/release-managers");
    lab.fake.add_group_member(managers, "rm", 30);
    lab.fake.add_project_member(lab.project, "mary", 40);
    lab.fake.add_project_member(lab.project, "rm", 40);

    let before = lab.requests();
    assert_eq!(lab.may_approve("rm").await.unwrap(), Permission::Allowed);
    assert!(matches!(
        lab.may_approve("mary").await.unwrap(),
        Permission::Refused { .. }
    ));
    let asked = lab.requests();
    assert!(asked > before, "the first answers come from the forge");

    // rm loses the role; within the minute the kept answers stand.
    lab.fake.state().members.last_mut().unwrap().access_level = 30;
    lab.bot.clock.advance(Days::seconds(59));
    assert_eq!(lab.may_approve("RM").await.unwrap(), Permission::Allowed);
    assert!(matches!(
        lab.may_approve("mary").await.unwrap(),
        Permission::Refused { .. }
    ));
    assert_eq!(lab.requests(), asked, "no forge request within the minute");

    // After it, the forge is asked again and the change is seen.
    lab.bot.clock.advance(Days::seconds(2));
    assert!(matches!(
        lab.may_approve("rm").await.unwrap(),
        Permission::Refused { .. }
    ));
    assert!(lab.requests() > asked, "asked again after the minute");
}

#[tokio::test]
async fn a_forge_error_is_a_failure_and_is_not_kept() {
    let lab = lab_with("commands = { approvers = [\"group:lava/ghost\"] }").await;
    lab.fake.add_project_member(lab.project, "mary", 40);
    let error = lab.may_approve("mary").await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("reading whether mary is in lava/ghost"),
        "{error}"
    );
    let groups_asked = lab.fake.count("GET", "/groups/{group}/members/all/");
    let roles_asked = lab.fake.count("GET", "/projects/{id}/members/all/");
    assert!(lab.may_approve("mary").await.is_err());
    assert_eq!(
        lab.fake.count("GET", "/groups/{group}/members/all/"),
        groups_asked + 1,
        "the failed question is asked again"
    );
    assert_eq!(
        lab.fake.count("GET", "/projects/{id}/members/all/"),
        roles_asked,
        "the role it had is kept"
    );
}
