//! The one histogram binning of a cell's NKM/m² values. The app's plot and the workbook's
//! `Histogramme` sheet both call [`histogram`], so a cell has the same bins on screen and on
//! paper.
//!
//! Rule: about √n bins (at least 5, at most 40) over the range of all values, of a "nice"
//! width (1, 2, 2,5 or 5 × 10^k €/m², at least 0,01); bins are closed on the right, (a; b];
//! the anchor (the Referenzmiete) is a bin edge, so every bin lies wholly at or below it or
//! wholly above it (without an anchor the edges are multiples of the width).

/// One histogram bin (a; b].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Left edge a (exclusive).
    pub start: f64,
    /// Right edge b (inclusive).
    pub end: f64,
    /// Values kept in the cell (after the outlier rule).
    pub kept: usize,
    /// Values removed as outliers.
    pub removed: usize,
}

impl Bin {
    /// Width b − a.
    pub fn width(&self) -> f64 {
        self.end - self.start
    }
}

/// A "nice" step (1, 2, 2.5, 5 × 10^k) at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * magnitude >= raw {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

/// Bins sorted `values`; the index range `kept` holds the values used after the outlier rule
/// (the others count as removed). `anchor` (the Referenzmiete) becomes a bin edge when it is
/// finite. Empty for no values or non-finite ones.
pub fn histogram(values: &[f64], kept: (usize, usize), anchor: Option<f64>) -> Vec<Bin> {
    let (Some(&min), Some(&max)) = (values.first(), values.last()) else {
        return Vec::new();
    };
    if !(min.is_finite() && max.is_finite()) {
        return Vec::new();
    }
    let target = (values.len() as f64).sqrt().ceil().clamp(5.0, 40.0);
    let width = nice_step(((max - min) / target).max(0.01));
    let anchor = anchor.filter(|a| a.is_finite()).unwrap_or(0.0);
    // Edges anchor + k·width for k = first ..= last, with edge(first) < min ≤ edge(first + 1)
    // and edge(last) ≥ max.
    let first = ((min - anchor) / width).ceil() as i64 - 1;
    let last = (((max - anchor) / width).ceil() as i64).max(first + 1);
    let edges: Vec<f64> = (first..=last).map(|k| anchor + k as f64 * width).collect();
    let count = edges.len() - 1;
    let mut bins: Vec<Bin> = edges
        .windows(2)
        .map(|e| Bin {
            start: e[0],
            end: e[1],
            kept: 0,
            removed: 0,
        })
        .collect();
    for (i, &v) in values.iter().enumerate() {
        // The first edge ≥ v closes v's bin.
        let idx = edges
            .partition_point(|e| *e < v)
            .saturating_sub(1)
            .min(count - 1);
        if i >= kept.0 && i < kept.1 {
            bins[idx].kept += 1;
        } else {
            bins[idx].removed += 1;
        }
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_all_values() {
        let values: Vec<f64> = (0..100).map(|i| 4.0 + f64::from(i) * 0.05).collect();
        let bins = histogram(&values, (5, 95), None);
        let kept: usize = bins.iter().map(|b| b.kept).sum();
        let removed: usize = bins.iter().map(|b| b.removed).sum();
        assert_eq!((kept, removed), (90, 10));
        assert!(bins[0].start < 4.0);
        assert!(bins[bins.len() - 1].end >= values[99]);
        // Consecutive bins share their edges; all have the same nice width.
        for pair in bins.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!((pair[0].width() - bins[0].width()).abs() < 1e-9);
        }
        assert!((bins[0].width() - 0.5).abs() < 1e-12, "{}", bins[0].width());
        assert!(histogram(&[], (0, 0), None).is_empty());
        assert!(histogram(&[f64::NAN], (0, 1), None).is_empty());
        let one = histogram(&[5.0], (0, 1), Some(5.0));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].kept, 1);
        assert_eq!(one[0].end, 5.0);
    }

    #[test]
    fn the_anchor_is_an_edge_and_bins_are_closed_on_the_right() {
        let v: Vec<f64> = (0..100).map(|i| 5.0 + f64::from(i) * 0.031).collect();
        let reference = 6.01;
        let bins = histogram(&v, (0, v.len()), Some(reference));
        assert_eq!(bins.iter().map(|b| b.kept).sum::<usize>(), v.len());
        assert!(bins.iter().any(|b| b.end == reference));
        // Every bin lies at or below the anchor or above it; the bins up to the anchor hold
        // exactly the values ≤ anchor.
        let below: usize = bins
            .iter()
            .filter(|b| b.end <= reference)
            .map(|b| b.kept)
            .sum();
        assert_eq!(below, v.iter().filter(|x| **x <= reference).count());
        // A value on an edge belongs to the bin it closes.
        let bins = histogram(&[1.0, 2.0, 3.0, 4.0, 5.0], (0, 5), Some(3.0));
        let at = bins.iter().find(|b| b.end == 3.0).map(|b| b.kept);
        assert_eq!(at, Some(1));
        assert!(bins.len() <= 42);
    }

    #[test]
    fn bin_count_follows_the_square_root_rule() {
        for n in [3usize, 30, 300, 3000, 30_000] {
            let v: Vec<f64> = (0..n).map(|i| 4.0 + 8.0 * i as f64 / n as f64).collect();
            let bins = histogram(&v, (0, n), Some(6.37));
            assert!(
                (3..=42).contains(&bins.len()),
                "n = {n}: {} bins",
                bins.len()
            );
            assert_eq!(bins.iter().map(|b| b.kept).sum::<usize>(), n);
        }
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }
}
