//! The fake GitHub's people routes, shaped after GitHub's REST reference
//! (docs.github.com/rest): "Get repository permissions for a
//! user" (`permission` is the legacy base role, where `maintain` reads
//! `write` and `triage` reads `read`; `role_name` is the role itself, empty
//! for none; 404 for an account GitHub does not know; 403 "Must have push
//! access to view collaborator permission." for a token whose user cannot
//! push), "Get team membership for a user" (`role` and `state`, 404 when
//! there is no membership or no such team), "Create reaction for an issue
//! comment" (201 with the new reaction, 200 with the existing one when the
//! same user already reacted the same way, 422 for an unknown content), and
//! an App's installation on an organisation (`GET /orgs/{org}/installation`,
//! JWT). Plus the seeding helpers tests use for them.

use super::state::{Access, Caller, Collaborator, Comment, Reaction, Team, TeamMember};
use super::{Fake, FakeGitHub, render};
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

/// The reactions GitHub accepts.
const CONTENTS: [&str; 8] = [
    "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
];

/// The legacy base role GitHub reports in `permission` for a built-in role.
fn base_of(role: &str) -> &'static str {
    match role {
        "admin" => "admin",
        "maintain" | "write" => "write",
        "triage" | "read" => "read",
        _ => "none",
    }
}

pub async fn collaborator_permission(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, login)): Path<(String, String, String)>,
    Extension(caller): Extension<Caller>,
) -> Response {
    if matches!(caller, Caller::Personal(Access::ReadOnly)) {
        return render::error(
            StatusCode::FORBIDDEN,
            "Must have push access to view collaborator permission.",
        );
    }
    super::routes::with_repo(&fake, &o, &r, |state, key| {
        let repo = &state.repos[key];
        let wanted = login.to_lowercase();
        let role = if wanted == repo.owner.to_lowercase() {
            Some(Collaborator {
                role_name: "admin".into(),
                permission: "admin".into(),
            })
        } else {
            repo.collaborators.get(&wanted).cloned()
        };
        if role.is_none() && !state.users.contains(&wanted) {
            return render::not_found();
        }
        let (permission, role_name) = role.map_or(("none".to_string(), String::new()), |c| {
            (c.permission, c.role_name)
        });
        let rank = |at_least: &[&str]| at_least.contains(&permission.as_str());
        let mut user = render::user(&login);
        user["permissions"] = json!({
            "admin": rank(&["admin"]),
            "maintain": rank(&["admin"]) || role_name == "maintain",
            "push": rank(&["admin", "write"]),
            "triage": rank(&["admin", "write"]) || role_name == "triage",
            "pull": rank(&["admin", "write", "read"]),
        });
        user["role_name"] = json!(role_name);
        Json(json!({ "permission": permission, "role_name": role_name, "user": user }))
            .into_response()
    })
}

pub async fn team_membership(
    AxumState(fake): AxumState<Fake>,
    Path((org, slug, login)): Path<(String, String, String)>,
) -> Response {
    let state = fake.state.lock().unwrap();
    let key = format!("{org}/{slug}").to_lowercase();
    let Some(member) = state
        .teams
        .get(&key)
        .and_then(|team| team.members.get(&login.to_lowercase()))
    else {
        return render::not_found();
    };
    let team_id = state.teams[&key].id;
    Json(json!({
        "url": format!("{}/teams/{team_id}/memberships/{login}", fake.base_url),
        "role": member.role,
        "state": member.state,
    }))
    .into_response()
}

fn reaction_json(reaction: &Reaction) -> Value {
    json!({
        "id": reaction.id,
        "node_id": format!("REA_{}", reaction.id),
        "user": render::user(&reaction.user),
        "content": reaction.content,
        "created_at": "2026-11-02T10:00:00Z",
    })
}

pub async fn create_reaction(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, comment_id)): Path<(String, String, u64)>,
    Json(body): Json<Value>,
) -> Response {
    super::routes::with_repo(&fake, &o, &r, |state, key| {
        let Some(content) = body.get("content").and_then(Value::as_str) else {
            return render::validation_failed("Reaction", "content", "missing_field");
        };
        if !CONTENTS.contains(&content) {
            return render::validation_failed("Reaction", "content", "invalid");
        }
        if !state.repos[key].comments.iter().any(|c| c.id == comment_id) {
            return render::not_found();
        }
        let user = state.bot_login.clone();
        let existing = state.repos[key]
            .reactions
            .iter()
            .find(|x| x.comment_id == comment_id && x.content == content && x.user == user);
        if let Some(existing) = existing {
            return (StatusCode::OK, Json(reaction_json(existing))).into_response();
        }
        let reaction = Reaction {
            id: state.fresh_id(),
            comment_id,
            content: content.to_string(),
            user,
        };
        let json = reaction_json(&reaction);
        state.repos.get_mut(key).unwrap().reactions.push(reaction);
        (StatusCode::CREATED, Json(json)).into_response()
    })
}

/// `GET /orgs/{org}/installation` (JWT): the App's one installation, when
/// the organisation owns a repository the fake knows.
pub async fn org_installation(
    AxumState(fake): AxumState<Fake>,
    Path(org): Path<String>,
) -> Response {
    let state = fake.state.lock().unwrap();
    let owns = state
        .repos
        .values()
        .any(|repo| repo.owner.eq_ignore_ascii_case(&org));
    let Some(app) = state.app.as_ref().filter(|_| owns) else {
        return render::not_found();
    };
    Json(json!({
        "id": app.installation_id,
        "app_id": app.app_id,
        "account": render::user(&org),
        "target_type": "Organization",
        "permissions": {"checks": "write", "issues": "write", "pull_requests": "write", "members": "read", "metadata": "read"},
        "repository_selection": "selected",
        "access_tokens_url": format!("{}/app/installations/{}/access_tokens", fake.base_url, app.installation_id),
    }))
    .into_response()
}

impl FakeGitHub {
    /// An account GitHub knows, with no role anywhere yet.
    pub fn add_user(&self, login: &str) {
        self.with_state(|s| s.users.insert(login.to_lowercase()));
    }

    /// Gives `login` a built-in role on the repository (`read`, `triage`,
    /// `write`, `maintain`, `admin`), as a direct, team or organisation
    /// grant would: the endpoint reports the highest, whatever its source.
    pub fn set_role(&self, repo: &str, login: &str, role: &str) {
        self.set_custom_role(repo, login, role, base_of(role));
    }

    /// Gives `login` an organisation's custom role, which GitHub reports by
    /// its name in `role_name` and by its base role in `permission`.
    pub fn set_custom_role(&self, repo: &str, login: &str, role_name: &str, permission: &str) {
        self.add_user(login);
        self.with_state(|s| {
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .collaborators
                .insert(
                    login.to_lowercase(),
                    Collaborator {
                        role_name: role_name.into(),
                        permission: permission.into(),
                    },
                );
        });
    }

    /// Adds `login` to the team `org/slug` (made on first use); `state` is
    /// `active`, or `pending` for an invitation not yet accepted.
    pub fn add_team_member(&self, team: &str, login: &str, state: &str) {
        self.add_user(login);
        self.with_state(|s| {
            let id = s.fresh_id();
            s.teams
                .entry(team.to_lowercase())
                .or_insert_with(|| Team {
                    id,
                    ..Team::default()
                })
                .members
                .insert(
                    login.to_lowercase(),
                    TeamMember {
                        role: "member".into(),
                        state: state.into(),
                    },
                );
        });
    }

    /// A person's comment on an issue or pull request; returns its id. The
    /// test sends the `issue_comment` webhook GitHub would send.
    pub fn add_comment(&self, repo: &str, number: u64, author: &str, body: &str) -> u64 {
        self.add_user(author);
        self.with_state(|s| {
            let id = s.fresh_id();
            s.repos
                .get_mut(repo)
                .expect("seeded repo")
                .comments
                .push(Comment::new(id, number, author, body));
            id
        })
    }

    /// A person edits their comment: the body changes, `updated_at` moves.
    pub fn edit_comment(&self, repo: &str, id: u64, body: &str) {
        self.with_state(|s| {
            let comment = s
                .repos
                .get_mut(repo)
                .expect("seeded repo")
                .comments
                .iter_mut()
                .find(|c| c.id == id)
                .expect("seeded comment");
            comment.body = body.into();
            // GitHub's times are to the second: an edit within the second
            // of its creation would not show as one.
            comment.updated_at =
                comment.created_at.max(chrono::Utc::now()) + chrono::Duration::seconds(1);
        });
    }

    /// The reactions on an issue comment, as (content, user), oldest first.
    pub fn reactions_on(&self, repo: &str, comment_id: u64) -> Vec<(String, String)> {
        self.with_state(|s| {
            s.repos[repo]
                .reactions
                .iter()
                .filter(|r| r.comment_id == comment_id)
                .map(|r| (r.content.clone(), r.user.clone()))
                .collect()
        })
    }
}
