//! WoGG Höchstbeträge (§ 12 Abs. 1, Anlage 1 WoGG), Klimakomponente (§ 12 Abs. 7 WoGG) and the
//! WoGG fallback limit (Höchstbetrag + 10 % Sicherheitszuschlag, BSG B 4 AS 87/12 R).
//!
//! Assets: `assets/wogg_hoechstbetraege.csv`, `assets/wogg_klimakomponente.csv` (docs/METHOD.md §4).
//! The tables start on 01.01.2023; dates before that give `None`.

use super::{CsvTable, TableError};
use crate::model::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const HOECHST_NAME: &str = "wogg_hoechstbetraege.csv";
const HOECHST_ASSET: &str = include_str!("../../assets/wogg_hoechstbetraege.csv");
const KLIMA_NAME: &str = "wogg_klimakomponente.csv";
const KLIMA_ASSET: &str = include_str!("../../assets/wogg_klimakomponente.csv");

/// Number of Mietstufen (I … VII).
pub const MIETSTUFEN: usize = 7;
/// Number of household sizes listed explicitly (1 … 5 members).
pub const LISTED_MEMBERS: usize = 5;
/// The Sicherheitszuschlag of the fallback (10 %, BSG 12.12.2013, B 4 AS 87/12 R).
pub const DEFAULT_SURCHARGE: f64 = 0.10;

/// One period of Anlage 1 WoGG: Höchstbeträge by members (1 … 5) × Mietstufe (I … VII).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoechstbetragTable {
    /// First day of the period.
    pub valid_from: Date,
    /// Last day of the period; `None` = until further notice.
    pub valid_until: Option<Date>,
    /// € per month: `by_members[m - 1][stufe - 1]`; `None` = missing in the data file.
    pub by_members: Vec<Vec<Option<f64>>>,
    /// € per month for each further member, by Mietstufe.
    pub per_further: Vec<Option<f64>>,
    /// Legal source of the period (of its first row).
    pub source: String,
}

/// One period of the Klimakomponente (§ 12 Abs. 7 WoGG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KlimaTable {
    /// First day of the period.
    pub valid_from: Date,
    /// Last day of the period; `None` = until further notice.
    pub valid_until: Option<Date>,
    /// € per month for 1 … 5 members; `None` = missing in the data file.
    pub by_members: Vec<Option<f64>>,
    /// € per month for each further member.
    pub per_further: Option<f64>,
    /// Legal source of the period (of its first row).
    pub source: String,
}

fn covers(valid_from: Date, valid_until: Option<Date>, on: Date) -> bool {
    valid_from <= on && valid_until.is_none_or(|until| on <= until)
}

/// Value for `members` from 1 … 5 values and the step per further member.
fn by_members(listed: &[Option<f64>], per_further: Option<f64>, members: u32) -> Option<f64> {
    let n = members as usize;
    if n == 0 {
        return None;
    }
    if n <= listed.len() {
        return *listed.get(n - 1)?;
    }
    let last = (*listed.last()?)?;
    Some(last + (n - listed.len()) as f64 * per_further?)
}

impl HoechstbetragTable {
    /// Höchstbetrag for `members` (≥ 1) and `mietstufe` (1 … 7), € per month.
    pub fn value(&self, members: u32, mietstufe: u8) -> Option<f64> {
        let stufe = usize::from(mietstufe);
        if !(1..=MIETSTUFEN).contains(&stufe) {
            return None;
        }
        let column: Vec<Option<f64>> = self
            .by_members
            .iter()
            .map(|row| row.get(stufe - 1).copied().flatten())
            .collect();
        by_members(
            &column,
            self.per_further.get(stufe - 1).copied().flatten(),
            members,
        )
    }
}

impl KlimaTable {
    /// Klimakomponente for `members` (≥ 1), € per month.
    pub fn value(&self, members: u32) -> Option<f64> {
        by_members(&self.by_members, self.per_further, members)
    }
}

/// Which row a `members` cell stands for.
fn members_index(row: &super::CsvRow<'_>) -> Result<usize, TableError> {
    match row.required("members")? {
        "1" => Ok(0),
        "2" => Ok(1),
        "3" => Ok(2),
        "4" => Ok(3),
        "5" => Ok(4),
        "je_weiteres" => Ok(LISTED_MEMBERS),
        other => Err(row.error(format!(
            "Spalte „members“: „{other}“ (erwartet 1–5 oder je_weiteres)"
        ))),
    }
}

/// Checks a value: non-negative where present.
fn check_amount(row: &super::CsvRow<'_>, column: &str) -> Result<Option<f64>, TableError> {
    let value = row.optional_f64(column)?;
    if value.is_some_and(|v| v < 0.0) {
        return Err(row.error(format!("Spalte „{column}“: Betrag darf nicht negativ sein")));
    }
    Ok(value)
}

/// Checks that periods do not overlap (they are sorted by start).
fn check_periods(
    table_name: &str,
    periods: &[(Date, Option<Date>, [bool; LISTED_MEMBERS + 1])],
) -> Result<(), TableError> {
    for (from, until, seen) in periods {
        if let Some(until) = until
            && until < from
        {
            return Err(TableError::invalid(
                table_name,
                0,
                format!("Zeitraum ab {from}: Ende {until} liegt vor dem Beginn"),
            ));
        }
        if !seen.iter().all(|s| *s) {
            return Err(TableError::invalid(
                table_name,
                0,
                format!("Zeitraum ab {from}: nicht alle Zeilen 1–5 und je_weiteres vorhanden"),
            ));
        }
    }
    for pair in periods.windows(2) {
        let (from_a, until_a, _) = pair[0];
        let (from_b, _, _) = pair[1];
        if until_a.is_none_or(|until| until >= from_b) {
            return Err(TableError::invalid(
                table_name,
                0,
                format!("Zeiträume ab {from_a} und ab {from_b} überschneiden sich"),
            ));
        }
    }
    Ok(())
}

/// A table valid for one period, filled row by row per household size.
trait Period {
    fn valid_from(&self) -> Date;
    fn valid_until(&self) -> Option<Date>;
}

impl Period for HoechstbetragTable {
    fn valid_from(&self) -> Date {
        self.valid_from
    }
    fn valid_until(&self) -> Option<Date> {
        self.valid_until
    }
}

impl Period for KlimaTable {
    fn valid_from(&self) -> Date {
        self.valid_from
    }
    fn valid_until(&self) -> Option<Date> {
        self.valid_until
    }
}

/// The period a row belongs to (created by `make` when new). Checks that `valid_until` agrees
/// with the period's other rows and that the household size `index` appears only once.
fn period_slot<'a, T: Period>(
    out: &'a mut Vec<T>,
    seen: &mut Vec<[bool; LISTED_MEMBERS + 1]>,
    row: &super::CsvRow<'_>,
    valid_from: Date,
    valid_until: Option<Date>,
    index: usize,
    make: impl FnOnce() -> T,
) -> Result<&'a mut T, TableError> {
    let position = match out.iter().position(|p| p.valid_from() == valid_from) {
        Some(position) => position,
        None => {
            out.push(make());
            seen.push([false; LISTED_MEMBERS + 1]);
            out.len() - 1
        }
    };
    if out[position].valid_until() != valid_until {
        return Err(row.error("valid_until weicht von den anderen Zeilen des Zeitraums ab"));
    }
    if seen[position][index] {
        return Err(row.error("Zeile für diese Haushaltsgröße und diesen Zeitraum doppelt"));
    }
    seen[position][index] = true;
    Ok(&mut out[position])
}

/// Checks completeness and overlaps of the periods and returns them ordered by start.
fn finish_periods<T: Period>(
    table_name: &str,
    mut out: Vec<T>,
    seen: &[[bool; LISTED_MEMBERS + 1]],
) -> Result<Vec<T>, TableError> {
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|i| out[*i].valid_from());
    let periods: Vec<_> = order
        .iter()
        .map(|i| (out[*i].valid_from(), out[*i].valid_until(), seen[*i]))
        .collect();
    check_periods(table_name, &periods)?;
    out.sort_by_key(|p| p.valid_from());
    Ok(out)
}

/// Parses a Höchstbeträge table in the format of `assets/wogg_hoechstbetraege.csv`.
///
/// Every row needs `valid_from` and a source; each period needs the rows 1 … 5 and
/// `je_weiteres` exactly once; periods must not overlap. Empty cells stay missing.
pub fn parse_hoechstbetraege(
    table_name: &str,
    text: &str,
) -> Result<Vec<HoechstbetragTable>, TableError> {
    const STUFEN: [&str; MIETSTUFEN] = ["i", "ii", "iii", "iv", "v", "vi", "vii"];
    let mut columns = vec!["valid_from", "valid_until", "members", "source"];
    columns.extend(STUFEN);
    let table = CsvTable::parse(table_name, text, &columns)?;
    let mut out: Vec<HoechstbetragTable> = Vec::new();
    let mut seen: Vec<[bool; LISTED_MEMBERS + 1]> = Vec::new();
    for row in table.rows() {
        let valid_from = row.valid_from()?;
        let source = row.source()?;
        let valid_until = row.optional_date("valid_until")?;
        let index = members_index(&row)?;
        let mut values = Vec::with_capacity(MIETSTUFEN);
        for column in STUFEN {
            values.push(check_amount(&row, column)?);
        }
        let period = period_slot(
            &mut out,
            &mut seen,
            &row,
            valid_from,
            valid_until,
            index,
            || HoechstbetragTable {
                valid_from,
                valid_until,
                by_members: vec![vec![None; MIETSTUFEN]; LISTED_MEMBERS],
                per_further: vec![None; MIETSTUFEN],
                source,
            },
        )?;
        if index < LISTED_MEMBERS {
            period.by_members[index] = values;
        } else {
            period.per_further = values;
        }
    }
    finish_periods(table_name, out, &seen)
}

/// Parses a Klimakomponente table in the format of `assets/wogg_klimakomponente.csv`.
pub fn parse_klimakomponente(table_name: &str, text: &str) -> Result<Vec<KlimaTable>, TableError> {
    let columns = ["valid_from", "valid_until", "members", "amount", "source"];
    let table = CsvTable::parse(table_name, text, &columns)?;
    let mut out: Vec<KlimaTable> = Vec::new();
    let mut seen: Vec<[bool; LISTED_MEMBERS + 1]> = Vec::new();
    for row in table.rows() {
        let valid_from = row.valid_from()?;
        let source = row.source()?;
        let valid_until = row.optional_date("valid_until")?;
        let index = members_index(&row)?;
        let amount = check_amount(&row, "amount")?;
        let period = period_slot(
            &mut out,
            &mut seen,
            &row,
            valid_from,
            valid_until,
            index,
            || KlimaTable {
                valid_from,
                valid_until,
                by_members: vec![None; LISTED_MEMBERS],
                per_further: None,
                source,
            },
        )?;
        if index < LISTED_MEMBERS {
            period.by_members[index] = amount;
        } else {
            period.per_further = amount;
        }
    }
    finish_periods(table_name, out, &seen)
}

/// The embedded Höchstbeträge periods, sorted by start; an error only if the asset is broken.
pub fn load_hoechstbetraege() -> Result<&'static [HoechstbetragTable], TableError> {
    static TABLE: OnceLock<Result<Vec<HoechstbetragTable>, TableError>> = OnceLock::new();
    match TABLE.get_or_init(|| parse_hoechstbetraege(HOECHST_NAME, HOECHST_ASSET)) {
        Ok(rows) => Ok(rows),
        Err(e) => Err(e.clone()),
    }
}

/// The embedded Klimakomponente periods, sorted by start; an error only if the asset is broken.
pub fn load_klimakomponente() -> Result<&'static [KlimaTable], TableError> {
    static TABLE: OnceLock<Result<Vec<KlimaTable>, TableError>> = OnceLock::new();
    match TABLE.get_or_init(|| parse_klimakomponente(KLIMA_NAME, KLIMA_ASSET)) {
        Ok(rows) => Ok(rows),
        Err(e) => Err(e.clone()),
    }
}

/// The Höchstbeträge period in force on `on`.
pub fn hoechstbetrag_table(on: Date) -> Option<&'static HoechstbetragTable> {
    load_hoechstbetraege()
        .ok()?
        .iter()
        .find(|p| covers(p.valid_from, p.valid_until, on))
}

/// The Klimakomponente period in force on `on`.
pub fn klima_table(on: Date) -> Option<&'static KlimaTable> {
    load_klimakomponente()
        .ok()?
        .iter()
        .find(|p| covers(p.valid_from, p.valid_until, on))
}

/// Höchstbetrag (§ 12 Abs. 1 WoGG) in € per month on `on` for `members` (≥ 1) and `mietstufe`
/// (1 … 7); beyond 5 members the amount per further member is added. `None` before 2023, for
/// 0 members, an invalid Mietstufe or a missing table value.
pub fn hoechstbetrag(on: Date, members: u32, mietstufe: u8) -> Option<f64> {
    hoechstbetrag_table(on)?.value(members, mietstufe)
}

/// Klimakomponente (§ 12 Abs. 7 WoGG) in € per month on `on` for `members` (≥ 1).
pub fn klimakomponente(on: Date, members: u32) -> Option<f64> {
    klima_table(on)?.value(members)
}

pub use crate::model::params::KlimaMode;

/// The WoGG fallback limit for one household size and Mietstufe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WoggValue {
    /// Höchstbetrag of Anlage 1 WoGG, € per month.
    pub table_value: f64,
    /// Klimakomponente included in the result, € per month (0 in mode [`KlimaMode::None`]).
    pub klima: f64,
    /// The fallback limit, rounded to cents (half away from zero).
    pub with_surcharge: f64,
    /// How the Klimakomponente was applied.
    pub mode: KlimaMode,
    /// Start of the Höchstbeträge period used.
    pub valid_from: Date,
    /// Legal sources of the values used.
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn tables_load_with_sources_and_dates() {
        let periods = load_hoechstbetraege().unwrap();
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].valid_from, d(2023, 1, 1));
        assert_eq!(periods[0].valid_until, Some(d(2024, 12, 31)));
        assert_eq!(periods[1].valid_from, d(2025, 1, 1));
        assert_eq!(periods[1].valid_until, None);
        for p in periods {
            assert!(!p.source.trim().is_empty());
            assert!(p.by_members.iter().flatten().all(Option::is_some));
            assert!(p.per_further.iter().all(Option::is_some));
        }
        let klima = load_klimakomponente().unwrap();
        assert_eq!(klima.len(), 1);
        assert_eq!(klima[0].valid_from, d(2023, 1, 1));
        assert!(!klima[0].source.trim().is_empty());
        // Every asset row carries its source and valid_from.
        for (name, text) in [(HOECHST_NAME, HOECHST_ASSET), (KLIMA_NAME, KLIMA_ASSET)] {
            let table = CsvTable::parse(name, text, &["valid_from", "source"]).unwrap();
            for row in table.rows() {
                assert!(row.source().is_ok(), "{name}:{}", row.line());
                assert!(row.valid_from().is_ok(), "{name}:{}", row.line());
            }
        }
    }

    #[test]
    fn hoechstbetraege_2025_and_2023() {
        let y25 = d(2025, 6, 30);
        assert_eq!(hoechstbetrag(y25, 1, 3), Some(456.0));
        assert_eq!(hoechstbetrag(y25, 1, 1), Some(361.0));
        assert_eq!(hoechstbetrag(y25, 5, 7), Some(1302.0));
        assert_eq!(hoechstbetrag(y25, 4, 6), Some(1035.0));
        assert_eq!(hoechstbetrag(y25, 6, 3), Some(981.0));
        assert_eq!(hoechstbetrag(y25, 7, 7), Some(1302.0 + 2.0 * 163.0));
        let y23 = d(2023, 1, 1);
        assert_eq!(hoechstbetrag(y23, 1, 3), Some(438.0));
        assert_eq!(hoechstbetrag(d(2024, 12, 31), 2, 4), Some(595.0));
        assert_eq!(hoechstbetrag(d(2024, 12, 31), 6, 7), Some(1251.0 + 157.0));
        assert_eq!(hoechstbetrag(d(2025, 1, 1), 2, 4), Some(619.0));
    }

    #[test]
    fn invalid_inputs_and_dates_before_2023() {
        assert_eq!(hoechstbetrag(d(2022, 12, 31), 1, 3), None);
        assert_eq!(klimakomponente(d(2022, 12, 31), 1), None);
        assert_eq!(hoechstbetrag(d(2025, 1, 1), 0, 3), None);
        assert_eq!(hoechstbetrag(d(2025, 1, 1), 1, 0), None);
        assert_eq!(hoechstbetrag(d(2025, 1, 1), 1, 8), None);
    }

    #[test]
    fn klimakomponente_values() {
        let on = d(2025, 3, 1);
        assert_eq!(klimakomponente(on, 1), Some(19.2));
        assert_eq!(klimakomponente(on, 5), Some(39.2));
        let six = klimakomponente(on, 6).unwrap();
        assert!((six - 44.0).abs() < 1e-9);
        assert_eq!(klimakomponente(on, 0), None);
    }

    #[test]
    fn klima_mode_serde_and_labels() {
        assert_eq!(
            serde_json::to_string(&KlimaMode::After).unwrap(),
            "\"after\""
        );
        let back: KlimaMode = serde_json::from_str("\"before\"").unwrap();
        assert_eq!(back, KlimaMode::Before);
        for mode in KlimaMode::ALL {
            assert!(!mode.label().is_empty());
            assert!(mode.formula().contains("Zuschlag"));
        }
    }

    const HEADER: &str = "valid_from,valid_until,members,i,ii,iii,iv,v,vi,vii,source\n";

    #[test]
    fn row_without_source_or_date_is_an_error() {
        let no_source = format!("{HEADER}2025-01-01,,1,361,408,456,511,562,615,677,\n");
        assert!(matches!(
            parse_hoechstbetraege("bad.csv", &no_source),
            Err(TableError::MissingSource { line: 2, .. })
        ));
        let no_date = format!("{HEADER},,1,361,408,456,511,562,615,677,Quelle\n");
        assert!(matches!(
            parse_hoechstbetraege("bad.csv", &no_date),
            Err(TableError::MissingValidFrom { line: 2, .. })
        ));
        let klima = "valid_from,valid_until,members,amount,source\n2023-01-01,,1,19.20,\n";
        assert!(matches!(
            parse_klimakomponente("bad.csv", klima),
            Err(TableError::MissingSource { line: 2, .. })
        ));
        let klima = "valid_from,valid_until,members,amount,source\n,,1,19.20,Q\n";
        assert!(matches!(
            parse_klimakomponente("bad.csv", klima),
            Err(TableError::MissingValidFrom { line: 2, .. })
        ));
    }

    #[test]
    fn incomplete_or_overlapping_periods_are_errors() {
        let incomplete = format!("{HEADER}2025-01-01,,1,361,408,456,511,562,615,677,Q\n");
        assert!(matches!(
            parse_hoechstbetraege("bad.csv", &incomplete),
            Err(TableError::Invalid { .. })
        ));
        let mut overlapping = String::from(HEADER);
        for from in ["2023-01-01", "2024-01-01"] {
            for m in ["1", "2", "3", "4", "5", "je_weiteres"] {
                overlapping.push_str(&format!("{from},,{m},1,1,1,1,1,1,1,Q\n"));
            }
        }
        let err = parse_hoechstbetraege("bad.csv", &overlapping).unwrap_err();
        assert!(err.to_string().contains("überschneiden"), "{err}");
        // A missing cell stays missing: the lookup gives None instead of a made-up value.
        let mut gap = String::from(HEADER);
        for m in ["1", "2", "3", "4", "5", "je_weiteres"] {
            let v = if m == "2" { "" } else { "1" };
            gap.push_str(&format!("2023-01-01,,{m},{v},1,1,1,1,1,1,Q\n"));
        }
        let periods = parse_hoechstbetraege("gap.csv", &gap).unwrap();
        assert_eq!(periods[0].value(2, 1), None);
        assert_eq!(periods[0].value(2, 2), Some(1.0));
    }
}
