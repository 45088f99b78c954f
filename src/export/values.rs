//! Prüfmappe value sheets: `Werte` (NKM/m² per cell) and `BK-Werte` (kalte BK/m²).
//!
//! Layout of `Werte`: two columns per cell (pseudonym, value), cells in the order of
//! `Analysis::cells`. Each column holds **all** values of the cell before the outlier rule,
//! sorted ascending; the outliers are the greyed rows at the top and bottom of the column,
//! so the values used form one contiguous block. Formulas reference that block for the
//! Referenzmiete and the whole column for the outlier bounds.
//!
//! Layout of `BK-Werte`: one column per group, sorted plausible BK/m² values: per
//! Vergleichsraum (all, or without/with lift when the lift split is on) and, when BK are
//! aggregated per cell, additionally per cell.

use super::Ctx;
use super::style::{self, col, row};
use crate::model::params::BkLevel;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Name of the NKM value sheet.
pub const WERTE: &str = "Werte";
/// Name of the BK value sheet.
pub const BK_WERTE: &str = "BK-Werte";
/// First data row (0-based) on both value sheets.
pub const DATA_ROW: u32 = 5;

/// Where one cell's values are.
#[derive(Debug, Clone)]
pub struct CellValues {
    /// Column of the values (0-based); the pseudonyms are in the column before.
    pub col: u16,
    /// Number of values in the cell (before outliers).
    pub n_all: usize,
    /// Index range of the values used (after outliers).
    pub kept: (usize, usize),
}

impl CellValues {
    /// Range of all values of the cell, `None` when empty.
    pub fn all_range(&self) -> Option<String> {
        (self.n_all > 0)
            .then(|| style::sheet_range(WERTE, DATA_ROW, self.col, DATA_ROW + row(self.n_all) - 1))
    }

    /// Range of the values used, `None` when empty.
    pub fn kept_range(&self) -> Option<String> {
        (self.kept.1 > self.kept.0).then(|| {
            style::sheet_range(
                WERTE,
                DATA_ROW + row(self.kept.0),
                self.col,
                DATA_ROW + row(self.kept.1) - 1,
            )
        })
    }

    /// Number of values used.
    pub fn n_kept(&self) -> usize {
        self.kept.1.saturating_sub(self.kept.0)
    }
}

/// A BK value column.
#[derive(Debug, Clone)]
pub struct BkColumn {
    /// Sheet range, `None` when there are no values.
    pub range: Option<String>,
    /// Number of values.
    pub n: usize,
}

/// BK columns of one Vergleichsraum or cell.
#[derive(Debug, Clone, Default)]
pub struct BkRanges {
    /// All plausible values (when not split).
    pub all: Option<BkColumn>,
    /// Without lift (when split).
    pub without: Option<BkColumn>,
    /// With lift (when split).
    pub with: Option<BkColumn>,
}

/// Layout of both value sheets.
#[derive(Debug, Clone, Default)]
pub struct ValueLayout {
    /// Per analysis cell.
    pub cells: Vec<CellValues>,
    /// Per Vergleichsraum.
    pub bk_vr: Vec<BkRanges>,
    /// Per analysis cell (only when BK are aggregated per cell).
    pub bk_cell: Vec<BkRanges>,
}

/// One BK column to write.
struct BkGroup<'a> {
    head1: String,
    head2: &'static str,
    values: &'a [f64],
}

/// Computes where everything goes.
pub fn layout(ctx: &Ctx) -> ValueLayout {
    let mut out = ValueLayout::default();
    for (i, c) in ctx.an.cells.iter().enumerate() {
        let n_all = ctx
            .prep
            .cell(c.vr, c.household_size as usize - 1)
            .map_or(0, |pc| pc.values.len());
        out.cells.push(CellValues {
            col: col(2 * i + 1),
            n_all,
            kept: c.outliers.kept,
        });
    }
    let mut next_col = 0usize;
    let mut column = |values: &[f64]| {
        let c = col(next_col);
        next_col += 1;
        BkColumn {
            range: (!values.is_empty()).then(|| {
                style::sheet_range(BK_WERTE, DATA_ROW, c, DATA_ROW + row(values.len()) - 1)
            }),
            n: values.len(),
        }
    };
    let split = ctx.p().operating_costs.lift_split;
    for b in &ctx.prep.bk_vr {
        out.bk_vr.push(if split {
            BkRanges {
                without: Some(column(&b.without_lift)),
                with: Some(column(&b.with_lift)),
                ..BkRanges::default()
            }
        } else {
            BkRanges {
                all: Some(column(&b.all)),
                ..BkRanges::default()
            }
        });
    }
    if ctx.p().operating_costs.level == BkLevel::Cell {
        for c in &ctx.an.cells {
            let Some(pc) = ctx.prep.cell(c.vr, c.household_size as usize - 1) else {
                out.bk_cell.push(BkRanges::default());
                continue;
            };
            let b = &pc.bk;
            out.bk_cell.push(if split {
                BkRanges {
                    without: Some(column(&b.without_lift)),
                    with: Some(column(&b.with_lift)),
                    ..BkRanges::default()
                }
            } else {
                BkRanges {
                    all: Some(column(&b.all)),
                    ..BkRanges::default()
                }
            });
        }
    }
    out
}

/// The pseudonym of a source row: the first 12 hex digits of SHA-256 over salt, source and
/// row; or, with `include_ids`, "Q<source>-Z<row>".
pub fn row_id(ctx: &Ctx, source: u16, line: u32) -> String {
    if ctx.opts.include_ids {
        format!("Q{}-Z{line}", u32::from(source) + 1)
    } else {
        let salt = &ctx.lp.project.project.salt;
        let h = crate::io_util::sha256_hex(format!("{salt}\u{1f}{source}\u{1f}{line}").as_bytes());
        format!("P-{}", &h[..12.min(h.len())])
    }
}

/// The `Werte` sheet.
pub fn werte(ctx: &Ctx, layout: &ValueLayout) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        WERTE,
        "Werte: Nettokaltmiete je m² je Tabellenfeld (aufsteigend sortiert)",
    )?;
    let id_note = if ctx.opts.include_ids {
        "Kennung = Quelle und Zeile der Quelldatei (Q<Nr>-Z<Zeile>)."
    } else {
        "Kennung = Pseudonym (SHA-256 aus projektspezifischem Salz, Quelle und Zeile); keine Namen oder Anschriften."
    };
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Je Tabellenfeld alle Werte vor der Extremwertkappung. Grau = als Extremwert entfernt (oben und unten); die schwarzen Werte dazwischen gehen in die Referenzmiete ein. {id_note}"
        ),
        &ctx.fmt.note,
    )?;
    for (i, (c, cv)) in ctx.an.cells.iter().zip(&layout.cells).enumerate() {
        let id_col = col(2 * i);
        ws.write_string_with_format(2, id_col, &c.vergleichsraum, &ctx.fmt.bold)?;
        ws.write_string_with_format(
            3,
            id_col,
            format!(
                "{} · n = {}, verwendet {}",
                style::persons(c.household_size),
                cv.n_all,
                cv.n_kept()
            ),
            &ctx.fmt.text,
        )?;
        ws.write_string_with_format(4, id_col, "Kennung", &ctx.fmt.header)?;
        ws.write_string_with_format(4, cv.col, "NKM €/m²", &ctx.fmt.header)?;
        ws.set_column_width(id_col, 16)?;
        ws.set_column_width(cv.col, 11)?;
        let Some(pc) = ctx.prep.cell(c.vr, c.household_size as usize - 1) else {
            continue;
        };
        for (k, (&v, &rec)) in pc.values.iter().zip(&pc.records).enumerate() {
            let r = DATA_ROW + row(k);
            if let Some(record) = ctx.lp.data.records.get(rec as usize) {
                ws.write_string_with_format(
                    r,
                    id_col,
                    row_id(ctx, record.source, record.row),
                    &ctx.fmt.text,
                )?;
            }
            let f = if k >= cv.kept.0 && k < cv.kept.1 {
                &ctx.fmt.value
            } else {
                &ctx.fmt.muted
            };
            ws.write_number_with_format(r, cv.col, v, f)?;
        }
    }
    ws.set_freeze_panes(DATA_ROW, 0)?;
    ws.set_repeat_rows(2, 4)?;
    Ok(ws)
}

/// The `BK-Werte` sheet.
///
/// The column order is the one [`layout`] assigns: Vergleichsräume first, then cells.
pub fn bk_werte(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        BK_WERTE,
        "BK-Werte: plausible kalte Betriebskosten je m² (aufsteigend sortiert)",
    )?;
    let pl = &ctx.p().plausibility;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Nur Werte zwischen {} und {} €/m² (Plausibilitätsgrenzen). Spalten je Vergleichsraum{}.",
            crate::fmt::number(pl.bk_per_m2_min, 2),
            crate::fmt::number(pl.bk_per_m2_max, 2),
            if ctx.p().operating_costs.level == BkLevel::Cell {
                ", danach je Tabellenfeld"
            } else {
                ""
            }
        ),
        &ctx.fmt.note,
    )?;
    let split = ctx.p().operating_costs.lift_split;
    let mut groups: Vec<BkGroup> = Vec::new();
    for (vr, b) in ctx.prep.bk_vr.iter().enumerate() {
        let name = ctx.prep.vr_names.get(vr).cloned().unwrap_or_default();
        if split {
            groups.push(BkGroup {
                head1: name.clone(),
                head2: "ohne Aufzug",
                values: &b.without_lift,
            });
            groups.push(BkGroup {
                head1: name,
                head2: "mit Aufzug",
                values: &b.with_lift,
            });
        } else {
            groups.push(BkGroup {
                head1: name,
                head2: "alle",
                values: &b.all,
            });
        }
    }
    if ctx.p().operating_costs.level == BkLevel::Cell {
        for c in &ctx.an.cells {
            let Some(pc) = ctx.prep.cell(c.vr, c.household_size as usize - 1) else {
                continue;
            };
            let head1 = format!(
                "{} · {}",
                c.vergleichsraum,
                style::persons(c.household_size)
            );
            if split {
                groups.push(BkGroup {
                    head1: head1.clone(),
                    head2: "ohne Aufzug",
                    values: &pc.bk.without_lift,
                });
                groups.push(BkGroup {
                    head1,
                    head2: "mit Aufzug",
                    values: &pc.bk.with_lift,
                });
            } else {
                groups.push(BkGroup {
                    head1,
                    head2: "alle",
                    values: &pc.bk.all,
                });
            }
        }
    }
    for (g, group) in groups.iter().enumerate() {
        let c = col(g);
        ws.write_string_with_format(2, c, &group.head1, &ctx.fmt.bold)?;
        ws.write_string_with_format(
            3,
            c,
            format!("{} · n = {}", group.head2, group.values.len()),
            &ctx.fmt.text,
        )?;
        ws.write_string_with_format(4, c, "BK €/m²", &ctx.fmt.header)?;
        ws.set_column_width(c, 18)?;
        for (k, &v) in group.values.iter().enumerate() {
            ws.write_number_with_format(DATA_ROW + row(k), c, v, &ctx.fmt.value)?;
        }
    }
    ws.set_freeze_panes(DATA_ROW, 0)?;
    ws.set_repeat_rows(2, 4)?;
    Ok(ws)
}
