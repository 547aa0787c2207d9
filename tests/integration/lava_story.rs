//! The LAVA story end to end (issue 4, "Done means"), once on GitLab and once
//! on GitHub: the real server, store, engine and forge clients against a
//! fake forge, driven by webhooks shaped like the forge's, asserting on the
//! fake's final state. One scenario, parameterised over [`StoryForge`] for
//! what differs between the forges.
//!
//! After every step the forge's own echoes of the bot's writes (label,
//! comment and milestone webhooks) are delivered too, as a real forge would,
//! and must make no further writes: the bot converges.
//!
//! The story ends in a snapshot of the fake's state and a count of the bot's
//! calls, so `flaky` can run it against a flaky forge and compare.

pub mod flaky;
pub mod github;
pub mod gitlab;

use crate::support::serve::TestServer;
use crate::support::webhooks::Delivery;
use chrono::{Days, NaiveDate, Utc};
use schemagate::core::block::{BLOCK_END, BLOCK_START};
use schemagate::engine::Forges;

pub const PROJECT: &str = "lava/lava";
pub const LABEL: &str = "Database changes";
/// What a person wrote in 2026.12's description; the bot never touches it.
const PEOPLES_TEXT: &str = "Planned for December.\n\nRelease manager: stevan.";

/// The project's configuration on `forge` ("gitlab" or "github").
pub fn project_config(forge: &str) -> String {
    format!(
        r#"
[[project]]
forge = "{forge}"
path = "lava/lava"
rule_packs = ["django"]
releases = {{ scheme = "calver" }}
batch = {{ lead_time = "14d" }}
gate = {{ require_announcement = false }}

[status]
public = true
"#
    )
}

/// An MR or issue by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Mr(u64),
    Issue(u64),
}

/// A gate verdict as the forge shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `success`, `failure` or `pending` (GitLab's `failed` is `failure`).
    pub state: String,
    pub description: String,
}

/// A new MR: its text, head commit, added files and milestone.
pub struct MrSpec<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub sha: &'a str,
    pub files: Vec<(String, String)>,
    pub milestone: Option<u64>,
}

/// What the scenario needs from a forge and its fake.
pub trait StoryForge {
    fn name(&self) -> &'static str;
    /// `gitlab` or `github`, as config says it.
    fn config_word(&self) -> &'static str;
    /// The `[server]` and forge sections of the config.
    fn config(&self) -> String;
    fn forges(&self) -> Forges;
    /// The header carrying the webhook's authentication.
    fn auth_header(&self) -> &'static str;
    /// The forge section `schemagate check` runs with, and the environment
    /// holding its token.
    fn check_setup(&self) -> (String, Vec<(&'static str, &'static str)>);

    /// Seeds an open release milestone; returns the id the API uses.
    fn add_milestone(&self, title: &str, due: NaiveDate) -> u64;
    fn milestone_created(&self, milestone: u64) -> Delivery;
    /// A person writes the milestone's description.
    fn person_describes_milestone(&self, milestone: u64, text: &str);
    /// Seeds an open issue with this exact number.
    fn add_issue(&self, number: u64, title: &str);
    /// Seeds an open MR; returns its number and its "opened" delivery.
    fn open_mr(&self, spec: &MrSpec<'_>) -> (u64, Delivery);
    /// A (force-)push replacing the MR's head and files.
    fn push(&self, number: u64, sha: &str, files: Vec<(String, String)>) -> Delivery;
    /// A person takes `label` off the MR.
    fn person_removes_label(&self, number: u64, label: &str) -> Delivery;
    /// A person closes the milestone.
    fn close_milestone(&self, milestone: u64) -> Delivery;
    /// A person merges the MR.
    fn merge_mr(&self, number: u64) -> Delivery;
    /// An MR update event that changes nothing (an edit of nothing the bot reads).
    fn unchanged_update(&self, number: u64) -> Delivery;

    /// A mark in the fake's request log.
    fn mark(&self) -> usize;
    /// Calls the bot (the server's token) made, whatever their fate.
    fn bot_calls(&self) -> usize;
    /// What the fake's flaky mode did, when it is on.
    fn flaky_tally(&self) -> Option<crate::fake_gitlab::flaky::Tally>;
    /// Writes the fake served since `mark`.
    fn writes_since(&self, mark: usize) -> Vec<String>;
    /// The webhooks the forge would send for the writes since `mark`.
    fn echoes_since(&self, mark: usize) -> Vec<Delivery>;

    fn labels(&self, item: Item) -> Vec<String>;
    fn milestone_of(&self, item: Item) -> Option<String>;
    /// Bodies of the comments the bot's account wrote on the item.
    fn bot_comments(&self, item: Item) -> Vec<String>;
    /// The `schemagate` status on the MR's current head commit.
    fn head_status(&self, number: u64) -> Option<Verdict>;
    fn milestone_description(&self, milestone: u64) -> String;
    /// A milestone's title and whether it is open.
    fn milestone_state(&self, milestone: u64) -> (String, bool);

    /// Gives `user` the right to merge (GitLab Maintainer, GitHub `write`)
    /// or only to push or read (GitLab Developer, GitHub `read`).
    fn grant(&self, user: &str, can_merge: bool);
    /// A person comments on the MR; returns the comment's id and its webhook.
    fn person_comments(&self, number: u64, author: &str, body: &str) -> (u64, Delivery);
    /// The reactions on a comment, as `up` / `down`.
    fn reactions_on(&self, comment: u64) -> Vec<&'static str>;
    /// A person moves the MR to a milestone and the webhook never arrives.
    fn silently_set_milestone(&self, number: u64, milestone: u64);
}

/// A Django migration adding a field.
pub fn migration(name: &str) -> (String, String) {
    let path = format!("app/migrations/{name}.py");
    let text = "from django.db import migrations, models\n\n\
                class Migration(migrations.Migration):\n    \
                dependencies = [(\"app\", \"0041_previous\")]\n\n    \
                operations = [\n        \
                migrations.AddField(model_name=\"testjob\", name=\"priority\", field=models.IntegerField(default=0)),\n    \
                ]\n"
        .to_string();
    (path, text)
}

pub fn plain_change(path: &str) -> (String, String) {
    (
        path.to_string(),
        "def view(request):\n    return None\n".into(),
    )
}

/// The lines of the bot's block in a milestone description.
fn block_of(description: &str) -> Option<&str> {
    let start = description.find(BLOCK_START)?;
    let end = description[start..].find(BLOCK_END)? + start;
    Some(&description[start..end])
}

fn block_lists(block: &str, number: u64) -> bool {
    block.lines().any(|line| {
        line.starts_with(&format!("- [Merge request {number}]("))
            || line.starts_with(&format!("- Merge request {number}:"))
    })
}

struct Story<'a, F: StoryForge> {
    forge: &'a F,
    server: TestServer,
    step: &'static str,
    failures: Vec<String>,
    /// Every MR and issue the story touched, for the one-comment rule.
    items: Vec<Item>,
    /// Verdicts `schemagate check` compared with the server's, by exit code.
    checks: Vec<i32>,
    /// The story's milestones, for comparing the status page with the forge.
    milestones: Vec<u64>,
}

impl<F: StoryForge> Story<'_, F> {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            let line = format!("[{} · {}] {}", self.forge.name(), self.step, what());
            eprintln!("FAIL {line}");
            self.failures.push(line);
        }
    }

    fn begin(&mut self, step: &'static str) {
        self.step = step;
        eprintln!("[{}] step: {step}", self.forge.name());
    }

    /// Delivers, waits for the queue, delivers the forge's echoes of the
    /// bot's writes until none are left, and checks they wrote nothing.
    async fn deliver(&mut self, deliveries: &[Delivery]) {
        let mut mark = self.forge.mark();
        for delivery in deliveries {
            self.server.deliver(delivery).await;
        }
        self.server.wait_idle().await;
        for round in 0..3 {
            let echoes = self.forge.echoes_since(mark);
            if echoes.is_empty() {
                break;
            }
            mark = self.forge.mark();
            for echo in &echoes {
                self.server.deliver(echo).await;
            }
            self.server.wait_idle().await;
            let writes = self.forge.writes_since(mark);
            self.check(writes.is_empty(), || {
                format!(
                    "echo round {round}: the forge's webhooks for the bot's own writes \
                     made more writes (nothing changed on the forge since the step): {writes:?}"
                )
            });
        }
        self.one_comment_each();
        self.checks_agree().await;
        self.status_agrees().await;
    }

    /// The status page's JSON says what the forge shows: the next release,
    /// each open release's database changes (in the milestone, listed by
    /// its block), and each open MR's failing status as a blocked MR with
    /// its reasons.
    async fn status_agrees(&mut self) {
        let path = format!("/api/v1/projects/{}/{PROJECT}", self.forge.config_word());
        let json = self.server.get_json(&path).await;
        let mut open: Vec<String> = (self.milestones.iter())
            .map(|m| self.forge.milestone_state(*m))
            .filter(|(_, open)| *open)
            .map(|(title, _)| title)
            .collect();
        open.sort();
        let next = json["next_release"].as_str().map(str::to_string);
        self.check(next == open.first().cloned(), || {
            format!("the status says the next release is {next:?}; the forge has {open:?} open")
        });
        for milestone in self.milestones.clone() {
            let (title, is_open) = self.forge.milestone_state(milestone);
            let release = json["releases"]
                .as_array()
                .and_then(|all| all.iter().find(|r| r["title"] == title.as_str()));
            let Some(release) = release else {
                self.check(false, || {
                    format!("the status lists no release {title}: {json}")
                });
                continue;
            };
            let numbers: Vec<u64> = release["db_changes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["kind"] == "merge_request")
                .filter_map(|c| c["number"].as_u64())
                .collect();
            let description = self.forge.milestone_description(milestone);
            let block = block_of(&description).unwrap_or_default().to_string();
            for number in &numbers {
                let on_forge = self.forge.milestone_of(Item::Mr(*number));
                self.check(on_forge.as_deref() == Some(title.as_str()), || {
                    format!(
                        "the status lists MR {number} in {title}; the forge has it in {on_forge:?}"
                    )
                });
                self.check(!is_open || block_lists(&block, *number), || {
                    format!("the status lists MR {number} in {title}; its block does not:\n{block}")
                });
            }
        }
        for item in self.items.clone() {
            let Item::Mr(number) = item else { continue };
            let Some(status) = self.forge.head_status(number) else {
                continue;
            };
            let entry = json["blocked"]
                .as_array()
                .and_then(|all| {
                    all.iter().find(|b| {
                        b["ref"]
                            .as_str()
                            .is_some_and(|r| r[1..] == number.to_string())
                    })
                })
                .cloned();
            let shown = status.description.trim_end_matches('…').to_string();
            match (status.state.as_str(), entry) {
                ("failure", Some(entry)) => {
                    let first = entry["reasons"][0].as_str().unwrap_or_default().to_string();
                    self.check(first.starts_with(&shown) || shown.starts_with(&first), || {
                        format!("MR {number}: the forge's status says {shown:?}, the status page's first reason {first:?}")
                    });
                }
                ("failure", None) => self.check(false, || {
                    format!("MR {number} fails on the forge ({shown:?}) but the status page does not list it blocked")
                }),
                (_, Some(entry)) => self.check(false, || {
                    format!("MR {number} passes on the forge but the status page lists it blocked: {entry}")
                }),
                (_, None) => {}
            }
        }
    }

    /// `schemagate check` on every open MR of the story exits as the status
    /// the server posted says, with the same summary (docs/policy.md: one verdict).
    async fn checks_agree(&mut self) {
        let (section, env) = self.forge.check_setup();
        let config = format!("{section}\n{}", project_config(self.forge.config_word()));
        for item in self.items.clone() {
            let Item::Mr(number) = item else { continue };
            let Some(status) = self.forge.head_status(number) else {
                continue;
            };
            let mr = number.to_string();
            let run = crate::support::check::run_check(
                Some(&config),
                &env,
                &["--project", PROJECT, "--mr", &mr, "--format", "json"],
            )
            .await;
            let expected = match status.state.as_str() {
                "success" => 0,
                "failure" => 1,
                _ => continue,
            };
            self.checks.push(run.code);
            let report = run.json();
            let summary = report["summary"].as_str().unwrap_or_default().to_string();
            let description = status.description.trim_end_matches('…').to_string();
            self.check(
                run.code == expected && summary.starts_with(&description),
                || {
                    format!(
                        "MR {number}: the server posted {status:?} but check exited {} \
                         saying {summary:?}; stderr: {}",
                        run.code, run.stderr
                    )
                },
            );
            if run.code == 1 {
                let advice = report["advice"].as_array().map_or(0, Vec::len);
                self.check(advice > 0, || {
                    format!("MR {number}: a blocked check says nothing to do: {report}")
                });
            }
        }
    }

    fn one_comment_each(&mut self) {
        for item in self.items.clone() {
            let comments = self.forge.bot_comments(item);
            self.check(comments.len() <= 1, || {
                format!("{item:?} has {} bot comments", comments.len())
            });
        }
    }

    fn expect_status(&mut self, mr: u64, state: &str, says: &[&str]) {
        let status = self.forge.head_status(mr);
        let ok = status
            .as_ref()
            .is_some_and(|s| s.state == state && says.iter().all(|w| s.description.contains(w)));
        self.check(ok, || {
            format!("MR {mr}: expected status {state} naming {says:?}, got {status:?}")
        });
    }

    fn expect_not_ahead(&mut self, mr: u64) {
        let status = self.forge.head_status(mr);
        let ahead = status.as_ref().is_some_and(|s| {
            s.state == "failure" && s.description.contains("ahead of the next release")
        });
        self.check(!ahead, || {
            format!("MR {mr}: still fails for ahead of the next release: {status:?}")
        });
    }

    fn expect_labelled(&mut self, item: Item, labelled: bool) {
        let labels = self.forge.labels(item);
        self.check(labels.iter().any(|l| l == LABEL) == labelled, || {
            format!("{item:?}: expected labelled={labelled}, labels are {labels:?}")
        });
    }

    fn expect_milestone(&mut self, item: Item, title: Option<&str>) {
        let got = self.forge.milestone_of(item);
        self.check(got.as_deref() == title, || {
            format!("{item:?}: expected milestone {title:?}, got {got:?}")
        });
    }

    fn expect_comments(&mut self, item: Item, count: usize) {
        let got = self.forge.bot_comments(item).len();
        self.check(got == count, || {
            format!("{item:?}: expected {count} bot comment(s), got {got}")
        });
    }

    /// The milestone's block lists exactly `listed` among `all`.
    fn expect_block(&mut self, milestone: u64, listed: &[u64], all: &[u64]) {
        let description = self.forge.milestone_description(milestone);
        let block = block_of(&description).map(str::to_string);
        if listed.is_empty() {
            self.check(block.is_none(), || {
                format!("milestone {milestone}: expected no block, description is {description:?}")
            });
            return;
        }
        let Some(block) = block else {
            self.check(false, || {
                format!("milestone {milestone}: expected a block listing {listed:?}, description is {description:?}")
            });
            return;
        };
        for number in all {
            let expected = listed.contains(number);
            self.check(block_lists(&block, *number) == expected, || {
                format!("milestone {milestone}: MR {number} listed={} expected {expected}; block:\n{block}", !expected)
            });
        }
    }
}

/// How the story ended: its failures are asserted inside; this is for comparing runs.
#[derive(Debug)]
pub struct StoryOutcome {
    pub snapshot: flaky::Snapshot,
    pub bot_calls: usize,
    pub tally: Option<crate::fake_gitlab::flaky::Tally>,
    pub elapsed: std::time::Duration,
    /// Jobs the queue held, and the last error of each it had to run again.
    pub jobs: usize,
    pub rerun_jobs: Vec<String>,
}

/// The story itself.
pub async fn lava_story<F: StoryForge>(forge: &F) -> StoryOutcome {
    let started = std::time::Instant::now();
    let config = format!(
        "{}\n{}",
        forge.config(),
        project_config(forge.config_word())
    );
    let server = TestServer::start(
        &config,
        forge.forges(),
        crate::support::serve::test_secrets(),
    )
    .await;
    let mut story = Story {
        forge,
        server,
        step: "setup",
        failures: Vec::new(),
        items: Vec::new(),
        checks: Vec::new(),
        milestones: Vec::new(),
    };
    let today = Utc::now().date_naive();
    let next = forge.add_milestone("2026.11", today + Days::new(5));
    let later = forge.add_milestone("2026.12", today + Days::new(40));
    story.milestones = vec![next, later];
    forge.person_describes_milestone(later, PEOPLES_TEXT);
    story
        .deliver(&[
            forge.milestone_created(next),
            forge.milestone_created(later),
        ])
        .await;

    story.begin("A: a DB MR without a milestone");
    let (a, opened_a) = forge.open_mr(&MrSpec {
        title: "Add a priority to test jobs",
        description: "Jobs get a priority.",
        sha: "a000000000000000000000000000000000000001",
        files: vec![migration("0042_add_field")],
        milestone: None,
    });
    story.items.push(Item::Mr(a));
    story.deliver(std::slice::from_ref(&opened_a)).await;
    story.expect_labelled(Item::Mr(a), true);
    story.expect_milestone(Item::Mr(a), Some("2026.12"));
    story.expect_comments(Item::Mr(a), 1);
    story.expect_status(a, "failure", &["ahead of the next release"]);
    story.expect_block(later, &[a], &[a]);

    story.begin("API economy: the same event again, and the same delivery again");
    let jobs_before = story.server.job_count().await;
    let (status, body) = story.server.send(&opened_a).await;
    story.check((200..300).contains(&status), || {
        format!("a duplicate delivery answered {status}: {body}")
    });
    story.server.wait_idle().await;
    let jobs_after = story.server.job_count().await;
    story.check(jobs_after == jobs_before, || {
        format!(
            "a duplicate delivery id made {} new job(s)",
            jobs_after - jobs_before
        )
    });
    let mark = forge.mark();
    story.server.deliver(&opened_a.resent()).await;
    story.server.deliver(&forge.unchanged_update(a)).await;
    story.server.wait_idle().await;
    let writes = forge.writes_since(mark);
    story.check(writes.is_empty(), || {
        format!("re-sent events with nothing changed made writes: {writes:?}")
    });

    story.begin("B: a second DB MR joins the batch");
    let (b, opened_b) = forge.open_mr(&MrSpec {
        title: "Index test jobs by priority",
        description: "Faster scheduling.",
        sha: "b000000000000000000000000000000000000001",
        files: vec![migration("0043_index_priority")],
        milestone: None,
    });
    story.items.push(Item::Mr(b));
    story.deliver(&[opened_b]).await;
    story.expect_labelled(Item::Mr(b), true);
    story.expect_milestone(Item::Mr(b), Some("2026.12"));
    story.expect_comments(Item::Mr(b), 1);
    story.expect_block(later, &[a, b], &[a, b]);

    story.begin("C: a non-DB MR in the next release");
    let (c, opened_c) = forge.open_mr(&MrSpec {
        title: "Fix the job list pagination",
        description: "",
        sha: "c000000000000000000000000000000000000001",
        files: vec![plain_change("lava_server/views.py")],
        milestone: Some(next),
    });
    story.items.push(Item::Mr(c));
    story.deliver(&[opened_c]).await;
    story.expect_status(c, "success", &[]);
    story.expect_comments(Item::Mr(c), 0);
    story.expect_labelled(Item::Mr(c), false);

    story.begin("D: a non-DB MR ahead of the next release");
    let (d, opened_d) = forge.open_mr(&MrSpec {
        title: "New dashboard",
        description: "",
        sha: "d000000000000000000000000000000000000001",
        files: vec![plain_change("lava_server/dashboard.py")],
        milestone: Some(later),
    });
    story.items.push(Item::Mr(d));
    story.deliver(&[opened_d]).await;
    story.expect_status(d, "failure", &["ahead of the next release"]);
    story.expect_labelled(Item::Mr(d), false);

    story.begin("F: a DB MR closing issue #12");
    forge.add_issue(12, "Test jobs need a priority");
    story.items.push(Item::Issue(12));
    let (f, opened_f) = forge.open_mr(&MrSpec {
        title: "Priority queues",
        description: "Closes #12",
        sha: "f000000000000000000000000000000000000001",
        files: vec![migration("0045_priority_queues")],
        milestone: None,
    });
    story.items.push(Item::Mr(f));
    story.deliver(&[opened_f]).await;
    story.expect_milestone(Item::Mr(f), Some("2026.12"));
    story.expect_labelled(Item::Issue(12), true);
    story.expect_milestone(Item::Issue(12), Some("2026.12"));
    story.expect_block(later, &[a, b, f], &[a, b, f, c, d]);

    story.begin("E: a DB MR a person put in the next release, outside the batch");
    let (e, opened_e) = forge.open_mr(&MrSpec {
        title: "Drop the legacy device table",
        description: "",
        sha: "e000000000000000000000000000000000000001",
        files: vec![migration("0044_drop_legacy")],
        milestone: Some(next),
    });
    story.items.push(Item::Mr(e));
    story.deliver(&[opened_e]).await;
    story.expect_milestone(Item::Mr(e), Some("2026.11"));
    story.expect_status(e, "failure", &["2026.12"]);
    story.expect_comments(Item::Mr(e), 1);
    // A person's placement outside the batch does not move the batch.
    story.expect_milestone(Item::Mr(a), Some("2026.12"));
    story.expect_milestone(Item::Mr(f), Some("2026.12"));
    story.expect_block(later, &[a, b, f], &[a, b, f, e]);

    exceptions_steps(&mut story, e, next, later).await;

    story.begin("2026.11 ships: the milestone is closed");
    story.deliver(&[forge.close_milestone(next)]).await;
    for mr in [a, b, c, d, e, f] {
        story.expect_not_ahead(mr);
    }
    story.expect_status(a, "success", &[]);
    story.expect_status(b, "success", &[]);
    story.expect_status(d, "success", &[]);
    story.expect_status(f, "success", &[]);

    story.begin("A is force-pushed without its migration");
    let pushed = forge.push(
        a,
        "a000000000000000000000000000000000000002",
        vec![plain_change("lava_server/models.py")],
    );
    story.deliver(&[pushed]).await;
    story.expect_labelled(Item::Mr(a), false);
    story.expect_block(later, &[b, f], &[a, b, f]);
    story.expect_status(a, "success", &[]);

    story.begin("a person removes the label from B");
    let unlabelled = forge.person_removes_label(b, LABEL);
    story.deliver(&[unlabelled]).await;
    story.expect_labelled(Item::Mr(b), false);

    story.begin("the end: people's text and webhook auth");
    let description = forge.milestone_description(later);
    story.check(description.starts_with(PEOPLES_TEXT), || {
        format!("the text outside the markers changed: {description:?}")
    });
    let jobs_before = story.server.job_count().await;
    let forged = forge
        .unchanged_update(b)
        .with_header(forge.auth_header(), "sha256=0000");
    let (status, _) = story.server.send(&forged).await;
    story.check(status == 401, || {
        format!("a forged delivery answered {status}")
    });
    let jobs_after = story.server.job_count().await;
    story.check(jobs_after == jobs_before, || {
        "a forged delivery was stored".to_string()
    });
    story.one_comment_each();
    let passed = story.checks.iter().filter(|c| **c == 0).count();
    let blocked = story.checks.iter().filter(|c| **c == 1).count();
    story.check(passed >= 10 && blocked >= 5, || {
        format!("check ran {passed} passing and {blocked} blocked verdicts; the story has more")
    });
    let failures = std::mem::take(&mut story.failures);
    let items = story.items.clone();
    let jobs = story.server.store().jobs().await.expect("jobs");
    let rerun_jobs = jobs
        .iter()
        .filter(|job| job.claims > 1)
        .map(|job| job.last_error.clone().unwrap_or_default())
        .collect();
    story.server.shutdown().await;
    assert!(
        failures.is_empty(),
        "the LAVA story on {} failed {} check(s):\n{}",
        forge.name(),
        failures.len(),
        failures.join("\n")
    );
    StoryOutcome {
        snapshot: flaky::Snapshot::take(forge, &items, &[next, later]),
        bot_calls: forge.bot_calls(),
        tally: forge.flaky_tally(),
        elapsed: started.elapsed(),
        jobs: jobs.len(),
        rerun_jobs,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lava_story_on_gitlab() {
    let forge = gitlab::GitLabStory::start().await;
    lava_story(&forge).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lava_story_on_github() {
    let forge = github::GitHubStory::start().await;
    lava_story(&forge).await;
}

/// Issue 23's steps: people steer the gate on E, the hotfix a person put
/// in the next release while the batch is 2026.12.
async fn exceptions_steps<F: StoryForge>(story: &mut Story<'_, F>, e: u64, next: u64, later: u64) {
    let forge = story.forge;
    forge.grant("devon", false);
    forge.grant("maria", true);
    let bot_comment = |story: &Story<'_, F>| {
        story
            .forge
            .bot_comments(Item::Mr(e))
            .pop()
            .unwrap_or_default()
    };

    story.begin("E: someone who cannot merge asks to approve");
    let (refused, said) =
        forge.person_comments(e, "devon", "/schemagate approve CVE fix must ship now");
    story.deliver(&[said]).await;
    story.expect_status(e, "failure", &["2026.12"]);
    let comment = bot_comment(story);
    story.check(
        comment.contains("@devon asked to approve, but approving needs"),
        || format!("the refusal is not in the comment: {comment}"),
    );
    let reactions = forge.reactions_on(refused);
    story.check(reactions == ["down"], || {
        format!("the refused command got {reactions:?}")
    });

    story.begin("E: a quoted command does nothing");
    let mark = forge.mark();
    let (quoted, said) =
        forge.person_comments(e, "maria", "> /schemagate approve x\nAs devon said.");
    story.deliver(&[said]).await;
    story.expect_status(e, "failure", &["2026.12"]);
    let writes = forge.writes_since(mark);
    story.check(
        writes.is_empty() && forge.reactions_on(quoted).is_empty(),
        || format!("a quoted command made writes: {writes:?}"),
    );

    story.begin("E: a maintainer approves an exception");
    let (approved, said) =
        forge.person_comments(e, "maria", "/schemagate approve CVE fix must ship now");
    story.deliver(&[said]).await;
    story.expect_status(
        e,
        "success",
        &["exception approved by @maria", "CVE fix must ship now"],
    );
    let reactions = forge.reactions_on(approved);
    story.check(reactions == ["up"], || {
        format!("the approval got {reactions:?}")
    });
    let comment = bot_comment(story);
    story.check(
        comment.contains("**Exception:** approved by @maria")
            && comment.contains("0044_drop_legacy.py"),
        || format!("the exception is not in the comment: {comment}"),
    );
    story.expect_block(next, &[e], &[e]);
    let description = forge.milestone_description(next);
    story.check(
        description.contains("Exception for merge request") && description.contains("@maria"),
        || format!("2026.11's block does not list the exception: {description}"),
    );
    // The batch stays where it was, without E.
    let batch = forge.milestone_description(later);
    story.check(block_of(&batch).is_some_and(|b| !block_lists(b, e)), || {
        format!("2026.12's block changed with the exception: {batch}")
    });

    story.begin("E: a push adding a migration lapses the exception");
    let pushed = forge.push(
        e,
        "e000000000000000000000000000000000000002",
        vec![migration("0044_drop_legacy"), migration("0046_more")],
    );
    story.deliver(&[pushed]).await;
    story.expect_status(e, "failure", &["2026.12"]);
    let comment = bot_comment(story);
    story.check(
        comment.contains("**Exception lapsed:**") && comment.contains("0046_more.py"),
        || format!("the lapse is not in the comment: {comment}"),
    );

    story.begin("E: approved again, then withdrawn");
    let (_, said) = forge.person_comments(e, "maria", "/schemagate approve still needed");
    story.deliver(&[said]).await;
    story.expect_status(e, "success", &["exception approved by @maria"]);
    let (withdrawn, said) = forge.person_comments(e, "maria", "/schemagate unapprove");
    story.deliver(&[said]).await;
    story.expect_status(e, "failure", &["2026.12"]);
    let reactions = forge.reactions_on(withdrawn);
    story.check(reactions == ["up"], || {
        format!("the withdrawal got {reactions:?}")
    });

    story.begin("E: recheck picks up a milestone change no webhook told of");
    forge.silently_set_milestone(e, later);
    let (_, said) = forge.person_comments(e, "devon", "/schemagate recheck");
    story.deliver(&[said]).await;
    // In the batch now, and held like the rest of it until 2026.11 ships.
    story.expect_status(e, "failure", &["2026.12 is ahead of the next release"]);
    story.expect_block(later, &[e], &[e]);
}
