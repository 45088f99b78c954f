//! The BK-Werte sheet (Prüfmappe): plausible kalte Betriebskosten per m².

use crate::export::Ctx;
use crate::export::layout::BK_WERTE;
use crate::export::layout::DATA_ROW;
use crate::export::style::{self, col, row};
use crate::model::params::BkLevel;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The `BK-Werte` sheet.
///
/// The column order is the one [`layout`] assigns: Vergleichsräume first, then cells.
/// One BK column to write.
struct BkGroup<'a> {
    head1: String,
    head2: &'static str,
    values: &'a [f64],
}

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
