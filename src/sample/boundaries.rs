//! Generated Gemeinde boundaries of the fictional Kreis (`gemeinden.geojson`): a deformed grid
//! of 4 × 3 cells in WGS84 longitude/latitude (somewhere in Westfalen; the Kreis does not
//! exist). The Nordkreis is the top row, the Südkreis the bottom row, and Musterstadt spans the
//! two middle cells between Lindenfeld and Bachhausen, so every Vergleichsraum is contiguous.
//! Every grid edge is subdivided into wiggled points drawn from the edge's own random stream,
//! so both Gemeinden along a border share exactly the same vertices. Only IEEE basic operations
//! are used: the same seed gives the same file on every platform.

use super::SampleError;
use super::kreis::GEMEINDEN;
use super::rng::{SampleRng, derive_seed};
use std::fmt::Write as _;
use std::path::Path;

/// Grid columns and rows.
const COLUMNS: usize = 4;
const ROWS: usize = 3;
/// South-west corner and cell size in degrees.
const ORIGIN: [f64; 2] = [7.62, 51.48];
const CELL: [f64; 2] = [0.105, 0.068];
/// Points per grid edge (including its start, excluding its end).
const STEPS: usize = 10;

/// The cells of each Gemeinde of [`GEMEINDEN`] (same order): row and first/last column.
const LAYOUT: [(usize, usize, usize); 11] = [
    (1, 1, 2), // Musterstadt
    (1, 0, 0), // Lindenfeld
    (1, 3, 3), // Bachhausen
    (2, 0, 0), // Nordheim
    (2, 1, 1), // Wiesenbrück
    (2, 2, 2), // Eichtal
    (2, 3, 3), // Kleinau
    (0, 0, 0), // Hohenberg
    (0, 1, 1), // Talstedt
    (0, 2, 2), // Sonnendorf
    (0, 3, 3), // Birkenau-West
];

/// The deformed grid nodes: (COLUMNS + 1) × (ROWS + 1), inner nodes moved by up to a quarter
/// of a cell.
fn nodes(seed: u64) -> Vec<[f64; 2]> {
    let mut rng = SampleRng::new(derive_seed(seed, 40));
    let mut out = Vec::with_capacity((COLUMNS + 1) * (ROWS + 1));
    for j in 0..=ROWS {
        for i in 0..=COLUMNS {
            let inner = i > 0 && i < COLUMNS && j > 0 && j < ROWS;
            let amp = if inner { 0.2 } else { 0.1 };
            let dx = rng.range(-amp, amp);
            let dy = rng.range(-amp, amp);
            out.push([
                ORIGIN[0] + (i as f64 + dx) * CELL[0],
                ORIGIN[1] + (j as f64 + dy) * CELL[1],
            ]);
        }
    }
    out
}

fn node_index(i: usize, j: usize) -> usize {
    j * (COLUMNS + 1) + i
}

/// The points of the border from node `a` to node `b` (without `b`), the same points for both
/// directions.
fn edge(nodes: &[[f64; 2]], a: usize, b: usize, seed: u64) -> Vec<[f64; 2]> {
    let (lo, hi) = (a.min(b), a.max(b));
    let mut rng = SampleRng::new(derive_seed(seed, 1000 + (lo * 64 + hi) as u64));
    let (p, q) = (nodes[lo], nodes[hi]);
    let mut points = vec![p];
    let mut walk = 0.0;
    for k in 1..STEPS {
        let t = k as f64 / STEPS as f64;
        // A random walk across the line, pulled back to it at both ends.
        walk = (walk + rng.range(-0.06, 0.06)).clamp(-0.16, 0.16);
        let offset = walk * 4.0 * t * (1.0 - t);
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        // Perpendicular in cell units (x scaled like y so the wiggle looks even).
        points.push([
            p[0] + dx * t - dy * offset * CELL[0] / CELL[1],
            p[1] + dy * t + dx * offset * CELL[1] / CELL[0],
        ]);
    }
    if lo != a {
        // From b to a: reverse, keep the start node first.
        points.push(q);
        points.reverse();
        points.pop();
    }
    points
}

/// The outer ring of a Gemeinde covering columns `i0..=i1` of row `j`, counter-clockwise.
fn ring(nodes: &[[f64; 2]], (j, i0, i1): (usize, usize, usize), seed: u64) -> Vec<[f64; 2]> {
    let mut corners = Vec::new();
    for i in i0..=i1 + 1 {
        corners.push(node_index(i, j));
    }
    for i in (i0..=i1 + 1).rev() {
        corners.push(node_index(i, j + 1));
    }
    let mut points = Vec::new();
    for (k, &a) in corners.iter().enumerate() {
        let b = corners[(k + 1) % corners.len()];
        points.extend(edge(nodes, a, b, seed));
    }
    points
}

/// The GeoJSON text of the Kreis.
pub(super) fn boundaries_geojson(seed: u64) -> String {
    let nodes = nodes(seed);
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (k, (g, cells)) in GEMEINDEN.iter().zip(LAYOUT).enumerate() {
        let mut points = ring(&nodes, cells, seed);
        if let Some(&first) = points.first() {
            points.push(first);
        }
        let coords: Vec<String> = points
            .iter()
            .map(|p| format!("[{:.6},{:.6}]", p[0], p[1]))
            .collect();
        let _ = writeln!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{{\"AGS\":\"{}\",\"GEN\":\"{}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}}}{}",
            g.ags,
            g.name,
            coords.join(","),
            if k + 1 < GEMEINDEN.len() { "," } else { "" }
        );
    }
    out.push_str("]}\n");
    out
}

/// Writes `gemeinden.geojson`.
pub(super) fn write_boundaries(path: &Path, seed: u64) -> Result<(), SampleError> {
    crate::io_util::write_atomic(path, boundaries_geojson(seed).as_bytes()).map_err(|e| {
        SampleError::File {
            path: path.display().to_string(),
            detail: crate::io_util::io_error_german(&e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::contiguity::rook_neighbours;
    use crate::import::boundaries::parse_boundaries;

    #[test]
    fn the_sample_kreis_has_every_gemeinde_and_contiguous_vergleichsraeume() {
        let b =
            parse_boundaries(boundaries_geojson(crate::sample::SAMPLE_SEED).as_bytes()).unwrap();
        assert!(b.unusable.is_empty());
        assert_eq!(b.shapes.len(), GEMEINDEN.len());
        let pairs = rook_neighbours(&b.shapes, b.default_tolerance());
        let p = |a: u32, b: u32| (format!("059990{a:02}"), format!("059990{b:02}"));
        // Rows: Nordkreis 16–20–24–28, middle 08–04–12, Südkreis 32–36–40–44.
        for (a, b) in [
            (16, 20),
            (20, 24),
            (24, 28),
            (4, 8),
            (4, 12),
            (32, 36),
            (36, 40),
            (40, 44),
        ] {
            assert!(pairs.contains(&p(a, b)), "{a}–{b} in {pairs:?}");
        }
        // Across rows: Lindenfeld–Nordheim and –Hohenberg, Musterstadt below Wiesenbrück and
        // Eichtal; Bachhausen–Kleinau, –Birkenau-West.
        for (a, b) in [
            (8, 16),
            (8, 32),
            (4, 20),
            (4, 24),
            (4, 36),
            (4, 40),
            (12, 28),
            (12, 44),
        ] {
            assert!(pairs.contains(&p(a, b)), "{a}–{b} in {pairs:?}");
        }
        // Not neighbours: the two outer rows, and Lindenfeld–Bachhausen.
        assert!(!pairs.contains(&p(16, 32)));
        assert!(!pairs.contains(&p(8, 12)));
    }
}
