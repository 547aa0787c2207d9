//! Plain-text and Markdown tables for command output.

/// Renders rows under headers, columns padded to their widest cell; with
/// `markdown` a GitHub-flavoured table instead.
pub fn render<const N: usize>(headers: &[&str; N], rows: &[[String; N]], markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(&format!("| {} |\n", headers.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(N)));
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        return out;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            // Padded by hand: `format!("{:<w$}")` panics past 65,535 columns.
            .map(|(cell, width)| {
                let padding = width.saturating_sub(cell.chars().count());
                format!("{cell}{}", " ".repeat(padding))
            })
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(headers.to_vec()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn columns_are_padded_to_the_widest_cell() {
        let rows = [["a".to_string(), "long value".to_string()]];
        assert_eq!(
            render(&["H1", "H2"], &rows, false),
            "H1  H2\na   long value\n"
        );
    }

    #[test]
    fn cells_wider_than_the_formatter_limit_do_not_panic() {
        let wide = "a/".repeat(40_000);
        let rows = [[wide.clone()]];
        assert_eq!(render(&["P"], &rows, false), format!("P\n{wide}\n"));
    }

    #[test]
    fn markdown_escapes_pipes() {
        let rows = [["a|b".to_string()]];
        assert_eq!(render(&["X"], &rows, true), "| X |\n|---|\n| a\\|b |\n");
    }
}
