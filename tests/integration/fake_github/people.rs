//! What people do on the fake GitHub outside the bot's API calls (force-push,
//! edit labels, milestones and bodies, close milestones, merge), and
//! convenient reads of the final state for end-to-end assertions. Changes
//! here mutate the model directly, as the GitHub UI would; the test then
//! sends the webhook GitHub would send.

use super::FakeGitHub;
use super::state::{Comment, Issue, Milestone, PrFile, Status};

impl FakeGitHub {
    /// Runs `f` on one issue or pull request (panics when it does not exist).
    pub fn with_issue<R>(&self, repo: &str, number: u64, f: impl FnOnce(&mut Issue) -> R) -> R {
        self.with_state(|s| {
            let issue = s
                .repos
                .get_mut(repo)
                .expect("seeded repo")
                .issues
                .get_mut(&number)
                .expect("seeded issue or pull request");
            let before = (issue.labels.clone(), issue.milestone);
            let result = f(issue);
            let after = (issue.labels.clone(), issue.milestone);
            s.record_events(repo, number, &before, &after, super::history::PERSON);
            result
        })
    }

    /// A copy of one issue or pull request.
    pub fn issue(&self, repo: &str, number: u64) -> Issue {
        self.with_issue(repo, number, |i| i.clone())
    }

    /// A (force-)push: the head commit and the changed files are replaced.
    /// Returns the previous head sha.
    pub fn push(&self, repo: &str, number: u64, new_sha: &str, files: Vec<PrFile>) -> String {
        let before = self.with_issue(repo, number, |i| {
            let pull = i.pull.as_mut().expect("a pull request");
            std::mem::replace(&mut pull.head_sha, new_sha.into())
        });
        self.set_files(repo, number, files);
        before
    }

    /// A person replaces the labels (creating unknown ones, as GitHub does).
    /// Returns the previous labels.
    pub fn person_sets_labels(&self, repo: &str, number: u64, labels: &[&str]) -> Vec<String> {
        for label in labels {
            if self.with_state(|s| s.repos[repo].label(label).is_none()) {
                self.add_label(repo, label);
            }
        }
        self.with_issue(repo, number, |i| {
            let new = labels.iter().map(|l| l.to_string()).collect();
            std::mem::replace(&mut i.labels, new)
        })
    }

    /// A person sets or clears the milestone (by number). Returns the previous one.
    pub fn person_sets_milestone(
        &self,
        repo: &str,
        number: u64,
        milestone: Option<u64>,
    ) -> Option<u64> {
        self.with_issue(repo, number, |i| {
            std::mem::replace(&mut i.milestone, milestone)
        })
    }

    /// Closes a pull request, merged or not.
    pub fn close_pull(&self, repo: &str, number: u64, merged: bool) {
        self.with_issue(repo, number, |i| {
            i.state = "closed".into();
            if let Some(pull) = i.pull.as_mut() {
                pull.merged = merged;
            }
        });
    }

    fn with_milestone<R>(&self, repo: &str, number: u64, f: impl FnOnce(&mut Milestone) -> R) -> R {
        self.with_state(|s| {
            let milestone = s
                .repos
                .get_mut(repo)
                .expect("seeded repo")
                .milestones
                .iter_mut()
                .find(|m| m.number == number)
                .expect("seeded milestone");
            f(milestone)
        })
    }

    /// A person closes (`"closed"`) or reopens (`"open"`) a milestone.
    pub fn set_milestone_state(&self, repo: &str, number: u64, state: &str) {
        self.with_milestone(repo, number, |m| m.state = state.into());
    }

    pub fn set_milestone_description(&self, repo: &str, number: u64, description: &str) {
        self.with_milestone(repo, number, |m| m.description = Some(description.into()));
    }

    // ---- reads for assertions ----

    pub fn milestone(&self, repo: &str, number: u64) -> Milestone {
        self.with_milestone(repo, number, |m| m.clone())
    }

    pub fn labels_of(&self, repo: &str, number: u64) -> Vec<String> {
        self.issue(repo, number).labels
    }

    pub fn milestone_title_of(&self, repo: &str, number: u64) -> Option<String> {
        self.issue(repo, number)
            .milestone
            .map(|m| self.milestone(repo, m).title)
    }

    /// Every comment on an issue or pull request, oldest first.
    pub fn comments_on(&self, repo: &str, number: u64) -> Vec<Comment> {
        self.with_state(|s| {
            s.repos[repo]
                .comments
                .iter()
                .filter(|c| c.issue_number == number)
                .cloned()
                .collect()
        })
    }

    /// The comments the bot's login wrote on an issue or pull request.
    pub fn bot_comments_on(&self, repo: &str, number: u64) -> Vec<Comment> {
        let bot = self.with_state(|s| s.bot_login.clone());
        self.comments_on(repo, number)
            .into_iter()
            .filter(|c| c.author == bot)
            .collect()
    }

    /// The newest commit status with `context` on a commit.
    pub fn latest_status(&self, repo: &str, sha: &str, context: &str) -> Option<Status> {
        self.with_state(|s| {
            s.repos[repo]
                .statuses
                .iter()
                .rev()
                .find(|st| st.sha == sha && st.context == context)
                .cloned()
        })
    }

    /// How many requests have been served so far (a mark for [`Self::writes_since`]).
    pub fn request_mark(&self) -> usize {
        self.with_state(|s| s.requests.len())
    }

    /// Writes to repositories served after `mark`, as `METHOD path`.
    pub fn writes_since(&self, mark: usize) -> Vec<String> {
        self.with_state(|s| {
            s.requests
                .iter()
                .skip(mark)
                .filter(|r| r.method != "GET" && r.route.starts_with("/repos/"))
                .map(|r| format!("{} {}", r.method, r.path_and_query))
                .collect()
        })
    }
}
