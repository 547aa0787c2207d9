//! The fake's front door, run before every handler: records the request,
//! applies the flaky mode's plan and serves injected faults, authenticates the caller (token, App JWT or
//! installation token) and refuses writes to read-only credentials the way
//! GitHub does.

use super::Fake;
use super::render;
use super::state::{Access, Budget, Caller, Fault, RecordedRequest, State};
use axum::extract::{MatchedPath, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Routes an App may call with its JWT (everything else needs a token).
const JWT_ROUTES: [&str; 4] = [
    "/app",
    "/app/installations/{installation_id}/access_tokens",
    "/repos/{owner}/{repo}/installation",
    "/orgs/{org}/installation",
];

pub async fn gatekeeper(
    AxumState(fake): AxumState<Fake>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let route = matched.as_str().to_string();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let at = Instant::now();
    let (caller, fault, budget, plan, delay) = {
        let mut state = fake.state.lock().unwrap();
        let caller = identify(&state, request.headers());
        let credential = credential(request.headers());
        let mut plan = state
            .flaky
            .as_mut()
            .map(|f| f.plan(method.as_str(), &path_and_query, credential))
            .unwrap_or_default();
        let mut fault = state.take_fault(method.as_str(), &route);
        if let Some(Fault::Mishap(mishap)) = fault {
            plan.mishap = plan.mishap.or(Some(mishap));
            fault = None;
        }
        state.requests.push(RecordedRequest {
            method: method.to_string(),
            route: route.clone(),
            path_and_query: path_and_query.clone(),
            caller: caller.as_ref().ok().cloned(),
            at,
            answered: None,
            mishap: plan.mishap,
        });
        let budget = state.budget.as_mut().map(Budget::spend);
        (caller, fault, budget, plan, state.delay)
    };
    for delay in [delay, plan.delay].into_iter().flatten() {
        tokio::time::sleep(delay).await;
    }
    let response = match plan.mishap {
        Some(mishap) if mishap.after() => {
            let served = serve(caller, fault, budget, (method, &route), request, next).await;
            mishap.spoil(served).await
        }
        Some(mishap) => mishap.refuse(),
        None => serve(caller, fault, budget, (method, &route), request, next).await,
    };
    let mut state = fake.state.lock().unwrap();
    // The log may have been cleared meanwhile: only this request's own entry.
    if let Some(entry) = state
        .requests
        .iter_mut()
        .rev()
        .find(|r| r.at == at && r.path_and_query == path_and_query)
    {
        entry.answered = Some(Instant::now());
    }
    response
}

/// The answer once the call gets through the flaky mode: injected faults,
/// authentication, refusals, the primary rate limit, then the handler.
async fn serve(
    caller: Result<Caller, Unauthenticated>,
    fault: Option<Fault>,
    budget: Option<crate::fake_gitlab::rate_window::Spent>,
    (method, route): (Method, &str),
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(Fault::Slow(delay)) = fault {
        tokio::time::sleep(delay).await;
    } else if let Some(response) = fault.as_ref().and_then(fault_response) {
        return response;
    }
    let caller = match caller {
        Ok(caller) => caller,
        Err(message) => return render::error(StatusCode::UNAUTHORIZED, message),
    };
    if let Some(refusal) = refuse(&caller, &method, route) {
        return refusal;
    }
    request.extensions_mut().insert(caller);
    let Some(spent) = budget else {
        return next.run(request).await;
    };
    // GitHub's primary limit: 403 with the quota at 0 and the reset time.
    let mut response = if spent.over {
        render::error(
            StatusCode::FORBIDDEN,
            "API rate limit exceeded for user ID 7.",
        )
    } else {
        next.run(request).await
    };
    for (name, value) in [
        ("x-ratelimit-limit", spent.limit),
        ("x-ratelimit-remaining", spent.remaining),
        ("x-ratelimit-reset", spent.reset),
        ("x-ratelimit-used", spent.used),
    ] {
        response
            .headers_mut()
            .insert(name, HeaderValue::from(value));
    }
    response
        .headers_mut()
        .insert("x-ratelimit-resource", HeaderValue::from_static("core"));
    response
}

/// The token or JWT in the `Authorization` header, as sent.
fn credential(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))
}

/// Who the `Authorization` header says the caller is, or GitHub's 401.
/// A 401 to answer with: GitHub's message.
type Unauthenticated = &'static str;

fn identify(state: &State, headers: &HeaderMap) -> Result<Caller, Unauthenticated> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("Requires authentication")?;
    let credential = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))
        .ok_or("Bad credentials")?;
    if credential.split('.').count() == 3 {
        return verify_app_jwt(state, credential);
    }
    if let Some(access) = state.personal_tokens.get(credential) {
        return Ok(Caller::Personal(*access));
    }
    if state.installation_tokens.iter().any(|t| t == credential) {
        let access = state
            .app
            .as_ref()
            .map_or(Access::ReadOnly, |a| a.installation_access);
        return Ok(Caller::Installation(access));
    }
    Err("Bad credentials")
}

#[derive(serde::Deserialize)]
struct AppClaims {
    iss: serde_json::Value,
}

/// Checks an App JWT the way GitHub does: RS256 with the App's key, unexpired,
/// issued by the App's id.
fn verify_app_jwt(state: &State, jwt: &str) -> Result<Caller, Unauthenticated> {
    let refuse = || "A JSON web token could not be decoded";
    let app = state.app.as_ref().ok_or_else(refuse)?;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&app.public_key_pem).map_err(|_| refuse())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_required_spec_claims(&["exp"]);
    let data = jsonwebtoken::decode::<AppClaims>(jwt, &key, &validation).map_err(|_| refuse())?;
    let issuer = match &data.claims.iss {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    };
    if issuer != Some(app.app_id) {
        return Err(refuse());
    }
    Ok(Caller::AppJwt)
}

/// GitHub's answer when the caller may not do this, if it may not.
fn refuse(caller: &Caller, method: &Method, route: &str) -> Option<Response> {
    let jwt_route = JWT_ROUTES.contains(&route);
    match caller {
        Caller::AppJwt if !jwt_route => Some(render::error(
            StatusCode::UNAUTHORIZED,
            "A JSON web token could not be used to access this endpoint",
        )),
        Caller::AppJwt => None,
        _ if jwt_route => Some(render::error(
            StatusCode::UNAUTHORIZED,
            "A JSON web token is required to access this endpoint",
        )),
        _ if *method != Method::GET && caller.access() == Access::ReadOnly => {
            let message = match caller {
                Caller::Personal(_) => "Resource not accessible by personal access token",
                _ => "Resource not accessible by integration",
            };
            Some(render::error(StatusCode::FORBIDDEN, message))
        }
        _ => None,
    }
}

/// The error a fault answers with; `None` for a slow answer, which the
/// handler serves (and a mishap, which the gatekeeper has taken out).
fn fault_response(fault: &Fault) -> Option<Response> {
    let response = match fault {
        Fault::TooManyRequests { retry_after_secs } => {
            let mut response = render::error(
                StatusCode::TOO_MANY_REQUESTS,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            );
            response.headers_mut().insert(
                "retry-after",
                HeaderValue::from_str(&retry_after_secs.to_string()).expect("digits"),
            );
            response
        }
        Fault::PrimaryRateLimit { reset_in_secs } => {
            let reset = chrono::Utc::now().timestamp() + reset_in_secs;
            let mut response = render::error(
                StatusCode::FORBIDDEN,
                "API rate limit exceeded for installation ID 1.",
            );
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
            headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            headers.insert(
                "x-ratelimit-reset",
                HeaderValue::from_str(&reset.to_string()).expect("digits"),
            );
            response
        }
        Fault::ServerError => render::error(StatusCode::INTERNAL_SERVER_ERROR, "Server Error"),
        Fault::Slow(_) | Fault::Mishap(_) => return None,
    };
    Some(response)
}
