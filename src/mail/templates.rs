//! The three announcement templates (warning, update, release): built in from
//! `templates/mail/`, overridable file by file, compiled and test-rendered
//! when loaded so that a broken template is a startup error with its file,
//! line and column, never a failed mail at the moment it falls due.

use crate::mail::context::{MailContext, one_line};
use crate::mail::wrap::wrap;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Which announcement a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// The downtime warning, when work on the batch starts.
    Warning,
    /// Database changes that joined or left the batch after the warning.
    Update,
    /// The release notice, when the batch milestone closes.
    Release,
}

impl MailKind {
    pub const ALL: [MailKind; 3] = [MailKind::Warning, MailKind::Update, MailKind::Release];

    /// The template's file name, in `templates/mail/` and in `templates_dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            MailKind::Warning => "warning.txt",
            MailKind::Update => "update.txt",
            MailKind::Release => "release.txt",
        }
    }

    /// "warning", "update" or "release", as in the CLI and Message-IDs.
    pub fn word(self) -> &'static str {
        match self {
            MailKind::Warning => "warning",
            MailKind::Update => "update",
            MailKind::Release => "release",
        }
    }

    fn builtin_source(self) -> &'static str {
        match self {
            MailKind::Warning => include_str!("../../templates/mail/warning.txt"),
            MailKind::Update => include_str!("../../templates/mail/update.txt"),
            MailKind::Release => include_str!("../../templates/mail/release.txt"),
        }
    }

    fn index(self) -> usize {
        match self {
            MailKind::Warning => 0,
            MailKind::Update => 1,
            MailKind::Release => 2,
        }
    }
}

/// A rendered mail: the subject for the header, the wrapped plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// One line, no control characters.
    pub subject: String,
    /// Wrapped at 72 columns, ending with one newline.
    pub body: String,
}

/// A problem in one template, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The file as the user knows it: the override's path, or the built-in's.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TemplateError {}

/// The compiled templates of one project (built-ins plus its overrides).
/// Cheap to clone: the compiled environment is shared.
#[derive(Debug, Clone)]
pub struct Templates {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    env: Environment<'static>,
    /// Indexed by `MailKind::index`.
    sources: Vec<Source>,
}

/// One template file split into its Subject line and its body, each its own
/// minijinja template; the body starts on file line 3.
#[derive(Debug)]
struct Source {
    file: String,
    subject: String,
    body: String,
}

/// The body starts after the Subject line and the blank line.
const BODY_FIRST_LINE: usize = 3;
const SUBJECT_PREFIX: &str = "Subject:";

impl Templates {
    /// The built-in templates only: compiled and checked once per process,
    /// then shared.
    pub fn builtin() -> Templates {
        static BUILTIN: OnceLock<Templates> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Templates::load(None).unwrap_or_else(|errors| {
                    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    panic!("a built-in mail template is broken: {}", list.join("; "))
                })
            })
            .clone()
    }

    /// Built-ins, overridden file by file from `dir` (a missing file there keeps the built-in).
    /// Every template is compiled AND rendered against [`MailContext::sample`] (and a
    /// variant with every optional value absent), so syntax errors and unknown variables
    /// are both reported, each with file, line and column.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Vec<TemplateError>> {
        let mut env = environment();
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for kind in MailKind::ALL {
            let source = match read_source(kind, dir) {
                Ok(source) => source,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let mut compiled = true;
            for (name, text, first_line) in [
                (subject_name(kind), &source.subject, 1),
                (body_name(kind), &source.body, BODY_FIRST_LINE),
            ] {
                if let Err(error) = env.add_template_owned(name, text.clone()) {
                    errors.push(located(&error, &source.file, text, first_line));
                    compiled = false;
                }
            }
            if !compiled {
                continue;
            }
            for context in sample_variants(kind) {
                if let Err(error) = render_source(&env, kind, &source, &context)
                    && !errors.contains(&error)
                {
                    errors.push(error);
                }
            }
            sources.push(source);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Templates {
            inner: Arc::new(Inner {
                env,
                // Every kind compiled, in `MailKind::ALL` order.
                sources,
            }),
        })
    }

    /// Renders the subject and the wrapped body of one mail.
    pub fn render(
        &self,
        kind: MailKind,
        context: &MailContext,
    ) -> Result<RenderedMail, TemplateError> {
        render_source(
            &self.inner.env,
            kind,
            &self.inner.sources[kind.index()],
            context,
        )
    }
}

fn render_source(
    env: &Environment<'static>,
    kind: MailKind,
    source: &Source,
    context: &MailContext,
) -> Result<RenderedMail, TemplateError> {
    let value = context.template_value();
    let render = |name: String, text: &str, first_line: usize| {
        env.get_template(&name)
            .and_then(|template| template.render(&value))
            .map_err(|error| located(&error, &source.file, text, first_line))
    };
    let subject_line = render(subject_name(kind), &source.subject, 1)?;
    // The Subject line's prefix is literal text in its template, so it
    // starts the output; only what follows it is the subject.
    let subject = one_line(
        subject_line
            .get(SUBJECT_PREFIX.len()..)
            .unwrap_or(subject_line.as_str()),
    );
    if subject.is_empty() {
        return Err(TemplateError {
            file: source.file.clone(),
            line: 1,
            column: 1,
            message: "the subject renders empty".to_string(),
        });
    }
    let body = render(body_name(kind), &source.body, BODY_FIRST_LINE)?;
    let mut body = wrap(body.trim_end_matches(['\n', ' ']));
    body.push('\n');
    Ok(RenderedMail { subject, body })
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Plain-text mail: nothing is markup, so nothing is escaped.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Spans for error columns (on by default only in debug builds).
    env.set_debug(true);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    // Block tags on their own lines leave no blank lines or indentation behind.
    syntax.trim_blocks(true).lstrip_blocks(true);
    env.set_syntax(syntax.build().expect("the default delimiters are valid"));
    env
}

fn subject_name(kind: MailKind) -> String {
    format!("{}#subject", kind.file_name())
}

fn body_name(kind: MailKind) -> String {
    format!("{}#body", kind.file_name())
}

/// The override file when `dir` has one, else the built-in; split into the
/// Subject line and the body after the blank line.
fn read_source(kind: MailKind, dir: Option<&Path>) -> Result<Source, TemplateError> {
    let override_path = dir
        .map(|dir| dir.join(kind.file_name()))
        .filter(|path| path.is_file());
    let (file, text) = match override_path {
        Some(path) => {
            let file = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => (file, text),
                Err(error) => {
                    return Err(TemplateError {
                        file,
                        line: 1,
                        column: 1,
                        message: format!("cannot read the template: {error}"),
                    });
                }
            }
        }
        None => (
            format!("templates/mail/{} (built-in)", kind.file_name()),
            kind.builtin_source().to_string(),
        ),
    };
    // CRLF files would otherwise put stray CRs into the body.
    let text = text.replace("\r\n", "\n");
    let at = |line: usize, message: &str| TemplateError {
        file: file.clone(),
        line,
        column: 1,
        message: message.to_string(),
    };
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    if !first.starts_with(SUBJECT_PREFIX) {
        return Err(at(
            1,
            "the first line must be `Subject: …`, then a blank line, then the body",
        ));
    }
    let (second, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if !second.trim().is_empty() {
        return Err(at(2, "the line after the Subject line must be blank"));
    }
    Ok(Source {
        subject: first.to_string(),
        body: body.to_string(),
        file,
    })
}

/// A minijinja error as a [`TemplateError`] in file coordinates: the span
/// gives line and column within `text`, which starts on file line `first_line`.
pub(crate) fn located(
    error: &minijinja::Error,
    file: &str,
    text: &str,
    first_line: usize,
) -> TemplateError {
    let range = error
        .range()
        .filter(|range| range.start <= text.len() && text.is_char_boundary(range.start));
    let (line, column) = match &range {
        Some(range) => {
            let before = &text[..range.start];
            let line_start = before.rfind('\n').map_or(0, |at| at + 1);
            (
                before.matches('\n').count() + 1,
                before[line_start..].chars().count() + 1,
            )
        }
        None => (error.line().unwrap_or(1), 1),
    };
    let snippet = range
        .and_then(|range| text.get(range))
        .filter(|snippet| !snippet.is_empty() && !snippet.contains('\n'));
    let message = match (error.kind(), snippet) {
        (ErrorKind::UndefinedError, Some(snippet)) => {
            format!("unknown variable or attribute in `{snippet}`")
        }
        (kind, _) => match error.detail() {
            Some(detail) => format!("{kind}: {detail}"),
            None => kind.to_string(),
        },
    };
    TemplateError {
        file: file.to_string(),
        line: first_line + line - 1,
        column,
        message,
    }
}

/// The contexts a template is test-rendered against at load: the full
/// sample, and one with every optional value absent and every optional list
/// empty, so a mistake inside an `{% if %}` branch is found either way. An
/// update is also tried in its "downtime no longer expected" shape.
fn sample_variants(kind: MailKind) -> Vec<MailContext> {
    let full = MailContext::sample();
    let mut sparse = full.clone();
    sparse.project.web_url = None;
    sparse.milestone.web_url = None;
    sparse.milestone.due_date = None;
    sparse.milestone.start_date = None;
    for change in &mut sparse.changes {
        change.web_url = None;
    }
    sparse.added.clear();
    sparse.removed.clear();
    sparse.upgrade_steps.clear();
    sparse.upgrade_path.clear();
    sparse.reply_to = None;
    sparse.warning_sent_on = None;
    let mut variants = vec![full, sparse];
    if kind == MailKind::Update {
        let mut gone = MailContext::sample();
        gone.removed.append(&mut gone.changes);
        gone.added.clear();
        gone.downtime_expected = false;
        variants.push(gone);
    }
    variants
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;
