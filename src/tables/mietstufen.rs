//! Mietenstufen of the WoGV Anlage (zu § 1 Abs. 3 WoGV, "ab 1. Januar 2023") and their lookup.
//!
//! Asset: `assets/mietstufen_2023.csv`, converted unchanged from the project's reference
//! transcription; its source and in-force date are the `# source:` and `# valid_from:` lines at
//! the top of the file. Lookup order (docs/METHOD.md §4.3): the Gemeinde's own row, else the row
//! of its Kreis (by the 5-digit Kreisschlüssel), the island row only on explicit request. Names in
//! the Anlage are not unique; an ambiguous name gives [`MietstufeLookup::Ambiguous`], never a guess.

use super::{CsvTable, TableError, fold};
use crate::model::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE_NAME: &str = "mietstufen_2023.csv";
const ASSET: &str = include_str!("../../assets/mietstufen_2023.csv");

/// Which table of the Anlage a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A Gemeinde listed individually (incl. kreisfreie Städte).
    Gemeinde,
    /// The default row of a Kreis (for Gemeinden not listed individually).
    Kreis,
    /// "Gemeinsame Mietenstufe": islands without a fixed link to the mainland.
    Insel,
}

impl RowKind {
    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            RowKind::Gemeinde => "Gemeinde",
            RowKind::Kreis => "Kreis",
            RowKind::Insel => "Gemeinsame Mietenstufe",
        }
    }
}

/// One row of the Anlage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MietstufeRow {
    /// Land name as printed (`(bundesweit)` for the island row).
    pub land: String,
    /// Land code (`SN`); `None` for the island row.
    pub land_code: Option<String>,
    /// Kreis name (Kreis rows and kreisfreie Städte only).
    pub kreis: Option<String>,
    /// Name as printed in the Anlage (e.g. `Leipzig, Stadt`).
    pub name: String,
    /// 5-digit Kreisschlüssel (Kreis rows) or 8-digit AGS (kreisfreie Städte), where known.
    pub ags: Option<String>,
    /// Mietstufe 1 … 7 (I … VII).
    pub mietstufe: u8,
    /// Which table of the Anlage the row comes from.
    pub kind: RowKind,
}

/// The whole Anlage with its source and in-force date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MietstufenTable {
    /// Legal source (from the `# source:` line of the asset).
    pub source: String,
    /// In force from (from the `# valid_from:` line of the asset).
    pub valid_from: Date,
    /// All rows in file order.
    pub rows: Vec<MietstufeRow>,
}

/// Result of [`lookup_mietstufe`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MietstufeLookup {
    /// One row applies.
    Found {
        /// Mietstufe 1 … 7.
        stufe: u8,
        /// Name of the row as printed in the Anlage.
        matched: String,
        /// True if the value is that of the Kreis row (Gemeinde not listed individually).
        via_kreis: bool,
    },
    /// Several rows (or only a similar one) fit; the user must choose. Each entry describes a
    /// row: `Name (Gemeinde|Kreis, Land, Mietstufe N)`.
    Ambiguous(Vec<String>),
    /// Nothing fits (or the input is inconsistent, e.g. Land and AGS disagree).
    NotFound,
}

/// Roman numeral of a Mietstufe (1 → `I`); `?` outside 1 … 7.
pub fn roman(stufe: u8) -> &'static str {
    match stufe {
        1 => "I",
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        6 => "VI",
        7 => "VII",
        _ => "?",
    }
}

/// Parses a Mietstufen table in the format of `assets/mietstufen_2023.csv`: leading
/// `# source:` and `# valid_from:` lines are required, then the CSV with the columns
/// `land, kreis, gemeinde_or_kreis_name, ags_if_known, is_kreis_default, mietstufe, table`.
pub fn parse_mietstufen(table_name: &str, text: &str) -> Result<MietstufenTable, TableError> {
    let meta = super::read_meta(text);
    let source = meta
        .get("source")
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .ok_or_else(|| TableError::MissingSource {
            table: table_name.to_string(),
            line: 0,
        })?;
    let valid_from_text = meta
        .get("valid_from")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| TableError::MissingValidFrom {
            table: table_name.to_string(),
            line: 0,
        })?;
    let valid_from = Date::parse(valid_from_text).ok_or_else(|| {
        TableError::invalid(
            table_name,
            0,
            format!("valid_from „{valid_from_text}“ ist kein Datum"),
        )
    })?;
    let columns = [
        "land",
        "kreis",
        "gemeinde_or_kreis_name",
        "ags_if_known",
        "is_kreis_default",
        "mietstufe",
        "table",
    ];
    let table = CsvTable::parse(table_name, text, &columns)?;
    let mut rows = Vec::new();
    for row in table.rows() {
        let land = row.required("land")?.to_string();
        let kind = match row.required("table")? {
            "Gemeinde" => RowKind::Gemeinde,
            "Kreis" => RowKind::Kreis,
            "Gemeinsame Mietenstufe" => RowKind::Insel,
            other => return Err(row.error(format!("unbekannte Tabellenart „{other}“"))),
        };
        let land_code = if kind == RowKind::Insel {
            None
        } else {
            let found = super::laender::land_by_name(&land)
                .ok_or_else(|| row.error(format!("unbekanntes Land „{land}“")))?;
            Some(found.code.clone())
        };
        let is_kreis_default = match row.required("is_kreis_default")? {
            "true" => true,
            "false" => false,
            other => return Err(row.error(format!("is_kreis_default „{other}“ (true/false)"))),
        };
        if is_kreis_default != (kind == RowKind::Kreis) {
            return Err(row.error("is_kreis_default passt nicht zur Tabellenart"));
        }
        let ags = row.optional("ags_if_known")?.map(str::to_string);
        if let Some(ags) = &ags {
            let expected = if kind == RowKind::Kreis { 5 } else { 8 };
            if ags.len() != expected || !ags.chars().all(|c| c.is_ascii_digit()) {
                return Err(row.error(format!("ags_if_known „{ags}“: {expected} Ziffern erwartet")));
            }
            let land_prefix = land_code
                .as_deref()
                .and_then(super::laender::land)
                .map(|l| l.ags_prefix.as_str());
            if land_prefix != ags.get(..2) {
                return Err(row.error(format!("ags_if_known „{ags}“ passt nicht zum Land")));
            }
        } else if kind == RowKind::Kreis {
            return Err(row.error("Kreiszeile ohne Kreisschlüssel"));
        }
        let stufe_text = row.required("mietstufe")?;
        let mietstufe = stufe_text
            .parse::<u8>()
            .ok()
            .filter(|s| (1..=7).contains(s))
            .ok_or_else(|| row.error(format!("Mietstufe „{stufe_text}“ (1–7 erwartet)")))?;
        rows.push(MietstufeRow {
            land,
            land_code,
            kreis: row.optional("kreis")?.map(str::to_string),
            name: row.required("gemeinde_or_kreis_name")?.to_string(),
            ags,
            mietstufe,
            kind,
        });
    }
    Ok(MietstufenTable {
        source,
        valid_from,
        rows,
    })
}

/// The parsed table with its name keys.
struct Indexed {
    table: MietstufenTable,
    keys: Vec<NameKey>,
    /// Full keys with hyphenated words joined ("bedburghau"), so that "Bedburg" is not taken as
    /// the beginning of "Bedburg-Hau".
    joined: Vec<String>,
}

fn load_indexed() -> Result<&'static Indexed, TableError> {
    static TABLE: OnceLock<Result<Indexed, TableError>> = OnceLock::new();
    let loaded = TABLE.get_or_init(|| {
        let table = parse_mietstufen(TABLE_NAME, ASSET)?;
        let keys = table.rows.iter().map(|r| name_key(&r.name).0).collect();
        let joined = table
            .rows
            .iter()
            .map(|r| name_key(&r.name.replace('-', "")).0.full)
            .collect();
        Ok(Indexed {
            table,
            keys,
            joined,
        })
    });
    match loaded {
        Ok(indexed) => Ok(indexed),
        Err(e) => Err(e.clone()),
    }
}

/// The embedded Anlage, parsed once; an error only if the asset is broken.
pub fn load_mietstufen() -> Result<&'static MietstufenTable, TableError> {
    load_indexed().map(|i| &i.table)
}

/// Source line of the embedded Anlage (empty only if the asset is broken).
pub fn mietstufen_source() -> &'static str {
    load_mietstufen().map(|t| t.source.as_str()).unwrap_or("")
}

/// In-force date of the embedded Anlage.
pub fn mietstufen_valid_from() -> Option<Date> {
    load_mietstufen().ok().map(|t| t.valid_from)
}

/// The joint Mietstufe V of islands without a fixed link to the mainland (§ 12 Abs. 4a WoGG
/// [paragraph not verified]); only on explicit request, never as an automatic fallback.
pub fn island_mietstufe() -> MietstufeLookup {
    let Ok(table) = load_mietstufen() else {
        return MietstufeLookup::NotFound;
    };
    match table.rows.iter().find(|r| r.kind == RowKind::Insel) {
        Some(row) => MietstufeLookup::Found {
            stufe: row.mietstufe,
            matched: row.name.clone(),
            via_kreis: false,
        },
        None => MietstufeLookup::NotFound,
    }
}

/// What a name says about the kind of area meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// No hint.
    None,
    /// "Stadt", "Gemeinde", "Landeshauptstadt" …: the Gemeinde row is meant.
    Gemeinde,
    /// "Landkreis", "Kreis": the Kreis row is meant.
    Kreis,
}

/// A name folded for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NameKey {
    /// Whole name without decorations (`frankfurt oder`).
    full: String,
    /// Name before the first comma or parenthesis (`frankfurt`).
    base: String,
    /// First token that is not a generic prefix such as "bad" (`frankfurt`).
    significant: String,
}

/// Connecting words dropped from keys, so "a. d." and "an der" compare equal.
const FILLERS: [&str; 12] = [
    "a", "am", "an", "d", "der", "den", "dem", "i", "im", "in", "b", "bei",
];
/// Leading words that mark a Gemeinde ("Stadt Leipzig").
const GEMEINDE_PREFIXES: [&[&str]; 11] = [
    &["freie", "und", "hansestadt"],
    &["grosse", "kreisstadt"],
    &["kreisfreie", "stadt"],
    &["stadt"],
    &["gemeinde"],
    &["landeshauptstadt"],
    &["hansestadt"],
    &["universitaetsstadt"],
    &["kreisstadt"],
    &["lutherstadt"],
    &["markt", "gemeinde"],
];
/// Leading words that mark a Kreis ("Landkreis Leipzig").
const KREIS_PREFIXES: [&str; 5] = ["landkreis", "kreis", "lk", "lkr", "lkrs"];
/// Generic first words skipped for [`NameKey::significant`].
const GENERIC_FIRST: [&str; 4] = ["bad", "sankt", "st", "markt"];
/// Known misprints of the Anlage: (usual spelling, as printed), both folded.
const ALIASES: [(&str, &str); 1] = [("philippsburg", "phillipsburg")];

/// Marker of a comma or parenthesis part: a decoration such as "Stadt" or "Landkreis".
fn decoration(part: &str) -> Option<Marker> {
    let folded = fold(part);
    let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return None;
    }
    if tokens.iter().all(|t| KREIS_PREFIXES.contains(t)) {
        return Some(Marker::Kreis);
    }
    let gemeinde_like = tokens
        .iter()
        .any(|t| t.ends_with("stadt") || t.ends_with("gemeinde"))
        || matches!(folded.as_str(), "markt" | "flecken" | "kurort" | "st");
    gemeinde_like.then_some(Marker::Gemeinde)
}

/// Tokens of a name part: folded, fillers dropped, "st" as "sankt".
fn tokens(part: &str) -> Vec<String> {
    fold(part)
        .split(' ')
        .filter(|t| !t.is_empty() && !FILLERS.contains(t))
        .map(|t| {
            if t == "st" {
                "sankt".to_string()
            } else {
                t.to_string()
            }
        })
        .collect()
}

/// Folds a name into its comparison key and reads its marker.
fn name_key(name: &str) -> (NameKey, Marker) {
    let mut marker = Marker::None;
    // Split off comma parts; drop trailing decorations ("…, Kurort, Stadt").
    let mut parts: Vec<&str> = name.split(',').map(str::trim).collect();
    while parts.len() > 1 {
        let Some(last) = parts.last() else { break };
        match decoration(last) {
            Some(m) => {
                if marker == Marker::None {
                    marker = m;
                }
                parts.pop();
            }
            None => break,
        }
    }
    // Parenthesised decorations in user input: "Leipzig (Stadt)", "Rosenheim (Landkreis)".
    let mut head = parts.first().copied().unwrap_or("").to_string();
    if let (Some(open), true) = (head.rfind('('), head.trim_end().ends_with(')')) {
        let inner = head[open + 1..]
            .trim_end()
            .trim_end_matches(')')
            .to_string();
        if let Some(m) = decoration(&inner) {
            if marker == Marker::None {
                marker = m;
            }
            head.truncate(open);
        }
    }
    let mut head_tokens = tokens(&head);
    // Leading decorations: "Stadt Leipzig", "Landkreis Leipzig".
    loop {
        let mut stripped = false;
        if head_tokens.len() > 1 && KREIS_PREFIXES.contains(&head_tokens[0].as_str()) {
            head_tokens.remove(0);
            marker = Marker::Kreis;
            stripped = true;
        } else {
            for prefix in GEMEINDE_PREFIXES {
                if head_tokens.len() > prefix.len()
                    && head_tokens.iter().zip(prefix.iter()).all(|(a, b)| a == b)
                {
                    head_tokens.drain(..prefix.len());
                    if marker == Marker::None {
                        marker = Marker::Gemeinde;
                    }
                    stripped = true;
                    break;
                }
            }
        }
        if !stripped {
            break;
        }
    }
    let base_end = head.find('(').unwrap_or(head.len());
    let mut base_tokens = tokens(&head[..base_end]);
    // Keep the base consistent with the leading decorations removed above.
    let removed = tokens(&head).len().saturating_sub(head_tokens.len());
    base_tokens.drain(..removed.min(base_tokens.len()));
    let mut full_tokens = head_tokens.clone();
    for part in parts.iter().skip(1) {
        full_tokens.extend(tokens(part));
    }
    let mut full = full_tokens.join(" ");
    for (usual, printed) in ALIASES {
        if full == usual {
            full = printed.to_string();
        }
    }
    let significant = head_tokens
        .iter()
        .find(|t| !GENERIC_FIRST.contains(&t.as_str()))
        .cloned()
        .unwrap_or_default();
    let key = NameKey {
        full,
        base: base_tokens.join(" "),
        significant,
    };
    (key, marker)
}

/// Describes a row for an [`MietstufeLookup::Ambiguous`] list.
fn describe(row: &MietstufeRow) -> String {
    format!(
        "{} ({}, {}, Mietstufe {})",
        row.name,
        row.kind.label(),
        row.land,
        roman(row.mietstufe)
    )
}

fn found(row: &MietstufeRow) -> MietstufeLookup {
    MietstufeLookup::Found {
        stufe: row.mietstufe,
        matched: row.name.clone(),
        via_kreis: row.kind == RowKind::Kreis,
    }
}

fn ambiguous(rows: &[&MietstufeRow]) -> MietstufeLookup {
    let mut list: Vec<String> = rows.iter().map(|r| describe(r)).collect();
    list.dedup();
    MietstufeLookup::Ambiguous(list)
}

/// Finds the Mietstufe of a Gemeinde (docs/METHOD.md §4.3).
///
/// - The Land comes from `land_code` or from the AGS prefix; if both are given and disagree, or
///   the AGS is malformed, the result is `NotFound`. Without any Land, all Länder are searched
///   (and more names become ambiguous).
/// - An 8-digit AGS of a kreisfreie Stadt finds its row directly.
/// - Otherwise the Gemeinde row is matched by name: case, umlauts (`ae`/`ä`), `ß`/`ss`, hyphens,
///   "an der"/"a. d." and decorations such as ", Stadt", ", Landeshauptstadt", "Stadt ",
///   "Gemeinde " are ignored. "Landkreis X"/"Kreis X" asks for the Kreis row of that name;
///   "Stadt X" excludes Kreis rows. Rows whose key differs from the AGS's Kreis are excluded.
/// - A name matching several rows (e.g. "Leipzig": Stadt II and Landkreis I), or matching only a
///   longer name ("Frankfurt" → "Frankfurt (Oder)"), gives `Ambiguous`.
/// - If the Gemeinde is not listed individually, the Kreis row of the AGS's 5-digit
///   Kreisschlüssel applies (`via_kreis`); if a listed Gemeinde of the Land shares the name's
///   first word, the result is `Ambiguous` instead, because the Anlage may spell it differently.
/// - The island row is never used here; see [`island_mietstufe`].
pub fn lookup_mietstufe(land_code: Option<&str>, ags: Option<&str>, name: &str) -> MietstufeLookup {
    let Ok(indexed) = load_indexed() else {
        return MietstufeLookup::NotFound;
    };
    let ags = match ags.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => match crate::model::Ags::parse(text) {
            Some(ags) => Some(ags.as_str().to_string()),
            None => return MietstufeLookup::NotFound,
        },
    };
    let land_from_code = match land_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => match super::laender::land(code) {
            Some(land) => Some(land),
            None => return MietstufeLookup::NotFound,
        },
    };
    let land_from_ags = match &ags {
        None => None,
        Some(ags) => match super::laender::land_for_ags(ags) {
            Some(land) => Some(land),
            None => return MietstufeLookup::NotFound,
        },
    };
    if let (Some(a), Some(b)) = (land_from_code, land_from_ags)
        && a.code != b.code
    {
        return MietstufeLookup::NotFound;
    }
    let land = land_from_code.or(land_from_ags);
    let kreis_key: Option<&str> = ags.as_deref().and_then(|a| a.get(..5));
    // AGS of the Gemeinde (8 digits; from an ARS: Kreis + last three digits).
    let gemeinde_ags: Option<String> = ags.as_deref().and_then(|a| match a.len() {
        8 => Some(a.to_string()),
        12 => Some(format!("{}{}", &a[..5], &a[9..])),
        _ => None,
    });

    let rows = &indexed.table.rows;
    let in_scope = |row: &MietstufeRow| -> bool {
        if row.kind == RowKind::Insel {
            return false;
        }
        if let Some(land) = land
            && row.land_code.as_deref() != Some(land.code.as_str())
        {
            return false;
        }
        // A row with a known key must belong to the AGS's Kreis.
        if let (Some(kreis), Some(row_ags)) = (kreis_key, row.ags.as_deref())
            && row_ags.get(..5) != Some(kreis)
        {
            return false;
        }
        true
    };

    // 1. Direct hit by the AGS of a kreisfreie Stadt.
    if let Some(gemeinde_ags) = &gemeinde_ags
        && let Some(row) = rows
            .iter()
            .find(|r| r.kind == RowKind::Gemeinde && r.ags.as_deref() == Some(gemeinde_ags))
    {
        return found(row);
    }

    // 2. By name.
    let (key, marker) = name_key(name);
    if !key.full.is_empty() {
        let mut exact: Vec<&MietstufeRow> = Vec::new();
        let mut longer: Vec<&MietstufeRow> = Vec::new();
        for ((row, row_key), row_joined) in rows.iter().zip(&indexed.keys).zip(&indexed.joined) {
            if !in_scope(row) {
                continue;
            }
            match (marker, row.kind) {
                (Marker::Gemeinde, RowKind::Kreis) | (Marker::Kreis, RowKind::Gemeinde) => continue,
                _ => {}
            }
            if row_key.full == key.full {
                exact.push(row);
            } else if row_key.base == key.full || row_joined.starts_with(&format!("{} ", key.full))
            {
                longer.push(row);
            }
        }
        match (exact.len(), longer.len()) {
            (1, 0) => return found(exact[0]),
            (0, 0) => {}
            _ => {
                exact.extend(longer);
                return ambiguous(&exact);
            }
        }
    }

    // 3. The Kreis row of the AGS (Gemeinde not listed individually).
    let Some(kreis) = kreis_key else {
        return MietstufeLookup::NotFound;
    };
    let kreis_row = rows
        .iter()
        .find(|r| r.kind == RowKind::Kreis && r.ags.as_deref() == Some(kreis))
        .or_else(|| {
            // A kreisfreie Stadt is its own Kreis.
            rows.iter().find(|r| {
                r.kind == RowKind::Gemeinde && r.ags.as_deref() == Some(&format!("{kreis}000"))
            })
        });
    let Some(kreis_row) = kreis_row else {
        return MietstufeLookup::NotFound;
    };
    if !key.significant.is_empty() {
        let similar: Vec<&MietstufeRow> = rows
            .iter()
            .zip(&indexed.keys)
            .filter(|(row, row_key)| {
                row.kind == RowKind::Gemeinde
                    && in_scope(row)
                    && row_key.significant == key.significant
            })
            .map(|(row, _)| row)
            .collect();
        if !similar.is_empty() {
            let mut list = similar;
            list.push(kreis_row);
            return ambiguous(&list);
        }
    }
    found(kreis_row)
}

/// Helper for callers that only want the number: `Some(stufe)` for a unique hit.
pub fn mietstufe_of(land_code: Option<&str>, ags: Option<&str>, name: &str) -> Option<u8> {
    match lookup_mietstufe(land_code, ags, name) {
        MietstufeLookup::Found { stufe, .. } => Some(stufe),
        _ => None,
    }
}

/// Counts rows per kind (Gemeinde, Kreis, Insel), for diagnostics.
pub fn row_counts() -> HashMap<RowKind, usize> {
    let mut counts = HashMap::new();
    if let Ok(table) = load_mietstufen() {
        for row in &table.rows {
            *counts.entry(row.kind).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stufe(land: Option<&str>, ags: Option<&str>, name: &str) -> (u8, String, bool) {
        match lookup_mietstufe(land, ags, name) {
            MietstufeLookup::Found {
                stufe,
                matched,
                via_kreis,
            } => (stufe, matched, via_kreis),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn asset_loads_with_source_valid_from_and_all_rows() {
        let table = load_mietstufen().unwrap();
        assert_eq!(table.rows.len(), 1881);
        assert_eq!(table.valid_from, Date::from_ymd(2023, 1, 1).unwrap());
        assert!(table.source.contains("WoGV"));
        assert!(table.source.contains("BGBl. I 2022"));
        assert_eq!(mietstufen_valid_from(), Date::from_ymd(2023, 1, 1));
        assert!(!mietstufen_source().is_empty());
        let counts = row_counts();
        assert_eq!(counts.get(&RowKind::Gemeinde), Some(&1601));
        assert_eq!(counts.get(&RowKind::Kreis), Some(&279));
        assert_eq!(counts.get(&RowKind::Insel), Some(&1));
        for row in &table.rows {
            assert!((1..=7).contains(&row.mietstufe));
            if row.kind == RowKind::Kreis {
                assert_eq!(row.ags.as_deref().map(str::len), Some(5), "{}", row.name);
            }
        }
    }

    #[test]
    fn domain_examples() {
        assert_eq!(stufe(Some("SN"), None, "Dresden").0, 3);
        assert_eq!(stufe(Some("SN"), None, "Leipzig, Stadt").0, 2);
        assert_eq!(stufe(Some("SN"), None, "Stadt Leipzig").0, 2);
        assert_eq!(stufe(Some("SN"), None, "Leipzig (Stadt)").0, 2);
        assert_eq!(stufe(None, Some("14713000"), "Leipzig").0, 2);
        assert_eq!(stufe(Some("SN"), None, "Chemnitz").0, 1);
        assert_eq!(stufe(Some("SH"), None, "Kiel").0, 5);
        assert_eq!(stufe(Some("SH"), None, "Norderstedt").0, 6);
        assert_eq!(stufe(Some("BY"), None, "Landeshauptstadt München").0, 7);
        assert_eq!(stufe(None, Some("09162000"), "München").0, 7);
        assert_eq!(stufe(Some("NW"), None, "Köln").0, 6);
        assert_eq!(stufe(Some("NW"), None, "Koeln").0, 6);
        assert_eq!(stufe(Some("NW"), None, "DÜSSELDORF").0, 6);
        assert_eq!(stufe(Some("HH"), None, "Hamburg").0, 6);
        assert_eq!(stufe(Some("BE"), None, "Berlin").0, 4);
        // Without a Land, unique names still work.
        let (s, matched, via_kreis) = stufe(None, None, "Kiel");
        assert_eq!(
            (s, matched.as_str(), via_kreis),
            (5, "Kiel, Landeshauptstadt", false)
        );
        assert_eq!(mietstufe_of(None, None, "Berlin"), Some(4));
    }

    #[test]
    fn ambiguous_names_are_never_guessed() {
        let MietstufeLookup::Ambiguous(list) = lookup_mietstufe(Some("SN"), None, "Leipzig") else {
            panic!("Leipzig must be ambiguous");
        };
        assert_eq!(list.len(), 2);
        assert!(
            list.iter()
                .any(|e| e.contains("Leipzig, Stadt") && e.contains("II"))
        );
        assert!(
            list.iter()
                .any(|e| e.contains("Kreis") && e.ends_with("Mietstufe I)"))
        );
        // Same name for Stadt and Landkreis.
        assert!(matches!(
            lookup_mietstufe(Some("BY"), None, "München"),
            MietstufeLookup::Ambiguous(_)
        ));
        assert!(matches!(
            lookup_mietstufe(Some("BY"), None, "Rosenheim"),
            MietstufeLookup::Ambiguous(_)
        ));
        // Two Gemeinden with the same name in one Land.
        assert!(matches!(
            lookup_mietstufe(Some("BW"), None, "Weingarten"),
            MietstufeLookup::Ambiguous(_)
        ));
        assert!(matches!(
            lookup_mietstufe(Some("BY"), None, "Taufkirchen"),
            MietstufeLookup::Ambiguous(_)
        ));
        assert_eq!(stufe(Some("BY"), None, "Taufkirchen (Vils)").0, 5);
        assert_eq!(stufe(Some("BW"), None, "Weingarten, Baden").0, 3);
        // Kreis Esslingen (IV) vs. Esslingen am Neckar (V).
        assert!(matches!(
            lookup_mietstufe(Some("BW"), None, "Esslingen"),
            MietstufeLookup::Ambiguous(_)
        ));
        assert_eq!(stufe(Some("BW"), None, "Esslingen am Neckar").0, 5);
        // Only a longer name fits: ask instead of guessing.
        assert!(matches!(
            lookup_mietstufe(None, None, "Frankfurt"),
            MietstufeLookup::Ambiguous(_)
        ));
        assert_eq!(stufe(None, None, "Frankfurt am Main").0, 6);
        assert_eq!(stufe(None, None, "Frankfurt (Oder)").0, 2);
        assert_eq!(stufe(None, None, "Frankfurt/Oder").0, 2);
        assert_eq!(stufe(None, None, "Frankfurt an der Oder").0, 2);
    }

    #[test]
    fn kreis_rows() {
        let (s, matched, via_kreis) = stufe(Some("SN"), None, "Landkreis Leipzig");
        assert_eq!((s, matched.as_str(), via_kreis), (1, "Leipzig", true));
        // A small Gemeinde not listed individually: the Kreis row of its Kreisschlüssel
        // (Süderbrarup, Kreis Schleswig-Flensburg 01059, Mietstufe I; only the first five
        // digits of the AGS matter here, the last three are illustrative).
        let (s, matched, via_kreis) = stufe(None, Some("01059100"), "Süderbrarup");
        assert_eq!(
            (s, matched.as_str(), via_kreis),
            (1, "Schleswig-Flensburg", true)
        );
        // Excel dropped the leading zero.
        assert_eq!(stufe(None, Some("1059100"), "Süderbrarup").0, 1);
        assert_eq!(stufe(Some("SH"), Some("01059"), "Süderbrarup").0, 1);
        // A listed Gemeinde keeps its own row even with the Kreis's AGS.
        let (s, _, via_kreis) = stufe(Some("BW"), Some("08116"), "Esslingen am Neckar");
        assert_eq!((s, via_kreis), (5, false));
        // A listed Gemeinde spelled differently is not silently replaced by its Kreis
        // (Weilheim i. OB V vs. Kreis Weilheim-Schongau 09190 III; AGS digits after the
        // Kreisschlüssel illustrative).
        assert!(matches!(
            lookup_mietstufe(Some("BY"), Some("09190141"), "Weilheim in Oberbayern"),
            MietstufeLookup::Ambiguous(_)
        ));
        // The Anlage's misprint "Phillipsburg".
        assert_eq!(
            stufe(Some("BW"), None, "Philippsburg").1,
            "Phillipsburg, Stadt"
        );
        // The island row is never used automatically.
        assert_eq!(
            island_mietstufe(),
            MietstufeLookup::Found {
                stufe: 5,
                matched: "Inseln ohne Festlandanschluss".to_string(),
                via_kreis: false
            }
        );
        assert_eq!(
            lookup_mietstufe(None, None, "Inseln ohne Festlandanschluss"),
            MietstufeLookup::NotFound
        );
    }

    #[test]
    fn every_printed_name_finds_its_own_row_or_asks() {
        let table = load_mietstufen().unwrap();
        let mut found = 0;
        let mut asked = Vec::new();
        for row in table.rows.iter().filter(|r| r.kind != RowKind::Insel) {
            match lookup_mietstufe(row.land_code.as_deref(), None, &row.name) {
                MietstufeLookup::Found { stufe, matched, .. } => {
                    assert_eq!(
                        (stufe, matched.as_str()),
                        (row.mietstufe, row.name.as_str())
                    );
                    found += 1;
                }
                MietstufeLookup::Ambiguous(list) => {
                    assert!(list.contains(&describe(row)), "{}: {list:?}", row.name);
                    asked.push(row.name.clone());
                }
                MietstufeLookup::NotFound => panic!("{} not found", row.name),
            }
            // With its own key, a row with an AGS is always found directly or via its Kreis.
            if let Some(ags) = &row.ags {
                let name = match row.kind {
                    RowKind::Kreis => format!("Landkreis {}", row.name),
                    _ => row.name.clone(),
                };
                match lookup_mietstufe(None, Some(ags), &name) {
                    MietstufeLookup::Found { stufe, .. } => assert_eq!(stufe, row.mietstufe),
                    other => panic!("{} ({ags}): {other:?}", row.name),
                }
            }
        }
        // Ambiguous are names shared by a Stadt and its Landkreis and a few true duplicates.
        assert!(found > 1700, "{found}");
        for name in ["Bedburg, Stadt", "Neunkirchen-Seelscheid", "Dresden, Stadt"] {
            assert!(!asked.iter().any(|a| a == name), "{name}");
        }
    }

    #[test]
    fn not_found_and_inconsistent_input() {
        assert_eq!(
            lookup_mietstufe(Some("SN"), None, "Atlantis"),
            MietstufeLookup::NotFound
        );
        assert_eq!(lookup_mietstufe(None, None, ""), MietstufeLookup::NotFound);
        // Name in another Land.
        assert_eq!(
            lookup_mietstufe(Some("BY"), None, "Dresden"),
            MietstufeLookup::NotFound
        );
        // Land and AGS disagree, unknown Land, malformed AGS.
        assert_eq!(
            lookup_mietstufe(Some("BY"), Some("14612000"), "Dresden"),
            MietstufeLookup::NotFound
        );
        assert_eq!(
            lookup_mietstufe(Some("XX"), None, "Dresden"),
            MietstufeLookup::NotFound
        );
        assert_eq!(
            lookup_mietstufe(None, Some("12a"), "Dresden"),
            MietstufeLookup::NotFound
        );
        // Kreis without a Kreis row (all Gemeinden listed: Mettmann 05158) and unknown name.
        assert_eq!(
            lookup_mietstufe(None, Some("05158999"), "Nirgendwo"),
            MietstufeLookup::NotFound
        );
    }

    #[test]
    fn name_keys() {
        let (k, m) = name_key("Frankfurt (Oder), Stadt");
        assert_eq!(
            (k.full.as_str(), k.base.as_str(), m),
            ("frankfurt oder", "frankfurt", Marker::Gemeinde)
        );
        let (k, m) = name_key("Landkreis Rostock");
        assert_eq!((k.full.as_str(), m), ("rostock", Marker::Kreis));
        let (k, _) = name_key("Neustadt (a. d. Weinstr.), Stadt");
        assert_eq!(k.full, "neustadt weinstr");
        let (k, _) = name_key("St. Georgen i. Schwarzwald, Stadt");
        assert_eq!(k.full, "sankt georgen schwarzwald");
        let (k, m) = name_key("Hamburg, Freie und Hansestadt");
        assert_eq!((k.full.as_str(), m), ("hamburg", Marker::Gemeinde));
        let (k, _) = name_key("Weingarten, Baden");
        assert_eq!(k.full, "weingarten baden");
        let (k, _) = name_key("Markt Schwaben, Markt");
        assert_eq!(k.full, "markt schwaben");
        let (k, _) = name_key("Bad Füssing");
        assert_eq!(k.significant, "fuessing");
        let (k, m) = name_key("Stadt");
        assert_eq!((k.full.as_str(), m), ("stadt", Marker::None));
    }

    const HEADER: &str =
        "land,kreis,gemeinde_or_kreis_name,ags_if_known,is_kreis_default,mietstufe,table\n";

    #[test]
    fn table_without_source_or_date_is_an_error() {
        let row = "Sachsen,,\"Dresden, Stadt\",14612000,false,3,Gemeinde\n";
        let no_source = format!("# valid_from: 2023-01-01\n{HEADER}{row}");
        assert!(matches!(
            parse_mietstufen("bad.csv", &no_source),
            Err(TableError::MissingSource { .. })
        ));
        let no_date = format!("# source: Anlage WoGV\n{HEADER}{row}");
        assert!(matches!(
            parse_mietstufen("bad.csv", &no_date),
            Err(TableError::MissingValidFrom { .. })
        ));
        let ok = format!("# source: Anlage WoGV\n# valid_from: 2023-01-01\n{HEADER}{row}");
        assert_eq!(parse_mietstufen("ok.csv", &ok).unwrap().rows.len(), 1);
        for bad_row in [
            "Sachsen,,Dresden,14612000,false,8,Gemeinde\n",
            "Sachsen,,Dresden,14612000,true,3,Gemeinde\n",
            "Sachsen,Leipzig,Leipzig,,true,1,Kreis\n",
            "Sachsen,,Dresden,09162000,false,3,Gemeinde\n",
            "Atlantis,,Dresden,,false,3,Gemeinde\n",
            "Sachsen,,Dresden,,false,3,Stadt\n",
        ] {
            let text = format!("# source: Q\n# valid_from: 2023-01-01\n{HEADER}{bad_row}");
            assert!(
                matches!(
                    parse_mietstufen("bad.csv", &text),
                    Err(TableError::Invalid { line: 4, .. })
                ),
                "{bad_row}"
            );
        }
    }
}
