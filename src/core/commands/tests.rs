//! The command syntax rule by rule: where a command may stand, how it is
//! spelled, its arguments, look-alikes, and the bounds on hostile comments.

use super::*;

fn run(line: usize, command: Command) -> Parsed {
    Parsed::Command { line, command }
}

fn answer(line: usize, problem: Problem) -> Parsed {
    Parsed::Invalid { line, problem }
}

fn approve(reason: &str) -> Command {
    Command::Approve {
        reason: reason.into(),
    }
}

/// Each body read on its own, against what it must give.
fn check(table: &[(&str, Vec<Parsed>)]) {
    for (body, expected) in table {
        assert_eq!(&parse_commands(body), expected, "body: {body:?}");
    }
}

#[test]
fn each_command_is_read() {
    check(&[
        ("/schemagate recheck", vec![run(1, Command::Recheck)]),
        (
            "/schemagate approve CVE fix must ship now",
            vec![run(1, approve("CVE fix must ship now"))],
        ),
        ("/schemagate unapprove", vec![run(1, Command::Unapprove)]),
        ("/schemagate help", vec![run(1, Command::Help)]),
    ]);
}

#[test]
fn a_comment_without_commands_gives_nothing() {
    check(&[
        ("", vec![]),
        ("Looks good to me.", vec![]),
        ("See /home/schemagate/config", vec![]),
        ("schemagate recheck", vec![]),
        ("Merci, ça marche 👍", vec![]),
    ]);
}

#[test]
fn prefix_and_word_ignore_ascii_case_and_the_reason_keeps_its_case() {
    check(&[
        ("/SCHEMAGATE RECHECK", vec![run(1, Command::Recheck)]),
        ("/SchemaGate Help", vec![run(1, Command::Help)]),
        (
            "/schemaGATE APPROVE Keep This Case",
            vec![run(1, approve("Keep This Case"))],
        ),
    ]);
}

#[test]
fn commands_stand_only_at_the_start_of_a_line() {
    check(&[
        ("please /schemagate recheck", vec![]),
        ("- /schemagate recheck", vec![]),
        ("1. /schemagate recheck", vec![]),
        ("`/schemagate recheck`", vec![]),
        ("# /schemagate recheck", vec![]),
        ("\\/schemagate recheck", vec![]),
        ("   /schemagate recheck", vec![run(1, Command::Recheck)]),
        ("    /schemagate recheck", vec![]),
        ("\t/schemagate recheck", vec![]),
        ("  \t/schemagate recheck", vec![]),
        (
            "Thanks!\n    /schemagate recheck\n/schemagate help",
            vec![run(3, Command::Help)],
        ),
    ]);
}

#[test]
fn the_prefix_must_end_its_word() {
    check(&[
        ("/schemagates recheck", vec![]),
        ("/schemagate-bot recheck", vec![]),
        ("/schemagate.toml is the config", vec![]),
        ("/schemagate/recheck", vec![]),
        ("/schemagate\trecheck", vec![run(1, Command::Recheck)]),
        ("/schemagate   recheck   ", vec![run(1, Command::Recheck)]),
    ]);
}

#[test]
fn quoted_lines_never_run() {
    check(&[
        ("> /schemagate approve x", vec![]),
        (">/schemagate recheck", vec![]),
        ("   > /schemagate recheck", vec![]),
        ("> > /schemagate recheck", vec![]),
        (
            "> /schemagate approve x\nI disagree.\n/schemagate unapprove",
            vec![run(3, Command::Unapprove)],
        ),
        // Markdown would render line 2 inside the quote; the writer put it
        // outside, so it runs.
        (
            "> earlier words\n/schemagate recheck",
            vec![run(2, Command::Recheck)],
        ),
    ]);
}

#[test]
fn fenced_code_blocks_never_run() {
    check(&[
        (
            "```\n/schemagate approve example\n```\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        (
            "~~~\n/schemagate approve example\n~~~\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        (
            "```markdown\n/schemagate recheck\n```\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        (
            "~~~ text {.x}\n/schemagate recheck\n~~~\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        (
            "  ```\n/schemagate recheck\n   ```\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        // A fence of the other character, or a shorter one, closes nothing.
        ("```\n~~~\n/schemagate recheck", vec![]),
        ("````\n```\n/schemagate recheck\n````", vec![]),
        // The closing fence may be longer.
        (
            "```\n/schemagate recheck\n`````\n/schemagate help",
            vec![run(4, Command::Help)],
        ),
        // A fence in a list item ends with the item.
        (
            "- example:\n  ```\n  /schemagate approve x\n  ```\n/schemagate help",
            vec![run(5, Command::Help)],
        ),
        (
            "- ```\n  /schemagate approve x\n/schemagate help",
            vec![run(3, Command::Help)],
        ),
    ]);
}

#[test]
fn an_unclosed_fence_runs_to_the_end() {
    check(&[
        (
            "/schemagate help\n```\n/schemagate recheck\n/schemagate unapprove",
            vec![run(1, Command::Help)],
        ),
        ("~~~~\n/schemagate recheck\n~~~", vec![]),
    ]);
}

#[test]
fn inline_code_that_looks_like_a_fence_opens_nothing() {
    check(&[(
        "```inline``` text\n/schemagate recheck",
        vec![run(2, Command::Recheck)],
    )]);
}

#[test]
fn a_fence_inside_a_quote_ends_with_the_quote() {
    check(&[(
        "> ```\n> /schemagate approve x\n/schemagate recheck",
        vec![run(3, Command::Recheck)],
    )]);
}

#[test]
fn indented_code_blocks_never_run() {
    check(&[(
        "Example:\n\n    /schemagate approve x\n\n/schemagate help",
        vec![run(5, Command::Help)],
    )]);
}

#[test]
fn html_comments_never_run() {
    check(&[
        ("<!--\n/schemagate approve hidden\n-->", vec![]),
        ("<!-- /schemagate approve hidden -->", vec![]),
        (
            "<!--\n/schemagate approve hidden\n-->\n/schemagate recheck",
            vec![run(4, Command::Recheck)],
        ),
        ("<!--\n/schemagate approve hidden", vec![]),
    ]);
}

#[test]
fn every_line_ending_is_one() {
    check(&[
        (
            "/schemagate approve CVE fix\r\n/schemagate recheck\r\n",
            vec![run(1, approve("CVE fix")), run(2, Command::Recheck)],
        ),
        (
            "/schemagate approve CVE fix\r/schemagate unapprove",
            vec![run(1, approve("CVE fix")), run(2, Command::Unapprove)],
        ),
        (
            "```\r\n/schemagate recheck\r\n```\r\n/schemagate help\r\n",
            vec![run(4, Command::Help)],
        ),
        ("/schemagate recheck\r\n", vec![run(1, Command::Recheck)]),
    ]);
}

#[test]
fn several_commands_in_one_comment_are_all_read_in_order() {
    check(&[(
        "Thanks for the fix.\n\n/schemagate approve security release\n/schemagate recheck\n\nand\n/schemagate frobnicate\n/schemagate recheck",
        vec![
            run(3, approve("security release")),
            run(4, Command::Recheck),
            answer(7, Problem::UnknownCommand("frobnicate".into())),
            run(8, Command::Recheck),
        ],
    )]);
}

#[test]
fn unknown_or_missing_command_words_are_answered() {
    let long = "x".repeat(100);
    check(&[
        (
            "/schemagate frobnicate",
            vec![answer(1, Problem::UnknownCommand("frobnicate".into()))],
        ),
        (
            "/schemagate Frobnicate all the things",
            vec![answer(1, Problem::UnknownCommand("Frobnicate".into()))],
        ),
        (
            "/schemagate approve: CVE",
            vec![answer(1, Problem::UnknownCommand("approve:".into()))],
        ),
        (
            "/schemagate approved x",
            vec![answer(1, Problem::UnknownCommand("approved".into()))],
        ),
        ("/schemagate", vec![answer(1, Problem::MissingCommand)]),
        ("/schemagate   \t", vec![answer(1, Problem::MissingCommand)]),
        (
            "/schemagate fr\u{202E}ob\u{200B}nicate\u{7}",
            vec![answer(
                1,
                Problem::UnknownCommand("fr\u{FFFD}ob\u{FFFD}nicate\u{FFFD}".into()),
            )],
        ),
        (
            &format!("/schemagate {long}"),
            vec![answer(
                1,
                Problem::UnknownCommand(format!("{}…", "x".repeat(MAX_WORD_CHARS))),
            )],
        ),
    ]);
}

#[test]
fn approve_needs_a_reason() {
    check(&[
        (
            "/schemagate approve",
            vec![answer(1, Problem::MissingReason)],
        ),
        (
            "/schemagate approve   \t ",
            vec![answer(1, Problem::MissingReason)],
        ),
        (
            "/schemagate approve \u{200B}\u{00A0}",
            vec![answer(1, Problem::MissingReason)],
        ),
    ]);
}

#[test]
fn the_reason_is_the_rest_of_the_line_trimmed() {
    check(&[
        (
            "/schemagate approve    CVE fix  \t",
            vec![run(1, approve("CVE fix"))],
        ),
        (
            "/schemagate approve\tspaces  inside   stay",
            vec![run(1, approve("spaces  inside   stay"))],
        ),
        (
            "/schemagate approve \u{200B}zero-width ends go\u{FEFF} ",
            vec![run(1, approve("zero-width ends go"))],
        ),
        (
            "/schemagate approve see #12 and @alice: `x` > y\nnot part of it",
            vec![run(1, approve("see #12 and @alice: `x` > y"))],
        ),
    ]);
}

#[test]
fn the_reason_is_capped_in_characters_not_bytes() {
    let at_limit = "é".repeat(MAX_REASON_CHARS);
    let past_limit = "é".repeat(MAX_REASON_CHARS + 1);
    check(&[
        (
            &format!("/schemagate approve {at_limit}"),
            vec![run(1, approve(&at_limit))],
        ),
        (
            &format!("/schemagate approve {past_limit}"),
            vec![answer(
                1,
                Problem::ReasonTooLong {
                    limit: MAX_REASON_CHARS,
                },
            )],
        ),
        // Trimmed first: blanks around a reason at the limit do not count.
        (
            &format!("/schemagate approve   {at_limit}   "),
            vec![run(1, approve(&at_limit))],
        ),
    ]);
}

#[test]
fn commands_without_arguments_refuse_text_after_them() {
    check(&[
        (
            "/schemagate recheck please",
            vec![answer(
                1,
                Problem::UnexpectedText {
                    verb: Verb::Recheck,
                },
            )],
        ),
        (
            "/schemagate unapprove !12",
            vec![answer(
                1,
                Problem::UnexpectedText {
                    verb: Verb::Unapprove,
                },
            )],
        ),
        (
            "/schemagate help me",
            vec![answer(1, Problem::UnexpectedText { verb: Verb::Help })],
        ),
        // Trailing blanks are not text.
        ("/schemagate unapprove \t", vec![run(1, Command::Unapprove)]),
    ]);
}

#[test]
fn look_alikes_never_run_and_are_answered() {
    for body in [
        "\u{FF0F}schemagate approve x", // fullwidth solidus
        "\u{FF0F}\u{FF53}\u{FF43}\u{FF48}\u{FF45}\u{FF4D}\u{FF41}\u{FF47}\u{FF41}\u{FF54}\u{FF45}\u{3000}\u{FF52}\u{FF45}\u{FF43}\u{FF48}\u{FF45}\u{FF43}\u{FF4B}",
        "\u{2215}schemagate approve x", // division slash
        "\u{2044}schemagate recheck",   // fraction slash
        "/\u{0455}\u{0441}h\u{0435}m\u{0430}g\u{0430}t\u{0435} approve x", // Cyrillic
        "/sch\u{0435}magate recheck",   // one Cyrillic e
        "/SCH\u{0395}MAGATE recheck",   // Greek capital epsilon
        "/schema\u{200B}gate approve x", // zero-width space
        "/schema\u{200D}gate approve x", // zero-width joiner
        "/sche\u{00AD}magate recheck",  // soft hyphen
        "\u{200B}/schemagate approve x", // invisible before
        "/schemagate\u{200B} approve x", // invisible after
        "/schemagate\u{00A0}approve x", // no-break space
        "/schemagate\u{3000}recheck",   // ideographic space
        "/schemagate \u{0430}pprove x", // Cyrillic a in the word
        "/schemagate re\u{200B}check",  // invisible in the word
        "/schemagate approve\u{00A0}x", // no-break space after the word
        "/schemagate help\u{2060}",     // word joiner after the word
    ] {
        assert_eq!(
            parse_commands(body),
            vec![answer(1, Problem::LookAlike)],
            "body: {body:?}"
        );
    }
}

#[test]
fn look_alikes_of_other_words_are_left_alone() {
    check(&[
        ("\u{FF0F}home", vec![]),
        ("/\u{0455}omething else", vec![]),
        ("\u{FF0F}schemagates", vec![]),
        ("/schemagate\u{00A0}", vec![answer(1, Problem::LookAlike)]),
        // A look-alike in a quote or a code block is as quiet as a command.
        ("> \u{FF0F}schemagate recheck", vec![]),
        ("```\n\u{FF0F}schemagate recheck\n```", vec![]),
    ]);
}

#[test]
fn a_thousand_commands_give_the_limit_then_one_answer() {
    let body = "/schemagate recheck\n".repeat(1000);
    let parsed = parse_commands(&body);
    assert_eq!(parsed.len(), MAX_COMMANDS + 1);
    for (at, entry) in parsed[..MAX_COMMANDS].iter().enumerate() {
        assert_eq!(entry, &run(at + 1, Command::Recheck));
    }
    assert_eq!(
        parsed[MAX_COMMANDS],
        answer(
            MAX_COMMANDS + 1,
            Problem::TooManyCommands {
                limit: MAX_COMMANDS
            }
        )
    );
}

#[test]
fn problems_count_toward_the_limit() {
    let body = "/schemagate frobnicate\n\u{FF0F}schemagate recheck\n".repeat(500);
    let parsed = parse_commands(&body);
    assert_eq!(parsed.len(), MAX_COMMANDS + 1);
    assert_eq!(
        parsed[0],
        answer(1, Problem::UnknownCommand("frobnicate".into()))
    );
    assert_eq!(parsed[1], answer(2, Problem::LookAlike));
    assert_eq!(
        parsed.last(),
        Some(&answer(
            MAX_COMMANDS + 1,
            Problem::TooManyCommands {
                limit: MAX_COMMANDS
            }
        ))
    );
}

#[test]
fn lines_that_are_no_commands_do_not_count_toward_the_limit() {
    let mut body = "> /schemagate recheck\nplain text\n".repeat(1000);
    body.push_str("/schemagate help");
    assert_eq!(parse_commands(&body), vec![run(2001, Command::Help)]);
}

const MEGABYTE: usize = 1 << 20;

include!("../../../benches/shared/hostile_comments.rs");

#[test]
fn a_megabyte_of_text_finds_the_command_at_its_end() {
    let mut body = "Some prose about the release, nothing to run here.\n".repeat(MEGABYTE / 51);
    let lines = body.lines().count();
    body.push_str("/schemagate approve ship it");
    assert!(body.len() >= MEGABYTE);
    assert_eq!(
        parse_commands(&body),
        vec![run(lines + 1, approve("ship it"))]
    );
}

#[test]
fn a_megabyte_long_reason_is_refused_without_being_kept() {
    let body = format!("/schemagate approve {}", "a".repeat(MEGABYTE));
    assert_eq!(
        parse_commands(&body),
        vec![answer(
            1,
            Problem::ReasonTooLong {
                limit: MAX_REASON_CHARS
            }
        )]
    );
}

#[test]
fn a_megabyte_long_unknown_word_is_cut() {
    let body = format!("/schemagate {}", "z".repeat(MEGABYTE));
    let parsed = parse_commands(&body);
    let [
        Parsed::Invalid {
            problem: Problem::UnknownCommand(word),
            ..
        },
    ] = parsed.as_slice()
    else {
        panic!("expected one unknown command, got {parsed:?}");
    };
    assert_eq!(word.chars().count(), MAX_WORD_CHARS + 1);
}

/// Inputs where a careless reader does unbounded work: an HTML comment or
/// fence never closed, a slash followed by a megabyte of invisible
/// characters, a megabyte of look-alike slashes, thousands of list markers,
/// a command on every line. Each ends with a command so the fast path
/// cannot settle it; what comes back stays within the cap. How fast they
/// are read is measured by `cargo bench --bench commands`.
#[test]
fn hostile_megabytes_give_a_bounded_answer() {
    for body in hostile_bodies() {
        let body = body + "\n/schemagate help";
        let parsed = parse_commands(&body);
        assert!(
            parsed.len() <= MAX_COMMANDS + 1,
            "{} bytes starting {:?} gave {} results",
            body.len(),
            body.chars().take(6).collect::<String>(),
            parsed.len()
        );
    }
}

/// The same bodies give what their Markdown says: the unclosed blocks hide
/// the final command, the others let it through.
#[test]
fn hostile_megabytes_still_read_right() {
    let unclosed = "<!--\n".to_owned() + &"x\n".repeat(MEGABYTE / 2) + "/schemagate help";
    assert!(parse_commands(&unclosed).is_empty());
    let closed = "<!-- -->\n".repeat(MEGABYTE / 9) + "/schemagate help";
    assert_eq!(
        parse_commands(&closed),
        vec![run(MEGABYTE / 9 + 1, Command::Help)]
    );
    let list = "- ".repeat(MEGABYTE / 2) + "```\n/schemagate help";
    assert_eq!(parse_commands(&list), vec![run(2, Command::Help)]);
}

#[test]
fn the_fast_path_lets_through_only_possible_commands() {
    assert!(!may_hold_command(
        "plain ASCII text, a path /usr/schema/gate"
    ));
    assert!(!may_hold_command("schemagate without its slash"));
    assert!(!may_hold_command("ends with /schemagat"));
    assert!(may_hold_command("in the middle /SchemaGate of a line"));
    assert!(may_hold_command("ends with /schemagate"));
    assert!(may_hold_command("any non-ASCII: é"));
}

#[test]
fn each_verb_reads_back_as_its_command() {
    for verb in Verb::ALL {
        let body = match verb {
            Verb::Approve => format!("/schemagate {} why", verb.word().to_uppercase()),
            _ => format!("/schemagate {verb}"),
        };
        let parsed = parse_commands(&body);
        let [Parsed::Command { command, .. }] = parsed.as_slice() else {
            panic!("{body:?} gave {parsed:?}");
        };
        assert_eq!(command.verb(), verb);
    }
}

#[test]
fn each_problem_is_one_sentence_naming_the_fix() {
    let cases = [
        (Problem::MissingCommand, "`/schemagate` needs a command"),
        (
            Problem::UnknownCommand("frobnicate".into()),
            "`/schemagate frobnicate` is not a command",
        ),
        (
            Problem::MissingReason,
            "`/schemagate approve` needs a reason: `/schemagate approve <why this may ship now>`",
        ),
        (
            Problem::ReasonTooLong { limit: 500 },
            "longer than 500 characters",
        ),
        (
            Problem::UnexpectedText {
                verb: Verb::Unapprove,
            },
            "`/schemagate unapprove` takes nothing after it",
        ),
        (Problem::LookAlike, "only look like it"),
        (
            Problem::TooManyCommands { limit: 10 },
            "Only the first 10 commands",
        ),
    ];
    for (problem, says) in cases {
        let text = problem.to_string();
        assert!(text.contains(says), "{problem:?}: {text}");
        assert!(text.ends_with('.'), "{problem:?}: {text}");
        assert!(!text.contains('\n'), "{problem:?}: {text}");
        assert_eq!(text.matches(". ").count(), 0, "one sentence: {text}");
    }
}

#[test]
fn an_unknown_word_is_shown_as_code_whatever_it_holds() {
    assert_eq!(
        Problem::UnknownCommand("a`b".into()).to_string(),
        "``/schemagate a`b`` is not a command; the commands are `recheck`, `approve <reason>`, `unapprove` and `help`."
    );
    assert!(
        Problem::UnknownCommand("x``".into())
            .to_string()
            .starts_with("``` /schemagate x`` ```")
    );
    assert_eq!(code_span("@alice"), "`@alice`");
}

#[test]
fn the_help_lists_every_command() {
    let help = help_text();
    let items: Vec<&str> = help.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), Verb::ALL.len());
    for (item, verb) in items.iter().zip(Verb::ALL) {
        assert!(
            item.starts_with(&format!("- `/schemagate {}", verb.word())),
            "{item}"
        );
    }
    assert!(help.contains(&format!("at most {MAX_REASON_CHARS} characters")));
    // Every example the help shows reads as the command it names.
    for item in items {
        let example = item
            .trim_start_matches("- `")
            .split('`')
            .next()
            .unwrap()
            .replace("<reason>", "because");
        assert!(
            matches!(
                parse_commands(&example).as_slice(),
                [Parsed::Command { .. }]
            ),
            "{example}"
        );
    }
}
