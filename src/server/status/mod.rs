//! The status page (docs/status-page.md): `GET /` lists every configured
//! project, `GET /projects/{forge}/{path}` shows one, and
//! `GET /api/v1/status` and `GET /api/v1/projects/{forge}/{path}` give the
//! same data as JSON. Everything comes from the store (`gather`), so a page
//! view costs the forge nothing. Off unless `[status]` makes it public or
//! sets a password (then HTTP Basic auth, `access`); off, every path
//! answers 404.

pub mod access;
pub mod gather;
pub mod pages;

use super::routes::AppState;
use crate::config::ProjectConfig;
use crate::core::status::{ProjectStatus, StatusReport};
use crate::forge::ForgeKind;
use access::{Access, CHALLENGE};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gather::{Surroundings, project_status, status_report};
use minijinja::Value;
use pages::{Frame, StatusPages};
use std::sync::Arc;

/// The page's templates and its access rule, when it is on.
#[derive(Debug, Clone)]
pub struct StatusSite {
    pub pages: StatusPages,
    pub access: Access,
}

/// Not HTML: the JSON routes answer errors as `{"error": …}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Json,
}

/// An answer other than the page: its status and one sentence.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }

    fn respond(self, app: &AppState, format: Format) -> Response {
        let mut response = match (format, site(app)) {
            (Format::Html, Some(site)) => {
                let title = self.status.canonical_reason().unwrap_or("error");
                let data = minijinja::context! { title, message => self.message.clone() };
                let frame = frame(app, "/api/v1/status");
                match site.pages.render("error.html", &frame, data) {
                    Ok(page) => (self.status, Html(page)).into_response(),
                    Err(_) => (self.status, self.message).into_response(),
                }
            }
            (Format::Html, None) => (self.status, self.message).into_response(),
            (Format::Json, _) => (
                self.status,
                Json(serde_json::json!({ "error": self.message })),
            )
                .into_response(),
        };
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(CHALLENGE),
            );
        }
        harden(response)
    }
}

fn site(app: &AppState) -> Option<&StatusSite> {
    app.status.as_ref()
}

/// The page is on and this request may see it.
fn admit<'a>(app: &'a AppState, headers: &HeaderMap) -> Result<&'a StatusSite, Refusal> {
    let Some(site) = site(app) else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "The status page is off. Turn it on with [status] password_env (HTTP Basic auth, \
             user schemagate) or [status] public = true.",
        ));
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if site.access.allows(authorization) {
        Ok(site)
    } else {
        Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "The status page needs the user schemagate and the password from [status] password_env.",
        ))
    }
}

/// Pages show project data: never cached by a shared cache, never framed,
/// no script or outside resource allowed.
fn harden(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    response
}

fn frame(app: &AppState, json_url: &str) -> Frame {
    Frame {
        observe: app.observe,
        now: app.store.clock().now().to_rfc3339(),
        json_url: json_url.to_string(),
    }
}

fn surroundings<'a>(
    app: &'a AppState,
    health: &'a (dyn Fn(ForgeKind) -> Option<String> + Sync),
) -> Surroundings<'a> {
    Surroundings {
        config: &app.config,
        observe: app.observe,
        health,
        now: app.store.clock().now(),
    }
}

fn unavailable(error: impl std::fmt::Display) -> Refusal {
    tracing::warn!(%error, "the status page could not read the store");
    Refusal::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("The bot's store did not answer: {error}"),
    )
}

/// The configured project a `{forge}/{path}` names (case-insensitively).
fn project<'a>(app: &'a AppState, forge: &str, path: &str) -> Result<&'a ProjectConfig, Refusal> {
    let path = path.trim_matches('/');
    ForgeKind::from_name(forge)
        .and_then(|kind| app.config.project_on(kind, path))
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::NOT_FOUND,
                format!("No project {forge}:{path} is configured here."),
            )
        })
}

async fn status_of(app: &AppState, project: &ProjectConfig) -> Result<ProjectStatus, Refusal> {
    let health = |kind| Some(super::health::forge(app, kind));
    project_status(&app.store, project, &surroundings(app, &health))
        .await
        .map_err(unavailable)
}

async fn report(app: &AppState) -> Result<StatusReport, Refusal> {
    let health = |kind| Some(super::health::forge(app, kind));
    status_report(&app.store, &surroundings(app, &health))
        .await
        .map_err(unavailable)
}

fn page(
    app: &AppState,
    site: &StatusSite,
    template: &str,
    json_url: &str,
    data: Value,
) -> Response {
    let frame = frame(app, json_url);
    match site.pages.render(template, &frame, data) {
        Ok(page) => harden(Html(page).into_response()),
        Err(error) => {
            tracing::warn!(%error, template, "a status template failed to render");
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("The template {template} failed: {error}"),
            )
            .respond(app, Format::Html)
        }
    }
}

/// `GET /`: every configured project.
pub async fn index(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let site = match admit(&app, &headers) {
        Ok(site) => site,
        Err(refusal) => return refusal.respond(&app, Format::Html),
    };
    match report(&app).await {
        Ok(report) => page(
            &app,
            site,
            "index.html",
            "/api/v1/status",
            Value::from(minijinja::value::Serde(&report)),
        ),
        Err(refusal) => refusal.respond(&app, Format::Html),
    }
}

/// `GET /api/v1/status`.
pub async fn index_json(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = admit(&app, &headers) {
        return refusal.respond(&app, Format::Json);
    }
    match report(&app).await {
        Ok(report) => harden(Json(report).into_response()),
        Err(refusal) => refusal.respond(&app, Format::Json),
    }
}

/// `GET /projects/{forge}/{path}`, and below it `-/mail/{milestone}/{kind}/{sequence}`:
/// a mail observe mode held back.
pub async fn project_page(
    State(app): State<Arc<AppState>>,
    Path((forge, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let site = match admit(&app, &headers) {
        Ok(site) => site,
        Err(refusal) => return refusal.respond(&app, Format::Html),
    };
    let (path, below) = match path.split_once("/-/") {
        Some((path, below)) => (path, Some(below)),
        None => (path.as_str(), None),
    };
    let project = match self::project(&app, &forge, path) {
        Ok(project) => project,
        Err(refusal) => return refusal.respond(&app, Format::Html),
    };
    let json_url = format!("/api/v1/projects/{}/{}", project.forge.name(), project.path);
    if let Some(below) = below {
        return held_mail(&app, site, project, below, &json_url).await;
    }
    match status_of(&app, project).await {
        Ok(status) => {
            let data = minijinja::context! { p => Value::from(minijinja::value::Serde(&status)) };
            page(&app, site, "project.html", &json_url, data)
        }
        Err(refusal) => refusal.respond(&app, Format::Html),
    }
}

/// `GET /api/v1/projects/{forge}/{path}`.
pub async fn project_json(
    State(app): State<Arc<AppState>>,
    Path((forge, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = admit(&app, &headers) {
        return refusal.respond(&app, Format::Json);
    }
    let project = match self::project(&app, &forge, &path) {
        Ok(project) => project,
        Err(refusal) => return refusal.respond(&app, Format::Json),
    };
    match status_of(&app, project).await {
        Ok(status) => harden(Json(status).into_response()),
        Err(refusal) => refusal.respond(&app, Format::Json),
    }
}

/// The preview of a mail observe mode held back: `mail/7/warning/0`.
async fn held_mail(
    app: &AppState,
    site: &StatusSite,
    project: &ProjectConfig,
    below: &str,
    json_url: &str,
) -> Response {
    let not_held = || {
        Refusal::new(
            StatusCode::NOT_FOUND,
            format!("No mail of {} is held back at {below}.", project.path),
        )
        .respond(app, Format::Html)
    };
    let Some(subject) = below
        .strip_prefix("mail/")
        .map(|rest| format!("mail:{}", rest.replace('/', ":")))
    else {
        return not_held();
    };
    let Some((_, kind, _)) = crate::core::status::mail_subject(&subject) else {
        return not_held();
    };
    match app
        .store
        .observed_preview(project.forge, &project.path, &subject)
        .await
    {
        Ok(Some(preview)) => {
            let data = minijinja::context! {
                what => format!("The {} held back", kind.noun()),
                preview,
                path => project.path.to_string(),
                back => gather::page_path(project),
            };
            page(app, site, "mail.html", json_url, data)
        }
        Ok(None) => not_held(),
        Err(error) => unavailable(error).respond(app, Format::Html),
    }
}
