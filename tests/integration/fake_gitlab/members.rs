//! The fake GitLab's people routes, shaped after docs.gitlab.com: the users
//! list by name (`GET /users?username=`, a list that is empty for an
//! unknown name), one member of a project or group counting inherited
//! memberships (`GET /projects/:id/members/all/:user_id`,
//! `GET /groups/:id/members/all/:user_id`: the highest access level over
//! the place itself and every ancestor group, 404 `Not found` for someone
//! who is no member, 404 `Project Not Found` / `Group Not Found` for a
//! missing place), and award emoji on notes
//! (`POST …/notes/:note_id/award_emoji` with `name`: 201 with the award, and
//! 404 `Award Emoji Name has already been taken` for a second award of the
//! same emoji by the same user, as GitLab's AwardEmojis::AddService answers
//! through `not_found!`). Plus the seeding helpers tests use for them.

use super::FakeGitLab;
use super::people::BOT_USERNAME;
use super::routes::{Params, Shared, base, message, not_found, paginate, project_id, timestamp};
use super::state::{Award, Member, MemberOf, Note, Noteable, State};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The emoji the fake knows by name (GitLab knows some thousands; an
/// unknown name is refused the same way).
const EMOJI: [&str; 8] = [
    "thumbsup",
    "thumbsdown",
    "tada",
    "heart",
    "eyes",
    "rocket",
    "smile",
    "confused",
];

fn user_json(state: &State, id: u64, username: &str) -> Value {
    json!({
        "id": id, "username": username, "name": username, "state": "active",
        "locked": false, "avatar_url": null,
        "web_url": format!("{}/{username}", base(state)),
    })
}

/// `GET /users`: every user, or with `username` the one so called (GitLab
/// compares names without case).
pub async fn list_users(AxumState(s): AxumState<Shared>, Query(q): Params, uri: Uri) -> Response {
    let s = s.lock().unwrap();
    let wanted = q.get("username").map(|name| name.to_lowercase());
    let items = s
        .users
        .iter()
        .filter(|u| {
            wanted
                .as_ref()
                .is_none_or(|w| &u.username.to_lowercase() == w)
        })
        .map(|u| user_json(&s, u.id, &u.username))
        .collect();
    paginate(items, &q, &uri, &base(&s))
}

/// The highest membership of `user` held in any of `places`.
fn best_membership<'s>(s: &'s State, places: &[MemberOf], user: u64) -> Option<&'s Member> {
    s.members
        .iter()
        .filter(|m| m.user_id == user && places.contains(&m.of))
        .max_by_key(|m| m.access_level)
}

fn member_json(s: &State, member: &Member) -> Response {
    let username = s
        .users
        .iter()
        .find(|u| u.id == member.user_id)
        .map_or(String::new(), |u| u.username.clone());
    let mut value = user_json(s, member.user_id, &username);
    value["access_level"] = json!(member.access_level);
    value["created_at"] = json!("2026-01-01T00:00:00.000Z");
    value["expires_at"] = Value::Null;
    value["membership_state"] = json!(member.state);
    Json(value).into_response()
}

/// GitLab's answer for a record it cannot find (a member, a note):
/// `find_by!` or `find` raising `RecordNotFound`, which the API renders as
/// `404 Not found`.
fn record_not_found() -> Response {
    message(StatusCode::NOT_FOUND, "404 Not found")
}

pub async fn project_member(
    AxumState(s): AxumState<Shared>,
    Path((id, user)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(project) = s.project(&id).cloned() else {
        return not_found("Project");
    };
    let mut places = vec![MemberOf::Project(project.id)];
    places.extend(s.ancestor_groups(&project).into_iter().map(MemberOf::Group));
    match best_membership(&s, &places, user) {
        Some(member) => member_json(&s, member),
        None => record_not_found(),
    }
}

pub async fn group_member(
    AxumState(s): AxumState<Shared>,
    Path((group, user)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(group) = s.group(&group).cloned() else {
        return not_found("Group");
    };
    let places: Vec<MemberOf> = s
        .group_and_ancestors(&group.full_path)
        .into_iter()
        .map(MemberOf::Group)
        .collect();
    match best_membership(&s, &places, user) {
        Some(member) => member_json(&s, member),
        None => record_not_found(),
    }
}

fn award(
    s: &Shared,
    id: &str,
    kind: Noteable,
    iid: u64,
    note_id: u64,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, id) else {
        return not_found("Project");
    };
    let on_note =
        |n: &&Note| n.id == note_id && n.project_id == pid && n.noteable == kind && n.iid == iid;
    if !s.notes.iter().any(|n| on_note(&n)) {
        return record_not_found();
    }
    let fields = super::routes::fields(headers, body);
    let Some(name) = fields.get("name").cloned() else {
        return message(StatusCode::BAD_REQUEST, "400 Bad request - name is missing");
    };
    if !EMOJI.contains(&name.as_str()) {
        return not_found("Award Emoji Name is not a valid emoji name");
    }
    let user = BOT_USERNAME.to_string();
    if s.awards
        .iter()
        .any(|a| a.note_id == note_id && a.name == name && a.user == user)
    {
        return not_found("Award Emoji Name has already been taken");
    }
    let now = s.now();
    let award = Award {
        id: s.next_id(),
        note_id,
        name,
        user,
    };
    s.awards.push(award.clone());
    let body = json!({
        "id": award.id, "name": award.name,
        "user": { "id": 7, "username": award.user, "name": "schemagate", "state": "active" },
        "created_at": timestamp(now), "updated_at": timestamp(now),
        "awardable_id": note_id, "awardable_type": "Note",
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

pub async fn award_mr_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid, note)): Path<(String, u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    award(&s, &id, Noteable::MergeRequest, iid, note, &headers, &body)
}

pub async fn award_issue_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid, note)): Path<(String, u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    award(&s, &id, Noteable::Issue, iid, note, &headers, &body)
}

impl FakeGitLab {
    /// The account called `username` (made on first use); returns its id.
    pub fn add_user(&self, username: &str) -> u64 {
        self.state().user_id(username)
    }

    /// Makes `username` a direct member of the project at `access_level`.
    pub fn add_project_member(&self, project_id: u64, username: &str, access_level: u64) {
        self.add_member(MemberOf::Project(project_id), username, access_level);
    }

    /// Makes `username` a direct member of the group at `access_level`
    /// (which its subgroups and their projects inherit).
    pub fn add_group_member(&self, group_id: u64, username: &str, access_level: u64) {
        self.add_member(MemberOf::Group(group_id), username, access_level);
    }

    fn add_member(&self, of: MemberOf, username: &str, access_level: u64) {
        let mut s = self.state();
        let user_id = s.user_id(username);
        s.members.push(Member {
            of,
            user_id,
            access_level,
            state: "active".into(),
        });
    }

    /// A person's (or, with `system`, GitLab's own) note on an MR or issue;
    /// returns its id. The test sends the Note Hook GitLab would send.
    pub fn add_note(
        &self,
        project_id: u64,
        kind: Noteable,
        iid: u64,
        author: &str,
        body: &str,
        system: bool,
    ) -> u64 {
        let mut s = self.state();
        let now = s.now();
        let id = s.next_id();
        s.notes.push(Note {
            id,
            project_id,
            noteable: kind,
            iid,
            body: body.into(),
            author: author.into(),
            system,
            created_at: now,
            updated_at: now,
        });
        id
    }

    /// A person edits their note: the body changes, `updated_at` moves.
    pub fn edit_note(&self, note_id: u64, body: &str) {
        let mut s = self.state();
        let now = s.now();
        let note = s
            .notes
            .iter_mut()
            .find(|n| n.id == note_id)
            .expect("seeded note");
        note.body = body.into();
        note.updated_at = now;
    }

    /// The award emoji on a note, as (name, user), oldest first.
    pub fn awards_on(&self, note_id: u64) -> Vec<(String, String)> {
        self.state()
            .awards
            .iter()
            .filter(|a| a.note_id == note_id)
            .map(|a| (a.name.clone(), a.user.clone()))
            .collect()
    }
}
