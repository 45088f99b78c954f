//! One module per worksheet, named like the sheet. Each owns its sheet and, where it has
//! them, its Prüfkatalog sentence (`katalog_sentence`) and its Methodentext paragraphs
//! (`method_paragraphs`). Names, addresses and formulas shared between sheets live in
//! [`super::layout`], formats and cell helpers in [`super::style`].

pub mod bereinigung;
pub mod betriebskosten;
pub mod bk_werte;
pub mod clusteranalyse;
pub mod datengrundlage;
pub mod deckblatt;
pub mod extremwerte;
pub mod fortschreibung;
pub mod heizkosten;
pub mod histogramme;
pub mod methodentext;
pub mod parameter;
pub mod protokoll;
pub mod pruefkatalog;
pub mod richtwerte;
pub mod richtwerttabelle;
pub mod verfuegbarkeit;
pub mod vergleichsraeume;
pub mod verteilungen;
pub mod werte;
pub mod wirkung;
pub mod wogg;

use super::layout::CellValues;
use crate::analysis::CellResult;
use crate::export::Ctx;
use crate::export::style;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// Writes every sheet of the workbook in order.
pub fn push_all(ctx: &Ctx, wb: &mut Workbook) -> Result<(), XlsxError> {
    wb.push_worksheet(deckblatt::deckblatt(ctx)?);
    wb.push_worksheet(richtwerte::richtwerte(ctx)?);
    if richtwerttabelle::wanted(ctx) {
        wb.push_worksheet(richtwerttabelle::richtwerttabelle(ctx)?);
    }
    wb.push_worksheet(pruefkatalog::pruefkatalog(ctx)?);
    wb.push_worksheet(parameter::parameter(ctx)?);
    wb.push_worksheet(vergleichsraeume::vergleichsraeume(ctx)?);
    if clusteranalyse::wanted(ctx) {
        wb.push_worksheet(clusteranalyse::clusteranalyse(ctx)?);
    }
    wb.push_worksheet(datengrundlage::datengrundlage(ctx)?);
    wb.push_worksheet(bereinigung::bereinigung(ctx)?);
    wb.push_worksheet(extremwerte::extremwerte(ctx)?);
    wb.push_worksheet(verteilungen::verteilungen(ctx)?);
    wb.push_worksheet(histogramme::histogramme(ctx)?);
    wb.push_worksheet(betriebskosten::betriebskosten(ctx)?);
    if heizkosten::wanted(ctx) {
        wb.push_worksheet(heizkosten::heizkosten(ctx)?);
    }
    wb.push_worksheet(verfuegbarkeit::verfuegbarkeit(ctx)?);
    wb.push_worksheet(wogg::wogg_vergleich(ctx)?);
    if wirkung::wanted(ctx) {
        wb.push_worksheet(wirkung::wirkung(ctx)?);
    }
    if fortschreibung::wanted(ctx) {
        wb.push_worksheet(fortschreibung::fortschreibung(ctx)?);
    }
    wb.push_worksheet(methodentext::methodentext(ctx)?);
    wb.push_worksheet(protokoll::protokoll(ctx)?);
    if let Some(layout) = &ctx.values {
        wb.push_worksheet(werte::werte(ctx, layout)?);
        wb.push_worksheet(bk_werte::bk_werte(ctx)?);
    }
    Ok(())
}

/// Where the values of analysis cell `i` are on the Werte sheet (Prüfmappe only).
fn cell_values<'a>(ctx: &'a Ctx, i: usize) -> Option<&'a CellValues> {
    ctx.values.as_ref().and_then(|l| l.cells.get(i))
}

/// The sorted NKM/m² values of the cell before the outlier rule.
fn prepared_values<'a>(ctx: &'a Ctx, c: &CellResult) -> &'a [f64] {
    ctx.prep
        .cell(c.vr, c.household_size as usize - 1)
        .map_or(&[][..], |pc| pc.values.as_slice())
}

/// Vergleichsraum, household size and size class in the first three columns.
fn write_cell_head(ws: &mut Worksheet, ctx: &Ctx, r: u32, c: &CellResult) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 0, &c.vergleichsraum, &ctx.fmt.text)?;
    ws.write_string_with_format(r, 1, style::persons(c.household_size), &ctx.fmt.text)?;
    ws.write_string_with_format(
        r,
        2,
        style::class_text(c.class_lower, c.class_upper),
        &ctx.fmt.text,
    )?;
    Ok(())
}
