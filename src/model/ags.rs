//! The official municipality key (Amtlicher Gemeindeschlüssel, AGS) and its shorter and longer
//! relatives: one parser and normaliser for the Gemeinde table, the records, and the Land and
//! Mietstufe lookups.

/// An official key: digits only, 2 (Land), 5 (Kreis), 8 (Gemeinde, AGS) or 12
/// (Regionalschlüssel, ARS) long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ags(String);

impl Ags {
    /// Parses a key as typed or as Excel stored it: blanks and the separators `.`, `-`, `/` are
    /// dropped; a key one digit short of 2, 5, 8 or 12 digits has lost its leading zero (Excel
    /// does that with `01059100`) and is padded. Anything else (letters, other lengths) is
    /// `None`.
    pub fn parse(text: &str) -> Option<Ags> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/'))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        match digits.len() {
            2 | 5 | 8 | 12 => Some(Ags(digits)),
            1 | 4 | 7 | 11 => Some(Ags(format!("0{digits}"))),
            _ => None,
        }
    }

    /// The key as stored in records and the Gemeinde table: the normalised key, or the trimmed
    /// text when it is no valid key (it then matches no Gemeinde, and the row says so).
    pub fn normalise_text(text: &str) -> String {
        Ags::parse(text).map_or_else(|| text.trim().to_string(), |a| a.0)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 8-digit AGS of a Gemeinde key: an AGS itself, or from a 12-digit Regionalschlüssel
    /// (ARS) its first five digits (Land, Regierungsbezirk, Kreis) and its last three (the
    /// Gemeinde; the four digits between name the Gemeindeverband). Other lengths: `None`.
    pub fn gemeinde(&self) -> Option<Ags> {
        match self.0.len() {
            8 => Some(self.clone()),
            12 => Some(Ags(format!("{}{}", &self.0[..5], &self.0[9..]))),
            _ => None,
        }
    }

    /// The Länderschlüssel: the first two digits.
    pub fn land_prefix(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalised_once_for_every_use() {
        let p = |t: &str| Ags::parse(t).map(|a| a.as_str().to_string());
        assert_eq!(p("01 059 100").as_deref(), Some("01059100"));
        assert_eq!(p("5358008").as_deref(), Some("05358008"));
        assert_eq!(p("9162").as_deref(), Some("09162"));
        assert_eq!(p("05.358.008").as_deref(), Some("05358008"));
        assert_eq!(p("053580080000").as_deref(), Some("053580080000"));
        assert_eq!(p("123"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("DE05358008"), None);
        assert_eq!(Ags::normalise_text(" 5358008 "), "05358008");
        assert_eq!(Ags::normalise_text(" x1 "), "x1");
        assert_eq!(Ags::parse("05358008").unwrap().land_prefix(), "05");
    }

    #[test]
    fn a_regionalschluessel_gives_the_ags_of_its_gemeinde() {
        let g = |t: &str| Ags::parse(t).and_then(|a| a.gemeinde()).map(|a| a.0);
        // Kreis 07335 (Kaiserslautern), Verbandsgemeinde 5001, Gemeinde 001.
        assert_eq!(g("073355001001").as_deref(), Some("07335001"));
        // A kreisfreie Stadt: 05315 0000 000 → 05315000.
        assert_eq!(g("053150000000").as_deref(), Some("05315000"));
        // Excel dropped the leading zero of the ARS.
        assert_eq!(g("53580008008").as_deref(), Some("05358008"));
        assert_eq!(g("05358008").as_deref(), Some("05358008"));
        assert_eq!(g("05358"), None);
    }
}
