//! Plots of the selected cell with egui_plot: histogram with outlier bounds and Referenzmiete,
//! ECDF, box plots across Vergleichsräume and the exclusion funnel. Legends are rows above the
//! plots ([`legend_row`]), never on top of the data. The binning
//! ([`crate::analysis::histogram`], shared with the workbook) and the plot data are plain
//! functions (tested without egui); every percentile comes from
//! [`quantile_sorted`].

use crate::analysis::histogram::{Bin, histogram};
use crate::analysis::prepare::Prepared;
use crate::analysis::quantile::{QuantileType, quantile_sorted};
use crate::analysis::{Analysis, CellResult, Funnel};
use crate::fmt::number;
use egui::{Color32, Ui};
use egui_plot::{
    AxisHints, Bar, BarChart, BoxElem, BoxPlot, BoxSpread, GridMark, HLine, Line, Plot, VLine,
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

/// The colour of a plot's main series (an item added with `PlotUi::add` gets no automatic
/// colour and would be invisible).
pub(crate) const KEPT: Color32 = Color32::from_rgb(70, 130, 200);
const REMOVED: Color32 = Color32::from_rgb(200, 120, 60);
pub(crate) const REFERENCE: Color32 = Color32::from_rgb(200, 40, 40);
const BOUND: Color32 = Color32::from_rgb(140, 140, 140);

/// One bar of the histogram: a bin's kept values from 0, its removed values stacked on them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramBar {
    /// Centre of the bin.
    pub center: f64,
    /// Width of the bin.
    pub width: f64,
    /// Where the bar starts (0, or the kept count below removed values).
    pub base: f64,
    /// Height (a count).
    pub height: f64,
    /// Removed as outliers (else kept).
    pub removed: bool,
}

/// The bars of the histogram: per bin the kept values, and the removed ones stacked on top, so
/// a bin that straddles a Kappungsgrenze shows both parts one above the other, never one over
/// the other. Empty parts get no bar (a bar of height 0 would draw a line over its neighbour).
pub fn histogram_bars(bins: &[Bin]) -> Vec<HistogramBar> {
    let mut bars = Vec::with_capacity(bins.len() + 4);
    for b in bins {
        let center = b.start + b.width() / 2.0;
        let width = b.width();
        if b.kept > 0 {
            bars.push(HistogramBar {
                center,
                width,
                base: 0.0,
                height: b.kept as f64,
                removed: false,
            });
        }
        if b.removed > 0 {
            bars.push(HistogramBar {
                center,
                width,
                base: b.kept as f64,
                height: b.removed as f64,
                removed: true,
            });
        }
    }
    bars
}

/// Histogram of the cell's NKM/m² with outlier bounds and Referenzmiete.
pub fn histogram_plot(ui: &mut Ui, values: &[f64], cell: &CellResult, height: f32) {
    // The same bins as the workbook's Histogramme sheet (the Referenzmiete is an edge).
    let bins = histogram(values, cell.outliers.kept, cell.net_rent_per_m2);
    let bar = |h: &HistogramBar| {
        let what = if h.removed {
            "Extremwerte"
        } else {
            "verwendet"
        };
        Bar::new(h.center, h.height)
            .width(h.width * 0.95)
            .base_offset(h.base)
            .name(format!(
                "{what} {} – {} €/m²",
                number(h.center - h.width / 2.0, 2),
                number(h.center + h.width / 2.0, 2)
            ))
    };
    let bars = histogram_bars(&bins);
    let kept: Vec<Bar> = bars.iter().filter(|b| !b.removed).map(bar).collect();
    let removed: Vec<Bar> = bars.iter().filter(|b| b.removed).map(bar).collect();
    let bounds = cell.outliers.lower.is_finite() || cell.outliers.upper.is_finite();
    let mut entries = vec![
        (KEPT, Mark::Bar, "verwendet"),
        (REMOVED, Mark::Bar, "Extremwerte"),
    ];
    if bounds {
        entries.push((BOUND, Mark::Line, "Kappungsgrenzen"));
    }
    if cell.net_rent_per_m2_raw.is_some() {
        entries.push((REFERENCE, Mark::Line, "Referenzmiete"));
    }
    legend_row(ui, &entries);
    let plot = Plot::new("plot_histogram")
        .height(height)
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
    let mut entries = vec![(KEPT, Mark::Line, "Verteilungsfunktion")];
    if cell.p.is_some() {
        entries.push((BOUND, Mark::Line, "gewähltes Perzentil"));
    }
    if cell.net_rent_per_m2_raw.is_some() {
        entries.push((REFERENCE, Mark::Line, "Referenzmiete"));
    }
    legend_row(ui, &entries);
    let plot = Plot::new("plot_ecdf")
        .height(height)
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
    let mut entries = vec![
        (KEPT, Mark::Line, "Anteil anmietbarer Angebote"),
        (BOUND, Mark::Line, "Zielanteil"),
    ];
    if p_used.is_some() {
        entries.push((REFERENCE, Mark::Line, "gewähltes Perzentil"));
    }
    legend_row(ui, &entries);
    let plot = Plot::new("plot_availability")
        .height(height)
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

/// Horizontal bars for named counts (the exclusion funnel), first stage on top: each name with
/// its count left, the bar right, all inside the given width (no axis labels that could run
/// over a neighbouring plot).
pub fn funnel_bars(ui: &mut Ui, stages: &[(String, usize)]) {
    let max = stages.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f32;
    let width = ui.available_width();
    let gap = ui.spacing().item_spacing.x;
    let label_width = (width * 0.55).min(360.0);
    let bar_width = (width - label_width - gap).max(20.0);
    let row = ui.text_style_height(&egui::TextStyle::Body);
    for (name, count) in stages {
        ui.horizontal(|ui| {
            ui.allocate_ui_with_layout(
                egui::vec2(label_width, row),
                egui::Layout::top_down(egui::Align::Max),
                |ui| {
                    ui.set_width(label_width);
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(format!("{name} ({})", number(*count as f64, 0)))
                                .weak(),
                        )
                        .wrap(),
                    );
                },
            );
            let (rect, _) =
                ui.allocate_exact_size(egui::vec2(bar_width, row), egui::Sense::hover());
            let length = bar_width * (*count as f32 / max);
            let bar = egui::Rect::from_min_size(
                egui::pos2(rect.left(), rect.center().y - row * 0.35),
                egui::vec2(length.max(1.0), row * 0.7),
            );
            let painter = ui.painter();
            painter.rect_filled(bar, 1.0, KEPT.gamma_multiply(0.35));
            painter.rect_stroke(
                bar,
                1.0,
                egui::Stroke::new(1.0, KEPT),
                egui::StrokeKind::Inside,
            );
        });
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A filled box (bars).
    Bar,
    /// A short line (curves, marker lines).
    Line,
}

/// The legend of a plot as a row above it: outside the plot area, so it never covers a curve
/// or a bar whatever the data.
pub fn legend_row(ui: &mut Ui, entries: &[(Color32, Mark, &str)]) {
    ui.horizontal_wrapped(|ui| {
        for (color, mark, text) in entries {
            let size = egui::vec2(14.0, ui.text_style_height(&egui::TextStyle::Body));
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let painter = ui.painter();
            match mark {
                Mark::Bar => {
                    let r = egui::Rect::from_center_size(rect.center(), egui::vec2(12.0, 9.0));
                    painter.rect_filled(r, 1.0, color.gamma_multiply(0.35));
                    painter.rect_stroke(
                        r,
                        1.0,
                        egui::Stroke::new(1.0, *color),
                        egui::StrokeKind::Inside,
                    );
                }
                Mark::Line => {
                    let y = rect.center().y;
                    painter.line_segment(
                        [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
                        egui::Stroke::new(2.0, *color),
                    );
                }
            }
            ui.weak(*text);
            ui.add_space(8.0);
        }
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
    fn a_bin_across_a_kappungsgrenze_is_stacked_and_empty_parts_get_no_bar() {
        let bin = |start: f64, kept, removed| Bin {
            start,
            end: start + 0.5,
            kept,
            removed,
        };
        // Below the lower bound, straddling the upper bound, kept only.
        let bars = histogram_bars(&[bin(4.0, 0, 2), bin(9.0, 7, 4), bin(6.0, 30, 0)]);
        assert_eq!(bars.len(), 4, "{bars:?}");
        assert!(bars.iter().all(|b| b.height > 0.0));
        let straddling: Vec<&HistogramBar> = bars.iter().filter(|b| b.center == 9.25).collect();
        assert_eq!(straddling.len(), 2);
        let (kept, removed) = (straddling[0], straddling[1]);
        assert!(!kept.removed && removed.removed);
        // One above the other: the removed part starts where the kept part ends.
        assert_eq!((kept.base, kept.height), (0.0, 7.0));
        assert_eq!((removed.base, removed.height), (7.0, 4.0));
        let lone = bars.iter().find(|b| b.center == 4.25).unwrap();
        assert_eq!((lone.base, lone.removed), (0.0, true));
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
