//! Human durations in config: `30s`, `10m`, `2h`, `14d`, `1w`, and sums such as `1h30m`.

use std::time::Duration;

const UNITS: [(char, u64); 5] = [
    ('s', 1),
    ('m', 60),
    ('h', 60 * 60),
    ('d', 24 * 60 * 60),
    ('w', 7 * 24 * 60 * 60),
];

/// Parses a duration written as one or more `<number><unit>` groups, units
/// `s`, `m`, `h`, `d`, `w`. Returns a sentence saying what is wrong otherwise.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("the duration is empty".to_string());
    }
    if !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "`{text}` is not a duration: it must start with a number"
        ));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for ch in trimmed.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        if ch.is_whitespace() {
            return Err(format!("`{text}` is not a duration: it contains a space"));
        }
        let Some(&(_, seconds)) = UNITS.iter().find(|(unit, _)| *unit == ch) else {
            return Err(format!("`{text}` is not a duration: unknown unit `{ch}`"));
        };
        if digits.is_empty() {
            return Err(format!(
                "`{text}` is not a duration: `{ch}` has no number before it"
            ));
        }
        let amount: u64 = digits
            .parse()
            .map_err(|_| format!("`{text}` is not a duration: `{digits}` is too large"))?;
        total = amount
            .checked_mul(seconds)
            .and_then(|part| total.checked_add(part))
            .ok_or_else(|| format!("`{text}` is too long a duration"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "`{text}` is not a duration: `{digits}` has no unit (s, m, h, d or w)"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// Writes a duration back in the largest exact unit, for messages and docs.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        return "0s".to_string();
    }
    let (unit, size) = UNITS
        .iter()
        .rev()
        .find(|(_, size)| seconds.is_multiple_of(*size))
        .copied()
        .unwrap_or(('s', 1));
    format!("{}{unit}", seconds / size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_units_parse_to_seconds() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86400)));
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(7 * 86400)));
    }

    #[test]
    fn groups_add_up() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1d12h"), Ok(Duration::from_secs(129_600)));
    }

    #[test]
    fn missing_unit_is_rejected() {
        let error = parse_duration("14").unwrap_err();
        assert!(error.contains("no unit"), "{error}");
    }

    #[test]
    fn unknown_unit_is_rejected() {
        let error = parse_duration("14x").unwrap_err();
        assert!(error.contains("unknown unit `x`"), "{error}");
        let error = parse_duration("14 days").unwrap_err();
        assert!(error.contains("space"), "{error}");
        assert!(parse_duration("3y").is_err());
    }

    #[test]
    fn unit_without_number_is_rejected() {
        let error = parse_duration("two weeks").unwrap_err();
        assert!(error.contains("start with a number"), "{error}");
        assert!(
            parse_duration("1hm")
                .unwrap_err()
                .contains("no number before it")
        );
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(parse_duration("99999999999999999999w").is_err());
        assert!(parse_duration("999999999999999999w").is_err());
    }

    #[test]
    fn formatting_uses_the_largest_exact_unit() {
        assert_eq!(format_duration(Duration::from_secs(14 * 86400)), "2w");
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }
}
