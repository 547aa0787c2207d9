//! Which right each of the bot's writes needs on each forge, so a write
//! refused for lack of rights says what to grant instead of only "403".
//! The same facts are the token table in docs/forges.md.

use super::ForgeKind;

/// A kind of write the bot makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Write {
    /// An MR's or issue's labels and milestone, in one request.
    ItemUpdate,
    /// The gate: a commit status (GitHub App: a check run).
    Status,
    /// The bot's one comment on an MR or issue.
    Comment,
    /// Creating the database-changes label.
    Label,
    /// The marked block in a release milestone's description.
    MilestoneDescription,
    /// The bot's reaction on the comment that carried a command.
    Reaction,
}

impl Write {
    /// What the write is, for a sentence ("setting the gate status").
    pub fn doing(self) -> &'static str {
        match self {
            Write::ItemUpdate => "setting labels and the milestone",
            Write::Status => "setting the gate status",
            Write::Comment => "writing the bot's comment",
            Write::Label => "creating the label",
            Write::MilestoneDescription => "editing a milestone's description",
            Write::Reaction => "reacting to a command's comment",
        }
    }

    /// The right a token needs on `forge` for this write.
    pub fn needs(self, forge: ForgeKind) -> &'static str {
        match (forge, self) {
            (ForgeKind::GitLab, Write::Status) => {
                "the `api` scope and at least the Developer role on the project (GitLab lets only Developers set commit statuses)"
            }
            (ForgeKind::GitLab, Write::MilestoneDescription) => {
                "the `api` scope and at least the Reporter role where the milestone lives; a group milestone needs a group access token (or a bot user who is a member of the group), because a project access token cannot edit group milestones"
            }
            (ForgeKind::GitLab, Write::Reaction) => {
                "the `api` scope and any role that may comment on the project (Guest and up)"
            }
            (ForgeKind::GitLab, _) => {
                "the `api` scope and at least the Reporter role on the project"
            }
            (ForgeKind::GitHub, Write::Status) => {
                "Commit statuses: read and write (a token), or Checks: read and write (a GitHub App)"
            }
            (ForgeKind::GitHub, Write::Label | Write::MilestoneDescription) => {
                "Issues: read and write (labels and milestones belong to issues)"
            }
            (ForgeKind::GitHub, Write::ItemUpdate | Write::Comment | Write::Reaction) => {
                "Issues and Pull requests: read and write (a classic token: the `repo` scope, or `public_repo` for a public repository)"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_write_names_a_right_on_each_forge() {
        assert!(Write::Status.needs(ForgeKind::GitLab).contains("Developer"));
        assert!(Write::Comment.needs(ForgeKind::GitLab).contains("Reporter"));
        assert!(
            Write::MilestoneDescription
                .needs(ForgeKind::GitLab)
                .contains("group access token")
        );
        assert!(
            Write::Status
                .needs(ForgeKind::GitHub)
                .contains("Commit statuses")
        );
        assert!(
            Write::ItemUpdate
                .needs(ForgeKind::GitHub)
                .contains("Pull requests")
        );
        assert!(Write::Reaction.needs(ForgeKind::GitLab).contains("api"));
        assert!(
            Write::Reaction
                .needs(ForgeKind::GitHub)
                .contains("Pull requests")
        );
    }
}
