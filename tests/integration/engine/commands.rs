//! Comment commands through the engine against the fake GitLab over real
//! HTTP: what one command costs the forge, and bad input (a megabyte of
//! comment, a thousand commands, look-alikes, a closed MR, a redelivered or
//! edited comment) answered within bounds and stored once.

use super::*;
use crate::fake_gitlab::state::Noteable;
use schemagate::forge::CommentId;

impl Lab {
    /// A person's note on MR `iid` and the work its Note Hook becomes.
    fn note(&self, iid: u64, author: &str, body: &str) -> (u64, Work) {
        let id = self.fake.add_note(
            self.project,
            Noteable::MergeRequest,
            iid,
            author,
            body,
            false,
        );
        (id, self.comment_work(iid, id, author, body, false))
    }

    fn comment_work(&self, iid: u64, id: u64, author: &str, body: &str, edited: bool) -> Work {
        Work::Comment {
            forge: ForgeKind::GitLab,
            project: lava(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(iid),
            author: author.into(),
            body: body.into(),
            edited,
            comment_id: Some(CommentId(id)),
        }
    }

    fn awards(&self, note: u64) -> Vec<String> {
        self.fake
            .awards_on(note)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    fn bot_note(&self, iid: u64) -> String {
        self.fake
            .state()
            .notes
            .iter()
            .rev()
            .find(|n| n.iid == iid && n.body.contains(COMMENT_MARKER))
            .map(|n| n.body.clone())
            .unwrap_or_default()
    }

    async fn steering(&self, iid: u64) -> schemagate::core::exceptions::Steering {
        self.bot
            .store
            .steering(
                &ItemKey {
                    forge: ForgeKind::GitLab,
                    project: "lava/lava".into(),
                    kind: ItemKind::MergeRequest,
                    number: ItemNumber(iid),
                },
                100,
            )
            .await
            .unwrap()
    }

    /// The hotfix: a database MR a person put in 2026.11 while 2026.12
    /// holds the batch (MR 11, placed there by the bot).
    async fn hotfix(&self) {
        self.add_db_mr(11, SHA);
        self.bot.run(self.mr_event(11)).await;
        self.add_db_mr(12, "feedface00000000000000000000000000000012");
        self.fake
            .state()
            .merge_request_mut(self.project, 12)
            .unwrap()
            .milestone_id = Some(self.next);
        self.bot.run(self.mr_event(12)).await;
    }
}

#[tokio::test]
async fn an_approval_costs_the_forge_a_few_requests_and_the_permission_is_read_once() {
    let lab = lab().await;
    lab.hotfix().await;
    lab.fake.add_project_member(lab.project, "maria", 40);
    let (failing, _) = lab
        .status("feedface00000000000000000000000000000012")
        .unwrap();
    assert_eq!(failing, "failed");
    lab.fake.reset_requests();
    let (note, work) = lab.note(12, "maria", "/schemagate approve CVE fix must ship now");
    lab.bot.run(work).await;
    let (state, says) = lab
        .status("feedface00000000000000000000000000000012")
        .unwrap();
    assert_eq!(state, "success", "{says}");
    assert!(says.contains("exception approved by @maria"), "{says}");
    assert_eq!(lab.awards(note), ["thumbsup"]);
    let requests = lab.fake.state().requests.len();
    let member_reads = lab.fake.count("GET", "/members/all/");
    eprintln!("forge requests for one approval: {requests}");
    assert_eq!(member_reads, 1);
    // MR, changes (cached by head: none), user, member, award, comment,
    // status, milestone block and the follow-ups: bounded and small.
    assert!(requests <= 14, "{requests} requests for one approval");

    lab.fake.reset_requests();
    let (_, work) = lab.note(12, "maria", "/schemagate unapprove");
    lab.bot.run(work).await;
    assert_eq!(
        lab.fake.count("GET", "/members/all/"),
        0,
        "the permission read a moment ago is cached"
    );
    assert_eq!(
        lab.status("feedface00000000000000000000000000000012")
            .unwrap()
            .0,
        "failed"
    );
}

#[tokio::test]
async fn a_redelivered_comment_is_handled_once_and_an_edit_counts_anew() {
    let lab = lab().await;
    lab.hotfix().await;
    lab.fake.add_project_member(lab.project, "devon", 30);
    let body = "/schemagate approve please";
    let (note, work) = lab.note(12, "devon", body);
    lab.bot.run(work.clone()).await;
    lab.bot.run(work).await;
    let steering = lab.steering(12).await;
    assert_eq!(steering.answers.len(), 1, "{steering:?}");
    assert!(
        steering.answers[0]
            .answer
            .contains("approving needs Maintainer on lava/lava")
    );
    assert_eq!(lab.awards(note), ["thumbsdown"]);
    assert!(lab.bot_note(12).contains("@devon asked to approve"));

    lab.fake.edit_note(note, "/schemagate help");
    let edited = lab.comment_work(12, note, "devon", "/schemagate help", true);
    lab.bot.run(edited).await;
    let steering = lab.steering(12).await;
    assert_eq!(steering.answers.len(), 2);
    assert!(
        lab.bot_note(12)
            .contains("/schemagate recheck`: evaluate this item again now")
    );
    assert_eq!(lab.awards(note), ["thumbsdown", "thumbsup"]);
}

#[tokio::test]
async fn bad_input_is_bounded_answered_or_ignored_and_never_acted_on() {
    let lab = lab().await;
    lab.hotfix().await;
    lab.fake.add_project_member(lab.project, "maria", 40);

    // A megabyte of text with no command: read once, nothing stored or written.
    lab.fake.reset_requests();
    let huge = "lorem ipsum /schemagate-ish text ".repeat(32 * 1024);
    let (_, work) = lab.note(12, "maria", &huge);
    lab.bot.run(work).await;
    assert_eq!(lab.fake.writes(), Vec::<String>::new());
    assert!(lab.steering(12).await.is_empty());

    // A thousand commands: ten read and answered, the rest reported once.
    let many = "/schemagate frobnicate\n".repeat(1000);
    let (note, work) = lab.note(12, "maria", &many);
    lab.bot.run(work).await;
    let steering = lab.steering(12).await;
    assert_eq!(steering.answers.len(), 11, "ten answers and one 'too many'");
    assert!(steering.active().is_none());
    assert_eq!(lab.awards(note), ["thumbsdown"]);

    // Look-alikes never run: answered, refused.
    let (note, work) = lab.note(12, "maria", "\u{ff0f}schemagate approve sneaky");
    lab.bot.run(work).await;
    assert!(lab.steering(12).await.active().is_none());
    assert_eq!(lab.awards(note), ["thumbsdown"]);
    assert_eq!(
        lab.status("feedface00000000000000000000000000000012")
            .unwrap()
            .0,
        "failed"
    );

    // The bot's own comment never runs commands, even one quoting help.
    let before = lab.steering(12).await;
    let (_, work) = lab.note(
        12,
        "schemagate-bot",
        &format!("{COMMENT_MARKER}\n/schemagate approve from the bot"),
    );
    lab.bot.run(work).await;
    assert_eq!(lab.steering(12).await, before);

    // A command on a closed MR is refused with a reaction; nothing changes.
    lab.fake
        .state()
        .merge_request_mut(lab.project, 12)
        .unwrap()
        .state = "closed".into();
    let (note, work) = lab.note(12, "maria", "/schemagate approve too late");
    lab.bot.run(work).await;
    let steering = lab.steering(12).await;
    assert!(steering.active().is_none());
    assert!(
        steering
            .answers
            .last()
            .unwrap()
            .answer
            .contains("!12 is closed"),
        "{steering:?}"
    );
    assert_eq!(lab.awards(note), ["thumbsdown"]);
}

#[tokio::test]
async fn commands_switched_off_are_not_read() {
    let lab = lab_with("commands = { enabled = false }").await;
    lab.hotfix().await;
    lab.fake.add_project_member(lab.project, "maria", 40);
    lab.fake.reset_requests();
    let (note, work) = lab.note(12, "maria", "/schemagate approve x");
    lab.bot.run(work).await;
    assert_eq!(lab.fake.state().requests.len(), 0);
    assert!(lab.awards(note).is_empty());
    assert!(lab.steering(12).await.is_empty());
}
