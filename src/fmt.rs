//! German number formatting for users: `1.234,56`, `1.234,56 €`, `12,3 %`.

/// Formats `value` with `decimals` decimals, `.` as thousands and `,` as decimal separator.
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3 + 4);
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac_part {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// A count with its noun in German singular or plural: `1 Warnung`, `1.234 Warnungen`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };
    format!("{} {noun}", number(n as f64, 0))
}

/// Money: `1.234,56 €`.
pub fn euro(value: f64) -> String {
    format!("{} €", number(value, 2))
}

/// A share 0..1 as percent with one decimal: `12,3 %`.
pub fn percent(share: f64) -> String {
    format!("{} %", number(share * 100.0, 1))
}

/// A number as short as possible without losing digits (for cell previews): `6,5`, `1234`.
pub fn number_plain(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        if value == 0.0 {
            // Keeps the sign of -0.0 as before.
            return format!("{value:.0}");
        }
        // Exact: |value| < 1e15 < 2^53, and integer formatting avoids the slow exact-float path.
        (value as i64).to_string()
    } else {
        format!("{value}").replace('.', ",")
    }
}

/// Household size in words: "1 Person", "3 Personen".
pub fn persons(h: u32) -> String {
    if h == 1 {
        "1 Person".to_string()
    } else {
        format!("{h} Personen")
    }
}

/// A size class (area band) as text: "bis 50 m²", "über 50 bis 65 m²", "über 95 m²".
pub fn class_text(lower: f64, upper: Option<f64>) -> String {
    let lo = number(lower, if lower.fract() == 0.0 { 0 } else { 1 });
    match upper {
        Some(u) => {
            let up = number(u, if u.fract() == 0.0 { 0 } else { 1 });
            if lower <= 0.0 {
                format!("bis {up} m²")
            } else {
                format!("über {lo} bis {up} m²")
            }
        }
        None => format!("über {lo} m²"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_numbers() {
        assert_eq!(number(1234.567, 2), "1.234,57");
        assert_eq!(number(-1234567.0, 0), "-1.234.567");
        assert_eq!(number(0.0, 2), "0,00");
        assert_eq!(number(-0.001, 2), "0,00");
        assert_eq!(euro(467.21), "467,21 €");
        assert_eq!(percent(0.2), "20,0 %");
        assert_eq!(number_plain(6.5), "6,5");
        assert_eq!(number_plain(-42.0), "-42");
        assert_eq!(number_plain(999_999_999_999_999.0), "999999999999999");
        assert_eq!(number_plain(-0.0), format!("{:.0}", -0.0));
        assert_eq!(number(f64::NAN, 2), "–");
    }
}
