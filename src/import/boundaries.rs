//! Import of Gemeinde boundaries from a GeoJSON FeatureCollection (as exported from KomMonitor
//! or a GIS; the public source is the BKG's VG250, layer VG250_GEM). Each feature needs a
//! Polygon or MultiPolygon and a Gemeinde key among its properties (found case-insensitively:
//! `AGS`, `AGS_0`, `gemeindeschluessel`, `GKZ`, then `ARS`/`RS`, whose 12 digits give the AGS
//! by [`Ags::gemeinde`]); the name comes from `GEN`, `name` or `gemeinde`. Coordinates are kept
//! as given (degrees or metres). A feature that cannot be used is listed with its number and
//! reason in [`Boundaries::unusable`], never dropped in silence; features with the same AGS
//! (a Gemeinde split into land and water parts) are merged.

use super::ImportError;
use crate::model::Ags;
use crate::model::boundaries::{Boundaries, GemeindeShape, Polygon, Ring, UnusableFeature};
use geojson::{Geometry, GeometryValue, JsonObject, JsonValue, Position};
use std::collections::HashMap;
use std::path::Path;

/// Property names of the Gemeinde key, in the order they are tried (lower case).
const KEY_PROPERTIES: &[&str] = &[
    "ags",
    "ags_0",
    "gemeindeschluessel",
    "gemeindeschlüssel",
    "gkz",
    "ars",
    "rs",
];

/// Property names of the Gemeinde name, in the order they are tried (lower case).
const NAME_PROPERTIES: &[&str] = &["gen", "name", "gemeinde", "gemeindename"];

/// Reads a boundary file.
pub fn read_boundaries(path: &Path) -> Result<Boundaries, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable {
        detail: crate::io_util::io_error_german(&e),
        path: path.display().to_string(),
    })?;
    parse_boundaries(&bytes).map_err(|detail| ImportError::Unreadable {
        detail,
        path: path.display().to_string(),
    })
}

/// Parses the bytes of a GeoJSON FeatureCollection; the error is German (the caller adds the
/// file).
pub fn parse_boundaries(bytes: &[u8]) -> Result<Boundaries, String> {
    let value: JsonValue = serde_json::from_slice(bytes).map_err(|e| json_error_german(&e))?;
    let JsonValue::Object(mut root) = value else {
        return Err("kein GeoJSON-Objekt (erwartet: eine FeatureCollection)".into());
    };
    let kind = root.get("type").and_then(JsonValue::as_str).unwrap_or("");
    if kind != "FeatureCollection" {
        return Err(format!(
            "keine GeoJSON-FeatureCollection (Typ „{kind}“); erwartet werden die Gemeinden als Features einer FeatureCollection"
        ));
    }
    let Some(JsonValue::Array(features)) = root.remove("features") else {
        return Err("die FeatureCollection hat keine Liste „features“".into());
    };
    let mut shapes: Vec<GemeindeShape> = Vec::new();
    let mut by_ags: HashMap<String, usize> = HashMap::new();
    let mut unusable = Vec::new();
    for (i, feature) in features.into_iter().enumerate() {
        match read_feature(feature) {
            Ok(shape) => match by_ags.get(&shape.ags) {
                Some(&k) => {
                    let merged = &mut shapes[k];
                    merged.polygons.extend(shape.polygons);
                    if merged.name.is_empty() {
                        merged.name = shape.name;
                    }
                }
                None => {
                    by_ags.insert(shape.ags.clone(), shapes.len());
                    shapes.push(shape);
                }
            },
            Err(reason) => unusable.push(UnusableFeature {
                feature: i + 1,
                reason,
            }),
        }
    }
    let found = Boundaries { shapes, unusable };
    if found.shapes.is_empty() {
        return Err(match found.unusable_message() {
            Some(m) => format!("keine verwendbare Gemeinde. {m}"),
            None => "keine Gemeinden (die FeatureCollection ist leer)".into(),
        });
    }
    Ok(found)
}

/// One feature → a Gemeinde, or why not.
fn read_feature(feature: JsonValue) -> Result<GemeindeShape, String> {
    let JsonValue::Object(mut object) = feature else {
        return Err("kein GeoJSON-Feature".into());
    };
    let properties = match object.remove("properties") {
        Some(JsonValue::Object(p)) => p,
        _ => JsonObject::new(),
    };
    let ags = gemeinde_key(&properties)?;
    let name = find_property(&properties, NAME_PROPERTIES)
        .and_then(|(_, v)| property_text(v))
        .unwrap_or_default();
    let geometry = match object.remove("geometry") {
        None | Some(JsonValue::Null) => return Err("keine Geometrie".into()),
        Some(g) => g,
    };
    let type_name = geometry
        .get("type")
        .and_then(JsonValue::as_str)
        .unwrap_or("")
        .to_string();
    let geometry: Geometry = serde_json::from_value(geometry).map_err(|_| {
        if matches!(type_name.as_str(), "Polygon" | "MultiPolygon") {
            format!("fehlerhafte Koordinaten der Geometrie „{type_name}“")
        } else {
            format!("unbekannter Geometrietyp „{type_name}“ (erwartet Polygon oder MultiPolygon)")
        }
    })?;
    let polygons = match geometry.value {
        GeometryValue::Polygon { coordinates } => vec![polygon(&coordinates)?],
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .map(|p| polygon(p))
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(format!(
                "Geometrietyp „{type_name}“ wird nicht unterstützt (erwartet Polygon oder MultiPolygon)"
            ));
        }
    };
    if polygons.is_empty() {
        return Err("leere Geometrie".into());
    }
    Ok(GemeindeShape {
        ags: ags.as_str().to_string(),
        name,
        polygons,
    })
}

/// The AGS from the first key property present.
fn gemeinde_key(properties: &JsonObject) -> Result<Ags, String> {
    let Some((key, value)) = find_property(properties, KEY_PROPERTIES) else {
        return Err(
            "kein Gemeindeschlüssel (Eigenschaft AGS, GKZ, gemeindeschluessel, ARS oder RS)".into(),
        );
    };
    let text = property_text(value).unwrap_or_default();
    Ags::parse(&text).and_then(|a| a.gemeinde()).ok_or_else(|| {
        format!(
            "Gemeindeschlüssel „{text}“ (Eigenschaft {key}) ist weder ein 8-stelliger AGS noch ein 12-stelliger Regionalschlüssel"
        )
    })
}

/// The first property whose name matches one of `names` (case-insensitively), by the order
/// of `names`.
fn find_property<'a>(
    properties: &'a JsonObject,
    names: &[&str],
) -> Option<(&'a str, &'a JsonValue)> {
    names.iter().find_map(|want| {
        properties
            .iter()
            .find(|(k, v)| k.to_lowercase() == *want && !v.is_null())
            .map(|(k, v)| (k.as_str(), v))
    })
}

/// A property as text: strings trimmed, whole numbers without a decimal point.
fn property_text(value: &JsonValue) -> Option<String> {
    match value {
        JsonValue::String(s) => Some(s.trim().to_string()),
        JsonValue::Number(n) => Some(
            n.as_u64()
                .map_or_else(|| n.to_string(), |whole| whole.to_string()),
        ),
        _ => None,
    }
}

/// A GeoJSON polygon (outer ring, holes) → [`Polygon`]; holes with fewer than three points
/// have no area and are left out.
fn polygon(rings: &[Vec<Position>]) -> Result<Polygon, String> {
    let mut rings = rings.iter().map(|r| ring(r));
    let exterior = rings.next().ok_or("Polygon ohne Ring")??;
    if exterior.len() < 3 {
        return Err("Polygon mit weniger als drei Punkten".into());
    }
    let mut holes = Vec::new();
    for hole in rings {
        let hole = hole?;
        if hole.len() >= 3 {
            holes.push(hole);
        }
    }
    Ok(Polygon { exterior, holes })
}

/// Points of a ring (x, y; a third coordinate is ignored), without the closing repetition.
fn ring(positions: &[Position]) -> Result<Ring, String> {
    let mut out: Ring = Vec::with_capacity(positions.len());
    for p in positions {
        let (Some(&x), Some(&y)) = (p.as_slice().first(), p.as_slice().get(1)) else {
            return Err("Koordinate mit weniger als zwei Werten".into());
        };
        if !x.is_finite() || !y.is_finite() {
            return Err("ungültige Koordinate".into());
        }
        out.push([x, y]);
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    Ok(out)
}

/// serde_json's error in German (its own text is English).
fn json_error_german(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "Lesefehler",
        Category::Syntax => "Syntaxfehler",
        Category::Data => "unerwarteter Inhalt",
        Category::Eof => "die Datei endet vorzeitig",
    };
    format!(
        "kein gültiges JSON ({what} in Zeile {}, Spalte {})",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> String {
        format!(
            "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
            x + 1.0,
            x + 1.0,
            y + 1.0,
            y + 1.0
        )
    }

    #[test]
    fn keys_names_and_geometries_are_read_and_unusable_features_are_listed() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"AGS":"05999004","GEN":"Musterstadt"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
            {{"type":"Feature","properties":{{"ars":"059990008008","Name":"Lindenfeld"}},"geometry":{{"type":"MultiPolygon","coordinates":[{},{}]}}}},
            {{"type":"Feature","properties":{{"GKZ":5999012}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
            {{"type":"Feature","properties":{{"GEN":"ohne Schlüssel"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
            {{"type":"Feature","properties":{{"AGS":"05999016"}},"geometry":null}},
            {{"type":"Feature","properties":{{"AGS":"05999020"}},"geometry":{{"type":"Point","coordinates":[1,2]}}}},
            {{"type":"Feature","properties":{{"AGS":"05999024"}},"geometry":{{"type":"Kreis","coordinates":[1,2]}}}},
            {{"type":"Feature","properties":{{"AGS":"123"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}
            ]}}"#,
            square(0.0, 0.0),
            square(1.0, 0.0),
            square(5.0, 5.0),
            square(2.0, 0.0),
            square(3.0, 0.0),
            square(4.0, 0.0),
        );
        let b = parse_boundaries(text.as_bytes()).unwrap();
        let keys: Vec<(&str, &str, usize)> = b
            .shapes
            .iter()
            .map(|s| (s.ags.as_str(), s.name.as_str(), s.polygons.len()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("05999004", "Musterstadt", 1),
                ("05999008", "Lindenfeld", 2),
                ("05999012", "", 1),
            ]
        );
        // The closing point is not repeated.
        assert_eq!(b.shapes[0].polygons[0].exterior.len(), 4);
        let numbers: Vec<usize> = b.unusable.iter().map(|u| u.feature).collect();
        assert_eq!(numbers, vec![4, 5, 6, 7, 8]);
        assert!(b.unusable[0].reason.starts_with("kein Gemeindeschlüssel"));
        assert_eq!(b.unusable[1].reason, "keine Geometrie");
        assert!(
            b.unusable[2].reason.contains("„Point“"),
            "{}",
            b.unusable[2].reason
        );
        assert!(
            b.unusable[3].reason.contains("„Kreis“"),
            "{}",
            b.unusable[3].reason
        );
        assert!(
            b.unusable[4].reason.contains("„123“"),
            "{}",
            b.unusable[4].reason
        );
        let msg = b.unusable_message().unwrap();
        assert!(
            msg.starts_with("5 Objekte der Datei sind nicht verwendbar"),
            "{msg}"
        );
        assert!(msg.contains("Nr. 4 (kein Gemeindeschlüssel"), "{msg}");
    }

    #[test]
    fn invalid_json_and_other_geojson_give_german_errors() {
        let err =
            parse_boundaries(b"{\"type\": \"FeatureCollection\", \"features\": [").unwrap_err();
        assert!(err.starts_with("kein gültiges JSON"), "{err}");
        assert!(err.contains("Zeile 1"), "{err}");
        let err = parse_boundaries(b"{\"type\":\"Feature\"}").unwrap_err();
        assert!(err.contains("keine GeoJSON-FeatureCollection"), "{err}");
        let err = parse_boundaries(b"[1,2]").unwrap_err();
        assert!(err.contains("kein GeoJSON-Objekt"), "{err}");
        let err = parse_boundaries(br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#).unwrap_err();
        assert!(err.contains("keine verwendbare Gemeinde"), "{err}");
        assert!(err.contains("Nr. 1"), "{err}");
    }

    #[test]
    fn features_of_the_same_gemeinde_are_merged() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"AGS":"05999004","GEN":"Musterstadt"}},"geometry":{{"type":"Polygon","coordinates":{}}}}},
            {{"type":"Feature","properties":{{"AGS":"5999004"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}
            ]}}"#,
            square(0.0, 0.0),
            square(3.0, 3.0)
        );
        let b = parse_boundaries(text.as_bytes()).unwrap();
        assert_eq!(b.shapes.len(), 1);
        assert_eq!(b.shapes[0].polygons.len(), 2);
        assert!(b.unusable.is_empty());
    }
}
