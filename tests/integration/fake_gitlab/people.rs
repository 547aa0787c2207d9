//! What people do on the fake GitLab outside the bot's API calls (force-push,
//! edit labels, milestones and descriptions, close milestones, merge), and
//! convenient reads of the final state for end-to-end assertions. Changes
//! here mutate the model directly, as the GitLab UI would; the test then
//! sends the webhook GitLab would send.

use super::FakeGitLab;
use super::state::{Diff, MergeRequest, Milestone, Note, Noteable, Status};

/// The username the fake's `/user` answers with: the bot's notes carry it.
pub const BOT_USERNAME: &str = "schemagate-bot";

impl FakeGitLab {
    /// Runs `f` on one merge request (panics when it does not exist).
    pub fn with_merge_request<R>(
        &self,
        project_id: u64,
        iid: u64,
        f: impl FnOnce(&mut MergeRequest) -> R,
    ) -> R {
        let mut s = self.state();
        let mr = s.merge_request_mut(project_id, iid).expect("seeded MR");
        let before = (mr.labels.clone(), mr.milestone_id);
        let result = f(mr);
        let after = (mr.labels.clone(), mr.milestone_id);
        s.record_history(
            Noteable::MergeRequest,
            project_id,
            iid,
            &before,
            &after,
            super::history::PERSON,
        );
        result
    }

    /// A copy of one merge request.
    pub fn merge_request(&self, project_id: u64, iid: u64) -> MergeRequest {
        self.with_merge_request(project_id, iid, |mr| mr.clone())
    }

    pub fn set_merge_request_text(
        &self,
        project_id: u64,
        iid: u64,
        title: &str,
        description: &str,
    ) {
        self.with_merge_request(project_id, iid, |mr| {
            mr.title = title.into();
            mr.description = description.into();
        });
    }

    /// A (force-)push: the head commit and the diff are replaced.
    /// Returns the previous head, the `oldrev` GitLab's hook carries.
    pub fn push(&self, project_id: u64, iid: u64, new_sha: &str, diffs: Vec<Diff>) -> String {
        self.with_merge_request(project_id, iid, |mr| {
            mr.diffs = diffs;
            std::mem::replace(&mut mr.sha, new_sha.into())
        })
    }

    /// A person replaces the MR's labels. Returns the previous labels.
    pub fn person_sets_labels(&self, project_id: u64, iid: u64, labels: &[&str]) -> Vec<String> {
        self.with_merge_request(project_id, iid, |mr| {
            let new = labels.iter().map(|l| l.to_string()).collect();
            std::mem::replace(&mut mr.labels, new)
        })
    }

    /// A person sets or clears the MR's milestone. Returns the previous one.
    pub fn person_sets_milestone(
        &self,
        project_id: u64,
        iid: u64,
        milestone_id: Option<u64>,
    ) -> Option<u64> {
        self.with_merge_request(project_id, iid, |mr| {
            std::mem::replace(&mut mr.milestone_id, milestone_id)
        })
    }

    /// Closes (`"closed"`) or merges (`"merged"`) an MR.
    pub fn set_merge_request_state(&self, project_id: u64, iid: u64, state: &str) {
        self.with_merge_request(project_id, iid, |mr| mr.state = state.into());
    }

    pub fn set_issue_text(&self, project_id: u64, iid: u64, title: &str, description: &str) {
        let mut s = self.state();
        let issue = s.issue_mut(project_id, iid).expect("seeded issue");
        issue.title = title.into();
        issue.description = description.into();
    }

    /// A person closes (`"closed"`) or reopens (`"active"`) a milestone.
    pub fn set_milestone_state(&self, milestone_id: u64, state: &str) {
        let mut s = self.state();
        let milestone = s
            .milestones
            .iter_mut()
            .find(|m| m.id == milestone_id)
            .expect("seeded milestone");
        milestone.state = state.into();
    }

    pub fn set_milestone_description(&self, milestone_id: u64, description: &str) {
        let mut s = self.state();
        let milestone = s
            .milestones
            .iter_mut()
            .find(|m| m.id == milestone_id)
            .expect("seeded milestone");
        milestone.description = description.into();
    }

    // ---- reads for assertions ----

    pub fn milestone(&self, milestone_id: u64) -> Milestone {
        self.state()
            .milestone(milestone_id)
            .cloned()
            .expect("seeded milestone")
    }

    pub fn milestone_title(&self, milestone_id: Option<u64>) -> Option<String> {
        milestone_id.map(|id| self.milestone(id).title)
    }

    pub fn mr_labels(&self, project_id: u64, iid: u64) -> Vec<String> {
        self.merge_request(project_id, iid).labels
    }

    pub fn mr_milestone_title(&self, project_id: u64, iid: u64) -> Option<String> {
        self.milestone_title(self.merge_request(project_id, iid).milestone_id)
    }

    pub fn issue_labels(&self, project_id: u64, iid: u64) -> Vec<String> {
        let mut s = self.state();
        s.issue_mut(project_id, iid)
            .expect("seeded issue")
            .labels
            .clone()
    }

    pub fn issue_milestone_title(&self, project_id: u64, iid: u64) -> Option<String> {
        let milestone = {
            let mut s = self.state();
            s.issue_mut(project_id, iid)
                .expect("seeded issue")
                .milestone_id
        };
        self.milestone_title(milestone)
    }

    /// Every note on an MR or issue, oldest first.
    pub fn notes_on(&self, project_id: u64, kind: Noteable, iid: u64) -> Vec<Note> {
        self.state()
            .notes
            .iter()
            .filter(|n| n.project_id == project_id && n.noteable == kind && n.iid == iid)
            .cloned()
            .collect()
    }

    /// The notes the bot's user wrote on an MR or issue.
    pub fn bot_notes_on(&self, project_id: u64, kind: Noteable, iid: u64) -> Vec<Note> {
        self.notes_on(project_id, kind, iid)
            .into_iter()
            .filter(|n| n.author == BOT_USERNAME)
            .collect()
    }

    /// The newest status named `name` on a commit.
    pub fn latest_status(&self, project_id: u64, sha: &str, name: &str) -> Option<Status> {
        self.state()
            .statuses
            .iter()
            .rev()
            .find(|s| s.project_id == project_id && s.sha == sha && s.name == name)
            .cloned()
    }

    /// How many requests have been served so far (a mark for [`Self::writes_since`]).
    pub fn request_mark(&self) -> usize {
        self.state().requests.len()
    }

    /// Writes (non-GET requests) served after `mark`, as `METHOD uri`.
    pub fn writes_since(&self, mark: usize) -> Vec<String> {
        self.state()
            .requests
            .iter()
            .skip(mark)
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.uri))
            .collect()
    }
}
