//! Heizkosten (docs/METHOD.md §2.12–2.13; BSG B 14 AS 36/08 R): the Heizspiegel table used, the chosen
//! Energieträger and building area, and per Vergleichsraum × household size the heating
//! Grenzwert (boundary × angemessene Wohnfläche, ÷ 12 for yearly values) and, when enabled,
//! the Gesamtangemessenheitsgrenze (§ 22 Abs. 10 SGB II).
//!
//! In the Prüfmappe the Grenzwert is a formula over the cells of this sheet and the
//! Gesamtgrenze a formula over this sheet and the Bruttokaltmiete in `Richtwerte`, each with
//! the program's value as cached result.

use crate::analysis::Analysis;
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::{self, *};
use crate::export::style::{self, col};
use crate::fmt::{euro, number};
use crate::tables::fold;
use crate::tables::heizspiegel::{HeizspiegelBand, HeizspiegelTable, PeriodUnit};
use rust_xlsxwriter::{Color, Format, Worksheet, XlsxError, utility::row_col_to_cell_absolute};

/// Whether the sheet is part of the workbook.
pub fn wanted(ctx: &Ctx) -> bool {
    ctx.p().heating.enabled
}

/// The band (index) of a row for a building area, as [`HeizspiegelTable::boundary`] picks it.
fn band_index(bands: &[HeizspiegelBand], building_area_m2: f64) -> Option<usize> {
    if !building_area_m2.is_finite() {
        return None;
    }
    bands.iter().position(|b| {
        building_area_m2 > b.lower_m2 && b.upper_m2.is_none_or(|u| building_area_m2 <= u)
    })
}

/// The row index of the chosen Energieträger (case and umlaut spelling ignored).
fn row_index(table: &HeizspiegelTable, energietraeger: &str) -> Option<usize> {
    let wanted = fold(energietraeger);
    table
        .rows
        .iter()
        .position(|r| fold(&r.energietraeger) == wanted)
}

/// True when every Energieträger has the same bands (then the table is a grid).
fn uniform_bands(table: &HeizspiegelTable) -> bool {
    let Some(first) = table.rows.first() else {
        return true;
    };
    table.rows.iter().all(|r| {
        r.bands.len() == first.bands.len()
            && r.bands
                .iter()
                .zip(&first.bands)
                .all(|(a, b)| a.lower_m2 == b.lower_m2 && a.upper_m2 == b.upper_m2)
    })
}

/// "÷ 12" note of the unit.
fn unit_note(unit: PeriodUnit) -> &'static str {
    match unit {
        PeriodUnit::PerMonth => "Monatswerte: Grenzwert = Grenze × Wohnfläche",
        PeriodUnit::PerYear => "Jahreswerte: Grenzwert = Grenze × Wohnfläche ÷ 12",
    }
}

/// The Heizkosten sheet.
pub fn heizkosten(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let p = ctx.p();
    let h = &p.heating;
    let table = &h.table;
    let f = &ctx.fmt;
    let warn = Format::new()
        .set_font_name("Calibri")
        .set_font_size(11)
        .set_bold()
        .set_text_wrap()
        .set_font_color(Color::RGB(0xC00000));
    let mut ws = style::new_sheet(
        ctx,
        HEIZKOSTEN,
        "Heizkosten: Grenzwerte nach Heizspiegel je Haushaltsgröße",
    )?;
    style::widths(&mut ws, &[24.0, 16.0, 14.0, 14.0, 14.0, 14.0, 16.0, 44.0])?;
    let intro = format!(
        "Heizkosten-Grenzwert (€ monatlich) = Grenze „{}“ des Heizspiegels in €/m² × angemessene Wohnfläche{} (BSG, 02.07.2009, B 14 AS 36/08 R). Die Heizkosten werden getrennt von der Bruttokaltmiete geprüft; höhere Heizkosten sind ein Indiz für unangemessenes Heizen, aber keine starre Grenze.",
        table.column,
        match table.unit {
            PeriodUnit::PerMonth => "",
            PeriodUnit::PerYear => " ÷ 12 (Jahreswerte)",
        }
    );
    ws.write_string_with_format(1, 0, &intro, &f.note)?;
    ws.write_string_with_format(
        2,
        0,
        "Überprüfungspflicht: Die Werte für die Heizung sind mindestens jährlich zu überprüfen und gegebenenfalls neu festzusetzen (§ 22c Abs. 2 SGB II); maßgeblich ist die jeweils aktuelle Heizspiegel-Ausgabe.",
        &f.note,
    )?;
    let mut r = 3u32;
    if table.is_example {
        ws.merge_range(
            r,
            0,
            r,
            7,
            &format!(
                "ACHTUNG – Beispieltabelle: „{}“ ist keine geprüfte, örtlich gültige Heizspiegel-Tabelle. Vor der Verwendung durch die aktuelle Tabelle ersetzen.",
                table.edition
            ),
            &warn,
        )?;
        ws.set_row_height(r, 30)?;
        r += 1;
    }

    // The table used.
    r += 1;
    ws.write_string_with_format(r, 0, "Heizspiegel-Tabelle", &f.heading)?;
    r += 1;
    let kv = |ws: &mut Worksheet, r: &mut u32, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(*r, 0, k, &f.bold)?;
        ws.merge_range(*r, 1, *r, 7, v, &f.wrap)?;
        ws.set_row_height(*r, style::wrapped_height(v, 110.0))?;
        *r += 1;
        Ok(())
    };
    kv(&mut ws, &mut r, "Ausgabe", &table.edition)?;
    kv(&mut ws, &mut r, "Jahr", &table.year.to_string())?;
    kv(&mut ws, &mut r, "Quelle", &table.source)?;
    kv(&mut ws, &mut r, "Spalte (Grenze)", &table.column)?;
    kv(
        &mut ws,
        &mut r,
        "Einheit",
        &format!("{} ({})", table.unit.label(), unit_note(table.unit)),
    )?;
    kv(
        &mut ws,
        &mut r,
        "Beispieltabelle",
        if table.is_example {
            "ja – Beispieltabelle, nicht ungeprüft verwenden"
        } else {
            "nein"
        },
    )?;
    if !table.note.trim().is_empty() {
        kv(&mut ws, &mut r, "Anmerkungen", &table.note)?;
    }

    // The values: a grid (Energieträger × bands) or, with differing bands, one row per band.
    r += 1;
    let chosen_row = row_index(table, &h.energietraeger);
    let mut chosen_cell: Option<(u32, u16)> = None;
    if uniform_bands(table) {
        let bands = table
            .rows
            .first()
            .map(|r| r.bands.as_slice())
            .unwrap_or(&[]);
        let mut headers = vec!["Energieträger".to_string()];
        headers.extend(bands.iter().map(|b| {
            format!(
                "Gebäudefläche {} (€/m²)",
                style::class_text(b.lower_m2, b.upper_m2)
            )
        }));
        headers.push("Quelle".to_string());
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        style::sub_header_row(&mut ws, ctx, r, &refs)?;
        ws.set_row_height(r, 42)?;
        r += 1;
        for (i, row) in table.rows.iter().enumerate() {
            ws.write_string_with_format(r, 0, &row.energietraeger, &f.bold)?;
            for (j, b) in row.bands.iter().enumerate() {
                ws.write_number_with_format(r, col(1 + j), b.value, &f.eur_m2)?;
                if Some(i) == chosen_row && band_index(&row.bands, h.building_area_m2) == Some(j) {
                    chosen_cell = Some((r, col(1 + j)));
                }
            }
            ws.write_string_with_format(r, col(1 + row.bands.len()), &row.source, &f.text)?;
            r += 1;
        }
    } else {
        style::sub_header_row(
            &mut ws,
            ctx,
            r,
            &["Energieträger", "Gebäudefläche", "Grenze €/m²", "Quelle"],
        )?;
        r += 1;
        for (i, row) in table.rows.iter().enumerate() {
            for (j, b) in row.bands.iter().enumerate() {
                ws.write_string_with_format(r, 0, &row.energietraeger, &f.bold)?;
                ws.write_string_with_format(
                    r,
                    1,
                    style::class_text(b.lower_m2, b.upper_m2),
                    &f.text,
                )?;
                ws.write_number_with_format(r, 2, b.value, &f.eur_m2)?;
                ws.write_string_with_format(r, 3, &row.source, &f.text)?;
                if Some(i) == chosen_row && band_index(&row.bands, h.building_area_m2) == Some(j) {
                    chosen_cell = Some((r, 2));
                }
                r += 1;
            }
        }
    }

    // The choice.
    r += 1;
    ws.write_string_with_format(r, 0, "Gewählt", &f.heading)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Energieträger", &f.bold)?;
    ws.write_string_with_format(r, 1, &h.energietraeger, &f.text)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Beheizte Gebäudefläche (m²)", &f.bold)?;
    ws.write_number_with_format(r, 1, h.building_area_m2, &f.area)?;
    r += 1;
    let band = chosen_row
        .and_then(|i| table.rows.get(i))
        .and_then(|row| band_index(&row.bands, h.building_area_m2).and_then(|j| row.bands.get(j)));
    ws.write_string_with_format(r, 0, "Flächenklasse", &f.bold)?;
    ws.write_string_with_format(
        r,
        1,
        band.map_or_else(
            || "keine passende Flächenklasse".to_string(),
            |b| style::class_text(b.lower_m2, b.upper_m2),
        ),
        &f.text,
    )?;
    r += 1;
    let boundary = table.boundary(&h.energietraeger, h.building_area_m2);
    ws.write_string_with_format(r, 0, "Grenze €/m²", &f.bold)?;
    match (ctx.pruef(), chosen_cell) {
        (true, Some((cr, cc))) => style::formula(
            &mut ws,
            ctx,
            r,
            1,
            &row_col_to_cell_absolute(cr, cc),
            boundary,
            &f.eur_m2,
        )?,
        _ => style::opt_num(&mut ws, ctx, r, 1, boundary, &f.eur_m2)?,
    }
    ws.write_string_with_format(
        r,
        2,
        format!("{} – {}", table.unit.label(), unit_note(table.unit)),
        &f.note,
    )?;
    let boundary_ref = row_col_to_cell_absolute(r, 1);
    r += 1;
    if boundary.is_none() {
        ws.write_string_with_format(
            r,
            0,
            format!(
                "Die Tabelle enthält für „{}“ und {} m² keinen Grenzwert; es werden keine Heizkosten-Grenzwerte ausgewiesen.",
                h.energietraeger,
                number(h.building_area_m2, 0)
            ),
            &warn,
        )?;
        r += 1;
    }

    // Per Vergleichsraum × household size.
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Heizkosten-Grenzwerte je Vergleichsraum und Haushaltsgröße",
        &f.heading,
    )?;
    r += 1;
    let total = h.gesamtangemessenheitsgrenze;
    let mut headers = vec![
        "Vergleichsraum",
        "Haushalt",
        "Wohnfläche (m²)",
        "Grenze €/m²",
        "Heizkosten-Grenzwert € monatlich",
    ];
    if total {
        headers.extend(["Bruttokaltmiete €", "Gesamtangemessenheitsgrenze €"]);
    }
    headers.push("Hinweise");
    let note_col = col(headers.len() - 1);
    style::header_row(&mut ws, ctx, r, &headers)?;
    ws.set_row_height(r, 42)?;
    r += 1;
    let rw_rows = layout::richtwerte_rows(ctx.an);
    let n_sizes = p.wohnflaechen.sizes.len();
    for (i, c) in ctx.an.cells.iter().enumerate() {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.bold)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        let area_ref = style::cell_ref(r, 2);
        let bound_ref = style::cell_ref(r, 3);
        let heat_ref = style::cell_ref(r, 4);
        let named_area = (c.household_size as usize) <= n_sizes && c.household_size > 0;
        if ctx.pruef() && named_area {
            style::formula(
                &mut ws,
                ctx,
                r,
                2,
                &layout::area_name(c.household_size as usize),
                Some(c.area_m2),
                &f.area,
            )?;
        } else {
            ws.write_number_with_format(r, 2, c.area_m2, &f.area)?;
        }
        let b = boundary.filter(|_| c.heating_limit.is_some());
        if ctx.pruef() {
            style::formula(&mut ws, ctx, r, 3, &boundary_ref, b, &f.eur_m2)?;
            let text = match table.unit {
                PeriodUnit::PerMonth => format!("ROUND({bound_ref}*{area_ref},2)"),
                PeriodUnit::PerYear => format!("ROUND({bound_ref}/12*{area_ref},2)"),
            };
            style::formula(&mut ws, ctx, r, 4, &text, c.heating_limit, &f.euro)?;
        } else {
            style::opt_num(&mut ws, ctx, r, 3, b, &f.eur_m2)?;
            style::opt_num(&mut ws, ctx, r, 4, c.heating_limit, &f.euro)?;
        }
        let mut notes = Vec::new();
        if c.heating_limit.is_none() {
            notes.push(
                "kein Grenzwert (Energieträger oder Gebäudefläche nicht in der Tabelle)"
                    .to_string(),
            );
        }
        if total {
            let suppressed = ctx.suppressed(c.n) || ctx.bk_suppressed(&c.bk);
            let gross = c.limits.map(|l| l.gross_cold).filter(|_| !suppressed);
            let sum = c.total_limit.filter(|_| !suppressed);
            if ctx.pruef() {
                let target = format!(
                    "'{}'!{}",
                    layout::RICHTWERTE,
                    style::cell_ref(rw_rows[i], layout::RICHTWERTE_BKM_COL)
                );
                style::formula(&mut ws, ctx, r, 5, &target, gross, &f.euro)?;
                let gross_ref = style::cell_ref(r, 5);
                style::formula(
                    &mut ws,
                    ctx,
                    r,
                    6,
                    &format!("ROUND({gross_ref}+{heat_ref},2)"),
                    sum.filter(|_| gross.is_some()),
                    &f.euro_bold,
                )?;
            } else {
                style::opt_num(&mut ws, ctx, r, 5, gross, &f.euro)?;
                style::opt_num(&mut ws, ctx, r, 6, sum, &f.euro_bold)?;
            }
            if suppressed {
                notes.push(format!(
                    "Bruttokaltmiete nicht ausgewiesen (n < {})",
                    p.min_n
                ));
            }
        }
        ws.write_string_with_format(r, note_col, notes.join("; "), &f.text)?;
        r += 1;
    }

    // Footnotes.
    r += 1;
    let mut notes = Vec::new();
    if total {
        notes.push(
            "Gesamtangemessenheitsgrenze = Bruttokaltmiete (Blatt „Richtwerte“) + Heizkosten-Grenzwert, auf Cent gerundet (§ 22 Abs. 10 SGB II). Kosten bis zu dieser Summe sind angemessen, auch wenn ein Teil allein die eigene Grenze übersteigt."
                .to_string(),
        );
    }
    if ctx.pruef() {
        notes.push(
            "Wohnfläche, Grenze und Grenzwerte sind Formeln über dieses Blatt, die benannten Wohnflächen im Blatt „Parameter“ und die Bruttokaltmiete im Blatt „Richtwerte“; gespeichert ist zusätzlich der vom Programm berechnete Wert."
                .to_string(),
        );
    }
    if !ctx.pruef() && total {
        notes.push(ctx.suppression_note());
    }
    for n in notes {
        ws.write_string_with_format(r, 0, n, &f.note)?;
        r += 1;
    }
    Ok(ws)
}

/// A short sentence for the BSG-Prüfkatalog (K8), when heating limits are computed.
pub fn katalog_sentence(ctx: &Ctx) -> Option<String> {
    let h = &ctx.p().heating;
    if !h.enabled {
        return None;
    }
    Some(format!(
        " Heizkosten werden getrennt geprüft: Grenze „{}“ der Tabelle „{}“{} × angemessene Wohnfläche{}; jährliche Überprüfung nach § 22c Abs. 2 SGB II (Blatt „{HEIZKOSTEN}“).",
        h.table.column,
        h.table.edition,
        if h.table.is_example {
            " (Beispieltabelle, vor Verwendung ersetzen)"
        } else {
            ""
        },
        if h.gesamtangemessenheitsgrenze {
            "; zusätzlich Gesamtangemessenheitsgrenze aus Bruttokaltmiete und Heizkosten (§ 22 Abs. 10 SGB II)"
        } else {
            ""
        }
    ))
}

/// Paragraphs of the method text on heating limits (empty when not computed).
pub fn method_paragraphs(lp: &LoadedProject, an: &Analysis) -> Vec<String> {
    let h = &lp.project.parameters.heating;
    if !h.enabled {
        return Vec::new();
    }
    let t = &h.table;
    let boundary = t.boundary(&h.energietraeger, h.building_area_m2);
    let example = an
        .cells
        .iter()
        .find_map(|c| c.heating_limit.map(|v| (c, v)))
        .map(|(c, v)| {
            format!(
                " Beispiel {}, {}: {} m² ergeben {} monatlich.",
                c.vergleichsraum,
                style::persons(c.household_size),
                number(c.area_m2, 0),
                euro(v)
            )
        })
        .unwrap_or_default();
    let mut par = vec![format!(
        "Heizkosten: Die Angemessenheit der Heizkosten wird getrennt von der Bruttokaltmiete geprüft (BSG, 02.07.2009, B 14 AS 36/08 R). Grenzwert ist die Grenze „{}“ der Tabelle „{}“ ({}) für {} bei einer beheizten Gebäudefläche von {} m²{}, multipliziert mit der angemessenen Wohnfläche{}.{example} Die Werte für die Heizung sind mindestens jährlich zu überprüfen (§ 22c Abs. 2 SGB II); Einzelheiten im Blatt „{HEIZKOSTEN}“.",
        t.column,
        t.edition,
        t.year,
        h.energietraeger,
        number(h.building_area_m2, 0),
        boundary.map_or_else(
            || " (kein Tabellenwert)".to_string(),
            |b| format!(" ({} {})", number(b, 2), t.unit.label())
        ),
        match t.unit {
            PeriodUnit::PerMonth => "",
            PeriodUnit::PerYear => " und durch 12 geteilt",
        }
    )];
    if t.is_example {
        par.push(format!(
            "Achtung: „{}“ ist eine Beispieltabelle; sie ist vor der Verwendung durch die örtlich gültige Heizspiegel-Ausgabe zu ersetzen.",
            t.edition
        ));
    }
    if h.gesamtangemessenheitsgrenze {
        par.push(
            "Zusätzlich wird eine Gesamtangemessenheitsgrenze für Unterkunft und Heizung gebildet: Bruttokaltmiete plus Heizkosten-Grenzwert (§ 22 Abs. 10 SGB II).".to_string(),
        );
    }
    par
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::heizspiegel::nienburg_2022_example;

    #[test]
    fn bands_and_rows_follow_the_table_lookup() {
        let t = nienburg_2022_example();
        assert!(uniform_bands(&t));
        let i = row_index(&t, "erdgas").unwrap();
        let row = &t.rows[i];
        for area in [100.0, 250.0, 250.5, 300.0, 1000.0, 5000.0] {
            let j = band_index(&row.bands, area).unwrap();
            assert_eq!(
                Some(row.bands[j].value),
                t.boundary("Erdgas", area),
                "{area}"
            );
        }
        assert_eq!(band_index(&row.bands, 0.0), None);
        assert_eq!(row_index(&t, "Kohle"), None);
    }
}
