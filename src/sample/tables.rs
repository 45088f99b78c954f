//! The three data files (Bestand, Neuvertrag, Angebote) as tables of cells.

use super::columns::{ANGEBOTE_COLUMNS, BESTAND_COLUMNS, ColumnSpec, NEUVERTRAG_COLUMNS, Table};
use super::defects::{build_rows, plan_defects};
use super::flats::{Flat, Kind, PORTAL_WEIGHTS, PORTALS, days_to_date, gemeinde_counts, gen_flat};
use super::kreis::GEMEINDEN;
use super::rng::{SampleRng, round2};
use super::{
    ANGEBOTE_EXACT_DUPLICATES, ANGEBOTE_NEAR_DUPLICATES, ANGEBOTE_SHEET, SAMPLE_KREIS, SampleSheet,
    sample_stichtag,
};

/// Bestand or Neuvertrag: flats per Gemeinde, shuffled, with defects.
pub(super) fn build_survey(kind: Kind, sheet: &SampleSheet, seed: u64) -> Table {
    let mut rng = SampleRng::new(seed);
    let slot = if kind == Kind::Bestand { 0 } else { 1 };
    let counts = gemeinde_counts(sheet.records, slot);
    let mut flats = Vec::with_capacity(sheet.records);
    for (g, &n) in counts.iter().enumerate() {
        for _ in 0..n {
            flats.push(gen_flat(&mut rng, kind, g));
        }
    }
    rng.shuffle(&mut flats);
    let eligible = |i: usize| GEMEINDEN[flats[i].gemeinde].fixed.is_none();
    let defects = plan_defects(&mut rng, &flats, &sheet.defects, &eligible);
    let (columns, title, titles): (&'static [ColumnSpec], String, Vec<String>) =
        if kind == Kind::Bestand {
            let title = format!("Mietwerterhebung {SAMPLE_KREIS} – Bestandsmieten");
            (
                &BESTAND_COLUMNS,
                title.clone(),
                vec![
                    format!("{title} (fiktive Beispieldaten)"),
                    format!("Stand: {}", sample_stichtag().german()),
                    String::new(),
                ],
            )
        } else {
            let title = format!("Mietwerterhebung {SAMPLE_KREIS} – Neuvertragsmieten");
            (
                &NEUVERTRAG_COLUMNS,
                title.clone(),
                vec![
                    format!("{title} (fiktive Beispieldaten)"),
                    format!(
                        "Vertragsabschlüsse 01.01.2023 bis 31.12.2024, Stand: {}",
                        sample_stichtag().german()
                    ),
                ],
            )
        };
    let rows = build_rows(
        &mut rng,
        &flats,
        &defects,
        columns,
        sheet.defects.blank_rows,
    );
    Table {
        sheet: sheet.sheet,
        title,
        titles,
        header_row: sheet.header_row,
        columns,
        rows,
    }
}

/// True if offers `a` and `b` would look like duplicates to a generous dedup rule.
fn offers_close(a: &Flat, b: &Flat) -> bool {
    a.plz == b.plz
        && (a.area - b.area).abs() <= 1.2
        && (a.rent - b.rent).abs() <= 0.012 * a.rent.max(b.rent)
}

/// Angebote: originals without accidental near-duplicates, then deliberate exact and near
/// duplicates, shuffled, with defects on other rows.
pub(super) fn build_offers(seed: u64) -> Table {
    let mut rng = SampleRng::new(seed);
    let sheet = &ANGEBOTE_SHEET;
    let dups = ANGEBOTE_EXACT_DUPLICATES + ANGEBOTE_NEAR_DUPLICATES;
    let originals = sheet.records - dups;
    let counts = gemeinde_counts(originals, 2);
    let mut flats: Vec<Flat> = Vec::with_capacity(sheet.records);
    for (g, &n) in counts.iter().enumerate() {
        for _ in 0..n {
            let mut flat = gen_flat(&mut rng, Kind::Angebot, g);
            for _ in 0..50 {
                if !flats.iter().any(|o| offers_close(o, &flat)) {
                    break;
                }
                flat = gen_flat(&mut rng, Kind::Angebot, g);
            }
            flats.push(flat);
        }
    }
    // Originals of duplicates: distinct, clean, never in the tiny village.
    let mut candidates: Vec<usize> = (0..flats.len())
        .filter(|&i| GEMEINDEN[flats[i].gemeinde].fixed.is_none())
        .collect();
    rng.shuffle(&mut candidates);
    let st_days = sample_stichtag().days_since_epoch();
    let window_start = sample_stichtag().minus_months(18).days_since_epoch();
    let mut involved = vec![false; sheet.records];
    let mut copies = Vec::with_capacity(dups);
    for (k, &orig) in candidates.iter().take(dups).enumerate() {
        involved[orig] = true;
        let mut copy = flats[orig].clone();
        let exact = k < ANGEBOTE_EXACT_DUPLICATES;
        let max_shift = if exact { 14 } else { 45 };
        let shift = 1 + rng.below(max_shift) as i32;
        if let Some(d) = copy.offer_date {
            let mut day = d.days_since_epoch() + shift;
            if day >= st_days {
                day = (d.days_since_epoch() - shift).max(window_start);
            }
            copy.offer_date = Some(days_to_date(day));
        }
        if !exact || rng.chance(0.5) {
            copy.portal = PORTALS[rng.pick(&PORTAL_WEIGHTS)];
        }
        if !exact {
            let frac = rng.range(0.001, 0.0045);
            let sign = if rng.chance(0.5) { 1.0 } else { -1.0 };
            copy.rent = round2(copy.rent * (1.0 + sign * frac));
            if rng.chance(0.5) {
                let d = rng.range(0.1, 0.45) * if rng.chance(0.5) { 1.0 } else { -1.0 };
                copy.area = round2(copy.area + d);
                copy.area_decimals = 2;
            }
        }
        copies.push(copy);
    }
    flats.extend(copies);
    for flag in involved.iter_mut().skip(originals) {
        *flag = true;
    }
    // Shuffle flats together with their "involved in a duplicate" flag.
    let mut order: Vec<usize> = (0..flats.len()).collect();
    rng.shuffle(&mut order);
    let flats: Vec<Flat> = order.iter().map(|&i| flats[i].clone()).collect();
    let involved: Vec<bool> = order.iter().map(|&i| involved[i]).collect();
    let eligible = |i: usize| !involved[i] && GEMEINDEN[flats[i].gemeinde].fixed.is_none();
    let defects = plan_defects(&mut rng, &flats, &sheet.defects, &eligible);
    let rows = build_rows(
        &mut rng,
        &flats,
        &defects,
        &ANGEBOTE_COLUMNS,
        sheet.defects.blank_rows,
    );
    let title = format!("Angebotsmieten {SAMPLE_KREIS}");
    let window_from = sample_stichtag().minus_months(18);
    Table {
        sheet: sheet.sheet,
        title: title.clone(),
        titles: vec![
            format!("{title} (fiktive Beispieldaten)"),
            format!(
                "Inserate {} bis 31.12.2024, Stand: {}",
                window_from.german(),
                sample_stichtag().german()
            ),
            String::new(),
        ],
        header_row: sheet.header_row,
        columns: &ANGEBOTE_COLUMNS,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::columns::Cell;
    use crate::sample::rng::derive_seed;
    use crate::sample::{BESTAND_SHEET, SAMPLE_SEED};

    /// Pins the generated values (not the bytes), so an accidental model change is noticed.
    /// After a deliberate change, update the expected fingerprint.
    #[test]
    fn bestand_fingerprint_is_stable() {
        let table = build_survey(Kind::Bestand, &BESTAND_SHEET, derive_seed(SAMPLE_SEED, 1));
        let mut text = String::new();
        for row in table.rows.iter().take(50) {
            match row {
                None => text.push_str("<leer>\n"),
                Some(cells) => {
                    for c in cells {
                        match c {
                            Cell::Empty => {}
                            Cell::Num(v) => text.push_str(&format!("{v}")),
                            Cell::Text(t) => text.push_str(t),
                            Cell::Static(t) => text.push_str(t),
                            Cell::Date(d) => text.push_str(&d.iso()),
                        }
                        text.push(';');
                    }
                    text.push('\n');
                }
            }
        }
        let fingerprint = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!(fingerprint, 8_517_591_429_843_931_716, "{text}");
    }
}
