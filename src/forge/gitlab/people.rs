//! People on GitLab: a username's numeric id, a user's access to a project
//! and membership of a group (inherited memberships counted, as GitLab
//! counts them), the award emoji the bot leaves on a note, and an item's
//! comments for the server-less modes.
//!
//! Shapes from docs.gitlab.com: `GET /users?username=` (users API: a list,
//! empty when nobody has the name), `GET /projects/:id/members/all/:user_id`
//! and `GET /groups/:id/members/all/:user_id` (members API: 404 for someone
//! who is not a member), `POST …/notes/:note_id/award_emoji` with `name`
//! (emoji reactions API; GitLab answers a second award of the same emoji
//! with 404 "Award Emoji Name has already been taken").

use super::client::{GitLabClient, builder_error};
use super::endpoints::AllGroupMember;
use super::model::{GlMember, GlUserId};
use crate::forge::{
    Access, CommentRef, ForgeError, ItemComment, ItemKind, ItemNumber, ProjectPath, Reaction,
};
use gitlab::api::projects::{issues, members, merge_requests};

impl GitLabClient {
    /// The id of the user called `username`, `None` when there is none.
    /// Asked each time: a name can pass to another account, an id cannot,
    /// and a caller that checks often caches the answer it builds on this.
    async fn user_id(&self, username: &str) -> Result<Option<u64>, ForgeError> {
        let endpoint = gitlab::api::users::Users::builder()
            .username(username)
            .build()
            .map_err(builder_error)?;
        let found: Vec<GlUserId> = self.query(endpoint).await?;
        // GitLab matches the name without case; an exact match is preferred
        // should an older instance list more than one.
        Ok(found
            .iter()
            .find(|user| user.username == username)
            .or_else(|| {
                found
                    .iter()
                    .find(|user| user.username.eq_ignore_ascii_case(username))
            })
            .map(|user| user.id))
    }

    /// [`crate::forge::Forge::access`]: the highest membership GitLab
    /// finds through the project, its groups and their ancestors.
    pub(super) async fn project_access(
        &self,
        project: &ProjectPath,
        username: &str,
    ) -> Result<Access, ForgeError> {
        let Some(user) = self.user_id(username).await? else {
            return Ok(Access::None);
        };
        let endpoint = members::AllProjectMember::builder()
            .project(project.0.as_str())
            .user(user)
            .build()
            .map_err(builder_error)?;
        match self.query::<GlMember, _>(endpoint).await {
            Ok(member) => Ok(member.access()),
            Err(ForgeError::NotFound(message)) if !names_missing_place(&message) => {
                Ok(Access::None)
            }
            Err(error) => Err(error),
        }
    }

    /// [`crate::forge::Forge::in_group`] on GitLab: `group` is a full path.
    pub(super) async fn group_member(
        &self,
        group: &str,
        username: &str,
    ) -> Result<bool, ForgeError> {
        let Some(user) = self.user_id(username).await? else {
            return Ok(false);
        };
        let endpoint = AllGroupMember {
            group: group.into(),
            user,
        };
        match self.query::<GlMember, _>(endpoint).await {
            Ok(member) => Ok(member.is_active()),
            Err(ForgeError::NotFound(message)) if !names_missing_place(&message) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Awards the reaction's emoji on the note. Sent with retries: a second
    /// award of the same emoji is refused as already taken, which is the
    /// state wanted, so a retry after a lost answer does no harm.
    pub(super) async fn award(
        &self,
        project: &ProjectPath,
        target: CommentRef,
        reaction: Reaction,
    ) -> Result<(), ForgeError> {
        let p = project.0.as_str();
        let name = reaction.gitlab_emoji();
        let sent = match target.kind {
            ItemKind::MergeRequest => {
                let endpoint =
                    merge_requests::notes::awards::CreateMergeRequestNoteAward::builder()
                        .project(p)
                        .merge_request(target.number.0)
                        .note(target.id.0)
                        .name(name)
                        .build()
                        .map_err(builder_error)?;
                self.write(endpoint).await
            }
            ItemKind::Issue => {
                let endpoint = issues::notes::awards::CreateIssueNoteAward::builder()
                    .project(p)
                    .issue(target.number.0)
                    .note(target.id.0)
                    .name(name)
                    .build()
                    .map_err(builder_error)?;
                self.write(endpoint).await
            }
        };
        match sent {
            Err(ForgeError::NotFound(message)) if message.contains("already been taken") => Ok(()),
            other => other,
        }
    }

    /// [`crate::forge::Forge::comments`]: the item's notes oldest first,
    /// system notes left out.
    pub(super) async fn item_comments(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
    ) -> Result<Vec<ItemComment>, ForgeError> {
        let notes = self.list_notes(project, kind, number, true).await?;
        let mut comments = Vec::with_capacity(notes.len());
        for note in notes.into_iter().filter(|note| !note.system) {
            let id = note.id;
            let comment = note.into_comment().ok_or_else(|| ForgeError::Unexpected {
                status: 200,
                body: format!("GitLab listed note {id} without its created_at"),
            })?;
            comments.push(comment);
        }
        // Creation order even where GitLab sorted otherwise (equal times
        // keep the id order notes were written in).
        comments.sort_by_key(|comment| (comment.created_at, comment.id));
        Ok(comments)
    }
}

/// Whether GitLab's 404 says the project or group itself is missing (or
/// hidden from the token), as opposed to the user not being a member:
/// `404 Project Not Found` / `404 Group Not Found` against `404 Not found`.
fn names_missing_place(message: &str) -> bool {
    message.contains("Project Not Found") || message.contains("Group Not Found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_project_or_group_is_told_from_a_missing_member() {
        assert!(names_missing_place("404 Project Not Found"));
        assert!(names_missing_place("404 Group Not Found"));
        assert!(!names_missing_place("404 Not found"));
    }
}
