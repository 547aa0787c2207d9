// Comments where a careless reader does unbounded work, shared by the
// parser's tests (a bounded answer) and `cargo bench --bench commands`
// (how fast): an HTML comment or fence never closed, a slash followed by a
// megabyte of invisible characters, a megabyte of look-alike slashes,
// thousands of list markers, a command on every line.

const HOSTILE_MEGABYTE: usize = 1 << 20;

fn hostile_bodies() -> Vec<String> {
    vec![
        "<!--\n".to_owned() + &"x\n".repeat(HOSTILE_MEGABYTE / 2),
        "```\n".to_owned() + &"```x\n".repeat(HOSTILE_MEGABYTE / 5),
        "<!-- -->\n".repeat(HOSTILE_MEGABYTE / 9),
        format!("/{}", "\u{200B}".repeat(HOSTILE_MEGABYTE / 3)),
        "\u{FF0F}".repeat(HOSTILE_MEGABYTE / 3),
        "- ".repeat(HOSTILE_MEGABYTE / 2) + "```",
        "/schemagate\n".repeat(HOSTILE_MEGABYTE / 12),
    ]
}
