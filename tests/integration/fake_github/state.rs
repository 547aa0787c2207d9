//! The fake GitHub's in-memory model: repositories with their pull requests,
//! issues, labels, milestones, statuses, check runs, comments, reactions,
//! collaborators, files and branches; accounts and teams; the credentials it accepts;
//! the faults to inject; and every request it served.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What a credential may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// Who a request authenticated as (set by the gatekeeper for the handlers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A personal access token.
    Personal(Access),
    /// A GitHub App's RS256 JWT (only good for `/app/...` and the installation lookup).
    AppJwt,
    /// An installation access token minted by `POST /app/installations/{id}/access_tokens`.
    Installation(Access),
}

impl Caller {
    pub fn access(&self) -> Access {
        match self {
            Caller::Personal(access) | Caller::Installation(access) => *access,
            Caller::AppJwt => Access::ReadOnly,
        }
    }
}

/// A GitHub App the fake knows: its id, the public half of its key, and its installation.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub app_id: u64,
    pub public_key_pem: Vec<u8>,
    pub installation_id: u64,
    pub installation_access: Access,
    /// Lifetime of minted installation tokens (GitHub: one hour).
    pub token_lifetime: chrono::Duration,
}

/// One served request, for API-economy and auth assertions.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// The route template, e.g. `/repos/{owner}/{repo}/pulls/{number}`.
    pub route: String,
    pub path_and_query: String,
    pub caller: Option<Caller>,
    pub at: Instant,
    /// When its answer left (`None` while it is being served).
    pub answered: Option<Instant>,
    /// What the flaky mode (or an injected mishap) did to it.
    pub mishap: Option<Mishap>,
}

impl RecordedRequest {
    /// Whether the fake served it (a write took effect), whatever the client saw.
    pub fn served(&self) -> bool {
        self.mishap.is_none_or(Mishap::after)
    }
}

/// A misbehaviour to serve instead of (or before) the real answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: secs`.
    TooManyRequests { retry_after_secs: u64 },
    /// 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` this many seconds ahead.
    PrimaryRateLimit { reset_in_secs: i64 },
    /// 500 with GitHub's error body.
    ServerError,
    /// Answer normally, but only after this long.
    Slow(Duration),
    /// A 5xx or broken connection, before serving or after (the answer lost).
    Mishap(Mishap),
}

#[derive(Debug, Clone)]
pub struct ScheduledFault {
    pub method: String,
    pub route: String,
    pub fault: Fault,
    pub remaining: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub description: Option<String>,
    /// "open" or "closed".
    pub state: String,
    /// RFC 3339, e.g. "2026-11-30T08:00:00Z".
    pub due_on: Option<String>,
}

/// The pull-request half of an issue that is a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub head_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub draft: bool,
    pub merged: bool,
}

/// An issue or pull request (GitHub numbers them in one sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    /// "open" or "closed".
    pub state: String,
    pub labels: Vec<String>,
    pub milestone: Option<u64>,
    pub author: String,
    pub pull: Option<Pull>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrFile {
    pub filename: String,
    /// added | removed | modified | renamed | copied | changed | unchanged
    pub status: String,
    pub previous_filename: Option<String>,
    /// None models GitHub leaving out the patch of a large diff.
    pub patch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub issue_number: u64,
    pub body: String,
    pub author: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Moves on every edit of the body.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Comment {
    /// A comment made now.
    pub fn new(id: u64, issue_number: u64, author: &str, body: &str) -> Comment {
        let now = chrono::Utc::now();
        Comment {
            id,
            issue_number,
            body: body.into(),
            author: author.into(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// A person's role on a repository, as the permission endpoint reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collaborator {
    /// `admin`, `maintain`, `write`, `triage`, `read`, or a custom role's name.
    pub role_name: String,
    /// The legacy base role GitHub reports in `permission`: `admin`,
    /// `write` (for maintain too), `read` (for triage too).
    pub permission: String,
}

/// One reaction on an issue comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub id: u64,
    pub comment_id: u64,
    /// `+1`, `-1`, `laugh`, `confused`, `heart`, `hooray`, `rocket`, `eyes`.
    pub content: String,
    pub user: String,
}

/// A team of an organisation: its members by lowercased login.
#[derive(Debug, Clone, Default)]
pub struct Team {
    pub id: u64,
    pub members: BTreeMap<String, TeamMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// `member` or `maintainer`.
    pub role: String,
    /// `active`, or `pending` until the invitation is accepted.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub context: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub id: u64,
    pub head_sha: String,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub labels: Vec<Label>,
    pub milestones: Vec<Milestone>,
    pub issues: BTreeMap<u64, Issue>,
    pub files: HashMap<u64, Vec<PrFile>>,
    /// File contents by (commit sha, path), served by the contents API
    /// and listed by the trees API.
    pub contents: HashMap<(String, String), String>,
    /// Branch name → the commit it points at.
    pub branches: BTreeMap<String, String>,
    pub comments: Vec<Comment>,
    pub statuses: Vec<Status>,
    pub check_runs: Vec<CheckRun>,
    /// Roles by lowercased login (the owner is `admin` without an entry).
    pub collaborators: BTreeMap<String, Collaborator>,
    pub reactions: Vec<Reaction>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn next_number(&self) -> u64 {
        let issues = self.issues.keys().max().copied().unwrap_or(0);
        issues + 1
    }

    pub fn milestone(&self, number: u64) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.number == number)
    }

    pub fn label(&self, name: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }
}

pub use crate::fake_gitlab::flaky::{Flaky, Mishap};

/// The same rate-limit window as the fake GitLab's.
pub use crate::fake_gitlab::rate_window::Budget;

/// Everything the fake knows.
#[derive(Debug, Default)]
pub struct State {
    pub repos: BTreeMap<String, Repo>,
    pub personal_tokens: HashMap<String, Access>,
    pub app: Option<AppConfig>,
    /// Installation tokens minted so far, in order.
    pub installation_tokens: Vec<String>,
    pub requests: Vec<RecordedRequest>,
    pub faults: VecDeque<ScheduledFault>,
    /// The seeded flaky mode, when on.
    pub flaky: Option<Flaky>,
    /// The login the bot's writes are attributed to.
    pub bot_login: String,
    /// A primary rate limit: calls per window, with GitHub's headers.
    pub budget: Option<Budget>,
    /// Added before every answer.
    pub delay: Option<std::time::Duration>,
    /// Label and milestone events of every issue and pull request, oldest first.
    pub history: Vec<super::history::IssueEvent>,
    /// Accounts GitHub knows, by lowercased login (the permission endpoint
    /// answers 404 for any other).
    pub users: std::collections::BTreeSet<String>,
    /// Teams by lowercased `org/team-slug`.
    pub teams: BTreeMap<String, Team>,
    /// Entries a recursive tree lists before it is `truncated` (GitHub: 100,000).
    pub tree_limit: Option<usize>,
    next_id: u64,
}

impl State {
    pub fn new() -> Self {
        State {
            bot_login: "schemagate[bot]".to_string(),
            next_id: 1000,
            ..State::default()
        }
    }

    /// A fresh id, unique across every object the fake holds.
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.get(&format!("{owner}/{name}"))
    }

    /// Takes the next fault scheduled for this method and route, if any.
    pub fn take_fault(&mut self, method: &str, route: &str) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.method == method && f.route == route)?;
        let scheduled = &mut self.faults[index];
        let fault = scheduled.fault.clone();
        scheduled.remaining -= 1;
        if scheduled.remaining == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }
}
