//! Where everything is in the workbook, built once: the sheet names, the defined names of the
//! parameter cells, the cell addresses other sheets link to (Richtwerte rows and columns, the
//! value sheets) and the Excel text of every derived number (effective p, Referenzmiete, BK
//! statistic, Bruttokaltmiete). A sheet writer asks this module instead of spelling a name,
//! an address or a formula itself.

use super::Ctx;
use super::style::{self, col, row};
use crate::analysis::Analysis;
use crate::analysis::quantile::excel_formula;
use crate::model::catalogue::{self, names};
use crate::model::params::{
    BkLevel, BkStatistic, OperatingCostParams, Parameters, ReferenceMethod, ReferenceParams,
    RoundingMode,
};
use rust_xlsxwriter::{Workbook, XlsxError};

// ---------------------------------------------------------------------------------------------
// Sheet names (used in links and formulas), in workbook order.

/// Sheet name.
pub const DECKBLATT: &str = "Deckblatt";
/// Sheet name.
pub const RICHTWERTE: &str = "Richtwerte";
/// Sheet name (optional, `richtwerte.published_table`).
pub const RICHTWERTTABELLE: &str = "Richtwerttabelle";
/// Sheet name.
pub const PRUEFKATALOG: &str = "BSG-Prüfkatalog";
/// Sheet name.
pub const PARAMETER: &str = "Parameter";
/// Sheet name.
pub const VERGLEICHSRAEUME: &str = "Vergleichsräume";
/// Sheet name (only with a cluster run).
pub const CLUSTERANALYSE: &str = "Clusteranalyse";
/// Sheet name.
pub const DATENGRUNDLAGE: &str = "Datengrundlage";
/// Sheet name.
pub const BEREINIGUNG: &str = "Bereinigung";
/// Sheet name.
pub const EXTREMWERTE: &str = "Extremwerte";
/// Sheet name.
pub const VERTEILUNGEN: &str = "Verteilungen";
/// Sheet name.
pub const HISTOGRAMME: &str = "Histogramme";
/// Sheet name.
pub const BETRIEBSKOSTEN: &str = "Betriebskosten";
/// Sheet name.
pub const HEIZKOSTEN: &str = "Heizkosten";
/// Sheet name.
pub const VERFUEGBARKEIT: &str = "Verfügbarkeit";
/// Sheet name.
pub const WOGG_VERGLEICH: &str = "WoGG-Vergleich";
/// Sheet name.
pub const WIRKUNG: &str = "Wirkung";
/// Sheet name.
pub const FORTSCHREIBUNG: &str = "Fortschreibung";
/// Sheet name.
pub const METHODENTEXT: &str = "Methodentext";
/// Sheet name.
pub const PROTOKOLL: &str = "Protokoll";
/// Name of the NKM value sheet (Prüfmappe).
pub const WERTE: &str = "Werte";
/// Name of the BK value sheet (Prüfmappe).
pub const BK_WERTE: &str = "BK-Werte";

// ---------------------------------------------------------------------------------------------
// Defined names of the parameter cells.

/// First parameter row (0-based) on the Parameter sheet.
pub const PARAM_FIRST_ROW: u32 = 3;
/// Column of the parameter values.
pub const PARAM_VALUE_COL: u16 = 2;

/// Name of the percentile p of the Referenzmiete.
pub const N_PERCENTILE: &str = names::PERCENTILE;
/// Name of the width of the central range (Spannenoberwert).
pub const N_SPANNE: &str = names::SPANNE;
/// Name of the effective percentile of the Referenzmiete (derived row).
pub const N_P_REFERENCE: &str = "KdU_p_Referenz";
/// Name of k of the rule mean ± k·SD.
pub const N_OUTLIER_K: &str = names::OUTLIER_K;
/// Name of k of the IQR rule.
pub const N_IQR_K: &str = names::IQR_K;
/// Name of the absolute lower outlier bound.
pub const N_BOUND_MIN: &str = names::BOUND_MIN;
/// Name of the absolute upper outlier bound.
pub const N_BOUND_MAX: &str = names::BOUND_MAX;
/// Name of the BK percentile.
pub const N_BK_PERCENTILE: &str = names::BK_PERCENTILE;
/// Name of the effective percentile of the BK statistic (derived row).
pub const N_P_BK: &str = "KdU_p_BK";
/// Name of the area per further person.
pub const N_AREA_FURTHER: &str = names::AREA_FURTHER;
/// Name of the external BK €/m² of the project.
pub const N_BK_EXTERNAL: &str = names::BK_EXTERNAL;
/// Name of the external BK €/m² with Aufzug of the project.
pub const N_BK_EXTERNAL_LIFT: &str = names::BK_EXTERNAL_LIFT;
/// Name of the Karenzzeit factor.
pub const N_KARENZZEIT_FACTOR: &str = names::KARENZZEIT_FACTOR;

/// Key prefix of the per-Vergleichsraum BK entries on the Parameter sheet.
const BK_VR_KEY: &str = "operating_costs.vergleichsraeume[";

/// Name of the external BK €/m² of entry `number` (1-based) of `operating_costs.vergleichsraeume`.
fn bk_vr_name(number: usize, lift: bool) -> String {
    if lift {
        format!("{N_BK_EXTERNAL_LIFT}_VR{number}")
    } else {
        format!("{N_BK_EXTERNAL}_VR{number}")
    }
}

/// Name of the angemessene Wohnfläche of household size `persons` (1-based).
pub fn area_name(persons: usize) -> String {
    format!("KdU_Wfl_{persons}P")
}

/// The Excel name of a parameter key's value cell (`index`: position in a number list).
pub fn excel_name(key: &str, index: Option<usize>) -> Option<String> {
    if let Some(i) = index {
        return (key == "wohnflaechen.sizes").then(|| area_name(i + 1));
    }
    if let Some(rest) = key.strip_prefix(BK_VR_KEY) {
        let (number, field) = rest.split_once("].")?;
        let number: usize = number.parse().ok()?;
        return match field {
            "per_m2" => Some(bk_vr_name(number, false)),
            "per_m2_lift" => Some(bk_vr_name(number, true)),
            _ => None,
        };
    }
    let name = match key {
        "reference.effective_p" => N_P_REFERENCE,
        "operating_costs.effective_p" => N_P_BK,
        _ => catalogue::find(key)?.excel_name?,
    };
    Some(name.to_string())
}

/// Defines the workbook names of the parameter cells.
pub fn define_names(ctx: &Ctx, wb: &mut Workbook) -> Result<(), XlsxError> {
    for (i, r) in ctx.params.rows.iter().enumerate() {
        if let Some(name) = &r.name {
            let cell = rust_xlsxwriter::utility::row_col_to_cell_absolute(
                PARAM_FIRST_ROW + row(i),
                PARAM_VALUE_COL,
            );
            wb.define_name(name, &format!("={PARAMETER}!{cell}"))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Excel text of the derived numbers.

/// The effective percentile of the Referenzmiete as the Parameter sheet writes it: (Excel
/// text, value). The value is [`ReferenceParams::effective_p`], the one rule; the text is the
/// same rule over the named cells (`=` marks a formula, else a constant). `None` for the mean
/// and for the iterative procedure (whose p differs per cell, see [`reference_p`]).
pub fn effective_p(r: &ReferenceParams) -> Option<(String, f64)> {
    let value = r.effective_p()?;
    let text = match r.method {
        ReferenceMethod::Percentile => format!("={N_PERCENTILE}"),
        ReferenceMethod::Median => "0.5".to_string(),
        ReferenceMethod::Spannenoberwert => format!("=1-(1-{N_SPANNE})/2"),
        ReferenceMethod::Mean | ReferenceMethod::Iterative => return None,
    };
    Some((text, value))
}

/// The effective percentile of the BK statistic: (Excel text, value) as for [`effective_p`];
/// `None` for the mean.
pub fn bk_effective_p(oc: &OperatingCostParams) -> Option<(String, f64)> {
    match oc.statistic {
        BkStatistic::Median => Some(("0.5".to_string(), 0.5)),
        BkStatistic::Percentile => Some((format!("={N_BK_PERCENTILE}"), oc.percentile)),
        BkStatistic::Mean => None,
    }
}

/// The p a cell's Referenzmiete uses, as Excel text: the iterative procedure ends at its own
/// p per cell (`cell_p`, a constant), every other method uses the named effective p.
pub fn reference_p(p: &Parameters, cell_p: Option<f64>) -> String {
    match (p.reference.method, cell_p) {
        (ReferenceMethod::Iterative, Some(pc)) => format!("{pc}"),
        _ => N_P_REFERENCE.to_string(),
    }
}

/// The unrounded Referenzmiete €/m² over the `n` values in `range` (the values used after the
/// outlier rule): mean or the quantile at [`reference_p`].
pub fn reference_raw(p: &Parameters, range: &str, n: usize, cell_p: Option<f64>) -> String {
    match p.reference.method {
        ReferenceMethod::Mean => format!("AVERAGE({range})"),
        _ => excel_formula(p.quantile_type, range, n, &reference_p(p, cell_p)),
    }
}

/// `inner` rounded to cents when €/m² values are rounded before multiplying with the area.
pub fn round_per_m2(p: &Parameters, inner: String) -> String {
    if p.reference.round_per_m2 {
        format!("ROUND({inner},2)")
    } else {
        inner
    }
}

/// The Referenzmiete €/m² as used (rounded as configured) over `range`.
pub fn reference(p: &Parameters, range: &str, n: usize, cell_p: Option<f64>) -> String {
    round_per_m2(p, reference_raw(p, range, n, cell_p))
}

/// The BK €/m² statistic over a BK column of `n` values, rounded as configured.
pub fn bk_statistic(p: &Parameters, range: &str, n: usize) -> String {
    let inner = match p.operating_costs.statistic {
        BkStatistic::Mean => format!("AVERAGE({range})"),
        BkStatistic::Median | BkStatistic::Percentile => {
            excel_formula(p.quantile_type, range, n, N_P_BK)
        }
    };
    round_per_m2(p, inner)
}

/// The external BK €/m² of a Vergleichsraum as Excel text: the named parameter cell (its own
/// entry in `operating_costs.vergleichsraeume`, else the project's value), rounded as
/// configured. Only valid where that cell holds a number.
pub fn bk_external(p: &Parameters, vergleichsraum: &str, lift: bool) -> String {
    let own = p
        .operating_costs
        .vergleichsraeume
        .iter()
        .position(|v| v.vergleichsraum == vergleichsraum);
    let name = match (own, lift) {
        (Some(i), _) => bk_vr_name(i + 1, lift),
        (None, false) => N_BK_EXTERNAL.to_string(),
        (None, true) => N_BK_EXTERNAL_LIFT.to_string(),
    };
    round_per_m2(p, name)
}

/// A money amount rounded by `mode` (the Excel text of [`crate::analysis::limits::round_limit`]).
pub fn round_limit(inner: &str, mode: RoundingMode) -> String {
    match mode {
        RoundingMode::Cents => format!("ROUND({inner},2)"),
        RoundingMode::EuroUp => format!("ROUNDUP(ROUND({inner},2),0)"),
        RoundingMode::EuroCommercial => format!("ROUND(ROUND({inner},2),0)"),
    }
}

/// The Bruttokaltmiete from the NKM € and BK € cells, rounded by `mode`.
pub fn gross_cold(nkm: &str, bk: &str, mode: RoundingMode) -> String {
    round_limit(&format!("{nkm}+{bk}"), mode)
}

// ---------------------------------------------------------------------------------------------
// Richtwerte: rows and columns other sheets link to.

/// Header row (0-based) of the Richtwerte sheet; the first cell row follows it.
pub const RICHTWERTE_HEADER: u32 = 3;

/// Column positions of the Richtwerte sheet, depending on the lift split and the heating
/// columns.
pub struct RichtwerteCols {
    /// m².
    pub area: u16,
    /// NKM €/m².
    pub nkm_m2: u16,
    /// NKM €.
    pub nkm: u16,
    /// BK €/m².
    pub bk_m2: u16,
    /// BK €.
    pub bk: u16,
    /// Bruttokaltmiete (without lift when split).
    pub bkm: u16,
    /// With lift: BK €/m², BK €, Bruttokaltmiete.
    pub lift: Option<(u16, u16, u16)>,
    /// Heating limit.
    pub heating: Option<u16>,
    /// Gesamtangemessenheitsgrenze.
    pub total: Option<u16>,
    /// The limit that applies (fallback).
    pub applied: Option<u16>,
    /// Karenzzeit limit (factor × the applied limit).
    pub karenzzeit: Option<u16>,
    /// n.
    pub n: u16,
    /// Notes.
    pub note: u16,
}

impl RichtwerteCols {
    /// The columns of `ctx`'s Richtwerte sheet: the lift split from the parameters, the
    /// heating, Gesamtgrenze, applied and Karenzzeit columns where some cell has a value.
    pub fn of(ctx: &Ctx) -> RichtwerteCols {
        let cells = &ctx.an.cells;
        let mut cols = RichtwerteCols::new(
            ctx.p().operating_costs.lift_split,
            cells.iter().any(|c| c.heating_limit.is_some()),
            cells.iter().any(|c| c.total_limit.is_some()),
            cells.iter().any(|c| !c.valid),
        );
        if ctx.p().karenzzeit.factor.is_some() {
            cols.karenzzeit = Some(cols.n);
            cols.n += 1;
            cols.note += 1;
        }
        cols
    }

    /// The columns for the options switched on.
    pub fn new(split: bool, heating: bool, total: bool, applied: bool) -> RichtwerteCols {
        let mut next = 8u16;
        let mut take = |on: bool, width: u16| {
            on.then(|| {
                let c = next;
                next += width;
                c
            })
        };
        let lift = take(split, 3).map(|c| (c, c + 1, c + 2));
        let heating = take(heating, 1);
        let total = take(total, 1);
        let applied = take(applied, 1);
        RichtwerteCols {
            area: 2,
            nkm_m2: 3,
            nkm: 4,
            bk_m2: 5,
            bk: 6,
            bkm: RICHTWERTE_BKM_COL,
            lift,
            heating,
            total,
            applied,
            karenzzeit: None,
            n: next,
            note: next + 1,
        }
    }
}

/// Column of the Bruttokaltmiete (without lift) in Richtwerte; it does not depend on the
/// options (the Heizkosten sheet links to it).
pub const RICHTWERTE_BKM_COL: u16 = 7;

/// The Richtwerte cell that holds the applied limit of analysis cell `i` (a sheet-qualified
/// reference): the Bruttokaltmiete of a valid cell, the applied-limit column of a cell on the
/// WoGG fallback. `None` where the sheet holds no number there (no value, or suppressed).
pub fn applied_ref(ctx: &Ctx, cols: &RichtwerteCols, rows: &[u32], i: usize) -> Option<String> {
    let c = ctx.an.cells.get(i)?;
    let r = *rows.get(i)?;
    c.applied_limit?;
    let col = if c.valid {
        if ctx.suppressed(c.n) || ctx.bk_suppressed(&c.bk) {
            return None;
        }
        RICHTWERTE_BKM_COL
    } else {
        cols.applied?
    };
    Some(format!("'{RICHTWERTE}'!{}", style::cell_ref(r, col)))
}

/// Row (0-based) of each cell of `an` in the Richtwerte sheet: per Vergleichsraum its cells,
/// then the "je weitere Person" row and one blank row.
pub fn richtwerte_rows(an: &Analysis) -> Vec<u32> {
    let mut rows = vec![0u32; an.cells.len()];
    let mut r = RICHTWERTE_HEADER + 1;
    for vr in 0..an.vergleichsraeume.len() {
        for (i, _) in an.cells.iter().enumerate().filter(|(_, c)| c.vr == vr) {
            rows[i] = r;
            r += 1;
        }
        r += 2;
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Value sheets (Prüfmappe).

/// First data row (0-based) on both value sheets (`Werte`, `BK-Werte`).
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

/// Computes where every value of the value sheets goes.
pub fn value_layout(ctx: &Ctx) -> ValueLayout {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_p_text_and_value_follow_the_one_rule() {
        for method in [
            ReferenceMethod::Percentile,
            ReferenceMethod::Median,
            ReferenceMethod::Mean,
            ReferenceMethod::Spannenoberwert,
            ReferenceMethod::Iterative,
        ] {
            let r = ReferenceParams {
                method,
                ..ReferenceParams::default()
            };
            match effective_p(&r) {
                Some((text, value)) => {
                    assert_eq!(Some(value), r.effective_p(), "{method:?}");
                    // The text evaluated with the named cells' values gives the same number.
                    let evaluated = match text.as_str() {
                        "0.5" => 0.5,
                        t if t == format!("={N_PERCENTILE}") => r.percentile,
                        t if t == format!("=1-(1-{N_SPANNE})/2") => 1.0 - (1.0 - r.spanne) / 2.0,
                        other => panic!("unexpected text {other}"),
                    };
                    assert!((evaluated - value).abs() < 1e-15, "{method:?}");
                }
                None => assert!(
                    matches!(method, ReferenceMethod::Mean | ReferenceMethod::Iterative),
                    "{method:?}"
                ),
            }
        }
    }

    #[test]
    fn the_iterative_p_is_a_per_cell_constant() {
        let mut p = Parameters::default();
        assert_eq!(reference_p(&p, Some(0.41)), N_P_REFERENCE);
        p.reference.method = ReferenceMethod::Iterative;
        assert_eq!(reference_p(&p, Some(0.41)), "0.41");
        p.reference.method = ReferenceMethod::Mean;
        assert_eq!(
            reference(&p, "Werte!$B$6:$B$9", 4, None),
            "ROUND(AVERAGE(Werte!$B$6:$B$9),2)"
        );
    }
}
