//! `check` on GitLab: decisions with a read-only token write nothing,
//! `--apply` writes what the server would and nothing the second time, and
//! a label a person removed stays removed (read from the label events).

use super::{MIGRATION, due, migration_lines, project};
use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use crate::support::check::{CheckRun, run_check};

struct World {
    fake: FakeGitLab,
    project: u64,
    next: u64,
    later: u64,
}

async fn world() -> World {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    let next = fake.add_milestone(Some(project), None, "2026.11", "active", Some(&due(5)));
    let later = fake.add_milestone(Some(project), None, "2026.12", "active", Some(&due(40)));
    let lines = migration_lines();
    let sha = "a000000000000000000000000000000000000001";
    fake.add_merge_request(project, 1, sha, vec![Diff::added(MIGRATION, &lines)]);
    fake.add_file(project, sha, MIGRATION, &lines.join("\n"));
    World {
        fake,
        project,
        next,
        later,
    }
}

impl World {
    fn config(&self) -> String {
        format!(
            "[gitlab]\nurl = \"{}\"\ntoken_env = \"GL_TOKEN\"\n\n{}",
            self.fake.url,
            project("gitlab")
        )
    }

    async fn check(&self, token: &str, extra: &[&str]) -> CheckRun {
        let mut args = vec!["--project", "lava/lava", "--mr", "1", "--format", "json"];
        args.extend_from_slice(extra);
        run_check(Some(&self.config()), &[("GL_TOKEN", token)], &args).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_check_decides_prints_and_writes_nothing() {
    let w = world().await;
    let run = w.check(READ_ONLY_TOKEN, &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["verdict"], "failure");
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("2026.12 is ahead of the next release 2026.11"),
        "{report}"
    );
    assert!(report["advice"][0].as_str().unwrap().contains("2026.11"));
    let planned: Vec<&str> = report["planned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        planned.contains(&"would add label \"Database changes\" to !1"),
        "{planned:?}"
    );
    assert!(
        planned.contains(&"would set milestone 2026.12 on !1"),
        "{planned:?}"
    );
    assert!(planned.iter().all(|l| !l.contains("status")), "{planned:?}");
    assert_eq!(w.fake.writes(), Vec::<String>::new());
    // The text form says what to do, then where the MR is.
    let text = run_check(
        Some(&w.config()),
        &[("GL_TOKEN", READ_ONLY_TOKEN)],
        &["--project", "lava/lava", "--mr", "1"],
    )
    .await;
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.starts_with("!1 is blocked: 2026.12 is ahead"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("what to do: Wait until 2026.11 is closed"),
        "{}",
        text.stdout
    );
    assert_eq!(w.fake.writes(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_with_a_read_only_token_says_once_that_it_could_not_write() {
    let w = world().await;
    let run = w.check(READ_ONLY_TOKEN, &["--apply"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{report}");
    assert!(notes[0].as_str().unwrap().contains("could not write to !1"));
    assert_eq!(report["writes"], 0);
    // Refused at the first write: nothing changed on the forge.
    assert!(w.fake.mr_labels(w.project, 1).is_empty());
    assert_eq!(w.fake.merge_request(w.project, 1).milestone_id, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_makes_the_servers_writes_once_and_a_second_run_none() {
    let w = world().await;
    let first = w.check(TOKEN, &["--apply"]).await;
    assert_eq!(first.code, 1, "{first:?}");
    assert_eq!(w.fake.mr_labels(w.project, 1), vec!["Database changes"]);
    assert_eq!(
        w.fake.mr_milestone_title(w.project, 1).as_deref(),
        Some("2026.12")
    );
    let block = w.fake.milestone(w.later).description;
    assert!(
        block.contains("<!-- schemagate:items mr:1:bot -->"),
        "{block}"
    );
    assert_eq!(
        w.fake
            .bot_notes_on(
                w.project,
                crate::fake_gitlab::state::Noteable::MergeRequest,
                1
            )
            .len(),
        1
    );
    // No status: in CI the job is the status.
    assert_eq!(w.fake.count("POST", "/statuses/"), 0);
    w.fake.reset_requests();
    let second = w.check(TOKEN, &["--apply"]).await;
    assert_eq!(second.code, 1, "{second:?}");
    assert_eq!(second.json()["writes"], 0);
    assert_eq!(w.fake.writes(), Vec::<String>::new());

    // 2026.11 ships: the same MR passes, its block unchanged.
    w.fake.set_milestone_state(w.next, "closed");
    let shipped = w.check(TOKEN, &["--apply"]).await;
    assert_eq!(shipped.code, 0, "{shipped:?}");
    assert!(
        shipped.json()["summary"]
            .as_str()
            .unwrap()
            .contains("batched in 2026.12"),
        "{}",
        shipped.stdout
    );

    // A person removes the bot's label: the history says so, and the bot
    // does not put it back.
    w.fake.person_sets_labels(w.project, 1, &[]);
    w.fake.reset_requests();
    let after = w.check(TOKEN, &["--apply"]).await;
    assert_eq!(after.code, 0, "{after:?}");
    assert!(w.fake.mr_labels(w.project, 1).is_empty());
    let writes = w.fake.writes();
    let label_edit = "PUT /api/v4/projects/{id}/merge_requests/{iid}".to_string();
    assert!(!writes.contains(&label_edit), "{writes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settled_database_change_is_checked_in_at_most_six_reads() {
    let w = world().await;
    assert_eq!(w.check(TOKEN, &["--apply"]).await.code, 1);
    w.fake.reset_requests();
    let run = w.check(READ_ONLY_TOKEN, &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let requests = w.fake.state().requests.clone();
    // Five, and one listing of the target branch's migration directory
    // (its conflicts), made beside the texts.
    assert!(
        requests.len() <= 6,
        "{} requests: {requests:?}",
        requests.len()
    );
    let listings = requests
        .iter()
        .filter(|r| r.route.contains("/repository/tree"))
        .count();
    assert_eq!(listings, 1, "{requests:?}");
    // Labelled and in the only batch: who placed them cannot matter.
    assert_eq!(run.json()["history_read"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_placement_is_read_from_the_history_and_never_moved() {
    let w = world().await;
    // A person puts the MR in the next release: outside any batch, the bot
    // would move its own milestone but never a person's.
    w.fake.person_sets_milestone(w.project, 1, Some(w.next));
    let run = w.check(READ_ONLY_TOKEN, &[]).await;
    let report = run.json();
    assert_eq!(report["history_read"], true, "{report}");
    let planned = report["planned"].to_string();
    assert!(!planned.contains("would set milestone"), "{planned}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_account_decides_whose_edits_are_the_bots() {
    let w = world().await;
    assert_eq!(w.check(TOKEN, &["--apply"]).await.code, 1);
    w.fake.person_sets_labels(w.project, 1, &[]);
    let planned = |run: &CheckRun| run.json()["planned"].to_string();
    // The token's own account added the label: a person removed the bot's label.
    let own = w.check(READ_ONLY_TOKEN, &[]).await;
    assert!(!planned(&own).contains("would add label"), "{}", own.stdout);
    // Naming another account as the bot makes that add a person's, and a
    // person's label removed by a person is the bot's to add again.
    let other = w
        .check(READ_ONLY_TOKEN, &["--bot-account", "someone-else"])
        .await;
    assert!(
        planned(&other).contains("would add label"),
        "{}",
        other.stdout
    );
}
