//! A stateful fake GitHub served over real HTTP on 127.0.0.1, for pointing the
//! real octocrab-based client at: repositories, pull requests, issues, labels,
//! milestones, statuses, check runs, comments, files and branches in memory, GitHub's
//! REST shapes and status codes, `Link` pagination, the 3,000-file cap,
//! injected faults, read-only credentials, App JWT and installation tokens,
//! and a record of every request by method and route.

mod gate;
pub mod history;
pub mod members;
pub mod people;
pub mod render;
pub mod reviews;
pub mod routes;
pub mod state;
pub mod trees;

use state::{
    Access, AppConfig, Fault, Issue, Label, Milestone, PrFile, Pull, RecordedRequest,
    ScheduledFault, State,
};
use std::sync::{Arc, Mutex};

/// What the handlers share: the model and the address clients reach it at.
#[derive(Clone)]
pub struct Fake {
    pub state: Arc<Mutex<State>>,
    pub base_url: String,
}

/// A running fake GitHub; the server stops when this is dropped.
pub struct FakeGitHub {
    fake: Fake,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Seed for a pull request.
pub struct PullSeed<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub head_sha: &'a str,
    pub labels: &'a [&'a str],
    pub milestone: Option<u64>,
}

impl FakeGitHub {
    /// Starts the fake on an ephemeral loopback port.
    pub async fn start() -> FakeGitHub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let fake = Fake {
            state: Arc::new(Mutex::new(State::new())),
            base_url: format!("http://{address}"),
        };
        let app = routes::router(fake.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake GitHub serves");
        });
        FakeGitHub { fake, server }
    }

    pub fn base_url(&self) -> &str {
        &self.fake.base_url
    }

    /// Runs `f` with the model locked, for seeding and for assertions.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.fake.state.lock().unwrap())
    }

    pub fn add_repo(&self, owner: &str, name: &str) {
        self.with_state(|s| {
            let id = s.fresh_id();
            s.repos.insert(
                format!("{owner}/{name}"),
                state::Repo {
                    id,
                    owner: owner.into(),
                    name: name.into(),
                    ..state::Repo::default()
                },
            );
        });
    }

    /// Allows `limit` calls per `window`, then 403 as GitHub's primary
    /// limit does, with the `x-ratelimit-*` headers on every answer.
    pub fn set_budget(&self, limit: u64, window: std::time::Duration) {
        self.with_state(|s| s.budget = Some(state::Budget::new(limit, window)));
    }

    /// Calls that arrived over the budget.
    pub fn over_budget(&self) -> u64 {
        self.with_state(|s| s.budget.as_ref().map_or(0, |b| b.over))
    }

    pub fn add_token(&self, token: &str, access: Access) {
        self.with_state(|s| s.personal_tokens.insert(token.into(), access));
    }

    pub fn configure_app(&self, app: AppConfig) {
        self.with_state(|s| s.app = Some(app));
    }

    pub fn add_label(&self, repo: &str, name: &str) {
        self.with_state(|s| {
            let id = s.fresh_id();
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .labels
                .push(Label {
                    id,
                    name: name.into(),
                    color: "ededed".into(),
                    description: None,
                });
        });
    }

    /// Adds a milestone; returns its number.
    pub fn add_milestone(
        &self,
        repo: &str,
        title: &str,
        state_name: &str,
        due_on: Option<&str>,
    ) -> u64 {
        self.with_state(|s| {
            let id = s.fresh_id();
            let repo = s.repos.get_mut(repo).expect("seeded repo");
            let number = repo.milestones.iter().map(|m| m.number).max().unwrap_or(0) + 1;
            repo.milestones.push(Milestone {
                id,
                number,
                title: title.into(),
                description: None,
                state: state_name.into(),
                due_on: due_on.map(str::to_string),
            });
            number
        })
    }

    /// Adds an open pull request; returns its number.
    pub fn add_pull(&self, repo: &str, seed: PullSeed<'_>) -> u64 {
        self.add_item(repo, &seed, true)
    }

    /// Adds an open issue; returns its number.
    pub fn add_issue(&self, repo: &str, seed: PullSeed<'_>) -> u64 {
        self.add_item(repo, &seed, false)
    }

    fn add_item(&self, repo: &str, seed: &PullSeed<'_>, is_pull: bool) -> u64 {
        self.with_state(|s| {
            let id = s.fresh_id();
            let repo = s.repos.get_mut(repo).expect("seeded repo");
            for name in seed.labels {
                if repo.label(name).is_none() {
                    let label_id = id * 100 + repo.labels.len() as u64;
                    repo.labels.push(Label {
                        id: label_id,
                        name: (*name).into(),
                        color: "ededed".into(),
                        description: None,
                    });
                }
            }
            let number = repo.next_number();
            let key = format!("{}/{}", repo.owner, repo.name);
            repo.issues.insert(
                number,
                Issue {
                    id,
                    number,
                    title: seed.title.into(),
                    body: Some(seed.body.into()),
                    state: "open".into(),
                    labels: seed.labels.iter().map(|l| l.to_string()).collect(),
                    milestone: seed.milestone,
                    author: "contributor".into(),
                    pull: is_pull.then(|| Pull {
                        head_sha: seed.head_sha.into(),
                        head_ref: format!("feature-{number}"),
                        base_ref: "main".into(),
                        draft: false,
                        merged: false,
                    }),
                },
            );
            let after = (
                seed.labels.iter().map(|l| l.to_string()).collect(),
                seed.milestone,
            );
            s.record_events(&key, number, &(Vec::new(), None), &after, history::PERSON);
            number
        })
    }

    pub fn set_files(&self, repo: &str, number: u64, files: Vec<PrFile>) {
        self.with_state(|s| {
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .files
                .insert(number, files);
        });
    }

    pub fn set_content(&self, repo: &str, sha: &str, path: &str, text: &str) {
        self.with_state(|s| {
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .contents
                .insert((sha.into(), path.into()), text.into());
        });
    }

    /// Points `branch` at `sha` (the files seeded under `sha` are then the branch's too).
    pub fn set_branch(&self, repo: &str, branch: &str, sha: &str) {
        self.with_state(|s| {
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .branches
                .insert(branch.into(), sha.into());
        });
    }

    /// Makes a recursive tree list at most `limit` entries and say `truncated`
    /// past it, as GitHub does past 100,000.
    pub fn set_tree_limit(&self, limit: usize) {
        self.with_state(|s| s.tree_limit = Some(limit));
    }

    /// Serves `fault` for the next `times` requests to `method route`.
    pub fn inject(&self, method: &str, route: &str, fault: Fault, times: u32) {
        self.with_state(|s| {
            s.faults.push_back(ScheduledFault {
                method: method.into(),
                route: route.into(),
                fault,
                remaining: times,
            })
        });
    }

    /// Turns the seeded flaky mode on (issue 11).
    pub fn set_flaky(&self, flaky: state::Flaky) {
        self.with_state(|s| s.flaky = Some(flaky));
    }

    /// What the flaky mode did so far.
    pub fn flaky_tally(&self) -> Option<crate::fake_gitlab::flaky::Tally> {
        self.with_state(|s| s.flaky.as_ref().map(|f| f.tally.clone()))
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.with_state(|s| s.requests.clone())
    }

    pub fn clear_requests(&self) {
        self.with_state(|s| s.requests.clear());
    }

    /// Answers every request `delay` late, as GitHub across the internet would.
    pub fn set_delay(&self, delay: Option<std::time::Duration>) {
        self.with_state(|s| s.delay = delay);
    }

    /// The round trips on the critical path of the requests recorded since
    /// the last clear, up to the first for which `stop(method, route)` holds
    /// (see `fake_round_trips.rs`).
    pub fn round_trips_before(&self, stop: impl Fn(&str, &str) -> bool) -> usize {
        use crate::fake_gitlab::round_trips::{Span, depth};
        let spans: Vec<Span> = self.with_state(|s| {
            s.requests
                .iter()
                .take_while(|r| !stop(&r.method, &r.route))
                .filter_map(|r| {
                    Some(Span {
                        sent: r.at,
                        answered: r.answered?,
                    })
                })
                .collect()
        });
        depth(&spans)
    }

    /// How many requests hit `method route` (route as a template).
    pub fn count(&self, method: &str, route: &str) -> usize {
        self.with_state(|s| {
            s.requests
                .iter()
                .filter(|r| r.method == method && r.route == route)
                .count()
        })
    }

    /// Every write (non-GET) to a repository, minting installation tokens excluded.
    pub fn writes(&self) -> Vec<String> {
        self.with_state(|s| {
            s.requests
                .iter()
                .filter(|r| r.method != "GET" && r.route.starts_with("/repos/"))
                .map(|r| format!("{} {}", r.method, r.route))
                .collect()
        })
    }
}
