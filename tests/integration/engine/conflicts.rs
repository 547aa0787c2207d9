//! Migrations that collide, found before either MR merges, on both forges:
//! a target branch with a Django app (0001…0067), an Alembic chain ending in
//! `a1` and Flyway V1…V4; pairs of MRs written in parallel are warned and
//! neither fails; when one merges the other fails at once with its
//! framework's fix; an MR stacked on a merged one is fine; and the reads
//! it costs (none for an MR without migrations, one when the branch's
//! listing is cached).

use super::{JobOutcome, day, github_bot_with, gitlab_bot};
use crate::fake_github::state::{Access as GhAccess, PrFile};
use crate::fake_github::{FakeGitHub, PullSeed};
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use crate::support::migrations::{alembic, django};
use schemagate::core::comment::COMMENT_MARKER;
use schemagate::engine::Work;
use schemagate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};

const APP: &str = "lava_scheduler_app/migrations";
const VERSIONS: &str = "lava_server/alembic/versions";
const FLYWAY: &str = "db/migration";
const PACKS: &str = "rule_packs = [\"django\", \"alembic\", \"flyway\"]";

fn file(path: String, text: String) -> (String, String) {
    (path, text)
}

/// The target branch's files before any MR merges.
fn target_files() -> Vec<(String, String)> {
    let mut files = vec![file(format!("{APP}/__init__.py"), String::new())];
    for n in 1..=67u32 {
        let parent = format!("{:04}_step", n - 1);
        let parents: Vec<&str> = if n == 1 { vec![] } else { vec![&parent] };
        files.push(file(
            format!("{APP}/{n:04}_step.py"),
            django(&n.to_string(), &parents),
        ));
    }
    files.push(file(
        format!("{VERSIONS}/a0_base.py"),
        alembic("a0", "None"),
    ));
    files.push(file(
        format!("{VERSIONS}/a1_next.py"),
        alembic("a1", "\"a0\""),
    ));
    for v in 1..=4 {
        files.push(file(
            format!("{FLYWAY}/V{v}__step.sql"),
            format!("ALTER TABLE t ADD c{v} INT;\n"),
        ));
    }
    files
}

/// The MRs of the story: number → the files it adds.
fn story_mr(number: u64) -> Vec<(String, String)> {
    match number {
        1 => vec![file(
            format!("{APP}/0068_mine.py"),
            django("68a", &["0067_step"]),
        )],
        2 => vec![file(
            format!("{APP}/0068_theirs.py"),
            django("68b", &["0067_step"]),
        )],
        3 => vec![file(format!("{VERSIONS}/b3_x.py"), alembic("b3", "\"a1\""))],
        4 => vec![file(format!("{VERSIONS}/b4_y.py"), alembic("b4", "'a1'"))],
        5 => vec![file(format!("{FLYWAY}/V5__a.sql"), "SELECT 1;\n".into())],
        6 => vec![file(format!("{FLYWAY}/V5__b.sql"), "SELECT 2;\n".into())],
        7 => vec![file(
            format!("{APP}/0069_after.py"),
            django("69", &["0068_mine"]),
        )],
        _ => Vec::new(),
    }
}

fn sha(n: u64) -> String {
    format!("{n:040}")
}

/// What the story needs of a forge, so it runs the same on both.
trait StoryForge {
    fn kind(&self) -> ForgeKind;
    /// Puts `files` at `sha` and points `main` there.
    fn set_main(&self, sha: &str, files: &[(String, String)]);
    /// Opens MR `number` adding `files` at head `sha`; `None` files: a plain change.
    fn open(&self, number: u64, sha: &str, files: &[(String, String)]);
    fn merge(&self, number: u64);
    /// The latest `schemagate` status on `sha`: (state, description).
    fn status(&self, sha: &str) -> (String, String);
    fn comment(&self, number: u64) -> String;
    /// The release milestone's description (its block).
    fn block(&self) -> String;
    /// Reads of the branch head and of trees so far.
    fn branch_and_tree_reads(&self) -> (usize, usize);
    fn reference(&self, number: u64) -> String {
        match self.kind() {
            ForgeKind::GitLab => format!("!{number}"),
            ForgeKind::GitHub => format!("#{number}"),
        }
    }
}

struct OnGitLab {
    fake: FakeGitLab,
    project: u64,
    release: u64,
}

impl StoryForge for OnGitLab {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitLab
    }
    fn set_main(&self, sha: &str, files: &[(String, String)]) {
        for (path, text) in files {
            self.fake.add_file(self.project, sha, path, text);
        }
        self.fake.set_branch(self.project, "main", sha);
    }
    fn open(&self, number: u64, sha: &str, files: &[(String, String)]) {
        let diffs = if files.is_empty() {
            vec![Diff::added("lava_server/views.py", &["def view(): pass"])]
        } else {
            files
                .iter()
                .map(|(path, text)| Diff::added(path, &text.lines().collect::<Vec<_>>()))
                .collect()
        };
        self.fake
            .add_merge_request(self.project, number, sha, diffs);
        for (path, text) in files {
            self.fake.add_file(self.project, sha, path, text);
        }
    }
    fn merge(&self, number: u64) {
        self.fake
            .state()
            .merge_request_mut(self.project, number)
            .unwrap()
            .state = "merged".into();
    }
    fn status(&self, sha: &str) -> (String, String) {
        let state = self.fake.state();
        let status = state
            .statuses
            .iter()
            .rev()
            .find(|s| s.sha == sha && s.name == "schemagate")
            .expect("a status");
        // GitLab says `failed` where GitHub says `failure`.
        let word = if status.state == "failed" {
            "failure"
        } else {
            status.state.as_str()
        };
        (
            word.to_string(),
            status.description.clone().unwrap_or_default(),
        )
    }
    fn comment(&self, number: u64) -> String {
        let state = self.fake.state();
        let note = state
            .notes
            .iter()
            .rev()
            .find(|n| n.iid == number && n.body.contains(COMMENT_MARKER));
        note.map(|n| n.body.clone()).unwrap_or_default()
    }
    fn block(&self) -> String {
        self.fake
            .state()
            .milestone(self.release)
            .unwrap()
            .description
            .clone()
    }
    fn branch_and_tree_reads(&self) -> (usize, usize) {
        (
            self.fake.count("GET", "/repository/branches/"),
            self.fake.count("GET", "/repository/tree"),
        )
    }
}

struct OnGitHub {
    fake: FakeGitHub,
    release: u64,
}

const REPO: &str = "lava/lava";

impl StoryForge for OnGitHub {
    fn kind(&self) -> ForgeKind {
        ForgeKind::GitHub
    }
    fn set_main(&self, sha: &str, files: &[(String, String)]) {
        for (path, text) in files {
            self.fake.set_content(REPO, sha, path, text);
        }
        self.fake.set_branch(REPO, "main", sha);
    }
    fn open(&self, number: u64, sha: &str, files: &[(String, String)]) {
        let title = format!("PR {number}");
        let got = self.fake.add_pull(
            REPO,
            PullSeed {
                title: &title,
                body: "",
                head_sha: sha,
                labels: &[],
                milestone: None,
            },
        );
        assert_eq!(got, number, "the story numbers PRs in order");
        let listed: Vec<(String, String)> = if files.is_empty() {
            vec![("lava_server/views.py".into(), "def view(): pass\n".into())]
        } else {
            files.to_vec()
        };
        let pr_files = listed
            .iter()
            .map(|(path, text)| PrFile {
                filename: path.clone(),
                status: "added".into(),
                previous_filename: None,
                patch: Some(text.lines().map(|l| format!("+{l}\n")).collect()),
            })
            .collect();
        self.fake.set_files(REPO, number, pr_files);
        for (path, text) in files {
            self.fake.set_content(REPO, sha, path, text);
        }
    }
    fn merge(&self, number: u64) {
        self.fake.with_state(|s| {
            let issue = s
                .repos
                .get_mut(REPO)
                .unwrap()
                .issues
                .get_mut(&number)
                .unwrap();
            issue.state = "closed".into();
            issue.pull.as_mut().unwrap().merged = true;
        });
    }
    fn status(&self, sha: &str) -> (String, String) {
        self.fake.with_state(|s| {
            let status = s.repos[REPO]
                .statuses
                .iter()
                .rev()
                .find(|st| st.sha == sha)
                .expect("a status");
            (
                status.state.clone(),
                status.description.clone().unwrap_or_default(),
            )
        })
    }
    fn comment(&self, number: u64) -> String {
        self.fake.with_state(|s| {
            s.repos[REPO]
                .comments
                .iter()
                .rev()
                .find(|c| c.issue_number == number && c.body.contains(COMMENT_MARKER))
                .map(|c| c.body.clone())
                .unwrap_or_default()
        })
    }
    fn block(&self) -> String {
        self.fake.with_state(|s| {
            let milestone = s.repos[REPO].milestone(self.release).unwrap();
            milestone.description.clone().unwrap_or_default()
        })
    }
    fn branch_and_tree_reads(&self) -> (usize, usize) {
        (
            self.fake
                .count("GET", "/repos/{owner}/{repo}/git/ref/{*ref}"),
            self.fake
                .count("GET", "/repos/{owner}/{repo}/git/trees/{sha}"),
        )
    }
}

/// The one release, due in 40 days: the next release and the batch, so
/// the only failures are the conflicts.
async fn gitlab_story() -> (OnGitLab, super::Bot) {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    let release = fake.add_milestone(Some(project), None, "2026.12", "active", Some(&day(40)));
    let bot = gitlab_bot(&fake, TOKEN, PACKS).await;
    (
        OnGitLab {
            fake,
            project,
            release,
        },
        bot,
    )
}

async fn github_story() -> (OnGitHub, super::Bot) {
    let fake = FakeGitHub::start().await;
    fake.add_repo("lava", "lava");
    fake.add_token("ghp-engine", GhAccess::ReadWrite);
    let release = fake.add_milestone(
        REPO,
        "2026.12",
        "open",
        Some(&format!("{}T08:00:00Z", day(40))),
    );
    let bot = github_bot_with(&fake, PACKS).await;
    (OnGitHub { fake, release }, bot)
}

fn event(forge: &dyn StoryForge, number: u64) -> Work {
    Work::Evaluate {
        forge: forge.kind(),
        project: ProjectPath("lava/lava".into()),
        kind: ItemKind::MergeRequest,
        number: ItemNumber(number),
    }
}

async fn evaluate(forge: &dyn StoryForge, bot: &super::Bot, number: u64) {
    let outcomes = bot.run(event(forge, number)).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );
}

/// Merges `number` into main (its files join main at a new head) and
/// delivers the merged event.
async fn merge(
    forge: &dyn StoryForge,
    bot: &super::Bot,
    main: &mut Vec<(String, String)>,
    head: u64,
    number: u64,
) {
    main.extend(story_mr(number));
    forge.set_main(&sha(head), main);
    forge.merge(number);
    evaluate(forge, bot, number).await;
}

async fn story(forge: &dyn StoryForge, bot: &super::Bot) {
    let mut main = target_files();
    forge.set_main(&sha(100), &main);
    for number in 1..=6 {
        forge.open(number, &sha(number), &story_mr(number));
    }
    for number in 1..=6 {
        evaluate(forge, bot, number).await;
    }
    // Each pair is warned on both sides; nobody fails for it.
    for (a, b) in [(1, 2), (3, 4), (5, 6)] {
        for (me, other) in [(a, b), (b, a)] {
            let (state, description) = forge.status(&sha(me));
            assert_eq!(state, "success", "MR {me}: {description}");
            let comment = forge.comment(me);
            assert!(
                comment.contains("Migrations written in parallel"),
                "MR {me}: {comment}"
            );
            assert!(
                comment.contains(&forge.reference(other)),
                "MR {me} names {other}: {comment}"
            );
        }
    }
    assert!(
        forge.comment(2).contains("multiple leaf nodes"),
        "{}",
        forge.comment(2)
    );
    assert!(
        forge.comment(4).contains("Multiple head revisions"),
        "{}",
        forge.comment(4)
    );
    // The release's block lists what collides in its batch.
    let block = forge.block();
    assert!(block.contains("Migrations that collide"), "{block}");
    let pair = format!("Merge request 2 and {}", forge.reference(1));
    assert!(block.contains(&pair), "{block}");

    merge(forge, bot, &mut main, 101, 1).await;
    let (state, description) = forge.status(&sha(2));
    assert_eq!(state, "failure", "{description}");
    let comment = forge.comment(2);
    assert!(comment.contains("`lava_scheduler_app/migrations/0068_theirs.py` collides with `lava_scheduler_app/migrations/0068_mine.py`"), "{comment}");
    assert!(comment.contains("makemigrations --merge"), "{comment}");
    assert!(
        !comment.contains("Migrations written in parallel"),
        "{comment}"
    );
    let block = forge.block();
    assert!(
        block.contains("Merge request 2 and the target branch main"),
        "{block}"
    );

    merge(forge, bot, &mut main, 102, 3).await;
    let (state, _) = forge.status(&sha(4));
    assert_eq!(state, "failure");
    let comment = forge.comment(4);
    assert!(
        comment.contains("Multiple head revisions are present"),
        "{comment}"
    );
    assert!(comment.contains("alembic merge heads"), "{comment}");

    merge(forge, bot, &mut main, 103, 5).await;
    let (state, _) = forge.status(&sha(6));
    assert_eq!(state, "failure");
    let comment = forge.comment(6);
    assert!(
        comment.contains("Found more than one migration with version 5"),
        "{comment}"
    );
    assert!(comment.contains("V6__"), "{comment}");

    // Stacked on what merged: no conflict.
    forge.open(7, &sha(7), &story_mr(7));
    evaluate(forge, bot, 7).await;
    let (state, description) = forge.status(&sha(7));
    assert_eq!(state, "success", "{description}");
    assert!(
        !forge.comment(7).contains("collides"),
        "{}",
        forge.comment(7)
    );

    // The reads: main's listing is cached for its head, so an event
    // costs one read of the head; an MR without migrations costs none.
    let (branches, trees) = forge.branch_and_tree_reads();
    evaluate(forge, bot, 7).await;
    assert_eq!(
        forge.branch_and_tree_reads(),
        (branches + 1, trees),
        "cached: the head only"
    );
    forge.open(8, &sha(8), &[]);
    evaluate(forge, bot, 8).await;
    assert_eq!(
        forge.branch_and_tree_reads(),
        (branches + 1, trees),
        "no migrations: no read"
    );
}

#[tokio::test]
async fn colliding_migrations_are_warned_in_parallel_and_fail_once_one_merges_on_gitlab() {
    let (forge, bot) = gitlab_story().await;
    story(&forge, &bot).await;
}

#[tokio::test]
async fn colliding_migrations_are_warned_in_parallel_and_fail_once_one_merges_on_github() {
    let (forge, bot) = github_story().await;
    story(&forge, &bot).await;
}
