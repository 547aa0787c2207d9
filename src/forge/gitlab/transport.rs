//! Sends `gitlab` crate endpoints through `AsyncGitlab` and reads the raw
//! answer ourselves, so that every request (single, paged or raw) gets the
//! same treatment: `Retry-After` honoured, GitLab's error message kept,
//! retries per request, and paging that follows `X-Next-Page` (one request
//! per page, none wasted on an empty page after a full one). Each try goes
//! through the client's [`Layers`] (rate budget, write fence).

use crate::forge::budget::RateBudget;
use crate::forge::error::parse_retry_after;
use crate::forge::layers::Layers;
use crate::forge::retry::RetryPolicy;
use crate::forge::{ForgeError, cause_chain};
use bytes::Bytes;
use gitlab::api::{ApiError, AsyncClient, Endpoint, Pageable};
use gitlab::{AsyncGitlab, ImpersonationClient, RestError};
use serde::de::DeserializeOwned;

/// GitLab's largest page.
pub const PAGE_SIZE: usize = 100;
/// A bound on pages, against a server that never says "last page".
const MAX_PAGES: usize = 1000;

/// One successful answer.
pub struct Answer {
    pub body: Bytes,
    /// `X-Next-Page`: `Some(None)` when the header says there is no next page,
    /// `None` when the header is missing.
    pub next_page: Option<Option<usize>>,
}

/// The crate's client with the token put on each request: built that way,
/// the crate makes no `GET /user` of its own before the first call.
pub type Api<'a> = ImpersonationClient<'a, AsyncGitlab>;

pub struct Transport<'a> {
    pub client: Api<'a>,
    pub retry: &'a RetryPolicy,
    /// The client's rate budget and, for a job, its write fence.
    pub layers: &'a Layers,
}

impl Transport<'_> {
    /// Sends once (with retries) and returns the body of a 2xx answer.
    pub async fn send<E: Endpoint + Sync>(
        &self,
        endpoint: &E,
        page: Option<usize>,
    ) -> Result<Answer, ForgeError> {
        let write = endpoint.method() != http::Method::GET;
        self.retry
            .run(|| {
                let answer = send_once(&self.client, self.layers.budget(), endpoint, page);
                self.layers.request(write, answer)
            })
            .await
    }

    pub async fn json<T: DeserializeOwned, E: Endpoint + Sync>(
        &self,
        endpoint: &E,
    ) -> Result<T, ForgeError> {
        let answer = self.send(endpoint, None).await?;
        decode(&answer.body)
    }

    /// Every item of a paged list, one request per page.
    pub async fn all<T: DeserializeOwned, E: Endpoint + Pageable + Sync>(
        &self,
        endpoint: &E,
    ) -> Result<Vec<T>, ForgeError> {
        Ok(self.pages(endpoint).await?.0)
    }

    /// [`Self::all`], and whether the list was cut short at [`MAX_PAGES`]
    /// (more pages were announced).
    pub async fn pages<T: DeserializeOwned, E: Endpoint + Pageable + Sync>(
        &self,
        endpoint: &E,
    ) -> Result<(Vec<T>, bool), ForgeError> {
        let mut items = Vec::new();
        let mut page = 1;
        for _ in 0..MAX_PAGES {
            let answer = self.send(endpoint, Some(page)).await?;
            let batch: Vec<T> = decode(&answer.body)?;
            let full = batch.len() == PAGE_SIZE;
            items.extend(batch);
            page = match answer.next_page {
                Some(Some(next)) if next > page => next,
                Some(_) => return Ok((items, false)),
                // No paging headers (some proxies strip them): a short page is the last.
                None if full => page + 1,
                None => return Ok((items, false)),
            };
        }
        Ok((items, true))
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ForgeError> {
    serde_json::from_slice(body).map_err(|error| ForgeError::Unexpected {
        status: 200,
        body: format!("GitLab sent JSON of an unexpected shape: {error}"),
    })
}

async fn send_once<E: Endpoint + Sync>(
    client: &Api<'_>,
    budget: &RateBudget,
    endpoint: &E,
    page: Option<usize>,
) -> Result<Answer, ForgeError> {
    let (request, body) = build_request(client, endpoint, page)?;
    let response = client
        .rest_async(request, body)
        .await
        .map_err(map_api_error)?;
    read_answer(response, budget)
}

/// The endpoint's request (URL with its parameters and page, method,
/// content type) and its body.
fn build_request<E: Endpoint>(
    client: &Api<'_>,
    endpoint: &E,
    page: Option<usize>,
) -> Result<(http::request::Builder, Vec<u8>), ForgeError> {
    let mut url = endpoint
        .url_base()
        .endpoint_for(client, &endpoint.endpoint())
        .map_err(map_api_error)?;
    endpoint.parameters().add_to_url(&mut url);
    if let Some(page) = page {
        url.query_pairs_mut()
            .append_pair("page", &page.to_string())
            .append_pair("per_page", &PAGE_SIZE.to_string());
    }
    let mut request = http::Request::builder()
        .method(endpoint.method())
        .uri(url.as_str());
    let body = match endpoint
        .body()
        .map_err(|e| map_api_error(ApiError::from(e)))?
    {
        Some((mime, data)) => {
            request = request.header(http::header::CONTENT_TYPE, mime);
            data
        }
        None => Vec::new(),
    };
    Ok((request, body))
}

/// Feeds the answer's rate-limit headers to the budget, then returns its
/// body and next page, or the error its status means.
fn read_answer(response: http::Response<Bytes>, budget: &RateBudget) -> Result<Answer, ForgeError> {
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    budget.read_answer("gitlab", header);
    if !status.is_success() {
        let retry_after = header("Retry-After").as_deref().and_then(parse_retry_after);
        let message = error_message(response.body());
        return Err(ForgeError::from_status(
            status.as_u16(),
            &message,
            retry_after,
        ));
    }
    let next_page = header("X-Next-Page").map(|v| v.trim().parse::<usize>().ok());
    Ok(Answer {
        body: response.into_body(),
        next_page,
    })
}

/// GitLab's `{"message": …}` or `{"error": …}`, else the body as text.
fn error_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => value
            .get("message")
            .or_else(|| value.get("error"))
            .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
            .unwrap_or_else(|| text.into_owned()),
        Err(_) => text.into_owned(),
    }
}

/// Translates the crate's error (connection set-up, URL building, the
/// client itself) into the one callers branch on.
pub fn map_api_error(error: ApiError<RestError>) -> ForgeError {
    match error {
        ApiError::GitlabRateLimited { retry_after, .. } => ForgeError::RateLimited {
            retry_after: (!retry_after.is_zero()).then_some(retry_after),
        },
        ApiError::GitlabService { status, data } => {
            ForgeError::from_status(status.as_u16(), &String::from_utf8_lossy(&data), None)
        }
        ApiError::GitlabWithStatus { status, msg } => {
            ForgeError::from_status(status.as_u16(), &msg, None)
        }
        ApiError::GitlabObjectWithStatus { status, obj }
        | ApiError::GitlabUnrecognizedWithStatus { status, obj } => {
            ForgeError::from_status(status.as_u16(), &obj.to_string(), None)
        }
        ApiError::Client { source } => ForgeError::Transport(cause_chain(&source)),
        other => ForgeError::Unexpected {
            status: 0,
            body: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_error_messages_are_read_from_json_or_text() {
        assert_eq!(
            error_message(br#"{"message":"404 Project Not Found"}"#),
            "404 Project Not Found"
        );
        assert_eq!(
            error_message(br#"{"error":"insufficient_scope"}"#),
            "insufficient_scope"
        );
        assert_eq!(
            error_message(br#"{"message":{"title":["is too long"]}}"#),
            r#"{"title":["is too long"]}"#
        );
        assert_eq!(error_message(b"Bad Gateway"), "Bad Gateway");
    }
}
