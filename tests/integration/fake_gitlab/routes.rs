//! The fake GitLab's HTTP surface: the REST routes the bot uses, with
//! GitLab's JSON shapes, status codes, error bodies and pagination headers,
//! behind one middleware that logs, delays, authenticates and injects faults.

use super::history;
use super::members;
use super::people::BOT_USERNAME;
use super::state::{Access, Diff, Issue, MergeRequest, Milestone, Note, Noteable, State, Status};
use super::trees;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, Query, Request as AxumRequest, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub type Shared = Arc<Mutex<State>>;
pub type Params = Query<HashMap<String, String>>;

pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/user", get(current_user))
        .route("/projects/{id}/merge_requests", get(list_merge_requests))
        .route(
            "/projects/{id}/merge_requests/{iid}",
            get(get_merge_request).put(edit_merge_request),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/diffs",
            get(merge_request_diffs),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/notes",
            get(list_mr_notes).post(create_mr_note),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/notes/{note}",
            put(edit_mr_note),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/notes/{note}/award_emoji",
            post(members::award_mr_note),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/commits",
            get(merge_request_commits),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/approvals",
            get(merge_request_approvals),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/resource_label_events",
            get(history::mr_label_events),
        )
        .route(
            "/projects/{id}/merge_requests/{iid}/resource_milestone_events",
            get(history::mr_milestone_events),
        )
        .route(
            "/projects/{id}/issues/{iid}/resource_label_events",
            get(history::issue_label_events),
        )
        .route(
            "/projects/{id}/issues/{iid}/resource_milestone_events",
            get(history::issue_milestone_events),
        )
        .route("/projects/{id}/issues", get(list_issues))
        .route(
            "/projects/{id}/issues/{iid}",
            get(get_issue).put(edit_issue),
        )
        .route(
            "/projects/{id}/issues/{iid}/notes",
            get(list_issue_notes).post(create_issue_note),
        )
        .route(
            "/projects/{id}/issues/{iid}/notes/{note}",
            put(edit_issue_note),
        )
        .route(
            "/projects/{id}/issues/{iid}/notes/{note}/award_emoji",
            post(members::award_issue_note),
        )
        .route("/users", get(members::list_users))
        .route(
            "/projects/{id}/members/all/{user_id}",
            get(members::project_member),
        )
        .route(
            "/groups/{group}/members/all/{user_id}",
            get(members::group_member),
        )
        .route("/projects/{id}/milestones", get(list_milestones))
        .route(
            "/projects/{id}/milestones/{milestone}",
            get(get_project_milestone).put(edit_project_milestone),
        )
        .route(
            "/groups/{group}/milestones/{milestone}",
            put(edit_group_milestone),
        )
        .route("/projects/{id}/labels", post(create_label))
        .route("/projects/{id}/labels/{name}", get(get_label))
        .route("/projects/{id}/repository/files/{path}/raw", get(raw_file))
        .route(
            "/projects/{id}/repository/branches/{branch}",
            get(trees::get_branch),
        )
        .route("/projects/{id}/repository/tree", get(trees::list_tree))
        .route("/projects/{id}/statuses/{sha}", post(create_status))
        .route(
            "/projects/{id}/repository/commits/{sha}/statuses",
            get(list_statuses),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), gate));
    Router::new().nest("/api/v4", api).with_state(state)
}

/// Logs the request, then applies the delay, the flaky mode's plan (a
/// mishap before serving), the token check, queued faults and the read-only
/// rule, in that order; a mishap planned for after serving spoils the answer.
async fn gate(AxumState(state): AxumState<Shared>, request: AxumRequest, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let token = request
        .headers()
        .get("PRIVATE-TOKEN")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let uri = request.uri().to_string();
    let at = Instant::now();
    let (delay, access, fault, limit, plan) = {
        let mut state = state.lock().unwrap();
        let limit = state.budget.as_mut().map(super::rate_window::Budget::spend);
        let mut plan = state
            .flaky
            .as_mut()
            .map(|f| f.plan(method.as_str(), &uri, token.as_deref()))
            .unwrap_or_default();
        plan.mishap = plan
            .mishap
            .or_else(|| state.take_mishap(method.as_str(), &route));
        state.requests.push(super::state::Request {
            method: method.to_string(),
            route: route.clone(),
            uri: uri.clone(),
            at,
            answered: None,
            token: token.clone(),
            mishap: plan.mishap,
        });
        let access = token.and_then(|t| state.tokens.get(&t).copied());
        let fault = state.take_fault(method.as_str(), &route, &uri);
        (state.delay, access, fault, limit, plan)
    };
    for delay in [delay, plan.delay].into_iter().flatten() {
        tokio::time::sleep(delay).await;
    }
    let response = match plan.mishap {
        Some(mishap) if mishap.after() => {
            let served = serve(access, fault, limit, &method, request, next).await;
            mishap.spoil(served).await
        }
        Some(mishap) => mishap.refuse(),
        None => serve(access, fault, limit, &method, request, next).await,
    };
    let mut state = state.lock().unwrap();
    // The log may have been reset meanwhile: only this request's own entry.
    if let Some(entry) = state
        .requests
        .iter_mut()
        .rev()
        .find(|r| r.at == at && r.uri == uri)
    {
        entry.answered = Some(Instant::now());
    }
    response
}

/// The gate's answer once the call gets through: 401, a queued fault, the
/// read-only 403, the rate budget, or the handler with `RateLimit-*` headers.
async fn serve(
    access: Option<Access>,
    fault: Option<super::state::Fault>,
    limit: Option<super::rate_window::Spent>,
    method: &Method,
    request: AxumRequest,
    next: Next,
) -> Response {
    let Some(access) = access else {
        return message(StatusCode::UNAUTHORIZED, "401 Unauthorized");
    };
    if let Some(fault) = fault {
        let status = StatusCode::from_u16(fault.status).unwrap();
        let mut response = message(status, status.canonical_reason().unwrap_or("error"));
        if let Some(seconds) = fault.retry_after {
            response
                .headers_mut()
                .insert("Retry-After", HeaderValue::from(seconds));
        }
        return response;
    }
    if access == Access::ReadOnly && method != Method::GET {
        return message(StatusCode::FORBIDDEN, "403 Forbidden");
    }
    let Some(spent) = limit else {
        return next.run(request).await;
    };
    let mut response = if spent.over {
        let mut refused = message(StatusCode::TOO_MANY_REQUESTS, "Retry later");
        refused.headers_mut().insert(
            "Retry-After",
            HeaderValue::from(spent.left.as_secs_f64().ceil() as u64),
        );
        refused
    } else {
        next.run(request).await
    };
    for (name, value) in [
        ("RateLimit-Limit", spent.limit),
        ("RateLimit-Observed", spent.used),
        ("RateLimit-Remaining", spent.remaining),
        ("RateLimit-Reset", spent.reset),
    ] {
        response
            .headers_mut()
            .insert(name, HeaderValue::from(value));
    }
    response
}

pub fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

pub fn not_found(what: &str) -> Response {
    message(StatusCode::NOT_FOUND, &format!("404 {what} Not Found"))
}

/// Form or JSON body fields as strings (the crate sends forms).
pub fn fields(headers: &HeaderMap, body: &Bytes) -> HashMap<String, String> {
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        url::form_urlencoded::parse(body).into_owned().collect()
    }
}

/// GitLab's offset pagination: `page`/`per_page` (default 20, max 100), the
/// `X-*` headers and a `Link` header with absolute URLs.
pub fn paginate(
    items: Vec<Value>,
    params: &HashMap<String, String>,
    uri: &Uri,
    base: &str,
) -> Response {
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let link_to = |n: usize| {
        let mut query: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        query.sort();
        query.push(("page".into(), n.to_string()));
        query.push(("per_page".into(), per_page.to_string()));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!("{base}{}?{encoded}", uri.path())
    };
    let mut links = Vec::new();
    if page < total_pages {
        links.push(format!("<{}>; rel=\"next\"", link_to(page + 1)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", link_to(page - 1)));
    }
    links.push(format!("<{}>; rel=\"first\"", link_to(1)));
    links.push(format!("<{}>; rel=\"last\"", link_to(total_pages)));
    let next = if page < total_pages {
        (page + 1).to_string()
    } else {
        String::new()
    };
    let prev = if page > 1 {
        (page - 1).to_string()
    } else {
        String::new()
    };
    let mut response = Json(Value::Array(slice)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        ("X-Page", page.to_string()),
        ("X-Per-Page", per_page.to_string()),
        ("X-Total", total.to_string()),
        ("X-Total-Pages", total_pages.to_string()),
        ("X-Next-Page", next),
        ("X-Prev-Page", prev),
        ("Link", links.join(", ")),
    ] {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

pub fn base(state: &State) -> String {
    state
        .base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1".to_string())
}

pub fn project_id(state: &State, id: &str) -> Option<u64> {
    state.project(id).map(|p| p.id)
}

fn milestone_json(state: &State, m: &Milestone) -> Value {
    let owner = match (m.project_id, m.group_id) {
        (Some(p), _) => state
            .projects
            .iter()
            .find(|x| x.id == p)
            .map(|x| x.path.clone()),
        (None, Some(g)) => state.group_path(g).map(|s| format!("groups/{s}")),
        _ => None,
    };
    json!({
        "id": m.id, "iid": m.iid, "project_id": m.project_id, "group_id": m.group_id,
        "title": m.title, "description": m.description, "state": m.state,
        "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
        "due_date": m.due_date, "start_date": m.start_date, "expired": false,
        "web_url": format!("{}/{}/-/milestones/{}", base(state), owner.unwrap_or_default(), m.iid),
    })
}

fn milestone_ref(state: &State, id: Option<u64>) -> Value {
    id.and_then(|id| state.milestone(id))
        .map_or(Value::Null, |m| milestone_json(state, m))
}

fn project_path(state: &State, id: u64) -> String {
    state
        .projects
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.path.clone())
        .unwrap_or_default()
}

fn mr_json(state: &State, mr: &MergeRequest) -> Value {
    json!({
        "id": mr.id, "iid": mr.iid, "project_id": mr.project_id, "title": mr.title,
        "description": mr.description, "state": mr.state, "draft": mr.draft,
        "work_in_progress": mr.draft, "sha": mr.sha, "labels": mr.labels,
        "milestone": milestone_ref(state, mr.milestone_id),
        "author": { "id": 7, "username": mr.author, "name": mr.author, "state": "active" },
        "source_branch": mr.source_branch, "target_branch": mr.target_branch,
        "merge_status": "can_be_merged", "changes_count": mr.diffs.len().to_string(),
        "web_url": format!("{}/{}/-/merge_requests/{}", base(state), project_path(state, mr.project_id), mr.iid),
    })
}

fn issue_json(state: &State, issue: &Issue) -> Value {
    json!({
        "id": issue.id, "iid": issue.iid, "project_id": issue.project_id,
        "title": issue.title, "description": issue.description, "state": issue.state,
        "labels": issue.labels, "milestone": milestone_ref(state, issue.milestone_id),
        "type": "ISSUE", "issue_type": "issue",
        "web_url": format!("{}/{}/-/issues/{}", base(state), project_path(state, issue.project_id), issue.iid),
    })
}

fn diff_json(d: &Diff) -> Value {
    json!({
        "old_path": d.old_path, "new_path": d.new_path, "a_mode": "100644", "b_mode": "100644",
        "diff": d.diff, "new_file": d.new_file, "renamed_file": d.renamed_file,
        "deleted_file": d.deleted_file, "generated_file": false,
        "collapsed": d.collapsed, "too_large": d.too_large,
    })
}

pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn note_json(note: &Note) -> Value {
    json!({
        "id": note.id, "type": null, "body": note.body, "system": note.system,
        "author": { "id": 7, "username": note.author, "name": note.author },
        "noteable_type": match note.noteable { Noteable::MergeRequest => "MergeRequest", Noteable::Issue => "Issue" },
        "noteable_iid": note.iid, "created_at": timestamp(note.created_at),
        "updated_at": timestamp(note.updated_at), "resolvable": false, "confidential": false,
        "internal": false,
    })
}

fn split_labels(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// GitLab's label and milestone edit semantics, shared by MRs and issues.
fn apply_edit(
    fields: &HashMap<String, String>,
    labels: &mut Vec<String>,
    milestone: &mut Option<u64>,
) {
    if let Some(all) = fields.get("labels") {
        *labels = split_labels(all);
    }
    if let Some(add) = fields.get("add_labels") {
        for label in split_labels(add) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    if let Some(remove) = fields.get("remove_labels") {
        let remove = split_labels(remove);
        labels.retain(|l| !remove.contains(l));
    }
    if let Some(id) = fields.get("milestone_id") {
        *milestone = id.parse::<u64>().ok().filter(|id| *id != 0);
    }
}

async fn current_user() -> Json<Value> {
    Json(json!({ "id": 7, "username": BOT_USERNAME, "name": "schemagate", "state": "active" }))
}

async fn list_merge_requests(
    AxumState(s): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let wanted = q.get("state").map(|v| v.as_str()).filter(|v| *v != "all");
    let items = s
        .merge_requests
        .iter()
        .filter(|m| m.project_id == pid && wanted.is_none_or(|w| m.state == w))
        .map(|m| mr_json(&s, m))
        .collect();
    paginate(items, &q, &uri, &base(&s))
}

async fn get_merge_request(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    match s
        .merge_requests
        .iter()
        .find(|m| m.project_id == pid && m.iid == iid)
    {
        Some(mr) => Json(mr_json(&s, mr)).into_response(),
        None => not_found(""),
    }
}

async fn edit_merge_request(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let fields = fields(&headers, &body);
    let Some(mr) = s.merge_request_mut(pid, iid) else {
        return not_found("");
    };
    let before = (mr.labels.clone(), mr.milestone_id);
    apply_edit(&fields, &mut mr.labels, &mut mr.milestone_id);
    let mr = mr.clone();
    let after = (mr.labels.clone(), mr.milestone_id);
    s.record_history(
        Noteable::MergeRequest,
        pid,
        iid,
        &before,
        &after,
        BOT_USERNAME,
    );
    Json(mr_json(&s, &mr)).into_response()
}

async fn merge_request_diffs(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    match s
        .merge_requests
        .iter()
        .find(|m| m.project_id == pid && m.iid == iid)
    {
        Some(mr) => paginate(
            mr.diffs.iter().map(diff_json).collect(),
            &q,
            &uri,
            &base(&s),
        ),
        None => not_found(""),
    }
}

fn list_notes(
    s: &Shared,
    id: &str,
    kind: Noteable,
    iid: u64,
    q: &HashMap<String, String>,
    uri: &Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, id) else {
        return not_found("Project");
    };
    // GitLab's notes API: `order_by` created_at (default) or updated_at,
    // `sort` desc (default) or asc.
    let mut notes: Vec<&Note> = s
        .notes
        .iter()
        .filter(|n| n.project_id == pid && n.noteable == kind && n.iid == iid)
        .collect();
    let by_update = q.get("order_by").is_some_and(|o| o == "updated_at");
    notes.sort_by_key(|n| {
        (
            if by_update {
                n.updated_at
            } else {
                n.created_at
            },
            n.id,
        )
    });
    if q.get("sort").is_none_or(|o| o != "asc") {
        notes.reverse();
    }
    let items = notes.into_iter().map(note_json).collect();
    paginate(items, q, uri, &base(&s))
}

fn create_note(
    s: &Shared,
    id: &str,
    kind: Noteable,
    iid: u64,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, id) else {
        return not_found("Project");
    };
    let exists = match kind {
        Noteable::MergeRequest => s.merge_request_mut(pid, iid).is_some(),
        Noteable::Issue => s.issue_mut(pid, iid).is_some(),
    };
    if !exists {
        return not_found("");
    }
    let Some(text) = fields(headers, body).remove("body") else {
        return message(StatusCode::BAD_REQUEST, "400 Bad request - body is missing");
    };
    let now = s.now();
    let note = Note {
        id: s.next_id(),
        project_id: pid,
        noteable: kind,
        iid,
        body: text,
        author: "schemagate-bot".into(),
        system: false,
        created_at: now,
        updated_at: now,
    };
    s.notes.push(note.clone());
    (StatusCode::CREATED, Json(note_json(&note))).into_response()
}

fn edit_note(
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
    let text = fields(headers, body).remove("body").unwrap_or_default();
    let now = s.now();
    match s
        .notes
        .iter_mut()
        .find(|n| n.id == note_id && n.project_id == pid && n.noteable == kind && n.iid == iid)
    {
        Some(note) => {
            note.body = text;
            note.updated_at = now;
            Json(note_json(note)).into_response()
        }
        None => not_found("Note"),
    }
}

async fn list_mr_notes(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    list_notes(&s, &id, Noteable::MergeRequest, iid, &q, &uri)
}
async fn create_mr_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_note(&s, &id, Noteable::MergeRequest, iid, &headers, &body)
}
async fn edit_mr_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid, note)): Path<(String, u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    edit_note(&s, &id, Noteable::MergeRequest, iid, note, &headers, &body)
}
async fn list_issue_notes(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    list_notes(&s, &id, Noteable::Issue, iid, &q, &uri)
}
async fn create_issue_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_note(&s, &id, Noteable::Issue, iid, &headers, &body)
}
async fn edit_issue_note(
    AxumState(s): AxumState<Shared>,
    Path((id, iid, note)): Path<(String, u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    edit_note(&s, &id, Noteable::Issue, iid, note, &headers, &body)
}

async fn list_issues(
    AxumState(s): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let wanted_labels = q.get("labels").map(|l| split_labels(l)).unwrap_or_default();
    let wanted_state = q.get("state").map(|v| v.as_str()).filter(|v| *v != "all");
    let items = s
        .issues
        .iter()
        .filter(|i| i.project_id == pid)
        .filter(|i| wanted_labels.iter().all(|l| i.labels.contains(l)))
        .filter(|i| wanted_state.is_none_or(|w| i.state == w))
        .map(|i| issue_json(&s, i))
        .collect();
    paginate(items, &q, &uri, &base(&s))
}

async fn get_issue(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    match s
        .issues
        .iter()
        .find(|i| i.project_id == pid && i.iid == iid)
    {
        Some(issue) => Json(issue_json(&s, issue)).into_response(),
        None => not_found(""),
    }
}

async fn edit_issue(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let fields = fields(&headers, &body);
    let Some(issue) = s.issue_mut(pid, iid) else {
        return not_found("");
    };
    let before = (issue.labels.clone(), issue.milestone_id);
    apply_edit(&fields, &mut issue.labels, &mut issue.milestone_id);
    let issue = issue.clone();
    let after = (issue.labels.clone(), issue.milestone_id);
    s.record_history(Noteable::Issue, pid, iid, &before, &after, BOT_USERNAME);
    Json(issue_json(&s, &issue)).into_response()
}

async fn list_milestones(
    AxumState(s): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(project) = s.project(&id).cloned() else {
        return not_found("Project");
    };
    let ancestors = q.get("include_ancestors").is_some_and(|v| v == "true");
    let groups = if ancestors {
        s.ancestor_groups(&project)
    } else {
        Vec::new()
    };
    let wanted_state = q.get("state").cloned();
    let items = s
        .milestones
        .iter()
        .filter(|m| {
            m.project_id == Some(project.id) || m.group_id.is_some_and(|g| groups.contains(&g))
        })
        .filter(|m| wanted_state.as_ref().is_none_or(|w| &m.state == w))
        .map(|m| milestone_json(&s, m))
        .collect();
    paginate(items, &q, &uri, &base(&s))
}

fn edit_milestone(
    s: &mut State,
    find: impl Fn(&Milestone) -> bool,
    fields: HashMap<String, String>,
) -> Response {
    let Some(index) = s.milestones.iter().position(find) else {
        return not_found("Milestone");
    };
    let milestone = &mut s.milestones[index];
    if let Some(description) = fields.get("description") {
        milestone.description = description.clone();
    }
    if let Some(title) = fields.get("title") {
        milestone.title = title.clone();
    }
    match fields.get("state_event").map(String::as_str) {
        Some("close") => milestone.state = "closed".into(),
        Some("activate") => milestone.state = "active".into(),
        _ => {}
    }
    let milestone = milestone.clone();
    Json(milestone_json(s, &milestone)).into_response()
}

async fn edit_project_milestone(
    AxumState(s): AxumState<Shared>,
    Path((id, milestone)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    edit_milestone(
        &mut s,
        |m| m.id == milestone && m.project_id == Some(pid),
        fields(&headers, &body),
    )
}

async fn get_project_milestone(
    AxumState(s): AxumState<Shared>,
    Path((id, milestone)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    match s
        .milestones
        .iter()
        .find(|m| m.id == milestone && m.project_id == Some(pid))
    {
        Some(m) => Json(milestone_json(&s, m)).into_response(),
        None => not_found("Milestone"),
    }
}

async fn edit_group_milestone(
    AxumState(s): AxumState<Shared>,
    Path((group, milestone)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let gid = match group.parse::<u64>() {
        Ok(id) => Some(id),
        Err(_) => s.groups.iter().find(|g| g.full_path == group).map(|g| g.id),
    };
    let Some(gid) = gid else {
        return not_found("Group");
    };
    edit_milestone(
        &mut s,
        |m| m.id == milestone && m.group_id == Some(gid),
        fields(&headers, &body),
    )
}

async fn get_label(
    AxumState(s): AxumState<Shared>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    match s
        .labels
        .iter()
        .find(|l| l.project_id == pid && (l.name == name || l.id.to_string() == name))
    {
        Some(l) => {
            Json(json!({ "id": l.id, "name": l.name, "color": l.color, "description": null }))
                .into_response()
        }
        None => not_found("Label"),
    }
}

async fn create_label(
    AxumState(s): AxumState<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let fields = fields(&headers, &body);
    let (Some(name), Some(color)) = (fields.get("name"), fields.get("color")) else {
        return message(
            StatusCode::BAD_REQUEST,
            "400 Bad request - name, color are missing",
        );
    };
    if s.labels
        .iter()
        .any(|l| l.project_id == pid && &l.name == name)
    {
        return message(StatusCode::CONFLICT, "Label already exists");
    }
    let label = super::state::Label {
        id: s.next_id(),
        project_id: pid,
        name: name.clone(),
        color: color.clone(),
    };
    s.labels.push(label.clone());
    (
        StatusCode::CREATED,
        Json(json!({ "id": label.id, "name": label.name, "color": label.color })),
    )
        .into_response()
}

async fn raw_file(
    AxumState(s): AxumState<Shared>,
    Path((id, path)): Path<(String, String)>,
    Query(q): Params,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let Some(reference) = q.get("ref") else {
        return message(StatusCode::BAD_REQUEST, "400 Bad request - ref is missing");
    };
    match s.file_at(pid, reference, &path) {
        Some(text) => (
            [("content-type", "text/plain; charset=utf-8")],
            text.clone(),
        )
            .into_response(),
        None => not_found("File"),
    }
}

fn status_json(status: &Status) -> Value {
    json!({
        "id": status.id, "sha": status.sha, "ref": null, "status": status.state, "name": status.name,
        "target_url": status.target_url, "description": status.description,
        "created_at": "2026-01-01T00:00:00.000Z", "allow_failure": false,
        "author": { "id": 7, "username": "schemagate-bot" },
    })
}

/// `GET /projects/{id}/repository/commits/{sha}/statuses`: newest first, as GitLab lists them.
async fn list_statuses(
    AxumState(s): AxumState<Shared>,
    Path((id, sha)): Path<(String, String)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let wanted = q.get("name").cloned();
    let items = s
        .statuses
        .iter()
        .rev()
        .filter(|st| st.project_id == pid && st.sha == sha)
        .filter(|st| wanted.as_ref().is_none_or(|w| &st.name == w))
        .map(status_json)
        .collect();
    paginate(items, &q, &uri, &base(&s))
}

async fn create_status(
    AxumState(s): AxumState<Shared>,
    Path((id, sha)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let fields = fields(&headers, &body);
    let state = fields.get("state").cloned().unwrap_or_default();
    if !["pending", "running", "success", "failed", "canceled"].contains(&state.as_str()) {
        return message(
            StatusCode::BAD_REQUEST,
            "400 Bad request - state does not have a valid value",
        );
    }
    let name = fields
        .get("name")
        .or(fields.get("context"))
        .cloned()
        .unwrap_or_else(|| "default".into());
    let latest = s
        .statuses
        .iter()
        .rev()
        .find(|st| st.project_id == pid && st.sha == sha && st.name == name);
    if let Some(latest) = latest
        && latest.state == state
        && (state == "pending" || state == "running")
    {
        return message(
            StatusCode::BAD_REQUEST,
            &format!("Cannot transition status via :enqueue from :{state}"),
        );
    }
    let status = Status {
        id: s.next_id(),
        project_id: pid,
        sha: sha.clone(),
        name,
        state,
        description: fields.get("description").cloned(),
        target_url: fields.get("target_url").cloned(),
    };
    s.statuses.push(status.clone());
    (StatusCode::CREATED, Json(status_json(&status))).into_response()
}

/// `GET …/merge_requests/:iid/commits`: the head commit (the fake keeps no
/// history of earlier ones), for tools such as danger-js.
async fn merge_request_commits(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, &id) else {
        return not_found("Project");
    };
    let Some(mr) = s
        .merge_requests
        .iter()
        .find(|m| m.project_id == pid && m.iid == iid)
    else {
        return not_found("");
    };
    let commit = json!({
        "id": mr.sha, "short_id": &mr.sha[..8.min(mr.sha.len())], "title": mr.title,
        "message": mr.title, "author_name": mr.author, "author_email": format!("{}@example.org", mr.author),
        "authored_date": "2026-11-02T10:00:00.000Z", "committer_name": mr.author,
        "committer_email": format!("{}@example.org", mr.author),
        "committed_date": "2026-11-02T10:00:00.000Z", "created_at": "2026-11-02T10:00:00.000Z",
        "parent_ids": [], "web_url": format!("{}/lava/lava/-/commit/{}", base(&s), mr.sha),
    });
    paginate(vec![commit], &q, &uri, &base(&s))
}

/// `GET …/merge_requests/:iid/approvals`: nobody has to approve.
async fn merge_request_approvals(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
) -> Response {
    let s = s.lock().unwrap();
    if project_id(&s, &id).is_none() {
        return not_found("Project");
    }
    Json(
        json!({"iid": iid, "approvals_required": 0, "approvals_left": 0,
                "approved": true, "approved_by": [], "suggested_approvers": [], "approvers": []}),
    )
    .into_response()
}
