//! The WoGG fallback (Höchstbetrag of § 12 WoGG plus Sicherheitszuschlag and Klimakomponente)
//! that applies where no valid concept limit exists, and its comparison with the concept limit.

use super::limits::round_cents;
use super::result::{GemeindeLimit, Limits, WoggComparison};
use crate::model::params::KlimaMode;
use crate::model::{Date, GemeindeRow, Project};
use crate::tables::wogg::{WoggValue, hoechstbetrag_table, klima_table};

/// The date whose WoGG tables apply: the validity start of the limits (`gueltig_ab`), else the
/// data Stichtag. A concept valid from 2025 uses the 2025 table even with a Stichtag in 2024.
pub fn table_date(project: &Project) -> Date {
    project
        .project
        .gueltig_ab
        .unwrap_or(project.project.stichtag)
}

/// The Mietstufe that applies to Gemeinde `g`: the WoGV Anlage's (`anlage`, it prevails where
/// it lists the Gemeinde), else the value of the Gemeinde table, else the Kreis value of the
/// parameters.
pub fn gemeinde_mietstufe(project: &Project, g: &GemeindeRow, anlage: Option<u8>) -> Option<u8> {
    anlage
        .or(g.mietstufe)
        .or(project.parameters.wogg.kreis_mietstufe)
}

/// The Gemeinden of Vergleichsraum `vr_name` with their applied Mietstufe; `anlage` is
/// [`Prepared::anlage_mietstufen`](super::Prepared::anlage_mietstufen) (same order as the
/// Gemeinde table).
pub fn vr_gemeinden<'a>(
    project: &'a Project,
    anlage: &[Option<u8>],
    vr_name: &str,
) -> Vec<(&'a GemeindeRow, Option<u8>)> {
    project
        .gemeinden
        .iter()
        .enumerate()
        .filter(|(_, g)| g.vergleichsraum == vr_name)
        .map(|(i, g)| {
            (
                g,
                gemeinde_mietstufe(project, g, anlage.get(i).copied().flatten()),
            )
        })
        .collect()
}

/// The highest Mietstufe among the Gemeinden of a Vergleichsraum: the comparison with the
/// concept limit uses it, so the comparison never understates the fallback.
pub fn vr_mietstufe(gemeinden: &[(&GemeindeRow, Option<u8>)]) -> Option<u8> {
    gemeinden.iter().filter_map(|(_, s)| *s).max()
}

/// The fallback of every Gemeinde of a Vergleichsraum for one household size, each at its own
/// Mietstufe (the WoGG assigns the Mietstufe per Gemeinde).
pub fn by_gemeinde(
    project: &Project,
    gemeinden: &[(&GemeindeRow, Option<u8>)],
    household_size: u32,
) -> Vec<GemeindeLimit> {
    let w = &project.parameters.wogg;
    gemeinden
        .iter()
        .map(|(g, stufe)| {
            let limit = stufe.and_then(|s| {
                fallback(table_date(project), household_size, s, w.surcharge, w.klima)
                    .map(|v| v.with_surcharge)
            });
            GemeindeLimit {
                gemeinde: g.name.clone(),
                ags: g.ags.clone(),
                mietstufe: *stufe,
                limit,
                karenzzeit_limit: super::limits::karenzzeit(&project.parameters, limit),
            }
        })
        .collect()
}

/// The fallback for one household size next to the concept limit `lim`.
pub fn comparison(
    project: &Project,
    mietstufe: Option<u8>,
    household_size: u32,
    lim: Option<Limits>,
) -> Option<WoggComparison> {
    let params = &project.parameters;
    let stufe = mietstufe?;
    let value = fallback(
        table_date(project),
        household_size,
        stufe,
        params.wogg.surcharge,
        params.wogg.klima,
    )?;
    let ratio = lim
        .map(|l| l.gross_cold / value.with_surcharge)
        .filter(|r| r.is_finite());
    Some(WoggComparison {
        mietstufe: stufe,
        value,
        ratio,
    })
}

/// WoGG fallback (docs/METHOD.md §4.2): Höchstbetrag with `surcharge` (0.10 = 10 %) and the
/// Klimakomponente per `mode`, rounded to cents at the end. `None` if a value is missing
/// (e.g. before 2023) or `surcharge` is not a finite number > −1.
pub fn fallback(
    on: Date,
    members: u32,
    mietstufe: u8,
    surcharge: f64,
    mode: KlimaMode,
) -> Option<WoggValue> {
    if !surcharge.is_finite() || surcharge <= -1.0 {
        return None;
    }
    let table = hoechstbetrag_table(on)?;
    let table_value = table.value(members, mietstufe)?;
    let factor = 1.0 + surcharge;
    let (klima, raw, source) = match mode {
        KlimaMode::None => (0.0, table_value * factor, table.source.clone()),
        KlimaMode::After | KlimaMode::Before => {
            let klima_table = klima_table(on)?;
            let klima = klima_table.value(members)?;
            let raw = if mode == KlimaMode::After {
                table_value * factor + klima
            } else {
                (table_value + klima) * factor
            };
            let source = format!("{}; {}", table.source, klima_table.source);
            (klima, raw, source)
        }
    };
    Some(WoggValue {
        table_value,
        klima,
        with_surcharge: round_cents(raw),
        mode,
        valid_from: table.valid_from,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::wogg::DEFAULT_SURCHARGE;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn fallback_matches_domain_examples() {
        let on = d(2025, 1, 1);
        let none = fallback(on, 1, 3, DEFAULT_SURCHARGE, KlimaMode::None).unwrap();
        assert_eq!(none.with_surcharge, 501.60);
        assert_eq!(none.table_value, 456.0);
        assert_eq!(none.klima, 0.0);
        assert_eq!(none.valid_from, d(2025, 1, 1));
        assert!(none.source.contains("BGBl. 2024 I Nr. 314"));
        let after = fallback(on, 1, 3, 0.10, KlimaMode::After).unwrap();
        assert_eq!(after.with_surcharge, 520.80);
        assert_eq!(after.klima, 19.2);
        assert!(after.source.contains("§ 12 Abs. 7"));
        let before = fallback(on, 1, 3, 0.10, KlimaMode::Before).unwrap();
        assert_eq!(before.with_surcharge, 522.72);
        let six = fallback(on, 6, 3, 0.10, KlimaMode::None).unwrap();
        assert_eq!(six.table_value, 981.0);
        assert_eq!(six.with_surcharge, 1079.10);
        let y23 = fallback(d(2023, 7, 1), 1, 3, 0.10, KlimaMode::None).unwrap();
        assert_eq!(y23.with_surcharge, 481.80);
        assert_eq!(y23.valid_from, d(2023, 1, 1));
        assert_eq!(KlimaMode::default(), KlimaMode::After);
    }

    #[test]
    fn no_fallback_before_2023_or_for_invalid_surcharge() {
        assert_eq!(fallback(d(2022, 6, 1), 1, 3, 0.1, KlimaMode::None), None);
        assert_eq!(
            fallback(d(2025, 1, 1), 1, 3, f64::NAN, KlimaMode::None),
            None
        );
    }
}
