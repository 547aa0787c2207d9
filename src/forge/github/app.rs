//! How the GitHub client authenticates: a personal (or fine-grained) token,
//! or a GitHub App. An App signs a short-lived RS256 JWT with its private
//! key, looks up the repository's installation (`GET /repos/{o}/{r}/installation`,
//! or the organisation's, `GET /orgs/{org}/installation`, for its teams)
//! and lets octocrab mint installation tokens
//! (`POST /app/installations/{id}/access_tokens`). Octocrab caches each token
//! and mints a new one 30 seconds before it expires, or after a 401.

use crate::forge::{ForgeError, ProjectPath};
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::model::RestInstallation;
use super::rest::{self, JSON};

/// The credential the client was built with.
pub enum Credentials {
    Token(Arc<Octocrab>),
    App(AppAuth),
}

/// A GitHub App: the JWT-authenticated client and one installation client per repository.
pub struct AppAuth {
    app: Arc<Octocrab>,
    /// Shared, never cloned: cloning an `Octocrab` copies its token cache,
    /// and a copy made before the first token was minted would mint its own.
    installations: Mutex<HashMap<ProjectPath, Arc<Octocrab>>>,
}

type Builder = octocrab::OctocrabBuilder<
    octocrab::NoSvc,
    octocrab::DefaultOctocrabBuilderConfig,
    octocrab::NoAuth,
    octocrab::NotLayerReady,
>;

/// Octocrab as schemagate uses it: our retry helper owns retries (octocrab's
/// own would retry 5xx three times unseen), bounded timeouts, a base URI.
fn builder(api_url: &str) -> Result<Builder, ForgeError> {
    octocrab::Octocrab::builder()
        .base_uri(api_url)
        .map_err(|e| ForgeError::Transport(format!("invalid GitHub API URL {api_url:?}: {e}")))
        .map(|b| {
            b.add_retry_config(RetryConfig::None)
                .set_connect_timeout(Some(Duration::from_secs(10)))
                .set_read_timeout(Some(Duration::from_secs(30)))
        })
}

impl Credentials {
    pub fn token(api_url: &str, token: &str) -> Result<Credentials, ForgeError> {
        let crab = builder(api_url)?
            .personal_token(token.to_string())
            .build()
            .map_err(|e| {
                ForgeError::Transport(format!("could not set up the GitHub client: {e}"))
            })?;
        Ok(Credentials::Token(Arc::new(crab)))
    }

    /// `private_key_pem` is the App's key as GitHub hands it out (PKCS#1 or PKCS#8 PEM).
    pub fn app(
        api_url: &str,
        app_id: u64,
        private_key_pem: &[u8],
    ) -> Result<Credentials, ForgeError> {
        let key = octocrab::EncodingKey::from_rsa_pem(private_key_pem).map_err(|e| {
            ForgeError::Transport(format!(
                "the GitHub App private key is not an RSA PEM key: {e}"
            ))
        })?;
        let app = builder(api_url)?
            .app(app_id.into(), key)
            .build()
            .map_err(|e| {
                ForgeError::Transport(format!("could not set up the GitHub client: {e}"))
            })?;
        Ok(Credentials::App(AppAuth {
            app: Arc::new(app),
            installations: Mutex::new(HashMap::new()),
        }))
    }

    pub fn is_app(&self) -> bool {
        matches!(self, Credentials::App(_))
    }

    /// The client that may act on `project`, or on the organisation
    /// `project` names when it has no `/`.
    pub async fn client_for(&self, project: &ProjectPath) -> Result<Arc<Octocrab>, ForgeError> {
        match self {
            Credentials::Token(crab) => Ok(crab.clone()),
            Credentials::App(app) => app.installation_for(project).await,
        }
    }
}

impl AppAuth {
    /// The client authenticated as the App itself (a JWT), for `/app` and
    /// installation lookups.
    pub fn jwt_client(&self) -> &Octocrab {
        &self.app
    }

    async fn installation_for(&self, project: &ProjectPath) -> Result<Arc<Octocrab>, ForgeError> {
        if let Some(crab) = self
            .installations
            .lock()
            .expect("installation cache")
            .get(project)
        {
            return Ok(crab.clone());
        }
        // A path without `/` is an organisation, the owner of a team (see
        // `people.rs`): an App reads teams through its installation there.
        let path = if project.0.contains('/') {
            format!("/repos/{}/installation", project.0)
        } else {
            format!("/orgs/{}/installation", rest::segment(&project.0))
        };
        let reply = rest::send(&self.app, http::Method::GET, &path, None, JSON).await?;
        let installation: RestInstallation = reply.json()?;
        let crab = self
            .app
            .installation(installation.id.into())
            .map(Arc::new)
            .map_err(|e| {
                ForgeError::Transport(format!(
                    "could not use installation {}: {e}",
                    installation.id
                ))
            })?;
        // Two first calls racing both look the installation up; the first kept wins.
        let mut cache = self.installations.lock().expect("installation cache");
        Ok(cache.entry(project.clone()).or_insert(crab).clone())
    }
}
