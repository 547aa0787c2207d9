//! The fake GitLab's in-memory world: groups, projects, merge requests,
//! issues, labels, milestones, notes, statuses, files, branches, users, memberships,
//! award emoji, tokens, injected faults, and a log of every request it
//! served.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Group {
    pub id: u64,
    pub full_path: String,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: u64,
    pub path: String,
    pub group_id: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub old_path: String,
    pub new_path: String,
    pub new_file: bool,
    pub renamed_file: bool,
    pub deleted_file: bool,
    pub diff: String,
    pub collapsed: bool,
    pub too_large: bool,
}

impl Diff {
    pub fn added(path: &str, lines: &[&str]) -> Diff {
        let body: String = lines.iter().map(|l| format!("+{l}\n")).collect();
        Diff {
            old_path: path.into(),
            new_path: path.into(),
            new_file: true,
            diff: format!("@@ -0,0 +1,{} @@\n{body}", lines.len()),
            ..Diff::default()
        }
    }

    pub fn renamed(old: &str, new: &str) -> Diff {
        Diff {
            old_path: old.into(),
            new_path: new.into(),
            renamed_file: true,
            ..Diff::default()
        }
    }

    pub fn collapsed(path: &str) -> Diff {
        Diff {
            old_path: path.into(),
            new_path: path.into(),
            collapsed: true,
            ..Diff::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct MergeRequest {
    pub id: u64,
    pub project_id: u64,
    pub iid: u64,
    pub title: String,
    pub description: String,
    /// opened | closed | merged
    pub state: String,
    pub draft: bool,
    pub sha: String,
    pub labels: Vec<String>,
    pub milestone_id: Option<u64>,
    pub author: String,
    pub source_branch: String,
    pub target_branch: String,
    pub diffs: Vec<Diff>,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: u64,
    pub project_id: u64,
    pub iid: u64,
    pub title: String,
    pub description: String,
    /// opened | closed
    pub state: String,
    pub labels: Vec<String>,
    pub milestone_id: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: u64,
    pub iid: u64,
    pub project_id: Option<u64>,
    pub group_id: Option<u64>,
    pub title: String,
    pub description: String,
    /// active | closed
    pub state: String,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub id: u64,
    pub project_id: u64,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noteable {
    MergeRequest,
    Issue,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: u64,
    pub project_id: u64,
    pub noteable: Noteable,
    pub iid: u64,
    pub body: String,
    pub author: String,
    pub system: bool,
    pub created_at: DateTime<Utc>,
    /// Moves on every edit of the body.
    pub updated_at: DateTime<Utc>,
}

/// A GitLab account (`GET /users?username=` finds it by name).
#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub username: String,
}

/// Where a membership is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberOf {
    Project(u64),
    Group(u64),
}

/// One direct membership; the members API also counts the memberships of
/// a project's groups and their ancestors (`members/all`).
#[derive(Debug, Clone)]
pub struct Member {
    pub of: MemberOf,
    pub user_id: u64,
    /// 10 guest, 15 planner, 20 reporter, 30 developer, 40 maintainer, 50 owner.
    pub access_level: u64,
    /// `active`, or `awaiting` (waiting for a seat: grants nothing yet).
    pub state: String,
}

/// An award emoji on a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub id: u64,
    pub note_id: u64,
    /// The emoji's name without colons, e.g. `thumbsup`.
    pub name: String,
    pub user: String,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub id: u64,
    pub project_id: u64,
    pub sha: String,
    pub name: String,
    pub state: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// A fault to answer instead of the real response, for requests whose
/// route (e.g. `GET /api/v4/projects/{id}/merge_requests/{iid}`) contains `route`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub route: String,
    /// When set, the request URI (path and query) must contain it too.
    pub uri: Option<String>,
    pub status: u16,
    pub retry_after: Option<u64>,
}

pub use super::flaky::{Flaky, Mishap};
pub use super::rate_window::Budget;

/// One request the fake served.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The matched route template, e.g. `/api/v4/projects/{id}/milestones`.
    pub route: String,
    pub uri: String,
    pub at: Instant,
    /// When its answer left (`None` while it is being served).
    pub answered: Option<Instant>,
    /// The `PRIVATE-TOKEN` it came with.
    pub token: Option<String>,
    /// What the flaky mode (or a queued mishap) did to it.
    pub mishap: Option<Mishap>,
}

impl Request {
    /// Whether the fake served it (a write took effect), whatever the client saw.
    pub fn served(&self) -> bool {
        self.mishap.is_none_or(Mishap::after)
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub groups: Vec<Group>,
    pub projects: Vec<Project>,
    pub merge_requests: Vec<MergeRequest>,
    pub issues: Vec<Issue>,
    pub milestones: Vec<Milestone>,
    pub labels: Vec<Label>,
    pub notes: Vec<Note>,
    pub statuses: Vec<Status>,
    pub users: Vec<User>,
    pub members: Vec<Member>,
    pub awards: Vec<Award>,
    /// (project id, ref, path) → text.
    pub files: HashMap<(u64, String, String), String>,
    /// (project id, branch) → the commit it points at.
    pub branches: HashMap<(u64, String), String>,
    pub tokens: HashMap<String, Access>,
    pub faults: VecDeque<Fault>,
    /// Mishaps for the next request whose `METHOD route` contains the text.
    pub mishaps: VecDeque<(String, Mishap)>,
    /// The seeded flaky mode, when on.
    pub flaky: Option<Flaky>,
    /// Added before every answer.
    pub delay: Option<Duration>,
    pub requests: Vec<Request>,
    /// A rate limit: this many calls per window, over it 429 (GitLab's
    /// `RateLimit-*` headers on every answer).
    pub budget: Option<Budget>,
    /// Label and milestone changes, oldest first.
    pub history: Vec<super::history::HistoryEntry>,
    /// `http://127.0.0.1:PORT`, for `web_url`s and `Link` headers.
    pub base_url: Option<String>,
    next_id: u64,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id + 1000
    }

    /// Finds a project by numeric id or full path (already URL-decoded).
    pub fn project(&self, id_or_path: &str) -> Option<&Project> {
        match id_or_path.parse::<u64>() {
            Ok(id) => self.projects.iter().find(|p| p.id == id),
            Err(_) => self.projects.iter().find(|p| p.path == id_or_path),
        }
    }

    pub fn group_path(&self, id: u64) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.full_path.as_str())
    }

    /// The project's group and every ancestor group, by full path.
    pub fn ancestor_groups(&self, project: &Project) -> Vec<u64> {
        let Some(own) = project.group_id.and_then(|id| self.group_path(id)) else {
            return Vec::new();
        };
        self.group_and_ancestors(own)
    }

    /// The group at `full_path` and every group above it.
    pub fn group_and_ancestors(&self, full_path: &str) -> Vec<u64> {
        self.groups
            .iter()
            .filter(|g| {
                full_path == g.full_path || full_path.starts_with(&format!("{}/", g.full_path))
            })
            .map(|g| g.id)
            .collect()
    }

    /// A group by numeric id or full path (already URL-decoded).
    pub fn group(&self, id_or_path: &str) -> Option<&Group> {
        match id_or_path.parse::<u64>() {
            Ok(id) => self.groups.iter().find(|g| g.id == id),
            Err(_) => self.groups.iter().find(|g| g.full_path == id_or_path),
        }
    }

    /// The user called `username`, created when there is none yet.
    pub fn user_id(&mut self, username: &str) -> u64 {
        if let Some(user) = self.users.iter().find(|u| u.username == username) {
            return user.id;
        }
        let id = self.next_id();
        self.users.push(User {
            id,
            username: username.into(),
        });
        id
    }

    /// The time for something made now: at least a millisecond (GitLab's
    /// precision) after the newest note's, so creation order and time order
    /// agree and an edit always shows, as on a real instance.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        let newest = self
            .notes
            .iter()
            .map(|n| n.created_at.max(n.updated_at))
            .max();
        match newest.map(|last| last + chrono::Duration::milliseconds(1)) {
            Some(next) if next > now => next,
            _ => now,
        }
    }

    pub fn merge_request_mut(&mut self, project_id: u64, iid: u64) -> Option<&mut MergeRequest> {
        self.merge_requests
            .iter_mut()
            .find(|m| m.project_id == project_id && m.iid == iid)
    }

    pub fn issue_mut(&mut self, project_id: u64, iid: u64) -> Option<&mut Issue> {
        self.issues
            .iter_mut()
            .find(|i| i.project_id == project_id && i.iid == iid)
    }

    pub fn milestone(&self, id: u64) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }

    /// Takes the first queued fault whose route matches.
    pub fn take_fault(&mut self, method: &str, route: &str, uri: &str) -> Option<Fault> {
        let key = format!("{method} {route}");
        let index = self.faults.iter().position(|f| {
            key.contains(&f.route) && f.uri.as_ref().is_none_or(|u| uri.contains(u.as_str()))
        })?;
        self.faults.remove(index)
    }

    /// Takes the first queued mishap whose route matches.
    pub fn take_mishap(&mut self, method: &str, route: &str) -> Option<Mishap> {
        let key = format!("{method} {route}");
        let index = self.mishaps.iter().position(|(r, _)| key.contains(r))?;
        self.mishaps.remove(index).map(|(_, mishap)| mishap)
    }
}
