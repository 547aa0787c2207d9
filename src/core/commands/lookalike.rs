//! Spellings that only look like `/schemagate` or a command word: fullwidth
//! forms, other slashes, Cyrillic, Greek and mathematical letters, and
//! invisible characters inside the word. They never run; the parser answers
//! them so that what readers of a thread see matches what the bot did.

/// Whether `text` reads as `word` (lowercase ASCII) once look-alike
/// characters are taken for the ASCII letters they imitate and invisible
/// characters are dropped, with whitespace (of any kind) or the end of the
/// line after it. Leading whitespace of any kind is skipped, since an
/// ideographic or no-break space before the slash looks like an indent.
///
/// The walk stops at the first character that cannot belong to `word`, so
/// the work is at most the characters read, once.
pub(super) fn reads_as(text: &str, word: &str) -> bool {
    let mut chars = text
        .chars()
        .skip_while(|&c| c.is_whitespace() || is_invisible(c))
        .filter(|&c| !is_invisible(c));
    for expected in word.chars() {
        match chars.next().and_then(plain) {
            Some(c) if c == expected => {}
            _ => return false,
        }
    }
    chars.next().is_none_or(char::is_whitespace)
}

/// Characters that render as nothing (or nearly): zero-width spaces and
/// joiners, direction marks and embeddings, the soft hyphen, word joiners,
/// invisible operators, variation selectors, Hangul fillers and tag
/// characters. Dropped when comparing; also what a reason may not consist of.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The lowercase ASCII character `c` is or imitates, if any.
fn plain(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    let code = u32::from(c);
    // Fullwidth ASCII (what CJK input methods type): U+FF01..U+FF5E mirror
    // U+0021..U+007E.
    if (0xFF01..=0xFF5E).contains(&code) {
        return char::from_u32(code - 0xFEE0).map(|c| c.to_ascii_lowercase());
    }
    // Mathematical alphanumeric letters: styles of A–Z then a–z, 52 apiece.
    if (0x1D400..=0x1D6A3).contains(&code) {
        let offset = ((code - 0x1D400) % 52) % 26;
        return char::from_u32(u32::from(b'a') + offset);
    }
    let ascii = match c {
        '\u{2044}' | '\u{2215}' | '\u{2571}' | '\u{29F8}' | '\u{2F03}' | '\u{3033}' => '/',
        'а' | 'А' | 'α' | 'Α' | 'ɑ' => 'a',
        'с' | 'С' | 'ϲ' | 'Ϲ' | 'ⅽ' | 'Ⅽ' => 'c',
        'е' | 'Е' | 'ε' | 'Ε' | 'ҽ' => 'e',
        'ɡ' | 'ԍ' | 'Ԍ' => 'g',
        'һ' | 'Һ' | 'Н' | 'Η' | 'ℎ' => 'h',
        'м' | 'М' | 'Μ' | 'ⅿ' | 'Ⅿ' => 'm',
        'ѕ' | 'Ѕ' | 'ſ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        // The rest of the command words' letters (recheck, approve,
        // unapprove, help), so a look-alike command word is caught too.
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'ӏ' | 'Ӏ' | 'ι' | 'Ι' | 'І' | 'ⅼ' | 'Ⅼ' => 'l',
        'п' | 'ո' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'г' | 'ᴦ' => 'r',
        'ս' | 'υ' => 'u',
        'ѵ' | 'Ѵ' | 'ν' | 'ⅴ' | 'Ⅴ' => 'v',
        _ => return None,
    };
    Some(ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_reads_as_itself_in_any_case() {
        assert!(reads_as("/schemagate", "/schemagate"));
        assert!(reads_as("/SchemaGate recheck", "/schemagate"));
    }

    #[test]
    fn a_longer_word_is_another_word() {
        assert!(!reads_as("/schemagates", "/schemagate"));
        assert!(!reads_as("/schemagat", "/schemagate"));
        assert!(!reads_as("/schemagate-bot", "/schemagate"));
    }

    #[test]
    fn imitations_read_as_the_ascii_word() {
        for text in [
            "\u{FF0F}schemagate", // fullwidth solidus
            "\u{FF0F}\u{FF53}\u{FF43}\u{FF48}\u{FF45}\u{FF4D}\u{FF41}\u{FF47}\u{FF41}\u{FF54}\u{FF45}",
            "\u{2215}schemagate", // division slash
            "/\u{0455}\u{0441}h\u{0435}m\u{0430}g\u{0430}t\u{0435}", // Cyrillic
            "/schema\u{200B}gate", // zero-width space
            "/sche\u{00AD}magate", // soft hyphen
            "/\u{1D42C}chemagate", // mathematical bold s
            "\u{200B}/schemagate", // invisible before
            "\u{3000}/schemagate", // ideographic space before
        ] {
            assert!(reads_as(text, "/schemagate"), "{text:?}");
        }
    }

    #[test]
    fn any_whitespace_or_an_invisible_tail_may_follow() {
        assert!(reads_as("/schemagate\u{00A0}recheck", "/schemagate"));
        assert!(reads_as("/schemagate\u{200B}", "/schemagate"));
        assert!(reads_as("/schemagate\u{3000}help", "/schemagate"));
    }

    #[test]
    fn command_words_have_look_alikes_too() {
        assert!(reads_as("\u{0430}pprove x", "approve"));
        assert!(reads_as("r\u{0435}check", "recheck"));
        assert!(reads_as("un\u{0430}ppr\u{043E}ve", "unapprove"));
        assert!(reads_as("h\u{0435}lp", "help"));
        assert!(!reads_as("\u{0430}pproved", "approve"));
    }

    #[test]
    fn unrelated_text_does_not_read_as_the_word() {
        assert!(!reads_as("／", "/schemagate"));
        assert!(!reads_as("/home/user", "/schemagate"));
        assert!(!reads_as("", "/schemagate"));
        assert!(!reads_as("\u{200B}\u{200B}", "/schemagate"));
    }
}
