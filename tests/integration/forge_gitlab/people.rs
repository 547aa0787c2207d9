//! The GitLab client's people calls against the fake over HTTP: a user's
//! access to a project through inherited group memberships, group
//! membership, award emoji on notes (idempotent, also after a lost answer),
//! and an item's comments over several pages, oldest first.

use super::*;
use crate::fake_gitlab::state::{Mishap, Noteable};
use schemagate::forge::write_fence::WriteFence;
use schemagate::forge::{Access, CommentRef, Reaction};

const MEMBERS: &str = "/members/all/{user_id}";
const AWARD: &str = "/notes/{note}/award_emoji";

/// The seeded fake, with `lava/release-managers` beside project `lava/lava`.
async fn people() -> (FakeGitLab, u64, u64, u64) {
    let (fake, project) = seeded().await;
    let group = fake.state().group("lava").unwrap().id;
    let managers = fake.add_group("lava/release-managers");
    (fake, project, group, managers)
}

#[tokio::test]
async fn access_counts_group_memberships_and_takes_the_highest() {
    let (fake, project, group, _) = people().await;
    fake.add_group_member(group, "mary", 40);
    fake.add_project_member(project, "dev", 30);
    // A Reporter of the group made Maintainer of the project: the higher counts.
    fake.add_group_member(group, "rita", 20);
    fake.add_project_member(project, "rita", 40);
    fake.add_group_member(group, "owen", 50);
    fake.add_project_member(project, "gus", 10);
    let forge = client(&fake);
    for (user, access) in [
        ("mary", Access::Maintain),
        ("dev", Access::Write),
        ("rita", Access::Maintain),
        ("owen", Access::Admin),
        ("gus", Access::Read),
    ] {
        assert_eq!(forge.access(&lava(), user).await.unwrap(), access, "{user}");
    }
    // One look-up of the name, one of the membership, per question.
    assert_eq!(fake.count("GET", "/api/v4/users"), 5);
    assert_eq!(fake.count("GET", MEMBERS), 5);
}

#[tokio::test]
async fn someone_who_is_no_member_or_no_user_has_no_access() {
    let (fake, _, _, _) = people().await;
    fake.add_user("visitor");
    let forge = client(&fake);
    assert_eq!(forge.access(&lava(), "visitor").await, Ok(Access::None));
    assert_eq!(
        fake.count("GET", MEMBERS),
        1,
        "GitLab answered 404 Not found"
    );
    assert_eq!(forge.access(&lava(), "nobody").await, Ok(Access::None));
    assert_eq!(
        fake.count("GET", MEMBERS),
        1,
        "an unknown name needs no membership read"
    );
}

#[tokio::test]
async fn usernames_are_matched_without_case_as_gitlab_does() {
    let (fake, project, _, _) = people().await;
    fake.add_project_member(project, "Mary.Smith", 40);
    let forge = client(&fake);
    assert_eq!(
        forge.access(&lava(), "mary.smith").await,
        Ok(Access::Maintain)
    );
}

#[tokio::test]
async fn a_membership_awaiting_a_seat_grants_nothing_yet() {
    let (fake, project, _, _) = people().await;
    fake.add_project_member(project, "newcomer", 40);
    fake.state().members.last_mut().unwrap().state = "awaiting".into();
    assert_eq!(
        client(&fake).access(&lava(), "newcomer").await,
        Ok(Access::None)
    );
}

#[tokio::test]
async fn a_project_the_token_cannot_see_is_an_error_not_no_access() {
    let (fake, _, lava_group, _) = people().await;
    fake.add_group_member(lava_group, "mary", 40);
    let hidden = ProjectPath("lava/secret".into());
    let error = client(&fake).access(&hidden, "mary").await.unwrap_err();
    assert!(
        matches!(&error, ForgeError::NotFound(m) if m.contains("Project Not Found")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_read_only_token_reads_access() {
    let (fake, project, _, _) = people().await;
    fake.add_project_member(project, "mary", 40);
    let forge = client_with(&fake, READ_ONLY_TOKEN);
    assert_eq!(forge.access(&lava(), "mary").await, Ok(Access::Maintain));
}

#[tokio::test]
async fn group_membership_counts_the_group_and_its_ancestors() {
    let (fake, _, lava_group, managers) = people().await;
    fake.add_group_member(managers, "rm", 30);
    fake.add_group_member(lava_group, "boss", 50);
    fake.add_group_member(managers, "guest", 10);
    fake.add_user("outsider");
    let forge = client(&fake);
    let group = "lava/release-managers";
    assert_eq!(forge.in_group(group, "rm").await, Ok(true));
    assert_eq!(
        forge.in_group(group, "boss").await,
        Ok(true),
        "inherited from lava"
    );
    assert_eq!(
        forge.in_group(group, "guest").await,
        Ok(true),
        "any role is membership"
    );
    assert_eq!(forge.in_group(group, "outsider").await, Ok(false));
    assert_eq!(forge.in_group(group, "nobody").await, Ok(false));
    assert_eq!(
        forge.in_group("lava", "rm").await,
        Ok(false),
        "a subgroup's members are not the parent's"
    );
    // The group went as one escaped path segment.
    assert!(
        fake.state().requests.iter().any(|r| r
            .uri
            .contains("/groups/lava%2Frelease-managers/members/all/")),
        "{:?}",
        fake.state().requests
    );
}

#[tokio::test]
async fn a_group_that_does_not_exist_is_an_error_and_an_awaiting_member_is_not_in_it() {
    let (fake, _, _, managers) = people().await;
    fake.add_group_member(managers, "waiting", 30);
    fake.state().members.last_mut().unwrap().state = "awaiting".into();
    let forge = client(&fake);
    let error = forge
        .in_group("lava/release-manglers", "waiting")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ForgeError::NotFound(m) if m.contains("Group Not Found")),
        "{error:?}"
    );
    assert_eq!(
        forge.in_group("lava/release-managers", "waiting").await,
        Ok(false)
    );
}

fn target(kind: ItemKind, number: u64, note: u64) -> CommentRef {
    CommentRef {
        kind,
        number: ItemNumber(number),
        id: CommentId(note),
    }
}

#[tokio::test]
async fn reactions_are_award_emoji_on_the_note_and_a_second_is_no_error() {
    let (fake, project, _, _) = people().await;
    fake.add_issue(project, 12, &[]);
    let on_mr = fake.add_note(
        project,
        Noteable::MergeRequest,
        1,
        "mary",
        "/schemagate approve CVE fix",
        false,
    );
    let on_issue = fake.add_note(
        project,
        Noteable::Issue,
        12,
        "dev",
        "/schemagate approve x",
        false,
    );
    let forge = client(&fake);
    let mr_note = target(ItemKind::MergeRequest, 1, on_mr);
    forge
        .react(&lava(), mr_note, Reaction::Acted)
        .await
        .unwrap();
    forge
        .react(&lava(), mr_note, Reaction::Acted)
        .await
        .expect("GitLab's 'already been taken' is the state wanted");
    forge
        .react(
            &lava(),
            target(ItemKind::Issue, 12, on_issue),
            Reaction::Refused,
        )
        .await
        .unwrap();
    let bot = crate::fake_gitlab::people::BOT_USERNAME.to_string();
    assert_eq!(
        fake.awards_on(on_mr),
        vec![("thumbsup".into(), bot.clone())]
    );
    assert_eq!(fake.awards_on(on_issue), vec![("thumbsdown".into(), bot)]);
    assert_eq!(fake.count("POST", AWARD), 3);
}

#[tokio::test]
async fn a_reaction_whose_answer_was_lost_is_retried_and_counted_once() {
    let (fake, project, _, _) = people().await;
    let note = fake.add_note(
        project,
        Noteable::MergeRequest,
        1,
        "mary",
        "/schemagate recheck",
        false,
    );
    for mishap in [
        Mishap::ServerError {
            status: 502,
            after: true,
        },
        Mishap::Reset { after: true },
    ] {
        fake.mishap_next(AWARD, mishap);
        client(&fake)
            .react(
                &lava(),
                target(ItemKind::MergeRequest, 1, note),
                Reaction::Acted,
            )
            .await
            .unwrap_or_else(|e| panic!("{mishap:?}: {e}"));
        assert_eq!(fake.awards_on(note).len(), 1, "{mishap:?}");
    }
}

#[tokio::test]
async fn reacting_to_a_missing_note_or_with_a_read_only_token_fails() {
    let (fake, project, _, _) = people().await;
    let note = fake.add_note(project, Noteable::MergeRequest, 1, "mary", "hi", false);
    let gone = client(&fake)
        .react(
            &lava(),
            target(ItemKind::MergeRequest, 1, note + 999),
            Reaction::Acted,
        )
        .await;
    assert!(matches!(gone, Err(ForgeError::NotFound(_))), "{gone:?}");
    let refused = client_with(&fake, READ_ONLY_TOKEN)
        .react(
            &lava(),
            target(ItemKind::MergeRequest, 1, note),
            Reaction::Acted,
        )
        .await;
    assert!(
        matches!(refused, Err(ForgeError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(fake.awards_on(note).is_empty());
}

#[tokio::test]
async fn a_job_past_its_lease_does_not_react_but_still_reads() {
    let (fake, project, _, _) = people().await;
    fake.add_project_member(project, "mary", 40);
    let note = fake.add_note(project, Noteable::MergeRequest, 1, "mary", "hi", false);
    let job = client(&fake).fenced(WriteFence::new(Instant::now() - Duration::from_millis(1)));
    let reacted = job
        .react(
            &lava(),
            target(ItemKind::MergeRequest, 1, note),
            Reaction::Acted,
        )
        .await;
    assert_eq!(reacted, Err(ForgeError::LeaseLost));
    assert_eq!(fake.count("POST", AWARD), 0, "nothing was sent");
    assert_eq!(job.access(&lava(), "mary").await, Ok(Access::Maintain));
}

#[tokio::test]
async fn comments_are_every_note_but_system_notes_oldest_first_over_pages() {
    let (fake, project, _, _) = people().await;
    let mut written = Vec::new();
    for i in 0..130 {
        let system = i % 10 == 0;
        let id = fake.add_note(
            project,
            Noteable::MergeRequest,
            1,
            if system { "mary" } else { "dev" },
            &format!("note {i}"),
            system,
        );
        if !system {
            written.push(id);
        }
    }
    let edited = written[3];
    fake.edit_note(edited, "/schemagate recheck");
    fake.reset_requests();
    let comments = client(&fake)
        .comments(&lava(), ItemKind::MergeRequest, ItemNumber(1))
        .await
        .unwrap();
    assert_eq!(
        comments.iter().map(|c| c.id.0).collect::<Vec<_>>(),
        written,
        "every person's note, in the order written"
    );
    assert_eq!(
        fake.count("GET", "/merge_requests/{iid}/notes"),
        2,
        "two pages"
    );
    assert!(
        fake.state()
            .requests
            .iter()
            .all(|r| r.uri.contains("sort=asc") && r.uri.contains("order_by=created_at")),
        "asked oldest first, so new notes land on the last page"
    );
    let changed = comments.iter().find(|c| c.id.0 == edited).unwrap();
    assert_eq!(changed.body, "/schemagate recheck");
    assert_eq!(changed.author, "dev");
    assert!(changed.updated_at > changed.created_at, "{changed:?}");
    let untouched = &comments[0];
    assert_eq!(untouched.updated_at, untouched.created_at);
}

#[tokio::test]
async fn an_issue_has_comments_too_and_an_item_without_any_has_none() {
    let (fake, project, _, _) = people().await;
    fake.add_issue(project, 12, &[]);
    let id = fake.add_note(
        project,
        Noteable::Issue,
        12,
        "dev",
        "/schemagate help",
        false,
    );
    let forge = client(&fake);
    let comments = forge
        .comments(&lava(), ItemKind::Issue, ItemNumber(12))
        .await
        .unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, CommentId(id));
    assert_eq!(comments[0].body, "/schemagate help");
    assert_eq!(
        forge
            .comments(&lava(), ItemKind::MergeRequest, ItemNumber(1))
            .await,
        Ok(Vec::new())
    );
}
