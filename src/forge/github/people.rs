//! People on GitHub: a user's role on a repository, membership of a team,
//! the reaction the bot leaves on an issue comment, and an item's comments
//! for the server-less modes.
//!
//! Shapes from docs.github.com/rest: "Get repository permissions for a
//! user" (`GET /repos/{o}/{r}/collaborators/{username}/permission`:
//! `permission` is the legacy base role, `role_name` the role itself; 404
//! for an account GitHub does not know), "Get team membership for a user"
//! (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: `state`
//! `active` or `pending`, 404 when there is no membership), "Create
//! reaction for an issue comment" (`POST …/issues/comments/{id}/reactions`
//! with `content`: 201 when created, 200 when the same user already left
//! that reaction), and "List issue comments" (oldest first).

use super::client::GitHubClient;
use super::model::{RestComment, RestPermission, RestTeamMembership};
use super::rest::{JSON, segment};
use crate::forge::{
    Access, CommentRef, ForgeError, ItemComment, ItemNumber, ProjectPath, Reaction,
};
use http::Method;
use serde_json::json;

impl GitHubClient {
    /// [`crate::forge::Forge::access`]: the highest role GitHub finds
    /// through the repository, teams, the organisation and the enterprise.
    pub(super) async fn repository_access(
        &self,
        project: &ProjectPath,
        login: &str,
    ) -> Result<Access, ForgeError> {
        let path = format!(
            "/repos/{}/collaborators/{}/permission",
            project.0,
            segment(login)
        );
        match self.get_json::<RestPermission>(project, &path).await {
            Ok(answer) => Ok(answer.access()),
            // No such account (or, indistinguishably, no such repository:
            // the bot's other reads of it fail loudly in that case).
            Err(ForgeError::NotFound(_)) => Ok(Access::None),
            Err(error) => Err(error),
        }
    }

    /// [`crate::forge::Forge::in_group`] on GitHub: `team` is `org/team-slug`.
    /// A team belongs to an organisation, not a repository: an App reads it
    /// through its installation on the organisation.
    pub(super) async fn team_member(&self, team: &str, login: &str) -> Result<bool, ForgeError> {
        let (org, slug) = team
            .split_once('/')
            .filter(|(org, slug)| !org.is_empty() && !slug.is_empty() && !slug.contains('/'))
            .ok_or_else(|| ForgeError::Unexpected {
                status: 0,
                body: format!("{team:?} is not a GitHub team: teams are written org/team-slug"),
            })?;
        let path = format!(
            "/orgs/{}/teams/{}/memberships/{}",
            segment(org),
            segment(slug),
            segment(login)
        );
        // A path without `/` names the organisation to the credentials.
        let owner = ProjectPath(org.to_string());
        match self.get_json::<RestTeamMembership>(&owner, &path).await {
            Ok(membership) => Ok(membership.state == "active"),
            Err(ForgeError::NotFound(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Leaves the reaction on the comment. Sent with retries: GitHub
    /// answers a second identical reaction with 200 and the first one, so
    /// a retry after a lost answer adds nothing.
    pub(super) async fn leave_reaction(
        &self,
        project: &ProjectPath,
        target: CommentRef,
        reaction: Reaction,
    ) -> Result<(), ForgeError> {
        let path = format!(
            "/repos/{}/issues/comments/{}/reactions",
            project.0, target.id
        );
        let body = json!({ "content": reaction.github_content() });
        self.call(project, Method::POST, &path, Some(&body), JSON)
            .await
            .map(|_| ())
    }

    /// [`crate::forge::Forge::comments`]: the or pull request's
    /// conversation comments (review comments on lines are another list,
    /// and carry no commands), oldest first as GitHub lists them.
    pub(super) async fn item_comments(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<Vec<ItemComment>, ForgeError> {
        let path = format!("/repos/{}/issues/{number}/comments", project.0);
        let listed: Vec<RestComment> = self.get_all(project, &path).await?;
        let mut comments = Vec::with_capacity(listed.len());
        for comment in listed {
            let id = comment.id;
            comments.push(
                comment
                    .into_comment()
                    .ok_or_else(|| ForgeError::Unexpected {
                        status: 200,
                        body: format!("GitHub listed comment {id} without its created_at"),
                    })?,
            );
        }
        comments.sort_by_key(|comment| (comment.created_at, comment.id));
        Ok(comments)
    }
}
