//! Path-list lines: a plain path (an added file) or one line of
//! `git diff --name-status` output, turned into a [`ChangedFile`].

use crate::core::types::{ChangeKind, ChangedFile};

/// Parses `path`, `A\tpath`, `M\tpath`, `D\tpath`, `T\tpath`, `R100\told\tnew`
/// or `C75\told\tnew` (a copy counts as an added file). Git's C-style quoting
/// of unusual paths (`"a\tb.py"`, octal UTF-8 bytes) is undone.
pub fn parse_name_status_line(line: &str) -> Result<ChangedFile, String> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err("empty line: expected a path or a `git diff --name-status` line".into());
    }
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() == 1 {
        return Ok(ChangedFile::new(unquote(line.trim())?, ChangeKind::Added));
    }
    let paths = fields[1..]
        .iter()
        .map(|path| unquote(path))
        .collect::<Result<Vec<String>, String>>()?;
    changed_file(fields[0], paths)
}

/// Builds a changed file from a `git diff` status (`A`, `M`, `D`, `T`,
/// `R<score>`, `C<score>`) and its unquoted paths; a copy counts as an added
/// file. Shared by path lists and the git reader so both read statuses alike.
pub fn changed_file(status: &str, paths: Vec<String>) -> Result<ChangedFile, String> {
    let letter = status.chars().next().unwrap_or(' ');
    let score = &status[letter.len_utf8().min(status.len())..];
    if status.is_empty() || !score.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "unknown status `{status}`: expected A, M, D, T, R<score> or C<score>"
        ));
    }
    if paths.iter().any(String::is_empty) {
        return Err(format!("status `{status}` has an empty path"));
    }
    let single = |kind: ChangeKind| -> Result<ChangedFile, String> {
        match <[String; 1]>::try_from(paths.clone()) {
            Ok([path]) => Ok(ChangedFile::new(path, kind)),
            Err(paths) => Err(format!(
                "status `{status}` takes one path, found {}",
                paths.len()
            )),
        }
    };
    match letter {
        'A' => single(ChangeKind::Added),
        'M' | 'T' => single(ChangeKind::Modified),
        'D' => single(ChangeKind::Deleted),
        'R' | 'C' => match <[String; 2]>::try_from(paths) {
            Ok([old, new]) if letter == 'R' => Ok(ChangedFile::renamed(old, new)),
            Ok([_, new]) => Ok(ChangedFile::new(new, ChangeKind::Added)),
            Err(paths) => Err(format!(
                "status `{status}` takes two paths (old and new), found {}",
                paths.len()
            )),
        },
        _ => Err(format!(
            "unknown status `{status}`: expected A, M, D, T, R<score> or C<score>"
        )),
    }
}

/// Undoes git's quoting (`core.quotePath`): `"..."` with C escapes and octal bytes.
pub fn unquote(path: &str) -> Result<String, String> {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return Ok(path.to_string());
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        let escaped = chars
            .next()
            .ok_or_else(|| format!("dangling `\\` in quoted path {path}"))?;
        let value = match escaped {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'"' => b'"',
            b'\\' => b'\\',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'v' => 0x0b,
            b'0'..=b'3' => {
                let mut value = u32::from(escaped - b'0');
                for _ in 0..2 {
                    match chars.next() {
                        Some(d @ b'0'..=b'7') => value = value * 8 + u32::from(d - b'0'),
                        _ => return Err(format!("bad octal escape in quoted path {path}")),
                    }
                }
                u8::try_from(value)
                    .map_err(|_| format!("bad octal escape in quoted path {path}"))?
            }
            other => {
                return Err(format!(
                    "unknown escape `\\{}` in quoted path {path}",
                    other as char
                ));
            }
        };
        bytes.push(value);
    }
    String::from_utf8(bytes).map_err(|_| format!("quoted path {path} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_path_is_an_added_file() {
        let file = parse_name_status_line("db/migrate/1_a.rb\n").unwrap();
        assert_eq!(
            file,
            ChangedFile::new("db/migrate/1_a.rb", ChangeKind::Added)
        );
    }

    #[test]
    fn status_letters_map_to_change_kinds() {
        assert_eq!(
            parse_name_status_line("M\ta.py").unwrap().change,
            ChangeKind::Modified
        );
        assert_eq!(
            parse_name_status_line("D\ta.py").unwrap().change,
            ChangeKind::Deleted
        );
        assert_eq!(
            parse_name_status_line("A\ta.py").unwrap().change,
            ChangeKind::Added
        );
        assert_eq!(
            parse_name_status_line("T\ta.py").unwrap().change,
            ChangeKind::Modified
        );
    }

    #[test]
    fn rename_keeps_both_paths_and_copy_is_an_addition() {
        let renamed = parse_name_status_line("R100\told/x.py\tnew/x.py").unwrap();
        assert_eq!(renamed, ChangedFile::renamed("old/x.py", "new/x.py"));
        let copied = parse_name_status_line("C75\ta.sql\tb.sql").unwrap();
        assert_eq!(copied, ChangedFile::new("b.sql", ChangeKind::Added));
    }

    #[test]
    fn quoted_paths_are_unescaped() {
        let file = parse_name_status_line("A\t\"migrations/caf\\303\\251 \\\"x\\\".sql\"").unwrap();
        assert_eq!(file.path, "migrations/café \"x\".sql");
    }

    #[test]
    fn malformed_lines_are_errors_not_guesses() {
        assert!(parse_name_status_line("").is_err());
        assert!(parse_name_status_line("X\ta.py").is_err());
        assert!(parse_name_status_line("R100\tonly-one").is_err());
        assert!(parse_name_status_line("M\ta\tb").is_err());
        assert!(parse_name_status_line("A\t\"bad\\q\"").is_err());
    }
}
