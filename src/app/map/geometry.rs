//! The Gemeinde shapes prepared for drawing, once per boundary data: coordinates moved to the
//! origin, x scaled for the latitude (degrees) and everything divided by the larger extent
//! (0..1), each polygon triangulated by earcut (concave shapes and holes), the rings kept for
//! the outlines and for finding the Gemeinde under the pointer.

use crate::model::boundaries::Boundaries;

/// One Gemeinde ready to draw.
#[derive(Debug, Clone)]
pub(super) struct ShapeGeometry {
    /// AGS.
    pub ags: String,
    /// Name from the boundary file.
    pub name: String,
    /// Points in map units (y up), every ring after the other.
    pub vertices: Vec<[f32; 2]>,
    /// Triangles (indices into `vertices`).
    pub triangles: Vec<u32>,
    /// Each ring as a range of `vertices`.
    pub rings: Vec<std::ops::Range<usize>>,
    /// Bounding box `[min_x, min_y, max_x, max_y]` in map units.
    bbox: [f32; 4],
    /// Where the name goes: the centroid of the largest ring (map units).
    pub label_at: [f32; 2],
    /// Width of the bounding box in map units (a name is drawn only where it fits).
    pub width: f32,
}

/// All Gemeinden of a boundary file ready to draw.
#[derive(Debug, Clone)]
pub(super) struct MapGeometry {
    /// The shapes in the order of the file.
    pub shapes: Vec<ShapeGeometry>,
    /// Width and height in map units (the larger is 1).
    pub size: [f32; 2],
}

impl MapGeometry {
    /// Projects and triangulates `boundaries`.
    pub fn new(boundaries: &Boundaries) -> MapGeometry {
        let [x0, y0, x1, y1] = boundaries.bbox().unwrap_or([0.0, 0.0, 1.0, 1.0]);
        let x_scale = boundaries.x_scale();
        let (w, h) = ((x1 - x0) * x_scale, y1 - y0);
        let extent = w.max(h).max(f64::MIN_POSITIVE);
        let project = |p: &[f64; 2]| [(p[0] - x0) * x_scale / extent, (p[1] - y0) / extent];
        let mut earcut = earcut::Earcut::<f64>::new();
        let mut triangles_out: Vec<u32> = Vec::new();
        let shapes = boundaries
            .shapes
            .iter()
            .map(|shape| {
                let mut points: Vec<[f64; 2]> = Vec::new();
                let mut triangles = Vec::new();
                let mut rings = Vec::new();
                for polygon in &shape.polygons {
                    let start = points.len();
                    let mut holes: Vec<u32> = Vec::new();
                    for (k, ring) in polygon.rings().enumerate() {
                        if k > 0 {
                            holes.push(u32::try_from(points.len() - start).unwrap_or(u32::MAX));
                        }
                        let from = points.len();
                        points.extend(ring.iter().map(project));
                        rings.push(from..points.len());
                    }
                    earcut.earcut(points[start..].iter().copied(), &holes, &mut triangles_out);
                    let base = u32::try_from(start).unwrap_or(u32::MAX);
                    triangles.extend(triangles_out.iter().map(|&i| base + i));
                }
                let vertices: Vec<[f32; 2]> =
                    points.iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
                let bbox = vertices.iter().fold(
                    [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
                    |[a, b, c, d], [x, y]| [a.min(*x), b.min(*y), c.max(*x), d.max(*y)],
                );
                let label_at = rings
                    .iter()
                    .map(|r| ring_centroid(&vertices[r.clone()]))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map_or([0.0, 0.0], |(_, c)| c);
                ShapeGeometry {
                    ags: shape.ags.clone(),
                    name: shape.name.clone(),
                    vertices,
                    triangles,
                    rings,
                    label_at,
                    width: bbox[2] - bbox[0],
                    bbox,
                }
            })
            .collect();
        MapGeometry {
            shapes,
            size: [(w / extent) as f32, (h / extent) as f32],
        }
    }

    /// The shape under the point `p` (map units); even-odd over all rings of a shape, so a
    /// hole (an enclave) belongs to the Gemeinde inside it.
    pub fn hit(&self, p: [f32; 2]) -> Option<usize> {
        self.shapes.iter().position(|s| {
            let [a, b, c, d] = s.bbox;
            p[0] >= a
                && p[0] <= c
                && p[1] >= b
                && p[1] <= d
                && s.rings
                    .iter()
                    .filter(|r| crosses_odd(&s.vertices[(*r).clone()], p))
                    .count()
                    % 2
                    == 1
        })
    }
}

/// Absolute area and centroid of a ring (shoelace formula); a degenerate ring gives the mean of
/// its points.
fn ring_centroid(ring: &[[f32; 2]]) -> (f32, [f32; 2]) {
    let (mut a, mut cx, mut cy) = (0.0_f32, 0.0_f32, 0.0_f32);
    for (k, p) in ring.iter().enumerate() {
        let q = ring[(k + 1) % ring.len()];
        let cross = p[0] * q[1] - q[0] * p[1];
        a += cross;
        cx += (p[0] + q[0]) * cross;
        cy += (p[1] + q[1]) * cross;
    }
    if a.abs() < f32::EPSILON {
        let n = ring.len().max(1) as f32;
        let (sx, sy) = ring
            .iter()
            .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        return (0.0, [sx / n, sy / n]);
    }
    (a.abs() / 2.0, [cx / (3.0 * a), cy / (3.0 * a)])
}

/// A ray from `p` to the right crosses the ring an odd number of times.
fn crosses_odd(ring: &[[f32; 2]], p: [f32; 2]) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let a = ring[i];
        let b = ring[(i + n - 1) % n];
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::boundaries::{GemeindeShape, Polygon};

    #[test]
    fn a_name_sits_at_the_centroid_of_the_largest_ring() {
        // An L of three unit squares: area 3, centroid ((0,5·2 + 1,5)/3, (0,5·2 + 1,5)/3).
        let l = [
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [0.0, 2.0],
        ];
        let (area, c) = ring_centroid(&l);
        assert!((area - 3.0).abs() < 1e-6);
        assert!((c[0] - 2.5 / 3.0).abs() < 1e-6 && (c[1] - 2.5 / 3.0).abs() < 1e-6);
        // Clockwise gives the same.
        let mut r = l;
        r.reverse();
        assert_eq!(ring_centroid(&r).0, area);
        assert!((ring_centroid(&r).1[0] - c[0]).abs() < 1e-6);
    }

    #[test]
    fn a_square_with_a_hole_is_triangulated_and_the_hole_is_not_hit() {
        // Metres (beyond ±180): no latitude scaling.
        let m = |x: f64, y: f64| [500_000.0 + x, 5_700_000.0 + y];
        let outer = vec![m(0.0, 0.0), m(4.0, 0.0), m(4.0, 4.0), m(0.0, 4.0)];
        let hole = vec![m(1.0, 1.0), m(3.0, 1.0), m(3.0, 3.0), m(1.0, 3.0)];
        let b = Boundaries {
            shapes: vec![GemeindeShape {
                ags: "1".into(),
                name: "A".into(),
                polygons: vec![Polygon {
                    exterior: outer,
                    holes: vec![hole],
                }],
            }],
            unusable: Vec::new(),
        };
        let g = MapGeometry::new(&b);
        // A square ring with a square hole: 8 points, 8 triangles.
        assert_eq!(g.shapes[0].vertices.len(), 8);
        assert_eq!(g.shapes[0].triangles.len(), 8 * 3);
        assert_eq!(g.size, [1.0, 1.0]);
        // 4 m → 1 map unit.
        assert_eq!(g.hit([0.1, 0.1]), Some(0));
        assert_eq!(g.hit([0.5, 0.5]), None);
        assert_eq!(g.hit([1.2, 0.5]), None);
    }
}
