//! The GitHub client's people calls against the fake over HTTP: a user's
//! role on the repository (`role_name` over the legacy `permission`), team
//! membership (an App reads it through its organisation installation),
//! reactions on issue comments (idempotent, also after a lost answer), and
//! an item's comments over several pages, oldest first.

use super::*;
use crate::fake_github::state::{Access as TokenAccess, Mishap};
use schemagate::forge::{Access, CommentRef, Reaction};

const PERMISSION: &str = "/repos/{owner}/{repo}/collaborators/{username}/permission";
const MEMBERSHIP: &str = "/orgs/{org}/teams/{team_slug}/memberships/{username}";
const REACTIONS: &str = "/repos/{owner}/{repo}/issues/comments/{id}/reactions";
const COMMENTS: &str = "/repos/{owner}/{repo}/issues/{number}/comments";

#[tokio::test]
async fn access_reads_the_role_name_before_the_legacy_permission() {
    let fake = fake().await;
    fake.set_role(REPO, "wendy", "write");
    fake.set_role(REPO, "max", "maintain");
    fake.set_role(REPO, "tara", "triage");
    fake.set_role(REPO, "rob", "read");
    fake.set_role(REPO, "ada", "admin");
    fake.set_custom_role(REPO, "rel", "release-captain", "write");
    let forge = client(&fake, TOKEN);
    for (login, access) in [
        ("wendy", Access::Write),
        ("max", Access::Maintain),
        ("tara", Access::Triage),
        ("rob", Access::Read),
        ("ada", Access::Admin),
        ("rel", Access::Write),
        ("lava-ci", Access::Admin),
        ("MAX", Access::Maintain),
    ] {
        assert_eq!(forge.access(&project(), login).await, Ok(access), "{login}");
    }
    assert_eq!(fake.count("GET", PERMISSION), 8, "one request a question");
}

#[tokio::test]
async fn a_stranger_or_an_unknown_login_has_no_access() {
    let fake = fake().await;
    fake.add_user("stranger");
    let forge = client(&fake, TOKEN);
    assert_eq!(
        forge.access(&project(), "stranger").await,
        Ok(Access::None),
        "200 with permission none"
    );
    assert_eq!(
        forge.access(&project(), "no-such-login").await,
        Ok(Access::None),
        "404"
    );
    assert_eq!(
        forge.access(&project(), "../../user").await,
        Ok(Access::None),
        "a name that is no login stays one path segment"
    );
    assert_eq!(fake.count("GET", PERMISSION), 3);
}

#[tokio::test]
async fn a_token_whose_user_cannot_push_may_not_read_permissions() {
    let fake = fake().await;
    fake.set_role(REPO, "max", "maintain");
    let refused = client(&fake, READ_ONLY).access(&project(), "max").await;
    assert!(
        matches!(&refused, Err(ForgeError::Forbidden(m)) if m.contains("push access")),
        "{refused:?}"
    );
    assert_eq!(fake.count("GET", PERMISSION), 1, "a refusal is not retried");
}

#[tokio::test]
async fn an_app_reads_permissions_and_teams_through_its_installations() {
    let fake = fake().await;
    fake.set_role(REPO, "max", "maintain");
    fake.add_team_member("lava-ci/release-managers", "max", "active");
    let forge = app_client(&fake, chrono::Duration::hours(1));
    fake.with_state(|s| s.app.as_mut().unwrap().installation_access = TokenAccess::ReadOnly);
    assert_eq!(forge.access(&project(), "max").await, Ok(Access::Maintain));
    assert_eq!(
        forge.in_group("lava-ci/release-managers", "max").await,
        Ok(true)
    );
    let routes: Vec<(String, Option<Caller>)> = fake
        .requests()
        .into_iter()
        .map(|r| (r.route, r.caller))
        .collect();
    assert!(
        routes.contains(&("/orgs/{org}/installation".into(), Some(Caller::AppJwt))),
        "the team was read through the organisation's installation: {routes:?}"
    );
    assert!(
        routes.contains(&(
            MEMBERSHIP.into(),
            Some(Caller::Installation(TokenAccess::ReadOnly))
        )),
        "{routes:?}"
    );
}

#[tokio::test]
async fn team_membership_counts_only_active_members_of_an_org_team() {
    let fake = fake().await;
    fake.add_team_member("lava-ci/release-managers", "rm", "active");
    fake.add_team_member("lava-ci/release-managers", "invited", "pending");
    fake.add_user("outsider");
    let forge = client(&fake, TOKEN);
    let team = "lava-ci/release-managers";
    assert_eq!(forge.in_group(team, "rm").await, Ok(true));
    assert_eq!(
        forge.in_group(team, "RM").await,
        Ok(true),
        "logins have no case"
    );
    assert_eq!(forge.in_group(team, "invited").await, Ok(false));
    assert_eq!(forge.in_group(team, "outsider").await, Ok(false));
    assert_eq!(
        forge.in_group("lava-ci/no-such-team", "rm").await,
        Ok(false),
        "GitHub answers a missing team as a non-member: 404"
    );
    assert_eq!(fake.count("GET", MEMBERSHIP), 5);
    for malformed in ["lava-ci", "lava-ci/", "/release-managers", "a/b/c"] {
        let error = forge.in_group(malformed, "rm").await.unwrap_err();
        assert!(
            matches!(&error, ForgeError::Unexpected { status: 0, body } if body.contains("org/team-slug")),
            "{malformed}: {error:?}"
        );
    }
    assert_eq!(fake.count("GET", MEMBERSHIP), 5, "nothing sent for those");
}

fn on(comment: u64, number: ItemNumber, kind: ItemKind) -> CommentRef {
    CommentRef {
        kind,
        number,
        id: CommentId(comment),
    }
}

#[tokio::test]
async fn reactions_are_created_once_and_a_second_is_answered_with_the_first() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let approve = fake.add_comment(REPO, number.0, "max", "/schemagate approve CVE fix");
    let refused = fake.add_comment(REPO, number.0, "rob", "/schemagate approve x");
    let forge = client(&fake, TOKEN);
    let target = on(approve, number, ItemKind::MergeRequest);
    forge
        .react(&project(), target, Reaction::Acted)
        .await
        .unwrap();
    forge
        .react(&project(), target, Reaction::Acted)
        .await
        .expect("200: the reaction exists");
    forge
        .react(
            &project(),
            on(refused, number, ItemKind::MergeRequest),
            Reaction::Refused,
        )
        .await
        .unwrap();
    let bot = fake.with_state(|s| s.bot_login.clone());
    assert_eq!(
        fake.reactions_on(REPO, approve),
        vec![("+1".to_string(), bot.clone())]
    );
    assert_eq!(
        fake.reactions_on(REPO, refused),
        vec![("-1".to_string(), bot)]
    );
    assert_eq!(fake.count("POST", REACTIONS), 3);
}

#[tokio::test]
async fn a_reaction_whose_answer_was_lost_is_retried_and_left_once() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let comment = fake.add_comment(REPO, number.0, "max", "/schemagate recheck");
    for mishap in [
        Mishap::ServerError {
            status: 502,
            after: true,
        },
        Mishap::Reset { after: true },
    ] {
        fake.inject("POST", REACTIONS, Fault::Mishap(mishap), 1);
        client(&fake, TOKEN)
            .react(
                &project(),
                on(comment, number, ItemKind::MergeRequest),
                Reaction::Acted,
            )
            .await
            .unwrap_or_else(|e| panic!("{mishap:?}: {e}"));
        assert_eq!(fake.reactions_on(REPO, comment).len(), 1, "{mishap:?}");
    }
}

#[tokio::test]
async fn reacting_to_a_missing_comment_or_with_a_read_only_token_fails() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let comment = fake.add_comment(REPO, number.0, "max", "hi");
    let gone = client(&fake, TOKEN)
        .react(
            &project(),
            on(comment + 999, number, ItemKind::MergeRequest),
            Reaction::Acted,
        )
        .await;
    assert!(matches!(gone, Err(ForgeError::NotFound(_))), "{gone:?}");
    let refused = client(&fake, READ_ONLY)
        .react(
            &project(),
            on(comment, number, ItemKind::MergeRequest),
            Reaction::Acted,
        )
        .await;
    assert!(
        matches!(refused, Err(ForgeError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(fake.reactions_on(REPO, comment).is_empty());
}

#[tokio::test]
async fn comments_are_read_over_pages_oldest_first_with_edits_seen() {
    let fake = fake().await;
    let number = seed_pull(&fake, &[], None);
    let mut written = Vec::new();
    for i in 0..130 {
        let author = if i % 2 == 0 { "max" } else { "rob" };
        written.push(fake.add_comment(REPO, number.0, author, &format!("comment {i}")));
    }
    fake.edit_comment(REPO, written[7], "/schemagate unapprove");
    fake.clear_requests();
    let comments = client(&fake, TOKEN)
        .comments(&project(), ItemKind::MergeRequest, number)
        .await
        .unwrap();
    assert_eq!(comments.iter().map(|c| c.id.0).collect::<Vec<_>>(), written);
    assert_eq!(fake.count("GET", COMMENTS), 2, "per_page=100: two pages");
    let edited = &comments[7];
    assert_eq!(edited.body, "/schemagate unapprove");
    assert_eq!(edited.author, "rob");
    assert!(edited.updated_at > edited.created_at, "{edited:?}");
    assert_eq!(comments[0].author, "max");
}

#[tokio::test]
async fn an_issue_lists_its_comments_the_same_way_and_a_read_only_token_reads_them() {
    let fake = fake().await;
    let issue = fake.add_issue(
        REPO,
        PullSeed {
            title: "Needs a field",
            body: "",
            head_sha: SHA,
            labels: &[],
            milestone: None,
        },
    );
    let id = fake.add_comment(REPO, issue, "tara", "/schemagate help");
    let comments = client(&fake, READ_ONLY)
        .comments(&project(), ItemKind::Issue, ItemNumber(issue))
        .await
        .unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, CommentId(id));
    assert_eq!(comments[0].author, "tara");
}
