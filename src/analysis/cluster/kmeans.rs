//! Optional k-means refinement of the Ward partition (docs/METHOD.md §2.3): Lloyd's algorithm on
//! the same z-standardised, weighted points, started from the centroids of the Ward clusters
//! for the chosen k. Deterministic: no random start, a point equally far from two centroids
//! goes to the lower cluster number, and the cluster numbers of the Ward cut are kept, so a
//! moved Gemeinde is one whose number changed.

use super::{distance, silhouette};
use serde::Serialize;

/// Lloyd iterations at most.
pub const MAX_ITERATIONS: usize = 100;

/// The refined partition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KMeans {
    /// Assignment passes run, including the last one that changed nothing (1 when the Ward
    /// partition is already stable); at most [`MAX_ITERATIONS`].
    pub iterations: usize,
    /// False when [`MAX_ITERATIONS`] passes still moved points.
    pub converged: bool,
    /// Cluster 1…k per point after the refinement (the Ward numbers kept).
    pub assignment: Vec<usize>,
    /// Indices of the points whose cluster changed against the Ward cut.
    pub moved: Vec<usize>,
    /// Mean silhouette width of the refined partition.
    pub silhouette: f64,
}

/// Centroid of every cluster 1…k (index c − 1); an empty cluster keeps `previous`.
fn centroids(
    points: &[Vec<f64>],
    labels: &[usize],
    k: usize,
    previous: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let dim = points.first().map_or(0, Vec::len);
    let mut sum = vec![vec![0.0; dim]; k];
    let mut count = vec![0usize; k];
    for (p, &l) in points.iter().zip(labels) {
        let Some(c) = l.checked_sub(1).filter(|c| *c < k) else {
            continue;
        };
        count[c] += 1;
        for (s, v) in sum[c].iter_mut().zip(p) {
            *s += v;
        }
    }
    sum.into_iter()
        .zip(count)
        .enumerate()
        .map(|(c, (s, n))| {
            if n == 0 {
                previous.get(c).cloned().unwrap_or_else(|| vec![0.0; dim])
            } else {
                s.into_iter().map(|v| v / n as f64).collect()
            }
        })
        .collect()
}

/// The nearest centroid's cluster number (1-based); ties go to the lower number.
fn nearest(point: &[f64], centres: &[Vec<f64>]) -> usize {
    let mut best = (f64::INFINITY, 1);
    for (c, centre) in centres.iter().enumerate() {
        let d = distance(point, centre);
        if d < best.0 {
            best = (d, c + 1);
        }
    }
    best.1
}

/// Refines the partition `start` (clusters 1…k, e.g. a Ward cut) of `points` by Lloyd's
/// algorithm until no assignment changes or [`MAX_ITERATIONS`] passes.
pub fn refine(points: &[Vec<f64>], start: &[usize], k: usize) -> KMeans {
    let mut labels = start.to_vec();
    let mut centres = centroids(points, &labels, k, &[]);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let next: Vec<usize> = points.iter().map(|p| nearest(p, &centres)).collect();
        if next == labels {
            converged = true;
            break;
        }
        labels = next;
        centres = centroids(points, &labels, k, &centres);
    }
    let moved = labels
        .iter()
        .zip(start)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i)
        .collect();
    KMeans {
        iterations,
        converged,
        silhouette: silhouette(points, &labels),
        assignment: labels,
        moved,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{cut, run_with, ward};
    use super::*;

    fn p(v: &[f64]) -> Vec<Vec<f64>> {
        v.iter().map(|x| vec![*x]).collect()
    }

    /// Points 0, 1, 5, 9, 12, 14 on a line (z-scores of one column are an affine map of the
    /// values, which changes neither Ward's order of merges nor the nearest centroid, so the
    /// example is worked on the raw values).
    /// Ward (gaps 1, 4, 4, 3, 2): {0,1} at 1; {12,14} at 2 (smallest of 4, 4, 3, 2 and
    /// {0,1} vs 5: √(4/3)·4.5 = 5.196); then 5–9 at 4 (against 9 vs {12,14}: √(4/3)·4 = 4.619);
    /// then {5,9} + {12,14} at √2·6 = 8.485 (against {0,1} + {5,9} at √2·6.5 = 9.192).
    /// k = 2: {0,1} | {5,9,12,14}, centroids 0.5 and 10.
    /// Pass 1: 5 is 4.5 from 0.5 and 5 from 10 → moves to cluster 1; all others stay.
    /// New centroids 2 and 35/3 = 11.667. Pass 2: 5 (3 vs 6.667) and 9 (7 vs 2.667) stay:
    /// converged after 2 passes, Gemeinde 3 (value 5) moved.
    /// Silhouette of {0,1,5} | {9,12,14}: 0: a = 3, b = 35/3 → 26/35; 1: a = 2.5, b = 32/3 →
    /// 49/64; 5: a = 4.5, b = 20/3 → 13/40; 9: a = 4, b = 7 → 3/7; 12: a = 2.5, b = 10 → 3/4;
    /// 14: a = 3.5, b = 12 → 17/24; the mean of the six.
    #[test]
    fn refinement_moves_a_point_the_ward_cut_put_in_the_far_cluster() {
        let points = p(&[0.0, 1.0, 5.0, 9.0, 12.0, 14.0]);
        let start = cut(&ward(&points), 6, 2);
        assert_eq!(start, vec![1, 1, 2, 2, 2, 2]);
        let r = refine(&points, &start, 2);
        assert_eq!(r.assignment, vec![1, 1, 1, 2, 2, 2]);
        assert_eq!(r.moved, vec![2]);
        assert_eq!(r.iterations, 2);
        assert!(r.converged);
        let expected =
            (26.0 / 35.0 + 49.0 / 64.0 + 13.0 / 40.0 + 3.0 / 7.0 + 0.75 + 17.0 / 24.0) / 6.0;
        assert!((r.silhouette - expected).abs() < 1e-12, "{}", r.silhouette);
        // The same through the whole run (standardised points).
        let run = run_with(&p(&[0.0, 1.0, 5.0, 9.0, 12.0, 14.0]), &[1.0], Some(2), true).unwrap();
        let km = run.kmeans.as_ref().unwrap();
        assert_eq!(run.assignment, vec![1, 1, 2, 2, 2, 2]);
        assert_eq!(km.assignment, vec![1, 1, 1, 2, 2, 2]);
        assert_eq!(run.proposal(), &[1, 1, 1, 2, 2, 2]);
        assert!((km.silhouette - expected).abs() < 1e-12);
    }

    /// Points 0, 1, 5, 6, 20 (the Ward example of the parent module): k = 2 gives
    /// {0,1,5,6} | {20}, centroids 3 and 20; the farthest member 6 is 3 from its centroid and
    /// 14 from the other, so the first pass changes nothing.
    #[test]
    fn refinement_of_a_stable_partition_moves_nothing() {
        let points = p(&[0.0, 1.0, 5.0, 6.0, 20.0]);
        let start = cut(&ward(&points), 5, 2);
        assert_eq!(start, vec![1, 1, 1, 1, 2]);
        let r = refine(&points, &start, 2);
        assert_eq!(r.assignment, start);
        assert!(r.moved.is_empty());
        assert_eq!(r.iterations, 1);
        assert!(r.converged);
    }

    /// A point exactly halfway between two centroids goes to the lower cluster number.
    #[test]
    fn a_tie_goes_to_the_lower_cluster() {
        // Start {0} | {2, 6}: centroids 0 and 4; the point 2 is 2 from both → cluster 1.
        let points = p(&[0.0, 2.0, 6.0]);
        let r = refine(&points, &[1, 2, 2], 2);
        assert_eq!(r.assignment[1], 1);
    }
}
