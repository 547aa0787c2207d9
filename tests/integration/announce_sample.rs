//! `schemagate announce --preview --sample`: each mail rendered from the
//! configuration alone (its list, sender, reply-to, upgrade steps and
//! template overrides) with no forge, no store file, no SMTP server and no
//! secret; refused without `--preview`; and its errors one sentence each.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

const LIST: &str = "ops-announce@lists.example.net";
const REPLY_TO: &str = "ops-devel@lists.example.net";
const PROJECT: &str = "ops/tracker";
const STEP: &str = "Stop the tracker service";
/// An address in TEST-NET-1 (RFC 5737): nothing answers there.
const NOWHERE: &str = "192.0.2.1";

/// A directory with a configuration whose store, forge and mail server are
/// all out of reach and whose secrets are never set.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    /// `announce` is the project's announce table body after `to`;
    /// `templates` are override files written to `mail-templates/`.
    fn new(announce: &str, templates: &[(&str, String)]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let overrides = dir.path().join("mail-templates");
        std::fs::create_dir(&overrides).unwrap();
        for (name, text) in templates {
            std::fs::write(overrides.join(name), text).unwrap();
        }
        let text = format!(
            r#"[server]
database = "sqlite://{store}"

[gitlab]
url = "http://{NOWHERE}:9"
token_env = "SG_SAMPLE_UNSET_TOKEN"
webhook_secret_env = "SG_SAMPLE_UNSET_SECRET"

[mail]
smtp_url = "smtp://{NOWHERE}:25"
from = "Ops bot <ops-bot@example.net>"
user_env = "SG_SAMPLE_UNSET_SMTP_USER"
password_env = "SG_SAMPLE_UNSET_SMTP_PASSWORD"

[[project]]
forge = "gitlab"
path = "{PROJECT}"
releases = {{ scheme = "calver" }}
{announce}
"#,
            store = dir.path().join("store.db").display(),
        );
        let text = text.replace("TEMPLATES_DIR", &overrides.display().to_string());
        let config = dir.path().join("schemagate.toml");
        std::fs::write(&config, text).unwrap();
        Setup { dir, config }
    }

    /// The project announcing to [`LIST`] with its templates overridden.
    fn announcing(templates: &[(&str, String)]) -> Setup {
        let announce = format!(
            r#"announce = {{ to = ["{LIST}"], reply_to = "{REPLY_TO}", upgrade_steps = ["{STEP}"], templates_dir = "TEMPLATES_DIR" }}"#
        );
        Setup::new(&announce, templates)
    }

    /// `schemagate --config … ARGS` in the directory, with an environment
    /// holding nothing but PATH.
    fn run(&self, args: &[&str]) -> Output {
        let mut command = assert_cmd::Command::cargo_bin("schemagate").expect("binary built");
        command.current_dir(self.dir.path()).env_clear();
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        command
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap()
    }

    /// Every file in the directory but the configuration and the templates.
    fn other_files(&self) -> Vec<String> {
        let names = std::fs::read_dir(self.dir.path()).unwrap();
        let mut names: Vec<String> = names
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "schemagate.toml" && name != "mail-templates")
            .collect();
        names.sort();
        names
    }
}

/// The built-in template of `kind` with a line naming it after the
/// greeting: an override that says what the real one says, and `marker`.
fn override_of(kind: &str) -> (&'static str, String) {
    let file = match kind {
        "warning" => "warning.txt",
        "update" => "update.txt",
        _ => "release.txt",
    };
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/mail")
        .join(file);
    let builtin = std::fs::read_to_string(builtin).unwrap();
    let text = builtin.replacen("Hello,\n", &format!("Hello,\n\n{}\n", marker(kind)), 1);
    assert_ne!(text, builtin, "the built-in {file} greets with `Hello,`");
    (file, text)
}

fn marker(kind: &str) -> String {
    format!(
        "OVERRIDE-MARKER-{} for {{{{ project.path }}}}",
        kind.to_uppercase()
    )
}

fn all_overrides() -> Vec<(&'static str, String)> {
    ["warning", "update", "release"]
        .into_iter()
        .map(override_of)
        .collect()
}

/// The text with every run of whitespace one space: the body is wrapped.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The header `name`'s value in a preview (the headers end at the first blank line).
fn header<'t>(preview: &'t str, name: &str) -> Option<&'t str> {
    preview
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

#[test]
fn each_kind_is_previewed_from_the_configuration_alone_and_creates_no_file() {
    let setup = Setup::announcing(&all_overrides());
    for kind in ["warning", "update", "release"] {
        let output = setup.run(&["announce", "--preview", "--sample", "--kind", kind]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{kind}: {}", stderr(&output));
        let (first, preview) = text.split_once('\n').unwrap_or_default();
        assert!(
            first.starts_with("# sample: ") && first.contains("made up"),
            "{kind}: the first line says it is a sample: {text}"
        );
        assert_eq!(header(preview, "To"), Some(LIST), "{kind}: {preview}");
        assert_eq!(header(preview, "Reply-To"), Some(REPLY_TO), "{kind}");
        let from = header(preview, "From").unwrap_or_default();
        assert!(from.contains("<ops-bot@example.net>"), "{kind}: {preview}");
        let subject = header(preview, "Subject").unwrap_or_default();
        assert!(
            subject.starts_with(&format!("[{PROJECT}]")),
            "{kind}: {subject}"
        );
        let message_id = header(preview, "Message-ID").unwrap_or_default();
        assert!(
            message_id.contains("ops.tracker.m42") && message_id.ends_with("@example.net>"),
            "{kind}: {message_id}"
        );
        // Updates and the notice thread under the warning, as sent.
        assert_eq!(
            header(preview, "In-Reply-To").is_some(),
            kind != "warning",
            "{kind}: {preview}"
        );
        let body = flat(preview.split_once("\n\n").map_or("", |(_, body)| body));
        let marker = format!("OVERRIDE-MARKER-{} for {PROJECT}", kind.to_uppercase());
        assert!(
            body.contains(&marker),
            "{kind}: the override renders: {preview}"
        );
        assert!(
            body.contains(&format!("Sent by schemagate to {LIST}.")),
            "{kind}: {preview}"
        );
        assert!(body.contains(&format!("Write to {REPLY_TO}.")), "{kind}");
        // The configured forge names the sample's changes.
        assert!(
            preview.contains(&format!("http://{NOWHERE}:9/{PROJECT}/-/merge_requests/")),
            "{kind}: {preview}"
        );
        assert!(!preview.contains("lava/lava"), "{kind}: {preview}");
        // The configured upgrade steps, not the sample's.
        assert!(body.contains(&format!("1. {STEP}")), "{kind}: {preview}");
        assert!(!body.contains("Back up the database"), "{kind}");
    }
    assert_eq!(
        setup.other_files(),
        Vec::<String>::new(),
        "no store file is created"
    );
}

#[test]
fn json_says_it_is_a_sample_and_a_milestone_names_the_release() {
    let setup = Setup::announcing(&all_overrides());
    let output = setup.run(&[
        "--format",
        "json",
        "announce",
        "--preview",
        "--sample",
        "--milestone",
        "2027.03",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["sample"], true, "{json}");
    let preview = json["preview"].as_str().expect("the mail as a string");
    assert!(
        !preview.starts_with('#'),
        "the JSON's mail is the mail: {preview}"
    );
    assert_eq!(header(preview, "To"), Some(LIST));
    let subject = header(preview, "Subject").unwrap_or_default();
    assert!(subject.contains("2027.03"), "{subject}");
    assert!(preview.contains("OVERRIDE-MARKER-WARNING"), "{preview}");
    assert!(setup.other_files().is_empty(), "{:?}", setup.other_files());
}

#[test]
fn sample_without_preview_is_refused_naming_preview() {
    let setup = Setup::announcing(&[]);
    let output = setup.run(&["announce", "--sample"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let text = stderr(&output);
    assert!(
        text.contains("required arguments were not provided") && text.contains("--preview"),
        "{text}"
    );
    assert!(stdout(&output).is_empty());
    // Without --sample the milestone is still required.
    let output = setup.run(&["announce", "--preview"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--milestone"),
        "{}",
        stderr(&output)
    );
    assert!(setup.other_files().is_empty(), "{:?}", setup.other_files());
}

#[test]
fn a_project_without_an_announce_table_is_one_sentence_and_exit_2() {
    let setup = Setup::new("gate = { require_announcement = false }", &[]);
    let output = setup.run(&["announce", "--preview", "--sample"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains(&format!("project {PROJECT} has no `announce` table")),
        "{text}"
    );
}

#[test]
fn a_template_that_fails_on_the_configured_values_is_one_sentence_and_exit_2() {
    // The sample has four upgrade steps and its sparse variant none, so the
    // template loads; the configuration gives one, so the fourth is
    // undefined in the preview.
    let broken = "Subject: [{{ project.path }}] step four\n\n{% if upgrade_steps %}Then {{ upgrade_steps[3] }}.{% endif %}\n";
    let setup = Setup::announcing(&[("warning.txt", broken.to_string())]);
    let output = setup.run(&["announce", "--preview", "--sample"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("the mail template is broken") && text.contains("warning.txt:3:"),
        "{text}"
    );
    assert!(setup.other_files().is_empty(), "{:?}", setup.other_files());
}

#[test]
fn a_template_that_does_not_load_is_named_with_its_line_as_serve_names_it() {
    let broken = "Subject: [{{ project.path }}] {{ milestone.titel }}\n\nBody.\n";
    let setup = Setup::announcing(&[("update.txt", broken.to_string())]);
    let output = setup.run(&["announce", "--preview", "--sample", "--kind", "update"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let text = stderr(&output);
    assert!(
        text.starts_with("error: 1 broken mail template(s):")
            && text.contains("update.txt:1:")
            && text.contains("milestone.titel"),
        "{text}"
    );
}
