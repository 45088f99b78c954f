//! Pooling of neighbouring size classes for a cell below the minimum number of rents: an
//! explicit, justified option (`reference.pool_small_cells`). The Referenzmiete (and its
//! confidence interval and the availability curve) of such a cell comes from its own values
//! together with those of the nearest size classes of the same Vergleichsraum, each after its own
//! Extremwertkappung: first the next smaller class, then the next larger, alternating, until the
//! minimum is reached. Everything else about the cell (n, statistics, exclusions) stays its own.

use super::outliers::outliers;
use super::prepare::Prepared;
use crate::model::params::Parameters;

/// The pooled sample of a small cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    /// Household sizes whose values were added (not the cell's own), in the order taken.
    pub with: Vec<u32>,
    /// The cell's kept values and those of `with`, sorted.
    pub values: Vec<f64>,
}

/// The values kept after outliers in cell (`vr`, `class`).
fn kept<'a>(prep: &'a Prepared, params: &Parameters, vr: usize, class: usize) -> &'a [f64] {
    match prep.cell(vr, class) {
        Some(cell) => {
            let o = outliers(&cell.values, &params.outliers, params.quantile_type);
            &cell.values[o.kept.0..o.kept.1]
        }
        None => &[],
    }
}

/// Merges two sorted slices.
fn merge(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].total_cmp(&b[j]).is_le() {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The pooled sample of cell (`vr`, `class`) whose kept values are `own`; `None` when pooling is
/// off, the cell reaches the minimum itself, or even all classes together do not reach it.
pub fn pool(
    prep: &Prepared,
    params: &Parameters,
    vr: usize,
    class: usize,
    own: &[f64],
) -> Option<Pooled> {
    if !params.reference.pool_small_cells || own.len() >= params.min_n {
        return None;
    }
    let mut values = own.to_vec();
    let mut with = Vec::new();
    let (mut lower, mut upper) = (class, class);
    let mut smaller_next = true;
    while values.len() < params.min_n {
        let smaller = lower.checked_sub(1);
        let larger = (upper + 1 < prep.classes).then_some(upper + 1);
        let take = match (smaller, larger) {
            (Some(s), Some(_)) if smaller_next => s,
            (_, Some(l)) => l,
            (Some(s), None) => s,
            (None, None) => return None,
        };
        if take < class {
            lower = take;
        } else {
            upper = take;
        }
        smaller_next = !smaller_next;
        values = merge(&values, kept(prep, params, vr, take));
        with.push(take as u32 + 1);
    }
    Some(Pooled { with, values })
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merge_keeps_the_order() {
        assert_eq!(
            merge(&[1.0, 3.0, 5.0], &[2.0, 3.0, 6.0]),
            vec![1.0, 2.0, 3.0, 3.0, 5.0, 6.0]
        );
        assert_eq!(merge(&[], &[1.0]), vec![1.0]);
    }
}
