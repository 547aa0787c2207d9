//! A stateful fake GitLab served over real HTTP on 127.0.0.1, so the real
//! `gitlab` crate client talks to it exactly as to a GitLab instance.
//! Tests seed it, run the bot's code, then assert on its state and on the
//! requests it counted.

#[path = "../fake_flaky.rs"]
pub mod flaky;
pub mod git_objects;
pub mod history;
pub mod members;
pub mod people;
#[path = "../fake_rate_window.rs"]
pub mod rate_window;
#[path = "../fake_round_trips.rs"]
pub mod round_trips;
pub mod routes;
pub mod state;
pub mod trees;

pub use state::{Access, Diff, Fault};
use state::{Group, Issue, MergeRequest, Milestone, Project, State};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The token every test uses unless it asks for a read-only one.
pub const TOKEN: &str = "glpat-read-write";
pub const READ_ONLY_TOKEN: &str = "glpat-read-only";

pub struct FakeGitLab {
    pub url: String,
    state: routes::Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGitLab {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeGitLab {
    pub async fn start() -> FakeGitLab {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut state = State::default();
        state.base_url = Some(url.clone());
        state.tokens.insert(TOKEN.into(), Access::ReadWrite);
        state
            .tokens
            .insert(READ_ONLY_TOKEN.into(), Access::ReadOnly);
        let state = Arc::new(Mutex::new(state));
        let app = routes::router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeGitLab { url, state, server }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn add_group(&self, full_path: &str) -> u64 {
        let mut s = self.state();
        let id = s.next_id();
        s.groups.push(Group {
            id,
            full_path: full_path.into(),
        });
        id
    }

    /// Adds a project; its group (by full path) must exist when given.
    pub fn add_project(&self, path: &str) -> u64 {
        let mut s = self.state();
        let group_path = path.rsplit_once('/').map(|(g, _)| g.to_string());
        let group_id =
            group_path.and_then(|g| s.groups.iter().find(|x| x.full_path == g).map(|x| x.id));
        let id = s.next_id();
        s.projects.push(Project {
            id,
            path: path.into(),
            group_id,
        });
        id
    }

    pub fn add_merge_request(&self, project_id: u64, iid: u64, sha: &str, diffs: Vec<Diff>) {
        let mut s = self.state();
        let id = s.next_id();
        s.merge_requests.push(MergeRequest {
            id,
            project_id,
            iid,
            title: format!("MR {iid}"),
            description: String::new(),
            state: "opened".into(),
            draft: false,
            sha: sha.into(),
            labels: Vec::new(),
            milestone_id: None,
            author: "alice".into(),
            source_branch: format!("feature-{iid}"),
            target_branch: "main".into(),
            diffs,
        });
    }

    pub fn add_issue(&self, project_id: u64, iid: u64, labels: &[&str]) {
        let mut s = self.state();
        let id = s.next_id();
        s.issues.push(Issue {
            id,
            project_id,
            iid,
            title: format!("Issue {iid}"),
            description: String::new(),
            state: "opened".into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            milestone_id: None,
        });
        let after = (labels.iter().map(|l| l.to_string()).collect(), None);
        s.record_history(
            state::Noteable::Issue,
            project_id,
            iid,
            &(Vec::new(), None),
            &after,
            history::PERSON,
        );
    }

    /// Adds a project milestone (`project_id`) or group milestone (`group_id`).
    pub fn add_milestone(
        &self,
        project_id: Option<u64>,
        group_id: Option<u64>,
        title: &str,
        state: &str,
        due: Option<&str>,
    ) -> u64 {
        let mut s = self.state();
        let id = s.next_id();
        let iid = s.milestones.len() as u64 + 1;
        s.milestones.push(Milestone {
            id,
            iid,
            project_id,
            group_id,
            title: title.into(),
            description: String::new(),
            state: state.into(),
            start_date: None,
            due_date: due.map(str::to_string),
        });
        id
    }

    pub fn add_file(&self, project_id: u64, reference: &str, path: &str, text: &str) {
        self.state()
            .files
            .insert((project_id, reference.into(), path.into()), text.into());
    }

    /// Points `branch` of the project at `sha` (the files seeded under `sha`
    /// are then the branch's too).
    pub fn set_branch(&self, project_id: u64, branch: &str, sha: &str) {
        self.state()
            .branches
            .insert((project_id, branch.into()), sha.into());
    }

    /// Answers the next request whose `METHOD route` contains `route` with
    /// `status` (and `Retry-After` when given).
    pub fn fail_next(&self, route: &str, status: u16, retry_after: Option<u64>) {
        self.state().faults.push_back(Fault {
            route: route.into(),
            uri: None,
            status,
            retry_after,
        });
    }

    /// Allows `limit` calls per `window` (then 429), with GitLab's
    /// `RateLimit-Limit`, `-Remaining` and `-Reset` headers on every answer.
    pub fn set_budget(&self, limit: u64, window: Duration) {
        self.state().budget = Some(state::Budget::new(limit, window));
    }

    /// Calls that arrived over the budget.
    pub fn over_budget(&self) -> u64 {
        self.state().budget.as_ref().map_or(0, |b| b.over)
    }

    /// Turns the seeded flaky mode on (issue 11).
    pub fn set_flaky(&self, flaky: state::Flaky) {
        self.state().flaky = Some(flaky);
    }

    /// What the flaky mode did so far.
    pub fn flaky_tally(&self) -> Option<flaky::Tally> {
        self.state().flaky.as_ref().map(|f| f.tally.clone())
    }

    /// Makes the next request whose `METHOD route` contains `route` meet `mishap`.
    pub fn mishap_next(&self, route: &str, mishap: state::Mishap) {
        self.state().mishaps.push_back((route.into(), mishap));
    }

    /// Answers every request `delay` late, as a forge across the internet
    /// would.
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.state().delay = delay;
    }

    /// The round trips on the critical path of the requests recorded since
    /// the last reset, up to the first for which `stop(method, route)` holds
    /// (see `fake_round_trips.rs`).
    pub fn round_trips_before(&self, stop: impl Fn(&str, &str) -> bool) -> usize {
        let spans: Vec<round_trips::Span> = self
            .state()
            .requests
            .iter()
            .take_while(|r| !stop(&r.method, &r.route))
            .filter_map(|r| {
                Some(round_trips::Span {
                    sent: r.at,
                    answered: r.answered?,
                })
            })
            .collect();
        round_trips::depth(&spans)
    }

    pub fn reset_requests(&self) {
        self.state().requests.clear();
    }

    /// Requests served whose method is `method` and route contains `route`.
    pub fn count(&self, method: &str, route: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|r| r.method == method && r.route.contains(route))
            .count()
    }

    /// Every request that was not a GET.
    pub fn writes(&self) -> Vec<String> {
        self.state()
            .requests
            .iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.route))
            .collect()
    }
}
