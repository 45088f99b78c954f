//! The map of the Vergleichsräume screen: the Gemeinden of the boundary file, filled by
//! Vergleichsraum, by their median Nettokaltmiete €/m² or by the share of affordable offers
//! (`analysis::spread`), with a legend and a tooltip per Gemeinde. Drawn with egui's painter:
//! the shapes are triangulated once per boundary data ([`geometry`]) and only moved into the
//! available rectangle each frame. Without boundaries a short hint and the load button.

mod geometry;

use crate::app::forms::{DialogRequest, Forms};
use crate::app::state::{AppState, Command, Document};
use crate::app::widgets::{FileRow, file_row};
use crate::dataset::BoundaryData;
use crate::fmt::{count, number, percent};
use egui::{Color32, Pos2, RichText, Sense, Shape, Stroke, Ui, vec2};
use geometry::MapGeometry;
use std::collections::HashMap;
use std::sync::Arc;

/// What the Gemeinden are coloured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourMode {
    /// Membership in a Vergleichsraum.
    #[default]
    Vergleichsraum,
    /// Median NKM €/m² of the Gemeinde.
    RentLevel,
    /// Share of the offers affordable at the applied limit.
    Affordable,
}

impl ColourMode {
    const ALL: [ColourMode; 3] = [
        ColourMode::Vergleichsraum,
        ColourMode::RentLevel,
        ColourMode::Affordable,
    ];

    fn german(self) -> &'static str {
        match self {
            ColourMode::Vergleichsraum => "Vergleichsraum",
            ColourMode::RentLevel => "Median Nettokaltmiete €/m²",
            ColourMode::Affordable => "Anteil anmietbarer Angebote",
        }
    }
}

/// The map's view state: the colouring, the shapes triangulated for the boundary data they
/// were built from (rebuilt only when the data change), and the colours of the Gemeinden for
/// a colouring and state generation (not recomputed every frame: the share of affordable
/// offers runs over all offers).
#[derive(Debug, Clone, Default)]
pub struct MapForm {
    /// What the Gemeinden are coloured by.
    pub mode: ColourMode,
    cache: Option<(Arc<BoundaryData>, Arc<MapGeometry>)>,
    values: Option<(ValuesKey, Arc<Values>)>,
}

/// What the colours depend on: the colouring, the load and the project generation.
type ValuesKey = (ColourMode, u64, u64);

impl MapForm {
    fn geometry(&mut self, data: &Arc<BoundaryData>) -> Arc<MapGeometry> {
        match &self.cache {
            Some((d, g)) if Arc::ptr_eq(d, data) => Arc::clone(g),
            _ => {
                let g = Arc::new(MapGeometry::new(&data.boundaries));
                self.cache = Some((Arc::clone(data), Arc::clone(&g)));
                g
            }
        }
    }

    fn values(&mut self, state: &AppState, doc: &Document) -> Arc<Values> {
        let key = (self.mode, state.load_generation(), state.generation());
        match &self.values {
            Some((k, v)) if *k == key => Arc::clone(v),
            _ => {
                let v = Arc::new(Values::of(self.mode, doc));
                self.values = Some((key, Arc::clone(&v)));
                v
            }
        }
    }
}

/// Categorical colours of the Vergleichsräume (Tableau 10 without its grey).
const PALETTE: [Color32; 9] = [
    Color32::from_rgb(78, 121, 167),
    Color32::from_rgb(242, 142, 43),
    Color32::from_rgb(89, 161, 79),
    Color32::from_rgb(225, 87, 89),
    Color32::from_rgb(118, 183, 178),
    Color32::from_rgb(237, 201, 72),
    Color32::from_rgb(176, 122, 161),
    Color32::from_rgb(255, 157, 167),
    Color32::from_rgb(156, 117, 95),
];

/// Sequential scale (viridis stops), low to high.
const SCALE: [[f32; 3]; 5] = [
    [68.0, 1.0, 84.0],
    [59.0, 82.0, 139.0],
    [33.0, 145.0, 140.0],
    [94.0, 201.0, 98.0],
    [253.0, 231.0, 37.0],
];

/// Gemeinden without a value.
const NO_DATA: Color32 = Color32::from_gray(105);

/// The colour at `t` in 0..1 of [`SCALE`].
fn scale_colour(t: f64) -> Color32 {
    let t = t.clamp(0.0, 1.0) as f32 * (SCALE.len() - 1) as f32;
    let i = (t.floor() as usize).min(SCALE.len() - 2);
    let f = t - i as f32;
    let c = |k: usize| (SCALE[i][k] + (SCALE[i + 1][k] - SCALE[i][k]) * f).round() as u8;
    Color32::from_rgb(c(0), c(1), c(2))
}

/// The map section: load row, colouring, map with legend (or the hint without boundaries).
pub fn map_ui(ui: &mut Ui, state: &AppState, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc() else { return };
    match &doc.lp().data.boundaries {
        Some(data) => {
            ui.horizontal(|ui| {
                ui.label("Färbung:");
                for m in ColourMode::ALL {
                    ui.selectable_value(&mut forms.map.mode, m, m.german());
                }
            });
            let geometry = forms.map.geometry(data);
            let values = forms.map.values(state, doc);
            ui.horizontal_top(|ui| {
                draw_map(ui, &geometry, &values, doc);
                ui.vertical(|ui| legend_ui(ui, &values));
            });
            status_ui(ui, doc, data);
        }
        None => {
            ui.label(
                "Keine Gemeindegrenzen geladen. Mit einer GeoJSON-Datei der Gemeinden (z. B. VG250 des BKG oder ein Export aus KomMonitor oder einem GIS) zeigt hier eine Karte die Vergleichsräume, das Mietniveau und die anmietbaren Angebote je Gemeinde; der Zusammenhang der Vergleichsräume wird dann aus gemeinsamen Grenzen geprüft.",
            );
        }
    }
    load_ui(ui, forms, cmds);
}

/// The colour and tooltip value of every Gemeinde of the table, by the mode.
#[derive(Debug)]
struct Values {
    mode: ColourMode,
    /// Per Gemeinde of the table: colour and value text.
    gemeinde: Vec<Option<(Color32, String)>>,
    /// Legend entries.
    legend: Vec<(Color32, String)>,
    /// Table index by AGS.
    by_ags: HashMap<String, usize>,
}

impl Values {
    fn of(mode: ColourMode, doc: &Document) -> Values {
        let project = doc.project();
        let by_ags = project
            .gemeinden
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.ags.is_empty())
            .map(|(i, g)| (g.ags.clone(), i))
            .collect();
        let (gemeinde, legend) = match mode {
            ColourMode::Vergleichsraum => {
                let names = project.vergleichsraum_names();
                let colour = |k: usize| PALETTE[k % PALETTE.len()];
                let gemeinde = project
                    .gemeinden
                    .iter()
                    .map(|g| {
                        let k = names.iter().position(|n| *n == g.vergleichsraum)?;
                        Some((colour(k), g.vergleichsraum.clone()))
                    })
                    .collect();
                let legend = names
                    .iter()
                    .enumerate()
                    .map(|(k, n)| (colour(k), n.clone()));
                (gemeinde, legend.collect())
            }
            ColourMode::RentLevel => {
                let levels = &doc.prep().rent_levels().gemeinde;
                let medians: Vec<Option<(f64, usize)>> = (0..project.gemeinden.len())
                    .map(|i| levels.get(i).and_then(|l| Some((l.median?, l.n))))
                    .collect();
                let (lo, hi) = medians
                    .iter()
                    .flatten()
                    .fold((f64::MAX, f64::MIN), |a, v| (a.0.min(v.0), a.1.max(v.0)));
                let span = (hi - lo).max(0.01);
                let text = |v: f64| format!("{} €/m²", number(v, 2));
                let gemeinde = medians
                    .iter()
                    .map(|m| {
                        m.map(|(v, n)| {
                            let t = format!("{} (n = {})", text(v), number(n as f64, 0));
                            (scale_colour((v - lo) / span), t)
                        })
                    })
                    .collect();
                let legend = if lo <= hi {
                    (0..5)
                        .map(|k| {
                            let t = f64::from(k) / 4.0;
                            (scale_colour(t), text(lo + t * span))
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                (gemeinde, legend)
            }
            ColourMode::Affordable => {
                let spread = crate::analysis::spread::affordable_by_gemeinde(
                    doc.prep(),
                    project,
                    doc.analysis(),
                );
                let gemeinde = spread
                    .iter()
                    .map(|o| {
                        let share = o.share()?;
                        let text = format!(
                            "{} ({} von {})",
                            percent(share),
                            number(o.n_affordable as f64, 0),
                            count(o.n_offers, "Angebot", "Angeboten")
                        );
                        Some((scale_colour(share), text))
                    })
                    .collect();
                let legend = (0..5)
                    .map(|k| {
                        let t = f64::from(k) / 4.0;
                        (scale_colour(t), percent(t))
                    })
                    .collect();
                (gemeinde, legend)
            }
        };
        Values {
            mode,
            gemeinde,
            legend,
            by_ags,
        }
    }

    /// Colour and value text of the Gemeinde with this AGS (`None`: no value or not in the
    /// table).
    fn of_ags(&self, ags: &str) -> Option<&(Color32, String)> {
        let i = *self.by_ags.get(ags)?;
        self.gemeinde.get(i)?.as_ref()
    }
}

/// Paints the shapes into the space left of the legend and shows the tooltip.
fn draw_map(ui: &mut Ui, geometry: &MapGeometry, values: &Values, doc: &Document) {
    // As wide as the shapes need at the map's height, leaving room for the legend.
    const HEIGHT: f32 = 360.0;
    let [w, h] = geometry.size;
    let wanted = HEIGHT * w / h.max(1e-6) + 12.0;
    let width = wanted.min(ui.available_width() - 240.0).clamp(280.0, 900.0);
    let (response, painter) = ui.allocate_painter(vec2(width, HEIGHT), Sense::hover());
    let rect = response.rect.shrink(6.0);
    let scale = (rect.width() / w.max(1e-6)).min(rect.height() / h.max(1e-6));
    let origin = Pos2::new(
        rect.left() + (rect.width() - w * scale) / 2.0,
        rect.top() + (rect.height() - h * scale) / 2.0,
    );
    let to_screen = |p: [f32; 2]| Pos2::new(origin.x + p[0] * scale, origin.y + (h - p[1]) * scale);
    let hovered = response.hover_pos().and_then(|pos| {
        let p = [(pos.x - origin.x) / scale, h - (pos.y - origin.y) / scale];
        geometry.hit(p)
    });
    let mut mesh = egui::Mesh::default();
    for shape in &geometry.shapes {
        let colour = values.of_ags(&shape.ags).map_or(NO_DATA, |v| v.0);
        let base = u32::try_from(mesh.vertices.len()).unwrap_or(u32::MAX);
        for &p in &shape.vertices {
            mesh.colored_vertex(to_screen(p), colour);
        }
        for t in shape.triangles.chunks_exact(3) {
            mesh.add_triangle(base + t[0], base + t[1], base + t[2]);
        }
    }
    painter.add(Shape::mesh(mesh));
    let outline = Stroke::new(1.0, ui.visuals().extreme_bg_color);
    let highlight = Stroke::new(2.5, ui.visuals().strong_text_color());
    for (k, shape) in geometry.shapes.iter().enumerate() {
        let stroke = if hovered == Some(k) {
            highlight
        } else {
            outline
        };
        for ring in &shape.rings {
            let points: Vec<Pos2> = shape.vertices[ring.clone()]
                .iter()
                .map(|&p| to_screen(p))
                .collect();
            painter.add(Shape::closed_line(points, stroke));
        }
    }
    // Names where they fit inside their Gemeinde's width.
    let font = egui::FontId::proportional(11.0);
    for shape in &geometry.shapes {
        // Dark text on light fills, light text on dark ones.
        let fill = values.of_ags(&shape.ags).map_or(NO_DATA, |v| v.0);
        let luminance =
            0.299 * f32::from(fill.r()) + 0.587 * f32::from(fill.g()) + 0.114 * f32::from(fill.b());
        let text_colour = if luminance < 110.0 {
            Color32::from_gray(235)
        } else {
            Color32::from_gray(20)
        };
        let galley = painter.layout_no_wrap(shape.name.clone(), font.clone(), text_colour);
        if galley.size().x + 4.0 <= shape.width * scale {
            let at = to_screen(shape.label_at) - galley.size() / 2.0;
            painter.galley(at, galley, text_colour);
        }
    }
    if let Some(shape) = hovered.and_then(|k| geometry.shapes.get(k)) {
        let row = values
            .by_ags
            .get(&shape.ags)
            .and_then(|&i| doc.project().gemeinden.get(i));
        let name = row.map_or(shape.name.as_str(), |g| g.name.as_str());
        let value = values.of_ags(&shape.ags).map(|v| v.1.clone());
        response.on_hover_ui_at_pointer(|ui| {
            ui.label(RichText::new(name).strong());
            ui.label(format!("AGS {}", shape.ags));
            match row {
                Some(g) if !g.vergleichsraum.is_empty() => {
                    ui.label(format!("Vergleichsraum: {}", g.vergleichsraum))
                }
                Some(_) => ui.label("keinem Vergleichsraum zugeordnet"),
                None => ui.label("nicht in der Gemeindetabelle"),
            };
            if values.mode != ColourMode::Vergleichsraum {
                ui.label(format!(
                    "{}: {}",
                    values.mode.german(),
                    value.as_deref().unwrap_or("keine Daten")
                ));
            }
        });
    }
}

/// The legend: one swatch per Vergleichsraum or scale step, and "keine Daten".
fn legend_ui(ui: &mut Ui, values: &Values) {
    ui.label(RichText::new("Legende").strong());
    ui.weak(values.mode.german());
    let swatch = |ui: &mut Ui, colour: Color32, text: &str| {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(vec2(16.0, 12.0), Sense::hover());
            ui.painter().rect_filled(rect, 2.0, colour);
            ui.label(text);
        });
    };
    for (colour, text) in &values.legend {
        swatch(ui, *colour, text);
    }
    swatch(ui, NO_DATA, "keine Daten");
    if values.mode == ColourMode::Affordable {
        ui.weak("Bruttokaltmiete höchstens der geltende Richtwert des Tabellenfelds");
    }
}

/// What was loaded: file, counts, unusable features, Gemeinden of the table not in the file.
fn status_ui(ui: &mut Ui, doc: &Document, data: &BoundaryData) {
    let path = doc
        .project()
        .boundaries
        .as_ref()
        .map_or("", |t| t.path.as_str());
    ui.weak(format!(
        "Gemeindegrenzen „{path}“: {}, {} aus gemeinsamen Grenzen (für die Prüfung des Zusammenhangs).",
        count(data.boundaries.shapes.len(), "Gemeinde", "Gemeinden"),
        count(data.neighbours.len(), "Nachbarschaft", "Nachbarschaften")
    ));
    let missing: Vec<&str> = doc
        .project()
        .gemeinden
        .iter()
        .filter(|g| g.ags.is_empty() || data.boundaries.shape(&g.ags).is_none())
        .map(|g| g.name.as_str())
        .collect();
    if !missing.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Nicht in den Gemeindegrenzen: {}", missing.join(", ")),
        );
    }
    if let Some(m) = data.boundaries.unusable_message() {
        ui.colored_label(ui.visuals().warn_fg_color, m);
    }
}

/// Path field, file dialog and "Gemeindegrenzen (GeoJSON) laden…".
fn load_ui(ui: &mut Ui, forms: &mut Forms, cmds: &mut Vec<Command>) {
    let row = FileRow {
        label: "Gemeindegrenzen (Datei):",
        hint: "/pfad/zu/gemeinden.geojson",
        contents: "GeoJSON-FeatureCollection mit einem Polygon je Gemeinde und dem Gemeindeschlüssel (AGS, GKZ oder ARS/RS) als Eigenschaft; Längen-/Breitengrade oder UTM-Meter",
        button: "Gemeindegrenzen (GeoJSON) laden…",
        missing: "Bitte die GeoJSON-Datei der Gemeindegrenzen angeben.",
        dialog: DialogRequest::BoundariesFile,
    };
    file_row(
        ui,
        forms,
        |f| &mut f.boundaries_path,
        &row,
        cmds,
        Command::SetBoundaries,
    );
}
