//! The parts of GitLab's REST answers the bot reads, and their translation
//! into the forge-neutral types. Unknown fields are ignored, so newer
//! GitLab versions that add fields keep working.

use crate::core::types::{ChangeKind, ChangedFile, Milestone, MilestoneId, MilestoneState};
use crate::forge::{
    Access, CommentId, CommitSha, FileChange, Issue, ItemComment, ItemNumber, ItemState,
    MergeRequest,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct GlUser {
    pub username: String,
}

#[derive(Debug, Deserialize)]
pub struct GlMilestoneRef {
    pub id: u64,
}

#[derive(Debug, Deserialize)]
pub struct GlMergeRequest {
    pub iid: u64,
    pub title: String,
    /// opened | closed | locked | merged
    pub state: String,
    #[serde(default)]
    pub draft: bool,
    /// Older instances only send `work_in_progress`.
    #[serde(default)]
    pub work_in_progress: bool,
    pub sha: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub milestone: Option<GlMilestoneRef>,
    pub description: Option<String>,
    pub author: Option<GlUser>,
    pub web_url: String,
    #[serde(default)]
    pub source_branch: String,
    #[serde(default)]
    pub target_branch: String,
}

impl GlMergeRequest {
    pub fn into_neutral(self) -> MergeRequest {
        MergeRequest {
            number: ItemNumber(self.iid),
            title: self.title,
            state: item_state(&self.state),
            draft: self.draft || self.work_in_progress,
            head_sha: CommitSha(self.sha.unwrap_or_default()),
            labels: self.labels,
            milestone: self.milestone.map(|m| MilestoneId(m.id)),
            description: self.description.unwrap_or_default(),
            author: self.author.map(|a| a.username).unwrap_or_default(),
            web_url: self.web_url,
            source_branch: self.source_branch,
            target_branch: self.target_branch,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct GlIssue {
    pub iid: u64,
    pub title: String,
    /// opened | closed
    pub state: String,
    #[serde(default)]
    pub labels: Vec<String>,
    pub milestone: Option<GlMilestoneRef>,
    pub description: Option<String>,
    pub web_url: String,
}

impl GlIssue {
    pub fn into_neutral(self) -> Issue {
        Issue {
            number: ItemNumber(self.iid),
            title: self.title,
            state: item_state(&self.state),
            labels: self.labels,
            milestone: self.milestone.map(|m| MilestoneId(m.id)),
            description: self.description.unwrap_or_default(),
            web_url: self.web_url,
        }
    }
}

fn item_state(state: &str) -> ItemState {
    match state {
        "merged" => ItemState::Merged,
        "closed" | "locked" => ItemState::Closed,
        _ => ItemState::Open,
    }
}

/// One item of `GET /projects/:id/merge_requests/:iid/diffs`.
#[derive(Debug, Deserialize)]
pub struct GlDiff {
    pub old_path: String,
    pub new_path: String,
    #[serde(default)]
    pub new_file: bool,
    #[serde(default)]
    pub renamed_file: bool,
    #[serde(default)]
    pub deleted_file: bool,
    #[serde(default)]
    pub diff: String,
    /// Set when GitLab left the diff out for its size.
    #[serde(default)]
    pub too_large: Option<bool>,
    /// Set when GitLab collapsed the diff (empty `diff`).
    #[serde(default)]
    pub collapsed: Option<bool>,
}

impl GlDiff {
    pub fn into_neutral(self) -> FileChange {
        let omitted = self.too_large == Some(true) || self.collapsed == Some(true);
        let added_lines = (!omitted).then(|| added_lines(&self.diff));
        let file = if self.deleted_file {
            ChangedFile::new(self.old_path, ChangeKind::Deleted)
        } else if self.new_file {
            ChangedFile::new(self.new_path, ChangeKind::Added)
        } else if self.renamed_file {
            ChangedFile::renamed(self.old_path, self.new_path)
        } else {
            ChangedFile::new(self.new_path, ChangeKind::Modified)
        };
        FileChange { file, added_lines }
    }
}

/// The lines a unified diff adds, without their `+`, joined by `\n`.
pub fn added_lines(diff: &str) -> String {
    diff.lines()
        .filter(|line| line.starts_with('+') && !line.starts_with("+++"))
        .map(|line| &line[1..])
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Deserialize)]
pub struct GlMilestone {
    pub id: u64,
    pub title: String,
    /// active | closed
    pub state: String,
    pub description: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub web_url: Option<String>,
    /// Set for group milestones.
    pub group_id: Option<u64>,
}

impl GlMilestone {
    pub fn to_neutral(&self) -> Milestone {
        Milestone {
            id: MilestoneId(self.id),
            title: self.title.clone(),
            state: if self.state == "closed" {
                MilestoneState::Closed
            } else {
                MilestoneState::Open
            },
            start_date: self.start_date,
            due_date: self.due_date,
            description: self.description.clone().unwrap_or_default(),
            web_url: self.web_url.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct GlNote {
    pub id: u64,
    pub body: String,
    pub author: GlUser,
    #[serde(default)]
    pub system: bool,
    /// Optional here so that finding the bot's note never depends on them;
    /// [`GlNote::into_comment`] needs the creation time.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl GlNote {
    /// The neutral comment; `None` for a note without its creation time,
    /// which GitLab always sends.
    pub fn into_comment(self) -> Option<ItemComment> {
        let created_at = self.created_at?;
        Some(ItemComment {
            id: CommentId(self.id),
            author: self.author.username,
            body: self.body,
            created_at,
            updated_at: self.updated_at.unwrap_or(created_at),
        })
    }
}

/// One entry of `GET /users?username=…`.
#[derive(Debug, Deserialize)]
pub struct GlUserId {
    pub id: u64,
    pub username: String,
}

/// `GET /projects/:id/members/all/:user_id` and its group form.
#[derive(Debug, Deserialize)]
pub struct GlMember {
    pub access_level: u64,
    /// `active`, or `awaiting` for a membership waiting for a seat (which
    /// grants nothing yet); absent on older instances, where every listed
    /// membership is active.
    #[serde(default)]
    pub membership_state: Option<String>,
}

impl GlMember {
    pub fn is_active(&self) -> bool {
        self.membership_state
            .as_deref()
            .is_none_or(|s| s == "active")
    }

    pub fn access(&self) -> Access {
        if self.is_active() {
            Access::from_gitlab_level(self.access_level)
        } else {
            Access::None
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct GlLabel {
    pub name: String,
}

/// `GET /projects/:id/repository/branches/:branch`: the head commit.
#[derive(Debug, Deserialize)]
pub struct GlBranch {
    pub commit: GlCommitId,
}

#[derive(Debug, Deserialize)]
pub struct GlCommitId {
    pub id: String,
}

/// One entry of `GET /projects/:id/repository/tree`.
#[derive(Debug, Deserialize)]
pub struct GlTreeEntry {
    /// The object id: a blob's is its content's git id.
    pub id: String,
    /// From the repository root.
    pub path: String,
    /// `blob`, `tree`, or `commit` (a submodule).
    #[serde(rename = "type")]
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(json: &str) -> FileChange {
        serde_json::from_str::<GlDiff>(json).unwrap().into_neutral()
    }

    #[test]
    fn added_lines_skip_headers_context_and_removals() {
        let text = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n keep\n-old\n+new one\n+new two\n";
        assert_eq!(added_lines(text), "new one\nnew two");
    }

    #[test]
    fn diff_items_map_to_change_kinds() {
        let renamed =
            diff(r#"{"old_path":"a.py","new_path":"b.py","renamed_file":true,"diff":""}"#);
        assert_eq!(renamed.file, ChangedFile::renamed("a.py", "b.py"));
        let deleted =
            diff(r#"{"old_path":"a.py","new_path":"a.py","deleted_file":true,"diff":"-x"}"#);
        assert_eq!(deleted.file, ChangedFile::new("a.py", ChangeKind::Deleted));
        let added = diff(r#"{"old_path":"n.py","new_path":"n.py","new_file":true,"diff":"+y"}"#);
        assert_eq!(added.file.change, ChangeKind::Added);
        assert_eq!(added.added_lines.as_deref(), Some("y"));
    }

    #[test]
    fn collapsed_and_too_large_diffs_have_no_added_lines() {
        let collapsed = diff(r#"{"old_path":"m","new_path":"m","diff":"","collapsed":true}"#);
        assert_eq!(collapsed.added_lines, None);
        let large = diff(r#"{"old_path":"m","new_path":"m","diff":"","too_large":true}"#);
        assert_eq!(large.added_lines, None);
    }

    #[test]
    fn members_awaiting_a_seat_have_no_access_yet() {
        let member = |json: &str| serde_json::from_str::<GlMember>(json).unwrap().access();
        assert_eq!(
            member(r#"{"id":3,"access_level":40,"membership_state":"active"}"#),
            Access::Maintain
        );
        assert_eq!(
            member(r#"{"id":3,"access_level":40,"membership_state":"awaiting"}"#),
            Access::None
        );
        assert_eq!(member(r#"{"id":3,"access_level":30}"#), Access::Write);
    }

    #[test]
    fn notes_become_comments_with_their_times() {
        let note: GlNote = serde_json::from_str(
            r#"{"id":5,"body":"/schemagate recheck","author":{"username":"ann"},"system":false,
                "created_at":"2026-11-02T10:00:00.000Z","updated_at":"2026-11-02T10:05:00.000Z"}"#,
        )
        .unwrap();
        let comment = note.into_comment().unwrap();
        assert_eq!(comment.id, CommentId(5));
        assert_eq!(comment.author, "ann");
        assert!(comment.updated_at > comment.created_at);
        let timeless: GlNote =
            serde_json::from_str(r#"{"id":5,"body":"x","author":{"username":"ann"}}"#).unwrap();
        assert_eq!(timeless.into_comment(), None);
    }

    #[test]
    fn merge_request_states_and_drafts_are_read() {
        let json = r#"{"iid":3,"title":"t","state":"merged","work_in_progress":true,
            "sha":"abc","labels":["x"],"milestone":{"id":9},"description":null,
            "author":{"username":"ann"},"web_url":"u"}"#;
        let mr = serde_json::from_str::<GlMergeRequest>(json)
            .unwrap()
            .into_neutral();
        assert_eq!(mr.state, ItemState::Merged);
        assert!(mr.draft);
        assert_eq!(mr.milestone, Some(MilestoneId(9)));
        assert_eq!(mr.author, "ann");
        assert_eq!(mr.description, "");
    }
}
