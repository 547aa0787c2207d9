//! The mail side of the engine: the SMTP client, each project's templates
//! (loaded and checked once, at start), and what `/healthz` should say about
//! mail after a permanent refusal.

use crate::config::{AnnounceConfig, Config};
use crate::core::ids::{ForgeKind, ProjectKey};
use crate::mail::{Mailer, TemplateError, Templates};
use std::collections::HashMap;
use std::sync::Arc;

/// Everything the engine needs to send announcements.
#[derive(Clone)]
pub struct MailService {
    mailer: Mailer,
    /// Templates per configured project (forge, lowercased path).
    templates: Arc<HashMap<ProjectKey, Templates>>,
}

/// Why the mail service could not be built: one sentence, or every broken
/// template with file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("{0}")]
    Mailer(String),
    #[error("{}", render_template_errors(.0))]
    Templates(Vec<TemplateError>),
}

fn render_template_errors(errors: &[TemplateError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
    format!(
        "{} broken mail template(s):\n{}",
        errors.len(),
        lines.join("\n")
    )
}

/// A project's templates as its mails are rendered: the files of its
/// `templates_dir` over the built-ins, each compiled and test-rendered.
pub(crate) fn project_templates(
    announce: &AnnounceConfig,
) -> Result<Templates, Vec<TemplateError>> {
    Templates::load(announce.templates_dir.as_deref())
}

impl std::fmt::Debug for MailService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials: only what identifies the service.
        f.debug_struct("MailService")
            .field("from", &self.mailer.from())
            .field("projects", &self.templates.len())
            .finish()
    }
}

impl MailService {
    /// The service for `config`, or `None` without a `[mail]` section.
    /// Reads SMTP credentials through `env`; contacts nothing.
    pub fn from_config(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<MailService>, MailSetupError> {
        let Some(mail) = &config.mail else {
            return Ok(None);
        };
        let mailer = Mailer::new(mail, env).map_err(MailSetupError::Mailer)?;
        let mut templates = HashMap::new();
        let mut errors = Vec::new();
        for project in &config.projects {
            let Some(announce) = &project.announce else {
                continue;
            };
            match project_templates(announce) {
                Ok(loaded) => {
                    templates.insert(ProjectKey::new(project.forge, &project.path), loaded);
                }
                Err(found) => errors.extend(found),
            }
        }
        if !errors.is_empty() {
            return Err(MailSetupError::Templates(errors));
        }
        Ok(Some(MailService {
            mailer,
            templates: Arc::new(templates),
        }))
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// The project's templates (the built-ins when it has no `announce` table).
    pub fn templates(&self, forge: ForgeKind, path: &str) -> Templates {
        self.templates
            .get(&ProjectKey::new(forge, path))
            .cloned()
            .unwrap_or_else(Templates::builtin)
    }
}
