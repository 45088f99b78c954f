//! A proposal for Vergleichsräume: hierarchical Ward clustering of Gemeinden on an indicator
//! table (docs/METHOD.md §2.3). The indicators are z-standardised, weighted, and clustered with
//! Ward's method on Euclidean distances (`kodama`, the algorithm of scipy's `linkage(…,
//! "ward")`); the silhouette of every k from 2 to min(10, n − 1) helps to choose the number of
//! clusters. The clusters are only a proposal: the user forms the Vergleichsräume (contiguous,
//! justified), because a cluster analysis cannot itself form a Vergleichsraum
//! (BSG 30.01.2019, B 14 AS 24/18 R).
//!
//! Submodules: [`kmeans`] (the optional refinement of the Ward cut), [`input`] (the indicator
//! matrix per Gemeinde from an indicator table and the data's rent level, the run of a
//! project's `[cluster]` section, the dendrogram layout).

pub mod dendrogram;
pub mod input;
pub mod kmeans;

pub use input::{ClusterInput, ClusterRun, Member, RENT_LEVEL_COLUMN};
pub use kmeans::KMeans;

use serde::Serialize;

/// One merge of the dendrogram in scipy's linkage layout: the two cluster ids (observations
/// are 0…n−1, the cluster formed by merge i is n + i), the Ward height and the new size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    /// The smaller cluster id.
    pub a: usize,
    /// The larger cluster id.
    pub b: usize,
    /// Ward distance of the merge.
    pub height: f64,
    /// Observations in the merged cluster.
    pub size: usize,
}

/// The mean silhouette width of the partition into `k` clusters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Silhouette {
    /// Number of clusters.
    pub k: usize,
    /// Mean silhouette width (−1 … 1; higher is better separated).
    pub silhouette: f64,
}

/// The result of one cluster run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterResult {
    /// The weight of each indicator column.
    pub weights: Vec<f64>,
    /// The z-standardised, weighted indicator values per Gemeinde (the points clustered).
    #[serde(skip)]
    pub points: Vec<Vec<f64>>,
    /// The n − 1 merges, in order of height.
    pub merges: Vec<Merge>,
    /// Silhouette per k.
    pub silhouette: Vec<Silhouette>,
    /// The k of the assignment.
    pub k: usize,
    /// Cluster 1…k per Gemeinde of the Ward cut (numbered in order of first appearance).
    pub assignment: Vec<usize>,
    /// The k-means refinement of the Ward cut, when asked for.
    pub kmeans: Option<KMeans>,
}

impl ClusterResult {
    /// The proposed cluster per Gemeinde: the refined one when k-means ran, else Ward's.
    pub fn proposal(&self) -> &[usize] {
        self.kmeans
            .as_ref()
            .map_or(&self.assignment[..], |k| &k.assignment[..])
    }
}

/// Why a cluster run cannot be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClusterError {
    /// Fewer than three Gemeinden.
    #[error("Für eine Clusteranalyse werden mindestens drei Gemeinden benötigt ({0} vorhanden).")]
    TooFew(usize),
    /// No indicator column.
    #[error("Die Indikatortabelle enthält keine Zahlenspalte.")]
    NoIndicator,
    /// Rows of different length.
    #[error("Gemeinde {0}: Die Zahl der Indikatorwerte passt nicht zur Kopfzeile.")]
    Ragged(usize),
    /// k outside 2 … n − 1.
    #[error("Die Zahl der Cluster muss zwischen 2 und {max} liegen (angegeben: {k}).")]
    BadK {
        /// Requested k.
        k: usize,
        /// Largest k.
        max: usize,
    },
    /// A weight that is negative or not finite, or all weights zero.
    #[error("Die Gewichte müssen Zahlen ≥ 0 sein, mindestens eines größer als 0.")]
    BadWeights,
    /// A value that is not finite.
    #[error("Gemeinde {0}: Ein Indikatorwert ist keine endliche Zahl.")]
    NotFinite(usize),
    /// Neither an indicator table nor the data's rent level.
    #[error(
        "Keine Indikatoren: Bitte eine Indikatortabelle einlesen oder das Mietniveau der Daten verwenden."
    )]
    NoInput,
    /// The project's Gemeinde table is empty: nothing to cluster or join indicators to.
    #[error(
        "Die Gemeindetabelle des Projekts ist leer: Die Clusteranalyse gruppiert die Gemeinden der Tabelle (Vergleichsräume, „Gemeindetabelle importieren“)."
    )]
    NoGemeinden,
    /// The project names an indicator table that could not be read.
    #[error(
        "Die Indikatortabelle „{0}“ ist nicht eingelesen (Datei fehlt oder ist fehlerhaft); gezeigt werden kann nur der gespeicherte Vorschlag."
    )]
    TableMissing(String),
}

/// Column-wise z-scores (mean 0, population standard deviation 1, like `scipy.stats.zscore`);
/// a constant column becomes 0 everywhere. Each column is then multiplied by √weight, so the
/// squared distance is Σ weight·Δz² (a weight of 2 counts a column like two copies of it).
pub fn standardise(rows: &[Vec<f64>], weights: &[f64]) -> Vec<Vec<f64>> {
    let n = rows.len() as f64;
    let cols = weights.len();
    let mut out = vec![vec![0.0; cols]; rows.len()];
    for j in 0..cols {
        let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt();
        let scale = weights[j].sqrt();
        for (o, r) in out.iter_mut().zip(rows) {
            o[j] = if sd > 0.0 {
                (r[j] - mean) / sd * scale
            } else {
                0.0
            };
        }
    }
    out
}

/// Euclidean distance.
fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Ward clustering of `points` (Euclidean): the merges in scipy's linkage layout.
pub fn ward(points: &[Vec<f64>]) -> Vec<Merge> {
    let n = points.len();
    if n < 2 {
        return Vec::new();
    }
    let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            condensed.push(distance(&points[i], &points[j]));
        }
    }
    let dendrogram = kodama::linkage(&mut condensed, n, kodama::Method::Ward);
    dendrogram
        .steps()
        .iter()
        .map(|s| Merge {
            a: s.cluster1.min(s.cluster2),
            b: s.cluster1.max(s.cluster2),
            height: s.dissimilarity,
            size: s.size,
        })
        .collect()
}

/// The partition into `k` clusters: undo the last k − 1 merges. Clusters are numbered 1…k in
/// order of their first observation.
pub fn cut(merges: &[Merge], n: usize, k: usize) -> Vec<usize> {
    // Union-find over the first n − k merges.
    let mut parent: Vec<usize> = (0..2 * n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, m) in merges.iter().take(n.saturating_sub(k)).enumerate() {
        let id = n + i;
        if m.a < parent.len() && m.b < parent.len() && id < parent.len() {
            let (ra, rb) = (root(&mut parent, m.a), root(&mut parent, m.b));
            parent[ra] = id;
            parent[rb] = id;
        }
    }
    let mut label_of_root: Vec<(usize, usize)> = Vec::new();
    (0..n)
        .map(|i| {
            let r = root(&mut parent, i);
            match label_of_root.iter().find(|(root, _)| *root == r) {
                Some((_, l)) => *l,
                None => {
                    let l = label_of_root.len() + 1;
                    label_of_root.push((r, l));
                    l
                }
            }
        })
        .collect()
}

/// Mean silhouette width of a partition (Rousseeuw 1987) with Euclidean distances; a point
/// alone in its cluster has width 0 (as in scikit-learn).
pub fn silhouette(points: &[Vec<f64>], labels: &[usize]) -> f64 {
    let n = points.len();
    let k = labels.iter().copied().max().unwrap_or(0);
    if n == 0 || k < 2 {
        return 0.0;
    }
    let mut total = 0.0;
    for i in 0..n {
        let mut sum = vec![0.0; k + 1];
        let mut count = vec![0usize; k + 1];
        for j in 0..n {
            if i != j {
                sum[labels[j]] += distance(&points[i], &points[j]);
                count[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if count[own] == 0 {
            continue;
        }
        let a = sum[own] / count[own] as f64;
        let b = (1..=k)
            .filter(|&c| c != own && count[c] > 0)
            .map(|c| sum[c] / count[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        if m > 0.0 && b.is_finite() {
            total += (b - a) / m;
        }
    }
    total / n as f64
}

/// Standardises, weights and clusters `rows` (one row of indicator values per Gemeinde),
/// computes the silhouette for every k in 2 ..= min(10, n − 1), and assigns the Gemeinden for
/// `k` (default: the k with the best silhouette, the smaller k on a tie).
pub fn run(
    rows: &[Vec<f64>],
    weights: &[f64],
    k: Option<usize>,
) -> Result<ClusterResult, ClusterError> {
    run_with(rows, weights, k, false)
}

/// [`run`], and with `kmeans` the k-means refinement of the Ward cut ([`kmeans::refine`]).
pub fn run_with(
    rows: &[Vec<f64>],
    weights: &[f64],
    k: Option<usize>,
    kmeans: bool,
) -> Result<ClusterResult, ClusterError> {
    let n = rows.len();
    if n < 3 {
        return Err(ClusterError::TooFew(n));
    }
    if weights.is_empty() {
        return Err(ClusterError::NoIndicator);
    }
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().all(|w| *w == 0.0) {
        return Err(ClusterError::BadWeights);
    }
    for (i, r) in rows.iter().enumerate() {
        if r.len() != weights.len() {
            return Err(ClusterError::Ragged(i + 1));
        }
        if r.iter().any(|v| !v.is_finite()) {
            return Err(ClusterError::NotFinite(i + 1));
        }
    }
    let max_k = (n - 1).min(10);
    if let Some(k) = k
        && !(2..=n - 1).contains(&k)
    {
        return Err(ClusterError::BadK { k, max: n - 1 });
    }
    let points = standardise(rows, weights);
    let merges = ward(&points);
    let silhouette: Vec<Silhouette> = (2..=max_k)
        .map(|k| Silhouette {
            k,
            silhouette: silhouette(&points, &cut(&merges, n, k)),
        })
        .collect();
    let best = silhouette
        .iter()
        .fold(None::<Silhouette>, |best, s| match best {
            Some(b) if b.silhouette >= s.silhouette => Some(b),
            _ => Some(*s),
        })
        .map_or(2, |s| s.k);
    let k = k.unwrap_or(best);
    let assignment = cut(&merges, n, k);
    let kmeans = kmeans.then(|| kmeans::refine(&points, &assignment, k));
    Ok(ClusterResult {
        weights: weights.to_vec(),
        assignment,
        kmeans,
        points,
        merges,
        silhouette,
        k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[f64]) -> Vec<Vec<f64>> {
        v.iter().map(|x| vec![*x]).collect()
    }

    /// Hand-computed: points 0, 1, 5, 6, 20 on a line.
    /// Merge {0,1} at 1 and {5,6} at 1 (ties: the pair with the smaller ids first).
    /// Ward distance between clusters A, B = √(2·|A||B|/(|A|+|B|))·|centroid A − centroid B|:
    /// {0,1} vs {5,6}: √(2·2·2/4)·5 = √2·5 = 7.0711; {5,6} vs {20}: √(2·2/3)·14.5 = 16.743;
    /// {0,1} vs {20}: √(4/3)·19.5 = 22.517. So {0,1}+{5,6} at 7.0711, then with {20}:
    /// √(2·4·1/5)·(20 − 3) = √1.6·17 = 21.503.
    #[test]
    fn ward_matches_a_hand_computed_example() {
        let m = ward(&p(&[0.0, 1.0, 5.0, 6.0, 20.0]));
        let heights: Vec<f64> = m.iter().map(|m| m.height).collect();
        let expected = [1.0, 1.0, 50f64.sqrt(), (1.6f64).sqrt() * 17.0];
        for (h, e) in heights.iter().zip(expected) {
            assert!((h - e).abs() < 1e-12, "{heights:?}");
        }
        assert_eq!((m[0].a, m[0].b, m[0].size), (0, 1, 2));
        assert_eq!((m[1].a, m[1].b, m[1].size), (2, 3, 2));
        assert_eq!((m[2].a, m[2].b, m[2].size), (5, 6, 4));
        assert_eq!((m[3].a, m[3].b, m[3].size), (4, 7, 5));
        assert_eq!(cut(&m, 5, 2), vec![1, 1, 1, 1, 2]);
        assert_eq!(cut(&m, 5, 3), vec![1, 1, 2, 2, 3]);
    }

    #[test]
    fn silhouette_of_two_clear_groups_is_high_and_k_is_chosen_by_it() {
        let rows = p(&[1.0, 1.1, 0.9, 10.0, 10.2, 9.8]);
        let r = run(&rows, &[1.0], None).unwrap();
        assert_eq!(r.k, 2);
        assert_eq!(r.assignment, vec![1, 1, 1, 2, 2, 2]);
        assert!(r.silhouette[0].silhouette > 0.9);
        assert_eq!(r.silhouette.len(), 4);
    }

    #[test]
    fn constant_columns_and_weights_are_standardised() {
        let z = standardise(&[vec![1.0, 5.0], vec![3.0, 5.0]], &[4.0, 1.0]);
        assert_eq!(z, vec![vec![-2.0, 0.0], vec![2.0, 0.0]]);
    }

    #[test]
    fn wrong_inputs_are_errors() {
        assert_eq!(
            run(&p(&[1.0, 2.0]), &[1.0], None),
            Err(ClusterError::TooFew(2))
        );
        assert!(matches!(
            run(&p(&[1.0, 2.0, 3.0]), &[1.0], Some(3)),
            Err(ClusterError::BadK { k: 3, max: 2 })
        ));
        assert_eq!(
            run(&p(&[1.0, 2.0, 3.0]), &[0.0], None),
            Err(ClusterError::BadWeights)
        );
    }
}
