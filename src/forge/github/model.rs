//! The fields schemagate reads from GitHub's REST answers, and their
//! translation into the forge-neutral types. Unknown fields are ignored, so
//! GitHub adding fields never breaks the client.

use crate::core::types::{ChangeKind, ChangedFile, Milestone, MilestoneId, MilestoneState};
use crate::forge::{
    Access, CommentId, CommitSha, FileChange, Issue, ItemComment, ItemNumber, ItemState,
    MergeRequest,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct RestUser {
    pub login: String,
}

#[derive(Debug, Deserialize)]
pub struct RestLabel {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct RestMilestoneRef {
    pub number: u64,
}

#[derive(Debug, Deserialize)]
pub struct RestBranch {
    #[serde(rename = "ref")]
    pub reference: String,
    pub sha: String,
}

#[derive(Debug, Deserialize)]
pub struct RestPull {
    pub number: u64,
    pub title: String,
    pub state: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub merged: bool,
    pub merged_at: Option<String>,
    pub body: Option<String>,
    pub user: Option<RestUser>,
    pub html_url: String,
    #[serde(default)]
    pub labels: Vec<RestLabel>,
    pub milestone: Option<RestMilestoneRef>,
    pub head: RestBranch,
    pub base: RestBranch,
    /// Only in the single-PR answer; the true count even past the 3,000-file cap.
    pub changed_files: Option<u64>,
}

impl RestPull {
    pub fn into_merge_request(self) -> MergeRequest {
        let state = if self.merged || self.merged_at.is_some() {
            ItemState::Merged
        } else {
            item_state(&self.state)
        };
        MergeRequest {
            number: ItemNumber(self.number),
            title: self.title,
            state,
            draft: self.draft,
            head_sha: CommitSha(self.head.sha),
            labels: self.labels.into_iter().map(|l| l.name).collect(),
            milestone: self.milestone.map(|m| MilestoneId(m.number)),
            description: self.body.unwrap_or_default(),
            author: self.user.map(|u| u.login).unwrap_or_default(),
            web_url: self.html_url,
            source_branch: self.head.reference,
            target_branch: self.base.reference,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RestIssue {
    pub number: u64,
    pub title: String,
    pub state: String,
    pub body: Option<String>,
    pub html_url: String,
    #[serde(default)]
    pub labels: Vec<RestLabel>,
    pub milestone: Option<RestMilestoneRef>,
    /// Present when the issue is a pull request.
    pub pull_request: Option<serde_json::Value>,
}

impl RestIssue {
    pub fn is_pull_request(&self) -> bool {
        self.pull_request.is_some()
    }

    pub fn into_issue(self) -> Issue {
        Issue {
            number: ItemNumber(self.number),
            title: self.title,
            state: item_state(&self.state),
            labels: self.labels.into_iter().map(|l| l.name).collect(),
            milestone: self.milestone.map(|m| MilestoneId(m.number)),
            description: self.body.unwrap_or_default(),
            web_url: self.html_url,
        }
    }
}

fn item_state(state: &str) -> ItemState {
    if state == "closed" {
        ItemState::Closed
    } else {
        ItemState::Open
    }
}

#[derive(Debug, Deserialize)]
pub struct RestMilestone {
    pub number: u64,
    pub title: String,
    pub state: String,
    pub description: Option<String>,
    pub due_on: Option<String>,
    pub html_url: Option<String>,
}

impl RestMilestone {
    /// GitHub milestones have no start date; `due_on` is a timestamp whose
    /// UTC date is the day chosen in the UI.
    pub fn into_milestone(self) -> Milestone {
        Milestone {
            id: MilestoneId(self.number),
            title: self.title,
            state: if self.state == "closed" {
                MilestoneState::Closed
            } else {
                MilestoneState::Open
            },
            start_date: None,
            due_date: self.due_on.as_deref().and_then(due_date),
            description: self.description.unwrap_or_default(),
            web_url: self.html_url,
        }
    }
}

fn due_date(due_on: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(due_on)
        .map(|t| t.date_naive())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(due_on.get(..10)?, "%Y-%m-%d").ok())
}

#[derive(Debug, Deserialize)]
pub struct RestComment {
    pub id: u64,
    pub body: Option<String>,
    /// The author; GitHub sends `null` for a deleted account.
    pub user: Option<RestUser>,
    /// Optional here so that finding the bot's comment never depends on
    /// them; [`RestComment::into_comment`] needs the creation time.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl RestComment {
    /// The neutral comment; `None` without the creation time, which GitHub
    /// always sends.
    pub fn into_comment(self) -> Option<ItemComment> {
        let created_at = self.created_at?;
        Some(ItemComment {
            id: CommentId(self.id),
            author: self.user.map(|user| user.login).unwrap_or_default(),
            body: self.body.unwrap_or_default(),
            created_at,
            updated_at: self.updated_at.unwrap_or(created_at),
        })
    }
}

/// `GET /repos/{owner}/{repo}/collaborators/{username}/permission`.
#[derive(Debug, Deserialize)]
pub struct RestPermission {
    /// The legacy base role: `admin`, `write`, `read` or `none`.
    pub permission: String,
    /// The role itself (`maintain`, `triage`, a custom role's name); empty
    /// for no role, absent on older GitHub Enterprise servers.
    #[serde(default)]
    pub role_name: Option<String>,
}

impl RestPermission {
    pub fn access(&self) -> Access {
        Access::from_github_role(&self.permission, self.role_name.as_deref())
    }
}

/// `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`.
#[derive(Debug, Deserialize)]
pub struct RestTeamMembership {
    /// `active`, or `pending` while an invitation is not accepted.
    pub state: String,
}

#[derive(Debug, Deserialize)]
pub struct RestInstallation {
    pub id: u64,
}

/// One entry of `GET /repos/{o}/{r}/pulls/{n}/files`.
#[derive(Debug, Deserialize)]
pub struct RestFile {
    pub filename: String,
    pub status: String,
    pub previous_filename: Option<String>,
    pub patch: Option<String>,
}

impl RestFile {
    /// The neutral change, or `None` for an entry that changes nothing
    /// (`unchanged`). A copy is a new file at its path.
    pub fn into_change(self) -> Option<FileChange> {
        let file = match self.status.as_str() {
            "added" | "copied" => ChangedFile::new(self.filename, ChangeKind::Added),
            "removed" => ChangedFile::new(self.filename, ChangeKind::Deleted),
            "renamed" => match self.previous_filename {
                Some(old) => ChangedFile::renamed(old, self.filename),
                None => ChangedFile::new(self.filename, ChangeKind::Added),
            },
            "unchanged" => return None,
            // "modified", "changed" (mode only) and any future status.
            _ => ChangedFile::new(self.filename, ChangeKind::Modified),
        };
        Some(FileChange {
            file,
            added_lines: self.patch.as_deref().map(added_lines),
        })
    }
}

/// The lines a unified-diff hunk adds, without their `+`. GitHub's `patch`
/// holds only hunks (no `+++` file header), so every `+` line is content.
pub fn added_lines(patch: &str) -> String {
    patch
        .lines()
        .filter_map(|line| line.strip_prefix('+'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `GET /repos/{o}/{r}/git/ref/heads/{branch}`.
#[derive(Debug, Deserialize)]
pub struct RestRef {
    pub object: RestRefObject,
}

#[derive(Debug, Deserialize)]
pub struct RestRefObject {
    pub sha: String,
}

/// `GET /repos/{o}/{r}/git/trees/{tree-ish}?recursive=1`.
#[derive(Debug, Deserialize)]
pub struct RestTree {
    pub tree: Vec<RestTreeEntry>,
    /// GitHub listed no more than its limit (100,000 entries, 7 MB).
    #[serde(default)]
    pub truncated: bool,
}

#[derive(Debug, Deserialize)]
pub struct RestTreeEntry {
    /// From the repository root.
    pub path: String,
    /// `blob`, `tree`, or `commit` (a submodule).
    #[serde(rename = "type")]
    pub kind: String,
    /// The object id: a blob's is its content's git id.
    pub sha: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(status: &str, previous: Option<&str>, patch: Option<&str>) -> RestFile {
        RestFile {
            filename: "db/migrate/2_b.rb".into(),
            status: status.into(),
            previous_filename: previous.map(str::to_string),
            patch: patch.map(str::to_string),
        }
    }

    #[test]
    fn statuses_map_to_change_kinds() {
        let kind = |s| file(s, None, None).into_change().unwrap().file.change;
        assert_eq!(kind("added"), ChangeKind::Added);
        assert_eq!(kind("copied"), ChangeKind::Added);
        assert_eq!(kind("removed"), ChangeKind::Deleted);
        assert_eq!(kind("modified"), ChangeKind::Modified);
        assert_eq!(kind("changed"), ChangeKind::Modified);
        assert!(file("unchanged", None, None).into_change().is_none());
    }

    #[test]
    fn rename_keeps_the_previous_path() {
        let change = file("renamed", Some("db/migrate/1_a.rb"), None)
            .into_change()
            .unwrap();
        assert_eq!(
            change.file,
            ChangedFile::renamed("db/migrate/1_a.rb", "db/migrate/2_b.rb")
        );
    }

    #[test]
    fn patch_gives_only_added_lines_and_missing_patch_gives_none() {
        let patch = "@@ -1,2 +1,3 @@\n context\n-old line\n+new line\n++ starts with plus";
        let change = file("modified", None, Some(patch)).into_change().unwrap();
        assert_eq!(
            change.added_lines.as_deref(),
            Some("new line\n+ starts with plus")
        );
        assert_eq!(
            file("added", None, None).into_change().unwrap().added_lines,
            None
        );
    }

    #[test]
    fn due_on_becomes_its_utc_date_and_there_is_no_start_date() {
        let milestone = RestMilestone {
            number: 4,
            title: "2026.11".into(),
            state: "open".into(),
            description: None,
            due_on: Some("2026-11-30T08:00:00Z".into()),
            html_url: None,
        }
        .into_milestone();
        assert_eq!(milestone.id, MilestoneId(4));
        assert_eq!(milestone.due_date, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(milestone.start_date, None);
        assert_eq!(milestone.description, "");
    }

    #[test]
    fn a_collaborators_role_name_says_more_than_the_legacy_permission() {
        let read = |json: &str| {
            serde_json::from_str::<RestPermission>(json)
                .unwrap()
                .access()
        };
        assert_eq!(
            read(r#"{"permission":"write","role_name":"maintain","user":{"login":"ann"}}"#),
            Access::Maintain
        );
        assert_eq!(
            read(r#"{"permission":"none","role_name":""}"#),
            Access::None
        );
        assert_eq!(read(r#"{"permission":"admin"}"#), Access::Admin);
    }

    #[test]
    fn comments_keep_their_author_and_times() {
        let comment: RestComment = serde_json::from_str(
            r#"{"id":9,"body":"/schemagate help","user":null,
                "created_at":"2026-11-02T10:00:00Z","updated_at":"2026-11-02T10:00:00Z"}"#,
        )
        .unwrap();
        let comment = comment.into_comment().unwrap();
        assert_eq!(comment.id, CommentId(9));
        assert_eq!(comment.author, "", "a deleted account");
        assert_eq!(comment.created_at, comment.updated_at);
    }

    #[test]
    fn merged_pull_is_merged_and_closed_one_is_closed() {
        let json = |merged: bool| {
            serde_json::json!({
                "number": 2, "title": "t", "state": "closed", "merged": merged,
                "merged_at": if merged { serde_json::json!("2026-01-01T00:00:00Z") } else { serde_json::Value::Null },
                "body": null, "user": {"login": "a"}, "html_url": "u", "labels": [{"name": "x"}],
                "milestone": {"number": 3}, "head": {"ref": "f", "sha": "abc"}, "base": {"ref": "main", "sha": "def"}
            })
        };
        let merged: RestPull = serde_json::from_value(json(true)).unwrap();
        let closed: RestPull = serde_json::from_value(json(false)).unwrap();
        assert_eq!(merged.into_merge_request().state, ItemState::Merged);
        let closed = closed.into_merge_request();
        assert_eq!(closed.state, ItemState::Closed);
        assert_eq!(closed.milestone, Some(MilestoneId(3)));
        assert_eq!(closed.labels, vec!["x".to_string()]);
        assert_eq!(closed.description, "");
    }
}
