//! What the forge says about people, in neutral words: how far a person may
//! act in a project ([`Access`], one ladder for GitLab's access levels and
//! GitHub's repository roles), the comments people wrote on an item
//! ([`ItemComment`]), and the reaction the bot leaves on one of them
//! ([`Reaction`] on a [`CommentRef`]). Deciding who may do what with these
//! is the caller's policy; this module only names what the forge answered.

use super::{CommentId, ForgeKind, ItemKind, ItemNumber};
use chrono::{DateTime, Utc};

/// A person's standing in one project, lowest first, so rights compare with
/// `>=`. Each forge's roles map onto it (`from_gitlab_level`,
/// `from_github_role`); the forges differ on what merging needs (GitLab
/// protects the default branch for Maintainers, GitHub lets `write` merge),
/// so a policy that means "can merge" picks its rung per forge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Not a member or collaborator (or only GitLab's Minimal Access).
    None,
    /// GitLab Guest; GitHub `read`.
    Read,
    /// GitLab Planner and Reporter; GitHub `triage`: may manage issues and
    /// labels, not push.
    Triage,
    /// GitLab Developer; GitHub `write`.
    Write,
    /// GitLab Maintainer; GitHub `maintain`.
    Maintain,
    /// GitLab Owner (and instance Admin); GitHub `admin`.
    Admin,
}

impl Access {
    /// GitLab's `access_level` (docs.gitlab.com, members API: 0 none,
    /// 5 minimal, 10 guest, 15 planner, 20 reporter, 30 developer,
    /// 40 maintainer, 50 owner, 60 admin). Read as thresholds, so a level
    /// GitLab adds between two of these lands on the rung below it.
    pub fn from_gitlab_level(level: u64) -> Access {
        match level {
            50.. => Access::Admin,
            40.. => Access::Maintain,
            30.. => Access::Write,
            15.. => Access::Triage,
            10.. => Access::Read,
            _ => Access::None,
        }
    }

    /// GitHub's answer to the collaborator permission request: `role_name`
    /// names the role itself (`maintain` and `triage` included), while
    /// `permission` keeps only the legacy base (`maintain` reads `write`,
    /// `triage` reads `read`). A custom role's name is the organisation's
    /// own, so only its base in `permission` says what it may do.
    pub fn from_github_role(permission: &str, role_name: Option<&str>) -> Access {
        let named = match role_name.map(str::to_ascii_lowercase).as_deref() {
            Some("admin") => Some(Access::Admin),
            Some("maintain") => Some(Access::Maintain),
            Some("write") => Some(Access::Write),
            Some("triage") => Some(Access::Triage),
            Some("read") => Some(Access::Read),
            _ => None,
        };
        named.unwrap_or(match permission.to_ascii_lowercase().as_str() {
            "admin" => Access::Admin,
            "maintain" => Access::Maintain,
            "write" => Access::Write,
            "triage" => Access::Triage,
            "read" => Access::Read,
            _ => Access::None,
        })
    }

    /// The forge's own word for this rung, for sentences people read
    /// ("approving needs Maintainer on lava/lava").
    pub fn role_name(self, forge: ForgeKind) -> &'static str {
        match forge {
            ForgeKind::GitLab => match self {
                Access::None => "no access",
                Access::Read => "Guest",
                Access::Triage => "Reporter",
                Access::Write => "Developer",
                Access::Maintain => "Maintainer",
                Access::Admin => "Owner",
            },
            ForgeKind::GitHub => match self {
                Access::None => "none",
                Access::Read => "read",
                Access::Triage => "triage",
                Access::Write => "write",
                Access::Maintain => "maintain",
                Access::Admin => "admin",
            },
        }
    }
}

/// One comment a person (or a bot) wrote on an MR or issue. System notes
/// (GitLab's "added 1 commit", "changed milestone") are not comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemComment {
    pub id: CommentId,
    /// The author's username (GitLab) or login (GitHub); empty for a
    /// deleted account.
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Later than `created_at` once the comment was edited (GitLab also
    /// moves it for other changes to the note, such as resolving it).
    pub updated_at: DateTime<Utc>,
}

/// Where a comment is: GitLab addresses a note through its item, GitHub
/// needs only the comment's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommentRef {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub id: CommentId,
}

/// The bot's answer to a command, left on the comment that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reaction {
    /// The command was acted on: GitLab award emoji `thumbsup`, GitHub `+1`.
    Acted,
    /// The command was refused: GitLab `thumbsdown`, GitHub `-1`.
    Refused,
}

impl Reaction {
    /// GitLab's award emoji name.
    pub fn gitlab_emoji(self) -> &'static str {
        match self {
            Reaction::Acted => "thumbsup",
            Reaction::Refused => "thumbsdown",
        }
    }

    /// GitHub's reaction `content`.
    pub fn github_content(self) -> &'static str {
        match self {
            Reaction::Acted => "+1",
            Reaction::Refused => "-1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_levels_land_on_the_ladder() {
        let rung = Access::from_gitlab_level;
        assert_eq!(rung(0), Access::None);
        assert_eq!(rung(5), Access::None, "minimal access sees nothing");
        assert_eq!(rung(10), Access::Read);
        assert_eq!(rung(15), Access::Triage);
        assert_eq!(rung(20), Access::Triage);
        assert_eq!(rung(30), Access::Write);
        assert_eq!(rung(40), Access::Maintain);
        assert_eq!(rung(50), Access::Admin);
        assert_eq!(rung(60), Access::Admin);
        assert_eq!(
            rung(35),
            Access::Write,
            "an unknown level takes the rung below"
        );
    }

    #[test]
    fn github_role_names_win_over_the_legacy_permission() {
        let rung = Access::from_github_role;
        assert_eq!(rung("write", Some("maintain")), Access::Maintain);
        assert_eq!(rung("read", Some("triage")), Access::Triage);
        assert_eq!(rung("admin", Some("admin")), Access::Admin);
        assert_eq!(rung("write", None), Access::Write, "an older GitHub");
        assert_eq!(
            rung("write", Some("release-captain")),
            Access::Write,
            "a custom role counts as its base"
        );
        assert_eq!(rung("none", Some("")), Access::None);
    }

    #[test]
    fn the_ladder_orders_rights_and_names_them_per_forge() {
        assert!(Access::Maintain >= Access::Write);
        assert!(Access::Triage < Access::Write);
        assert_eq!(Access::Maintain.role_name(ForgeKind::GitLab), "Maintainer");
        assert_eq!(Access::Maintain.role_name(ForgeKind::GitHub), "maintain");
        assert_eq!(Reaction::Acted.gitlab_emoji(), "thumbsup");
        assert_eq!(Reaction::Refused.github_content(), "-1");
    }
}
