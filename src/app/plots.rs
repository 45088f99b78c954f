//! Plots of the selected cell with egui_plot: histogram with outlier bounds and Referenzmiete,
//! ECDF, box plots across Vergleichsräume and the exclusion funnel. The binning
//! ([`crate::analysis::histogram`], shared with the workbook) and the plot data are plain
//! functions (tested without egui); every percentile comes from
//! [`quantile_sorted`].

use crate::analysis::histogram::histogram;
use crate::analysis::prepare::Prepared;
use crate::analysis::quantile::{QuantileType, quantile_sorted};
use crate::analysis::{Analysis, CellResult, Funnel};
use crate::fmt::number;
use egui::{Color32, Ui};
use egui_plot::{
    AxisHints, Bar, BarChart, BoxElem, BoxPlot, BoxSpread, GridMark, HLine, Legend, Line, Plot,
    VLine,
};

/// Points of the empirical distribution function of sorted `values` as a step line. Large
/// cells are thinned to about 2,000 steps (every k-th value, always including the last), which
/// is finer than the plot's pixels.
pub fn ecdf_points(values: &[f64]) -> Vec<[f64; 2]> {
    let len = values.len();
    let n = len as f64;
    let step = len.div_ceil(2000).max(1);
    let mut out = Vec::with_capacity(2 * len / step + 4);
    let mut i = 0;
    while i < len {
        out.push([values[i], i as f64 / n]);
        let next = (i + step).min(len);
        out.push([values[i], next as f64 / n]);
        i = next;
    }
    if let Some(&last) = values.last()
        && step > 1
    {
        out.push([last, 1.0]);
    }
    out
}

/// Five-number summary of sorted values (min, Q1, median, Q3, max) with quantile type `qt`.
pub fn five_numbers(values: &[f64], qt: QuantileType) -> Option<[f64; 5]> {
    Some([
        *values.first()?,
        quantile_sorted(values, 0.25, qt)?,
        quantile_sorted(values, 0.5, qt)?,
        quantile_sorted(values, 0.75, qt)?,
        *values.last()?,
    ])
}

/// The stages of the exclusion funnel with their counts.
pub fn funnel_stages(f: &Funnel) -> Vec<(&'static str, usize)> {
    let import_rejected: usize = f.import_rejected.values().sum();
    let excluded: usize = f.excluded.values().sum();
    vec![
        ("Zeilen geliefert", f.delivered),
        ("beim Import abgelehnt", import_rejected),
        ("Datensätze", f.records),
        ("außerhalb des Untersuchungsgegenstands", excluded),
        ("in Tabellenfeldern", f.in_cells),
        ("Extremwerte", f.outliers_low + f.outliers_high),
        ("verwendet", f.used),
    ]
}

const KEPT: Color32 = Color32::from_rgb(70, 130, 200);
const REMOVED: Color32 = Color32::from_rgb(200, 120, 60);
const REFERENCE: Color32 = Color32::from_rgb(200, 40, 40);
const BOUND: Color32 = Color32::from_rgb(140, 140, 140);

/// Histogram of the cell's NKM/m² with outlier bounds and Referenzmiete.
pub fn histogram_plot(ui: &mut Ui, values: &[f64], cell: &CellResult, height: f32) {
    // The same bins as the workbook's Histogramme sheet (the Referenzmiete is an edge).
    let bins = histogram(values, cell.outliers.kept, cell.net_rent_per_m2);
    let kept: Vec<Bar> = bins
        .iter()
        .map(|b| {
            Bar::new(b.start + b.width() / 2.0, b.kept as f64)
                .width(b.width() * 0.95)
                .name(format!(
                    "{} – {} €/m²",
                    number(b.start, 2),
                    number(b.end, 2)
                ))
        })
        .collect();
    let removed: Vec<Bar> = bins
        .iter()
        .map(|b| {
            Bar::new(b.start + b.width() / 2.0, b.removed as f64)
                .width(b.width() * 0.95)
                .base_offset(b.kept as f64)
        })
        .collect();
    let plot = Plot::new("plot_histogram")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false);
    labelled_axes(ui, plot, Some("Nettokaltmiete €/m²"), "Anzahl").show(ui, |p| {
        p.add(BarChart::new("verwendet", kept).color(KEPT));
        p.add(BarChart::new("Extremwerte", removed).color(REMOVED));
        if cell.outliers.lower.is_finite() {
            p.add(VLine::new("Kappungsgrenzen", cell.outliers.lower).color(BOUND));
        }
        if cell.outliers.upper.is_finite() {
            p.add(VLine::new("Kappungsgrenzen", cell.outliers.upper).color(BOUND));
        }
        if let Some(r) = cell.net_rent_per_m2_raw {
            p.add(VLine::new("Referenzmiete", r).color(REFERENCE).width(2.0));
        }
    });
}

/// ECDF of the kept values with the chosen percentile.
pub fn ecdf_plot(ui: &mut Ui, kept: &[f64], cell: &CellResult, height: f32) {
    let points = ecdf_points(kept);
    let plot = Plot::new("plot_ecdf")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(1.0);
    labelled_axes(ui, plot, Some("Nettokaltmiete €/m²"), "Anteil").show(ui, |p| {
        p.add(Line::new("Verteilungsfunktion", points).color(KEPT));
        if let Some(pp) = cell.p {
            p.add(HLine::new("gewähltes Perzentil", pp).color(BOUND));
        }
        if let Some(r) = cell.net_rent_per_m2_raw {
            p.add(VLine::new("Referenzmiete", r).color(REFERENCE).width(2.0));
        }
    });
}

/// Box plots of the kept values of every Vergleichsraum for one household size.
pub fn box_plot(
    ui: &mut Ui,
    prep: &Prepared,
    analysis: &Analysis,
    household_size: u32,
    qt: QuantileType,
    height: f32,
) {
    let mut boxes = Vec::new();
    let mut names = Vec::new();
    for c in analysis
        .cells
        .iter()
        .filter(|c| c.household_size == household_size)
    {
        let Some(cell) = prep.cell(c.vr, household_size as usize - 1) else {
            continue;
        };
        let kept = &cell.values[c.outliers.kept.0..c.outliers.kept.1];
        if let Some([lo, q1, med, q3, hi]) = five_numbers(kept, qt) {
            let x = names.len() as f64;
            boxes.push(
                BoxElem::new(x, BoxSpread::new(lo, q1, med, q3, hi))
                    .name(c.vergleichsraum.clone())
                    .box_width(0.5),
            );
            names.push(c.vergleichsraum.clone());
        }
    }
    let plot = Plot::new("plot_boxes").height(height).allow_scroll(false);
    labelled_axes(ui, plot, None, "Nettokaltmiete €/m²")
        .x_axis_formatter(move |mark, _range| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |p| {
            p.add(BoxPlot::new("Verteilung je Vergleichsraum", boxes).color(KEPT));
        });
}

/// The availability curve (share of affordable offers per percentile) with the target share
/// and the percentile used.
pub fn availability_plot(
    ui: &mut Ui,
    a: &crate::analysis::availability::AvailabilityResult,
    p_used: Option<f64>,
    height: f32,
) {
    let points: Vec<[f64; 2]> = a.curve.iter().map(|(p, share)| [*p, *share]).collect();
    let plot = Plot::new("plot_availability")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(1.0);
    labelled_axes(ui, plot, Some("Perzentil"), "Anteil anmietbar").show(ui, |pl| {
        pl.add(Line::new("Anteil anmietbarer Angebote", points).color(KEPT));
        pl.add(HLine::new("Zielanteil", a.target_share).color(BOUND));
        if let Some(p) = p_used {
            pl.add(
                VLine::new("gewähltes Perzentil", p)
                    .color(REFERENCE)
                    .width(2.0),
            );
        }
    });
}

/// The stages of one cell: records of the Vergleichsraum and size class excluded by scope
/// rules (by reason), in the cell, removed as outliers, used.
pub fn cell_stages(cell: &CellResult) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = cell
        .excluded
        .iter()
        .map(|(reason, n)| (format!("ausgeschlossen: {}", reason.german()), *n))
        .collect();
    out.push(("im Tabellenfeld".to_string(), cell.n_in_cell));
    out.push(("Extremwerte unten".to_string(), cell.outliers.n_low));
    out.push(("Extremwerte oben".to_string(), cell.outliers.n_high));
    out.push(("verwendet".to_string(), cell.n));
    out
}

/// Horizontal bars for named counts (the exclusion funnel), first stage on top.
pub fn funnel_plot(ui: &mut Ui, id: &str, stages: &[(String, usize)], height: f32) {
    let n = stages.len();
    let bars: Vec<Bar> = stages
        .iter()
        .enumerate()
        .map(|(i, (name, count))| {
            Bar::new((n - 1 - i) as f64, *count as f64)
                .width(0.7)
                .name(name)
        })
        .collect();
    let labels: Vec<String> = stages
        .iter()
        .map(|(name, count)| format!("{name} ({})", number(*count as f64, 0)))
        .collect();
    Plot::new(id)
        .height(height)
        .allow_scroll(false)
        .y_axis_min_width(170.0)
        .show_grid([true, false])
        .y_axis_formatter(move |mark, _range| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[labels.len() - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .show(ui, |p| {
            p.add(BarChart::new("Anzahl", bars).horizontal().color(KEPT));
        });
}

/// The main axes with their labels, sized for tick labels plus axis label from the first frame
/// on. (egui_plot sizes an axis by what the previous frame drew, so a plot shown for the first
/// time would paint its axis label over the tick labels until the next repaint.)
/// Tick labels are German numbers ("0,25") with as many decimals as the tick step needs.
fn labelled_axes<'a>(ui: &Ui, plot: Plot<'a>, x: Option<&str>, y: &str) -> Plot<'a> {
    let row = ui.text_style_height(&egui::TextStyle::Body);
    // Tick labels, the label and its gap (a quarter row) and a little air; short German tick
    // labels fit closer together than egui_plot's default spacing for x axes allows.
    let x_axis = AxisHints::new_x()
        .label(x.unwrap_or_default())
        .formatter(german_tick)
        .label_spacing(30.0..=50.0)
        .min_thickness(if x.is_some() { row * 2.5 } else { row * 1.2 });
    // Tick labels of up to five characters ("1.000", "0,25") and the turned label; labels a
    // little more than a text row apart.
    let y_axis = AxisHints::new_y()
        .label(y)
        .formatter(german_tick)
        .label_spacing(row..=row * 1.6)
        .min_thickness(row * 4.5);
    plot.custom_x_axes(vec![x_axis]).custom_y_axes(vec![y_axis])
}

/// A tick label in German number format with the decimals of the tick step.
fn german_tick(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let decimals = if mark.step_size >= 1.0 {
        0
    } else {
        // 0.1 → 1, 0.05 → 2; at most 6.
        (-mark.step_size.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    number(mark.value, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_tick_labels() {
        let tick = |value, step_size| german_tick(GridMark { value, step_size }, &(0.0..=1.0));
        assert_eq!(tick(0.3, 0.1), "0,3");
        assert_eq!(tick(0.25, 0.05), "0,25");
        assert_eq!(tick(1000.0, 100.0), "1.000");
        assert_eq!(tick(7.0, 1.0), "7");
    }

    #[test]
    fn ecdf_and_five_numbers() {
        let v = [1.0, 2.0, 3.0, 4.0];
        let pts = ecdf_points(&v);
        assert_eq!(pts.len(), 8);
        assert_eq!(pts[7], [4.0, 1.0]);
        let f = five_numbers(&v, QuantileType::T7).unwrap();
        assert_eq!(f, [1.0, 1.75, 2.5, 3.25, 4.0]);
        assert!(five_numbers(&[], QuantileType::T7).is_none());
        let many: Vec<f64> = (0..10_000).map(f64::from).collect();
        let thin = ecdf_points(&many);
        assert!(thin.len() <= 4_002, "{}", thin.len());
        assert_eq!(thin[thin.len() - 1], [9_999.0, 1.0]);
        assert!(thin.windows(2).all(|w| w[0][1] <= w[1][1]));
    }
}
