//! How wrong types and unknown keys are put into words: the expected type,
//! an example value from the key's own table, and "did you mean" or the
//! `_env` key a secret belongs in.

use super::*;

#[test]
fn unknown_key_suggests_the_right_name() {
    let text = MINIMAL.replace("path = ", "lable = \"DB\"\npath = ");
    let found = issues(&text);
    let lable = issue(&found, "project[0].lable");
    assert_eq!(lable.message, "unknown key `lable`");
    assert!(
        lable.fix.starts_with("did you mean `label`?"),
        "{}",
        lable.fix
    );
}

#[test]
fn wrong_type_names_the_expected_type() {
    let text = MINIMAL.replace("path = \"group/project\"", "path = [\"group/project\"]");
    let found = issues(&text);
    let path = issue(&found, "project[0].path");
    assert_eq!(path.message, "expected a string, found a list");
    assert_eq!(at(path), (7, 8));
}

#[test]
fn inline_secrets_point_at_their_env_keys() {
    let text = "[gitlab]\nurl = \"https://gitlab.example.org\"\ntoken = \"glpat-abc\"\nwebhook_secret = \"s3cret\"\n";
    let found = issues(text);
    let token = issue(&found, "gitlab.token");
    assert_eq!(at(token), (3, 1));
    assert!(token.fix.contains("secrets never go in the config text"));
    assert!(token.fix.contains("`token_env`"), "{}", token.fix);
    assert!(
        issue(&found, "gitlab.webhook_secret")
            .fix
            .contains("`webhook_secret_env`")
    );
    let mail = issues("[mail]\nsmtp_url = \"smtp://h\"\nfrom = \"a@b.org\"\npassword = \"x\"\n");
    assert!(issue(&mail, "mail.password").fix.contains("`password_env`"));
}

#[test]
fn a_wrong_type_is_answered_with_the_example_of_its_own_table() {
    let found = issues(
        "[github]\ntoken_env = 1\n[gitlab]\nurl = \"https://g.example.org\"\ntoken_env = 2\n",
    );
    assert_eq!(
        issue(&found, "github.token_env").fix,
        "write a string, e.g. `token_env = \"GITHUB_TOKEN\"`"
    );
    assert_eq!(
        issue(&found, "gitlab.token_env").fix,
        "write a string, e.g. `token_env = \"GITLAB_TOKEN\"`"
    );
}

#[test]
fn a_number_beyond_its_type_is_shown_as_written_at_its_key() {
    let text =
        format!("{MINIMAL}[server]\nlisten = 1e400\nmax_body_bytes = 99999999999999999999\n");
    let found = issues(&text);
    assert_eq!(
        issue(&found, "server.listen").message,
        "expected a string, found floating point `1e400`"
    );
    assert_eq!(
        issue(&found, "server.max_body_bytes").message,
        "expected an integer, found integer `99999999999999999999`, too large"
    );
    // TOML's own infinities and NaN read as they always did.
    let found = issues(&format!(
        "{MINIMAL}[server]\nlisten = -inf\ndatabase = nan\n"
    ));
    assert_eq!(
        issue(&found, "server.listen").message,
        "expected a string, found floating point `-inf`"
    );
    assert_eq!(
        issue(&found, "server.database").message,
        "expected a string, found floating point `NaN`"
    );
}

#[test]
fn a_near_miss_of_a_valid_key_is_a_typo_even_when_it_looks_like_a_secret() {
    let found = issues(
        "[gitlab]\nurl = \"https://gitlab.example.org\"\ntoken_envv = \"GITLAB_TOKEN\"\n[github]\nprivate_key_fil = \"app.pem\"\n",
    );
    let typo = issue(&found, "gitlab.token_envv");
    assert!(
        typo.fix.starts_with("did you mean `token_env`?"),
        "{}",
        typo.fix
    );
    let typo = issue(&found, "github.private_key_fil");
    assert!(
        typo.fix.starts_with("did you mean `private_key_file`?"),
        "{}",
        typo.fix
    );
}

#[test]
fn a_section_of_the_wrong_type_is_one_error_not_one_per_project() {
    let text = MINIMAL.replace("[gitlab]", "[[gitlab]]");
    let found = issues(&text);
    assert_eq!(
        issue(&found, "gitlab").message,
        "expected a table, found a list"
    );
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn updates_of_the_wrong_type_is_one_error() {
    let text = MINIMAL.replace(
        "gate = { require_announcement = false }",
        "announce = { to = [\"a@example.org\"], updates = true, digest_interval = \"1d\" }\n[mail]\nsmtp_url = \"smtp://localhost\"\nfrom = \"bot@example.org\"",
    );
    let found = issues(&text);
    let paths: Vec<&str> = found.iter().map(|e| e.key_path.as_str()).collect();
    assert_eq!(paths, ["project[0].announce.updates"], "{found:#?}");
}
