//! Heizkosten (docs/METHOD.md §2.12–2.13; BSG B 14 AS 36/08 R, B 14 AS 57/19 R): the
//! Heizspiegel table used (edition, column, unit, warm water), the Prüfgrenze of every
//! Energieträger and band of beheizte Gebäudefläche per household size (boundary × angemessene
//! Wohnfläche, ÷ 12 for yearly values, less the warm-water share where warm water is produced in
//! the flat), the chosen Energieträger and band of the Richtwerte sheet per Vergleichsraum and
//! household size, and, when enabled, the Gesamtangemessenheitsgrenze (§ 22 Abs. 10 SGB II) on
//! the applied limit, for the chosen and for every Energieträger and band.
//!
//! In the Prüfmappe every Prüfgrenze is a formula over the boundary cells of this sheet and the
//! named Wohnflächen (and warm-water share), every Gesamtgrenze a formula over the applied limit
//! in `Richtwerte`, each with the program's value as cached result.

use crate::analysis::{Analysis, CellResult};
use crate::dataset::LoadedProject;
use crate::export::Ctx;
use crate::export::layout::{self, *};
use crate::export::style::{self, col};
use crate::fmt::{euro, number, percent};
use crate::model::catalogue::names;
use crate::model::params::HeatingParams;
use crate::tables::fold;
use crate::tables::heizspiegel::{HeizspiegelBand, HeizspiegelTable, PeriodUnit};
use rust_xlsxwriter::{Color, Format, Worksheet, XlsxError, utility::row_col_to_cell_absolute};
use std::collections::BTreeMap;

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
        PeriodUnit::PerMonth => "Monatswerte: Prüfgrenze = Grenze × Wohnfläche",
        PeriodUnit::PerYear => "Jahreswerte: Prüfgrenze = Grenze × Wohnfläche ÷ 12",
    }
}

/// The Excel text of a Prüfgrenze over a boundary cell and an area cell: the formula of
/// `analysis::heating` (per month × area × warm-water factor, to cents).
fn prufgrenze_formula(h: &HeatingParams, boundary: &str, area: &str) -> String {
    let per_month = match h.table.unit {
        PeriodUnit::PerMonth => boundary.to_string(),
        PeriodUnit::PerYear => format!("{boundary}/12"),
    };
    let hot_water = if h.hot_water_decentral {
        format!("*(1-{})", names::HOT_WATER_SHARE)
    } else {
        String::new()
    };
    format!("ROUND({per_month}*{area}{hot_water},2)")
}

/// The warm-water rule in German.
fn hot_water_german(h: &HeatingParams) -> String {
    if h.hot_water_decentral {
        format!(
            "dezentral: Die Heizspiegelwerte enthalten das Warmwasser, abgezogen wird ein Anteil von {} (Kosten der dezentralen Warmwassererzeugung als Mehrbedarf nach § 21 Abs. 7 SGB II)",
            percent(h.hot_water_share)
        )
    } else {
        "zentral über die Heizung: Die Heizspiegelwerte enthalten das Warmwasser, kein Abzug"
            .to_string()
    }
}

/// The heading and header row of a matrix over Energieträger × building band, after the two
/// leading columns `first`; returns the first data row.
fn matrix_header(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    title: &str,
    first: [&str; 2],
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(r, 0, title, &ctx.fmt.heading)?;
    let mut headers: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    for row in &ctx.p().heating.table.rows {
        headers.extend(
            row.bands
                .iter()
                .map(|b| band_header(&row.energietraeger, b)),
        );
    }
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    style::header_row(ws, ctx, r + 1, &refs)?;
    ws.set_row_height(r + 1, 58)?;
    Ok(r + 2)
}

/// Header text of one Energieträger and band.
fn band_header(energietraeger: &str, b: &HeizspiegelBand) -> String {
    format!(
        "{energietraeger}, Gebäudefläche {}",
        style::class_text(b.lower_m2, b.upper_m2)
    )
}

/// Writes the heading lines and the table description; returns the next free row.
fn write_head(ws: &mut Worksheet, ctx: &Ctx, warn: &Format) -> Result<u32, XlsxError> {
    let h = &ctx.p().heating;
    let table = &h.table;
    let f = &ctx.fmt;
    let intro = format!(
        "Heizkosten-Prüfgrenze (€ monatlich) = Grenze „{}“ der Tabelle „{}“ in €/m² × angemessene Wohnfläche{}{}. Die Prüfgrenze ist ein Indiz für unangemessenes Heizen, keine Kappungsgrenze: Höhere Heizkosten sind im Einzelfall zu prüfen, und auch für die Heizkosten ist eine Kostensenkungsaufforderung nötig (BSG, 02.07.2009, B 14 AS 36/08 R; BSG, 19.05.2021, B 14 AS 57/19 R).",
        table.column,
        table.edition,
        match table.unit {
            PeriodUnit::PerMonth => "",
            PeriodUnit::PerYear => " ÷ 12 (Jahreswerte)",
        },
        if h.hot_water_decentral {
            format!(" × (1 − Warmwasseranteil {})", percent(h.hot_water_share))
        } else {
            String::new()
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
    if table.counts_as_example() {
        ws.merge_range(
            r,
            0,
            r,
            7,
            &format!(
                "ACHTUNG – Beispieltabelle: „{}“ ist keine geprüfte, örtlich gültige Heizspiegel-Tabelle. Vor der Verwendung durch die aktuelle Tabelle ersetzen.",
                table.edition
            ),
            warn,
        )?;
        ws.set_row_height(r, 30)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Heizspiegel-Tabelle", &f.heading)?;
    r += 1;
    let example = if table.counts_as_example() {
        "ja – Beispieltabelle, nicht ungeprüft verwenden"
    } else {
        "nein"
    };
    let unit = format!("{} ({})", table.unit.label(), unit_note(table.unit));
    let year = table.year.to_string();
    let hot_water = hot_water_german(h);
    let mut rows: Vec<(&str, &str)> = vec![
        ("Ausgabe", &table.edition),
        ("Jahr", &year),
        ("Quelle", &table.source),
        ("Spalte (Grenze)", &table.column),
        ("Einheit", &unit),
        ("Warmwasser", &hot_water),
        ("Beispieltabelle", example),
    ];
    if !table.note.trim().is_empty() {
        rows.push(("Anmerkungen", &table.note));
    }
    for (k, v) in rows {
        ws.write_string_with_format(r, 0, k, &f.bold)?;
        ws.merge_range(r, 1, r, 7, v, &f.wrap)?;
        ws.set_row_height(r, style::wrapped_height(v, 110.0))?;
        r += 1;
    }
    Ok(r + 1)
}

/// The absolute address of each boundary value by (Energieträger row, band).
type BoundaryCells = BTreeMap<(usize, usize), String>;

/// Writes the boundary values (a grid, or one row per band when the bands differ); returns
/// the next free row and the absolute address of each (row, band) value.
fn write_boundaries(
    ws: &mut Worksheet,
    ctx: &Ctx,
    mut r: u32,
) -> Result<(u32, BoundaryCells), XlsxError> {
    let table = &ctx.p().heating.table;
    let f = &ctx.fmt;
    let mut at = BTreeMap::new();
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
        style::sub_header_row(ws, ctx, r, &refs)?;
        ws.set_row_height(r, 42)?;
        r += 1;
        for (i, row) in table.rows.iter().enumerate() {
            ws.write_string_with_format(r, 0, &row.energietraeger, &f.bold)?;
            for (j, b) in row.bands.iter().enumerate() {
                ws.write_number_with_format(r, col(1 + j), b.value, &f.eur_m2)?;
                at.insert((i, j), row_col_to_cell_absolute(r, col(1 + j)));
            }
            ws.write_string_with_format(r, col(1 + row.bands.len()), &row.source, &f.text)?;
            r += 1;
        }
    } else {
        style::sub_header_row(
            ws,
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
                at.insert((i, j), row_col_to_cell_absolute(r, 2));
                r += 1;
            }
        }
    }
    Ok((r + 1, at))
}

/// The first cell of every household size (the Prüfgrenzen depend on the size only).
fn cells_by_size(an: &Analysis) -> BTreeMap<u32, &CellResult> {
    let mut out = BTreeMap::new();
    for c in &an.cells {
        out.entry(c.household_size).or_insert(c);
    }
    out
}

/// Writes the area of a household size: the named Wohnfläche in the Prüfmappe where one
/// exists, else the value.
fn write_area(
    ws: &mut Worksheet,
    ctx: &Ctx,
    r: u32,
    c: u16,
    cell: &CellResult,
) -> Result<(), XlsxError> {
    let named = (cell.household_size as usize) <= ctx.p().wohnflaechen.sizes.len()
        && cell.household_size > 0;
    if ctx.pruef() && named {
        style::formula(
            ws,
            ctx,
            r,
            c,
            &layout::area_name(cell.household_size as usize),
            Some(cell.area_m2),
            &ctx.fmt.area,
        )
    } else {
        ws.write_number_with_format(r, c, cell.area_m2, &ctx.fmt.area)?;
        Ok(())
    }
}

/// The matrix of Prüfgrenzen: household size × (Energieträger, band). Returns the next free
/// row and, per household size, the address of each column's Prüfgrenze.
fn write_matrix(
    ws: &mut Worksheet,
    ctx: &Ctx,
    mut r: u32,
    bounds: &BoundaryCells,
) -> Result<(u32, BTreeMap<u32, Vec<String>>), XlsxError> {
    let h = &ctx.p().heating;
    let f = &ctx.fmt;
    r = matrix_header(
        ws,
        ctx,
        r,
        "Prüfgrenzen je Haushaltsgröße, Energieträger und beheizter Gebäudefläche (€ monatlich)",
        ["Haushalt", "Wohnfläche (m²)"],
    )?;
    let mut at = BTreeMap::new();
    for (size, cell) in cells_by_size(ctx.an) {
        ws.write_string_with_format(r, 0, style::persons(size), &f.bold)?;
        write_area(ws, ctx, r, 1, cell)?;
        let area_ref = style::cell_ref(r, 1);
        let mut refs = Vec::new();
        let mut k = 0usize;
        for (i, row) in h.table.rows.iter().enumerate() {
            for j in 0..row.bands.len() {
                let c = col(2 + k);
                k += 1;
                let value = cell
                    .heating_limits
                    .iter()
                    .find(|l| l.band == j && l.energietraeger == row.energietraeger)
                    .map(|l| l.limit);
                match (ctx.pruef(), bounds.get(&(i, j))) {
                    (true, Some(b)) => style::formula(
                        ws,
                        ctx,
                        r,
                        c,
                        &prufgrenze_formula(h, b, &area_ref),
                        value,
                        &f.euro,
                    )?,
                    _ => style::opt_num(ws, ctx, r, c, value, &f.euro)?,
                }
                refs.push(row_col_to_cell_absolute(r, c));
            }
        }
        at.insert(size, refs);
        r += 1;
    }
    Ok((r + 1, at))
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
        "Heizkosten: Prüfgrenzen nach Heizspiegel je Haushaltsgröße",
    )?;
    style::widths(&mut ws, &[24.0, 16.0, 14.0, 14.0, 14.0, 14.0, 16.0, 44.0])?;
    let r = write_head(&mut ws, ctx, &warn)?;
    let (r, bounds) = write_boundaries(&mut ws, ctx, r)?;
    let (mut r, matrix) = write_matrix(&mut ws, ctx, r, &bounds)?;

    // The choice for the Richtwerte sheet.
    ws.write_string_with_format(r, 0, "Gewählt für das Blatt „Richtwerte“", &f.heading)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Energieträger", &f.bold)?;
    ws.write_string_with_format(r, 1, &h.energietraeger, &f.text)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Beheizte Gebäudefläche (m²)", &f.bold)?;
    ws.write_number_with_format(r, 1, h.building_area_m2, &f.area)?;
    r += 1;
    let chosen_row = row_index(table, &h.energietraeger);
    let chosen_band = chosen_row
        .and_then(|i| table.rows.get(i))
        .and_then(|row| band_index(&row.bands, h.building_area_m2));
    let band = chosen_row
        .and_then(|i| table.rows.get(i))
        .zip(chosen_band)
        .and_then(|(row, j)| row.bands.get(j));
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
    let chosen_cell = chosen_row.zip(chosen_band).and_then(|k| bounds.get(&k));
    match (ctx.pruef(), chosen_cell) {
        (true, Some(cell)) => style::formula(&mut ws, ctx, r, 1, cell, boundary, &f.eur_m2)?,
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
                "Die Tabelle enthält für „{}“ und {} m² keinen Grenzwert; im Blatt „Richtwerte“ werden keine Heizkosten-Prüfgrenzen ausgewiesen.",
                h.energietraeger,
                number(h.building_area_m2, 0)
            ),
            &warn,
        )?;
        r += 1;
    }
    r += 1;
    let (r, applied_refs) = write_chosen(&mut ws, ctx, r, boundary, &boundary_ref)?;
    let mut r = if h.gesamtangemessenheitsgrenze {
        write_totals(&mut ws, ctx, r, &matrix, &applied_refs)?
    } else {
        r
    };

    // Footnotes.
    r += 1;
    let mut notes = Vec::new();
    if h.gesamtangemessenheitsgrenze {
        notes.push(
            "Gesamtangemessenheitsgrenze = geltende Grenze (Bruttokaltmiete des Konzepts oder WoGG-Rückfallwert, Blatt „Richtwerte“) + Heizkosten-Prüfgrenze, auf Cent gerundet (§ 22 Abs. 10 SGB II). Kosten bis zu dieser Summe sind angemessen, auch wenn ein Teil allein die eigene Grenze übersteigt; ihre Heizkomponente braucht belastbare Heizspiegeldaten (BSG, 04.06.2014, B 14 AS 53/13 R)."
                .to_string(),
        );
    }
    if ctx.pruef() {
        notes.push(
            "Wohnfläche, Grenze und Prüfgrenzen sind Formeln über dieses Blatt, die benannten Wohnflächen (und den Warmwasseranteil) im Blatt „Parameter“ und die geltende Grenze im Blatt „Richtwerte“; gespeichert ist zusätzlich der vom Programm berechnete Wert."
                .to_string(),
        );
    }
    if !ctx.pruef() && h.gesamtangemessenheitsgrenze {
        notes.push(ctx.suppression_note());
    }
    for n in notes {
        ws.write_string_with_format(r, 0, n, &f.note)?;
        r += 1;
    }
    Ok(ws)
}

/// Per Vergleichsraum × household size: the Prüfgrenze of the chosen Energieträger and band
/// and, when enabled, the Gesamtangemessenheitsgrenze. Returns the next free row and the
/// address of each cell's applied limit on this sheet (`None` where there is no number).
fn write_chosen(
    ws: &mut Worksheet,
    ctx: &Ctx,
    mut r: u32,
    boundary: Option<f64>,
    boundary_ref: &str,
) -> Result<(u32, Vec<Option<String>>), XlsxError> {
    let p = ctx.p();
    let h = &p.heating;
    let f = &ctx.fmt;
    ws.write_string_with_format(
        r,
        0,
        "Heizkosten-Prüfgrenzen des gewählten Energieträgers je Vergleichsraum und Haushaltsgröße",
        &f.heading,
    )?;
    r += 1;
    let total = h.gesamtangemessenheitsgrenze;
    let mut headers = vec![
        "Vergleichsraum",
        "Haushalt",
        "Wohnfläche (m²)",
        "Grenze €/m²",
        "Heizkosten-Prüfgrenze € monatlich",
    ];
    if total {
        headers.extend(["geltende Grenze €", "Gesamtangemessenheitsgrenze €"]);
    }
    headers.push("Hinweise");
    let note_col = col(headers.len() - 1);
    style::header_row(ws, ctx, r, &headers)?;
    ws.set_row_height(r, 42)?;
    r += 1;
    let rw_rows = layout::richtwerte_rows(ctx.an);
    let rw_cols = RichtwerteCols::of(ctx);
    let mut applied_refs = Vec::with_capacity(ctx.an.cells.len());
    for (i, c) in ctx.an.cells.iter().enumerate() {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.bold)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        let area_ref = style::cell_ref(r, 2);
        let bound_ref = style::cell_ref(r, 3);
        let heat_ref = style::cell_ref(r, 4);
        write_area(ws, ctx, r, 2, c)?;
        let b = boundary.filter(|_| c.heating_limit.is_some());
        if ctx.pruef() {
            style::formula(ws, ctx, r, 3, boundary_ref, b, &f.eur_m2)?;
            let text = prufgrenze_formula(h, &bound_ref, &area_ref);
            style::formula(ws, ctx, r, 4, &text, c.heating_limit, &f.euro)?;
        } else {
            style::opt_num(ws, ctx, r, 3, b, &f.eur_m2)?;
            style::opt_num(ws, ctx, r, 4, c.heating_limit, &f.euro)?;
        }
        let mut notes = Vec::new();
        if c.heating_limit.is_none() {
            notes.push(
                "keine Prüfgrenze (Energieträger oder Gebäudefläche nicht in der Tabelle)"
                    .to_string(),
            );
        }
        let mut applied_ref = None;
        if total {
            let suppressed = c.valid && (ctx.suppressed(c.n) || ctx.bk_suppressed(&c.bk));
            let applied = c.applied_limit.filter(|_| !suppressed);
            let link = layout::applied_ref(ctx, &rw_cols, &rw_rows, i);
            match (ctx.pruef(), link) {
                (true, Some(target)) => {
                    style::formula(ws, ctx, r, 5, &target, applied, &f.euro)?;
                }
                _ => style::opt_num(ws, ctx, r, 5, applied, &f.euro)?,
            }
            if applied.is_some() {
                applied_ref = Some(row_col_to_cell_absolute(r, 5));
            }
            let sum = c.total_limit.filter(|_| applied.is_some());
            if ctx.pruef() && c.heating_limit.is_some() {
                let gross_ref = style::cell_ref(r, 5);
                style::formula(
                    ws,
                    ctx,
                    r,
                    6,
                    &format!("ROUND({gross_ref}+{heat_ref},2)"),
                    sum,
                    &f.euro_bold,
                )?;
            } else {
                style::opt_num(ws, ctx, r, 6, sum, &f.euro_bold)?;
            }
            if suppressed {
                notes.push(format!(
                    "Bruttokaltmiete nicht ausgewiesen (n < {})",
                    p.min_n
                ));
            } else if !c.valid {
                notes.push(if c.applied_limit.is_some() {
                    "geltende Grenze: WoGG-Rückfallwert".to_string()
                } else {
                    format!("geltende Grenze {}", c.applied_german())
                });
            }
        }
        applied_refs.push(applied_ref);
        ws.write_string_with_format(r, note_col, notes.join("; "), &f.text)?;
        r += 1;
    }
    Ok((r + 1, applied_refs))
}

/// The Gesamtangemessenheitsgrenze of every Energieträger and band per Vergleichsraum ×
/// household size: the applied limit (linked from the table above) + the Prüfgrenze of the
/// matrix. Returns the next free row.
fn write_totals(
    ws: &mut Worksheet,
    ctx: &Ctx,
    mut r: u32,
    matrix: &BTreeMap<u32, Vec<String>>,
    applied_refs: &[Option<String>],
) -> Result<u32, XlsxError> {
    let f = &ctx.fmt;
    r = matrix_header(
        ws,
        ctx,
        r,
        "Gesamtangemessenheitsgrenzen je Energieträger und beheizter Gebäudefläche (€ monatlich)",
        ["Vergleichsraum", "Haushalt"],
    )?;
    for (i, c) in ctx.an.cells.iter().enumerate() {
        ws.write_string_with_format(r, 0, &c.vergleichsraum, &f.bold)?;
        ws.write_string_with_format(r, 1, style::persons(c.household_size), &f.text)?;
        let applied = applied_refs.get(i).and_then(Option::as_ref);
        let heat = matrix.get(&c.household_size);
        for (k, l) in c.heating_limits.iter().enumerate() {
            let value = l.total_limit.filter(|_| applied.is_some());
            let cc = col(2 + k);
            match (ctx.pruef(), applied, heat.and_then(|m| m.get(k))) {
                (true, Some(a), Some(hr)) => style::formula(
                    ws,
                    ctx,
                    r,
                    cc,
                    &format!("ROUND({a}+{hr},2)"),
                    value,
                    &f.euro,
                )?,
                _ => style::opt_num(ws, ctx, r, cc, value, &f.euro)?,
            }
        }
        r += 1;
    }
    Ok(r)
}

/// A short sentence for the BSG-Prüfkatalog (K8), when heating limits are computed.
pub fn katalog_sentence(ctx: &Ctx) -> Option<String> {
    let h = &ctx.p().heating;
    if !h.enabled {
        return None;
    }
    Some(format!(
        " Heizkosten werden getrennt geprüft: Prüfgrenze (Indiz, keine Kappungsgrenze) = Grenze „{}“ der Tabelle „{}“{} × angemessene Wohnfläche{} je Energieträger und Gebäudefläche{}; jährliche Überprüfung nach § 22c Abs. 2 SGB II (Blatt „{HEIZKOSTEN}“).",
        h.table.column,
        h.table.edition,
        if h.table.counts_as_example() {
            " (Beispieltabelle, vor Verwendung ersetzen)"
        } else {
            ""
        },
        if h.hot_water_decentral {
            format!(
                ", abzüglich {} Warmwasseranteil",
                percent(h.hot_water_share)
            )
        } else {
            String::new()
        },
        if h.gesamtangemessenheitsgrenze {
            "; zusätzlich Gesamtangemessenheitsgrenze aus geltender Grenze und Heizkosten (§ 22 Abs. 10 SGB II)"
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
        "Heizkosten: Die Angemessenheit der Heizkosten wird getrennt von der Bruttokaltmiete geprüft (BSG, 02.07.2009, B 14 AS 36/08 R). Prüfgrenze ist die Grenze „{}“ der Tabelle „{}“ ({}) je Energieträger und beheizter Gebäudefläche, multipliziert mit der angemessenen Wohnfläche{}{}. Sie ist ein Indiz für unangemessenes Heizen, keine Kappungsgrenze: Bis zu örtlichen Daten ist der bundesweite Heizspiegel als Prüfgrenze heranzuziehen, und auch für die Heizkosten bedarf es einer Kostensenkungsaufforderung (BSG, 19.05.2021, B 14 AS 57/19 R). Das Blatt „{HEIZKOSTEN}“ enthält die Prüfgrenzen aller Energieträger und Gebäudeflächen; im Blatt „{RICHTWERTE}“ steht die für {} bei {} m² beheizter Gebäudefläche{}.{example} Die Werte für die Heizung sind mindestens jährlich zu überprüfen (§ 22c Abs. 2 SGB II).",
        t.column,
        t.edition,
        t.year,
        match t.unit {
            PeriodUnit::PerMonth => "",
            PeriodUnit::PerYear => " und durch 12 geteilt",
        },
        if h.hot_water_decentral {
            format!(
                ", abzüglich eines Warmwasseranteils von {}, weil das Warmwasser dezentral erzeugt wird und die Heizspiegelwerte es enthalten (die Kosten der dezentralen Warmwassererzeugung werden als Mehrbedarf nach § 21 Abs. 7 SGB II anerkannt; die Höhe des Anteils ist eine Wahl des Trägers)",
                percent(h.hot_water_share)
            )
        } else {
            String::new()
        },
        h.energietraeger,
        number(h.building_area_m2, 0),
        boundary.map_or_else(
            || " (kein Tabellenwert)".to_string(),
            |b| format!(" ({} {})", number(b, 2), t.unit.label())
        ),
    )];
    if t.counts_as_example() {
        par.push(format!(
            "Achtung: „{}“ ist eine Beispieltabelle; sie ist vor der Verwendung durch die örtlich gültige Heizspiegel-Ausgabe zu ersetzen.",
            t.edition
        ));
    }
    if h.gesamtangemessenheitsgrenze {
        par.push(
            "Zusätzlich wird eine Gesamtangemessenheitsgrenze für Unterkunft und Heizung gebildet: geltende Grenze (Bruttokaltmiete oder WoGG-Rückfallwert) plus Heizkosten-Prüfgrenze (§ 22 Abs. 10 SGB II), für den gewählten und für jeden Energieträger und jede Gebäudefläche.".to_string(),
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
