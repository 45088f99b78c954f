//! Gemeinde boundaries as read from a GeoJSON file (`[boundaries]` of the project): polygons per
//! Gemeinde, keyed by the AGS, in the coordinates of the file (WGS84 degrees or projected
//! metres; nothing is reprojected). The map draws them, `analysis::contiguity` derives the
//! neighbours from shared borders (docs/METHOD.md §2.3).

/// A closed ring of points `[x, y]` (the closing point may or may not repeat the first).
pub type Ring = Vec<[f64; 2]>;

/// One polygon: an outer ring and its holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    /// Outer ring.
    pub exterior: Ring,
    /// Holes (enclaves of other Gemeinden, lakes).
    pub holes: Vec<Ring>,
}

impl Polygon {
    /// The outer ring and the holes.
    pub fn rings(&self) -> impl Iterator<Item = &Ring> {
        std::iter::once(&self.exterior).chain(&self.holes)
    }
}

/// The area of one Gemeinde: one or more polygons (a Gemeinde with an exclave or islands).
#[derive(Debug, Clone, PartialEq)]
pub struct GemeindeShape {
    /// Normalised 8-digit AGS.
    pub ags: String,
    /// Name from the file (may be empty).
    pub name: String,
    /// Its polygons.
    pub polygons: Vec<Polygon>,
}

/// How the coordinates of a file are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinateKind {
    /// Longitude/latitude in degrees (WGS84, ETRS89 geographic).
    Degrees,
    /// Projected metres (UTM, e.g. EPSG:25832, or Gauß-Krüger).
    Metres,
}

/// A feature of the file that could not be used, with its 1-based number in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct UnusableFeature {
    /// 1-based number of the feature in the FeatureCollection.
    pub feature: usize,
    /// Why, in German.
    pub reason: String,
}

/// The Gemeinden of a boundary file.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundaries {
    /// One shape per AGS (features with the same AGS are merged), in the order of the file.
    pub shapes: Vec<GemeindeShape>,
    /// Features that were not used, with the reason.
    pub unusable: Vec<UnusableFeature>,
}

impl Boundaries {
    /// Every point of every ring.
    pub fn points(&self) -> impl Iterator<Item = [f64; 2]> + '_ {
        self.shapes
            .iter()
            .flat_map(|s| &s.polygons)
            .flat_map(Polygon::rings)
            .flatten()
            .copied()
    }

    /// Bounding box `[min_x, min_y, max_x, max_y]`; `None` without points.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        self.points().fold(None, |acc, [x, y]| {
            Some(match acc {
                None => [x, y, x, y],
                Some([a, b, c, d]) => [a.min(x), b.min(y), c.max(x), d.max(y)],
            })
        })
    }

    /// Degrees when every point lies within ±180 / ±90, else metres.
    pub fn kind(&self) -> CoordinateKind {
        match self.bbox() {
            Some([x0, y0, x1, y1]) if x0 >= -180.0 && x1 <= 180.0 && y0 >= -90.0 && y1 <= 90.0 => {
                CoordinateKind::Degrees
            }
            _ => CoordinateKind::Metres,
        }
    }

    /// How much one unit of x is worth against one unit of y on the ground: cos(mean latitude)
    /// for degrees (a degree of longitude shrinks towards the pole), 1 for metres.
    pub fn x_scale(&self) -> f64 {
        match (self.kind(), self.bbox()) {
            (CoordinateKind::Degrees, Some([_, y0, _, y1])) => {
                ((y0 + y1) / 2.0).to_radians().cos().max(0.01)
            }
            _ => 1.0,
        }
    }

    /// The default snapping tolerance of `analysis::contiguity`: 1e-6° (about 0,1 m) for
    /// degrees, 0,1 m for metres. Two vertices closer than this are one point.
    pub fn default_tolerance(&self) -> f64 {
        match self.kind() {
            CoordinateKind::Degrees => 1e-6,
            CoordinateKind::Metres => 0.1,
        }
    }

    /// The German message about the features that were not used (`None` when all were):
    /// their count, and number and reason of the first ten.
    pub fn unusable_message(&self) -> Option<String> {
        let n = self.unusable.len();
        if n == 0 {
            return None;
        }
        let listed: Vec<String> = self
            .unusable
            .iter()
            .take(10)
            .map(|u| format!("Nr. {} ({})", u.feature, u.reason))
            .collect();
        let more = if n > 10 {
            format!(" und {} weitere", n - 10)
        } else {
            String::new()
        };
        Some(format!(
            "{} der Datei {} nicht verwendbar: {}{more}.",
            crate::fmt::count(n, "Objekt", "Objekte"),
            if n == 1 { "ist" } else { "sind" },
            listed.join("; ")
        ))
    }

    /// The shape of a Gemeinde.
    pub fn shape(&self, ags: &str) -> Option<&GemeindeShape> {
        self.shapes.iter().find(|s| s.ags == ags)
    }
}
