//! `downtime = "contract-only"` end to end (issue 26): an MR whose
//! migrations only expand the schema is labelled and described but passes,
//! joins no batch and makes no warning; an MR with a contract migration is
//! batched and warned, and the warning and the milestone block say which
//! operation breaks the previous release. On GitLab and GitHub, mailing a
//! real SMTP server.

use super::*;
use crate::lava_story::{Item, MrSpec, github::GitHubStory, gitlab::GitLabStory, migration};
use crate::support::serve::test_secrets;
use chrono::{Days, Utc};

/// A Django migration adding a nullable column: expand.
fn nullable_field() -> (String, String) {
    (
        "app/migrations/0042_testjob_note.py".to_string(),
        "from django.db import migrations, models\n\n\
         class Migration(migrations.Migration):\n    \
         dependencies = [(\"app\", \"0041_previous\")]\n\n    \
         operations = [\n        \
         migrations.AddField(model_name=\"testjob\", name=\"note\", field=models.TextField(null=True, blank=True)),\n        \
         migrations.AddIndex(model_name=\"testjob\", index=models.Index(fields=[\"note\"], name=\"testjob_note_idx\")),\n    \
         ]\n"
            .to_string(),
    )
}

async fn contract_only_story(forge: &dyn StoryForge) {
    let smtp = SmtpServer::start(Default::default());
    let config = config(forge, &smtp.url(), r#"trigger = "first-change""#).replace(
        "rule_packs = [\"django\"]",
        "rule_packs = [\"django\"]\ndowntime = \"contract-only\"",
    );
    assert!(config.contains("contract-only"), "{config}");
    let server = TestServer::start(&config, forge.forges(), test_secrets()).await;
    let today = Utc::now().date_naive();
    let next = forge.add_milestone("2026.11", today + Days::new(5));
    let later = forge.add_milestone("2026.12", today + Days::new(40));
    deliver(
        &server,
        forge,
        &[
            forge.milestone_created(next),
            forge.milestone_created(later),
        ],
    )
    .await;

    // An expand-only MR: labelled and described, not batched, passing.
    let (expand, opened) = forge.open_mr(&MrSpec {
        title: "Keep a note on test jobs",
        description: "",
        sha: "e000000000000000000000000000000000000001",
        files: vec![nullable_field()],
        milestone: None,
    });
    deliver(&server, forge, &[opened]).await;
    let labels = forge.labels(Item::Mr(expand));
    assert!(labels.iter().any(|l| l == "Database changes"), "{labels:?}");
    assert_eq!(forge.milestone_of(Item::Mr(expand)), None, "no batch");
    let status = forge.head_status(expand).expect("a status");
    assert_eq!(status.state, "success", "{status:?}");
    let comment = forge.bot_comments(Item::Mr(expand)).join("\n");
    assert!(
        comment.contains("needs no downtime") && comment.contains("**expand**"),
        "{comment}"
    );
    expect_no_more_mail(&smtp, 0).await;

    // A contract MR: the default= trap. Batched into 2026.12 and warned.
    let (contract, opened) = forge.open_mr(&MrSpec {
        title: "Add a priority",
        description: "",
        sha: "c000000000000000000000000000000000000001",
        files: vec![migration("0043_add_priority")],
        milestone: None,
    });
    deliver(&server, forge, &[opened]).await;
    assert_eq!(
        forge.milestone_of(Item::Mr(contract)).as_deref(),
        Some("2026.12")
    );
    let comment = forge.bot_comments(Item::Mr(contract)).join("\n");
    assert!(
        comment.contains("**contract**")
            && comment.contains("contract: adds column `testjob.priority`")
            && comment.contains("default= is not a database default"),
        "{comment}"
    );
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    let body = &mails[0].body;
    assert!(body.contains("Add a priority"), "{body}");
    assert!(
        body.contains("contract: adds column testjob.priority"),
        "the warning says which operation forces the downtime: {body}"
    );
    assert!(
        !body.contains("Keep a note on test jobs"),
        "the expand-only MR is not in the warning: {body}"
    );
    let description = forge.milestone_description(later);
    assert!(
        description.contains("What breaks the previous release")
            && description.contains(&format!(
                "{contract}: contract: adds column `testjob.priority`"
            )),
        "{description}"
    );
    assert!(
        !description.contains(&format!(" {expand}")),
        "the expand-only MR is not in the batch: {description}"
    );
    // The expand-only MR still passes beside the batch.
    let status = forge.head_status(expand).expect("a status");
    assert_eq!(status.state, "success", "{status:?}");
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_only_passes_expand_and_warns_for_contract_on_gitlab() {
    contract_only_story(&GitLabStory::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_only_passes_expand_and_warns_for_contract_on_github() {
    contract_only_story(&GitHubStory::start().await).await;
}
