//! The drawing of a dendrogram from the merges (scipy's linkage layout): the leaves in the order
//! a depth-first walk from the last merge meets them (the first cluster of each merge on the
//! left), each leaf at x = its position, each merge at the middle of its two children and at
//! its height. The app draws the segments; the workbook lists the leaves in this order.

use super::Merge;

/// A dendrogram ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Dendrogram {
    /// Observation index per position on the x axis (0, 1, …).
    pub leaves: Vec<usize>,
    /// Line segments ((x, y), (x, y)): for each merge two vertical lines from its children up
    /// to its height and one horizontal line joining them.
    pub segments: Vec<[(f64, f64); 2]>,
}

/// Lays out the dendrogram of `n` observations merged by `merges`.
pub fn layout(merges: &[Merge], n: usize) -> Dendrogram {
    let nodes = n + merges.len();
    // Leaf order: depth-first from the root, first child first.
    let mut leaves = Vec::with_capacity(n);
    let mut stack: Vec<usize> = if merges.is_empty() {
        (0..n).rev().collect()
    } else {
        vec![nodes - 1]
    };
    while let Some(id) = stack.pop() {
        if id < n {
            leaves.push(id);
        } else if let Some(m) = merges.get(id - n) {
            stack.push(m.b);
            stack.push(m.a);
        }
    }
    let mut pos = vec![(0.0, 0.0); nodes];
    for (x, &leaf) in leaves.iter().enumerate() {
        pos[leaf] = (x as f64, 0.0);
    }
    let mut segments = Vec::with_capacity(3 * merges.len());
    for (i, m) in merges.iter().enumerate() {
        let (Some(&(xa, ya)), Some(&(xb, yb))) = (pos.get(m.a), pos.get(m.b)) else {
            continue;
        };
        let h = m.height;
        segments.push([(xa, ya), (xa, h)]);
        segments.push([(xb, yb), (xb, h)]);
        segments.push([(xa, h), (xb, h)]);
        pos[n + i] = (xa + (xb - xa) / 2.0, h);
    }
    Dendrogram { leaves, segments }
}

#[cfg(test)]
mod tests {
    use super::super::ward;
    use super::*;

    /// Points 0, 1, 5, 6, 20: merges (0,1) → 5, (2,3) → 6, (5,6) → 7, (4,7) → 8. From the
    /// root 8: leaf 4, then 7 → 5 → 0, 1, then 6 → 2, 3. Positions 4:0, 0:1, 1:2, 2:3, 3:4;
    /// node 5 at x 1.5, node 6 at 3.5, node 7 at 2.5, the root at 1.25.
    #[test]
    fn leaves_and_segments_follow_the_merges() {
        let pts: Vec<Vec<f64>> = [0.0, 1.0, 5.0, 6.0, 20.0]
            .iter()
            .map(|x| vec![*x])
            .collect();
        let merges = ward(&pts);
        let d = layout(&merges, 5);
        assert_eq!(d.leaves, vec![4, 0, 1, 2, 3]);
        assert_eq!(d.segments.len(), 12);
        assert_eq!(d.segments[0], [(1.0, 0.0), (1.0, 1.0)]);
        assert_eq!(d.segments[2], [(1.0, 1.0), (2.0, 1.0)]);
        // The last merge joins leaf 4 (x 0) and node 7 (x 2.5, height √50).
        let h = merges[3].height;
        assert_eq!(d.segments[10], [(2.5, merges[2].height), (2.5, h)]);
        assert_eq!(d.segments[11], [(0.0, h), (2.5, h)]);
    }
}
