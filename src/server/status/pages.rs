//! The status page's HTML: minijinja templates built in from
//! `templates/status/` and overridable file by file (`[status]
//! templates_dir`), HTML-escaped automatically, with the one small
//! stylesheet inlined so a page is one request and needs no JavaScript.

use crate::mail::TemplateError;
use crate::mail::located;
use minijinja::{Environment, Value, context};
use std::path::Path;
use std::sync::Arc;

/// The template files, with the built-in text of each.
const FILES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../../templates/status/layout.html"),
    ),
    (
        "index.html",
        include_str!("../../../templates/status/index.html"),
    ),
    (
        "project.html",
        include_str!("../../../templates/status/project.html"),
    ),
    (
        "mail.html",
        include_str!("../../../templates/status/mail.html"),
    ),
    (
        "error.html",
        include_str!("../../../templates/status/error.html"),
    ),
];
const STYLE: &str = include_str!("../../../templates/status/style.css");

/// The compiled page templates; cheap to clone.
#[derive(Debug, Clone)]
pub struct StatusPages {
    env: Arc<Environment<'static>>,
}

/// What every page shows besides its own data.
pub struct Frame {
    pub observe: bool,
    /// RFC 3339.
    pub now: String,
    /// The same data as JSON.
    pub json_url: String,
}

impl StatusPages {
    /// The built-in templates, each replaced by the file of the same name in
    /// `dir` when there is one; every template is compiled now, so a broken
    /// override stops the server at start, naming the file and line.
    pub fn load(dir: Option<&Path>) -> Result<StatusPages, TemplateError> {
        let mut env = Environment::new();
        // `.html` templates escape every value (minijinja's default for the extension).
        for (name, builtin) in FILES {
            let (file, source) = match dir.map(|dir| dir.join(name)).filter(|path| path.is_file()) {
                Some(path) => {
                    let file = path.display().to_string();
                    let text = std::fs::read_to_string(&path).map_err(|error| TemplateError {
                        file: file.clone(),
                        line: 1,
                        column: 1,
                        message: format!("cannot read it: {error}"),
                    })?;
                    (file, text)
                }
                None => (
                    format!("templates/status/{name} (built in)"),
                    (*builtin).to_string(),
                ),
            };
            env.add_template_owned(*name, source.clone())
                .map_err(|error| located(&error, &file, &source, 1))?;
        }
        Ok(StatusPages { env: Arc::new(env) })
    }

    /// Renders `template` with `data` (any serialisable value, spread into
    /// the context) and the frame.
    pub fn render(
        &self,
        template: &str,
        frame: &Frame,
        data: Value,
    ) -> Result<String, minijinja::Error> {
        let base = context! {
            css => STYLE,
            observe => frame.observe,
            now => &frame.now,
            json_url => &frame.json_url,
        };
        self.env
            .get_template(template)?
            .render(context! { ..data, ..base })
    }
}
