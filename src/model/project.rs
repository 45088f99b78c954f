//! The project file (TOML): sources, Gemeinde table, Vergleichsräume and every parameter.
//!
//! Paths of sources are stored relative to the project file. The format is versioned
//! (`format_version`); unknown keys are rejected so typos do not pass silently.

use super::date::Date;
use super::params::Parameters;
use super::record::{Field, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A saved column mapping for a recurring file layout ("Export Wohnungsunternehmen X").
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MappingProfile {
    /// Name shown to the user.
    pub name: String,
    /// `import::mapping::header_signature` of the headers the profile was made for.
    pub signature: String,
    /// Header text per mapped field.
    pub columns: BTreeMap<Field, String>,
    /// Money columns that are given per year (divided by 12 on import).
    #[serde(default)]
    pub annual: BTreeSet<Field>,
}

/// The current project file format.
pub const FORMAT_VERSION: u32 = 1;

/// A whole project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// File format version.
    pub format_version: u32,
    /// Descriptive data.
    pub project: ProjectMeta,
    /// Every parameter.
    #[serde(default)]
    pub parameters: Parameters,
    /// Vergleichsräume with their justification.
    #[serde(default)]
    pub vergleichsraeume: Vec<VergleichsraumSpec>,
    /// The Gemeinde table.
    #[serde(default)]
    pub gemeinden: Vec<GemeindeRow>,
    /// Data sources.
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    /// Saved column mappings, reused for files with the same headers.
    #[serde(default)]
    pub mapping_profiles: Vec<MappingProfile>,
    /// The user's justification per parameter key (e.g. `reference.percentile`).
    #[serde(default)]
    pub justifications: BTreeMap<String, String>,
    /// Saved parameter variants for comparison (Szenarien screen); not part of the exports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Current housing costs of benefit recipients (anonymised rows or aggregates) for the
    /// Wirkungsanalyse; read with the data (docs/METHOD.md §2.17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<TableRef>,
    /// Neighbouring Gemeinden (pairs of AGS) for the contiguity of the Vergleichsräume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbours: Option<TableRef>,
    /// The cluster run proposing Vergleichsräume (indicators, weights, k, proposal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::cluster::ClusterSpec>,
    /// Gemeinde boundaries (GeoJSON) for the map and the contiguity from shared borders; they
    /// take precedence over `neighbours` (docs/METHOD.md §2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundaries: Option<TableRef>,
}

/// A table file the project refers to (not a rent source): path relative to the project file,
/// sheet, checksum when saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRef {
    /// Path relative to the project file.
    pub path: String,
    /// Sheet name (workbooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// SHA-256 of the file bytes when the project was saved.
    #[serde(default)]
    pub sha256: String,
}

/// A named, saved parameter set (Szenarien screen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name given by the user.
    pub name: String,
    /// The parameters (missing keys get their defaults).
    #[serde(default)]
    pub parameters: Parameters,
}

/// Descriptive project data (Deckblatt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectMeta {
    /// Project name (window title, Deckblatt).
    pub name: String,
    /// Träger (Kreis/Stadt/Jobcenter).
    #[serde(default)]
    pub traeger: String,
    /// Area covered.
    #[serde(default)]
    pub gebiet: String,
    /// Stichtag of the concept.
    pub stichtag: Date,
    /// Validity start.
    #[serde(default)]
    pub gueltig_ab: Option<Date>,
    /// Fixed creation date written into exports (keeps them byte-identical).
    #[serde(default)]
    pub erstellt: Option<Date>,
    /// Salt for pseudonymising row ids in exports.
    #[serde(default)]
    pub salt: String,
}

/// A Vergleichsraum and why it is a homogeneous Lebens- und Wohnbereich.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VergleichsraumSpec {
    /// Name.
    pub name: String,
    /// Justification text (K1).
    #[serde(default)]
    pub begruendung: String,
    /// No valid concept for this Vergleichsraum: the WoGG fallback (table value + surcharge)
    /// applies (BSG B 4 AS 87/12 R).
    #[serde(default)]
    pub ohne_konzept: bool,
}

/// One row of the Gemeinde table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GemeindeRow {
    /// 8-digit AGS (may be empty).
    #[serde(default)]
    pub ags: String,
    /// Name.
    pub name: String,
    /// Vergleichsraum name (empty = not assigned).
    #[serde(default)]
    pub vergleichsraum: String,
    /// Population.
    #[serde(default)]
    pub einwohner: Option<u32>,
    /// Mietwohnungsbestand.
    #[serde(default)]
    pub mietwohnungen: Option<u32>,
    /// WoGG Mietstufe (1–7).
    #[serde(default)]
    pub mietstufe: Option<u8>,
}

/// One data source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Path relative to the project file.
    pub path: String,
    /// Sheet name (workbooks).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Header row as the user sees it (1-based); `None` = detect.
    #[serde(default)]
    pub header_row: Option<u32>,
    /// Source kind (a mapped `kind` column may override it per row).
    pub kind: SourceKind,
    /// SHA-256 of the file bytes when the project was saved.
    #[serde(default)]
    pub sha256: String,
    /// Supplier (K4).
    #[serde(default)]
    pub lieferant: String,
    /// Collection method (K4).
    #[serde(default)]
    pub methode: String,
    /// Stichtag of the data.
    #[serde(default)]
    pub stichtag: Option<Date>,
    /// Start of the collection window.
    #[serde(default)]
    pub zeitraum_von: Option<Date>,
    /// End of the collection window.
    #[serde(default)]
    pub zeitraum_bis: Option<Date>,
    /// Column mapping: field → header text.
    #[serde(default)]
    pub mapping: BTreeMap<Field, String>,
    /// Money fields given per year instead of per month.
    #[serde(default)]
    pub annual: BTreeSet<Field>,
}

/// Errors reading or writing a project file.
#[derive(Debug, Error)]
pub enum ProjectError {
    /// The file cannot be read.
    #[error("Projektdatei kann nicht gelesen werden: {detail} ({path})")]
    Read {
        /// German detail.
        detail: String,
        /// Path.
        path: String,
    },
    /// The TOML is invalid.
    #[error("Projektdatei fehlerhaft: {detail} ({path})")]
    Parse {
        /// German detail with line.
        detail: String,
        /// Path.
        path: String,
    },
    /// Newer format.
    #[error(
        "Projektdatei hat Format-Version {found}; dieses Programm kennt bis Version {FORMAT_VERSION}. Bitte das Programm aktualisieren. ({path})"
    )]
    Version {
        /// Found version.
        found: u32,
        /// Path.
        path: String,
    },
    /// Writing failed.
    #[error("Projektdatei kann nicht gespeichert werden: {detail} ({path})")]
    Write {
        /// German detail.
        detail: String,
        /// Path.
        path: String,
    },
}

impl Project {
    /// A new project with default parameters.
    pub fn new(name: &str, stichtag: Date) -> Project {
        Project {
            format_version: FORMAT_VERSION,
            project: ProjectMeta {
                name: name.to_string(),
                traeger: String::new(),
                gebiet: String::new(),
                stichtag,
                gueltig_ab: None,
                erstellt: None,
                salt: String::new(),
            },
            parameters: Parameters::default(),
            vergleichsraeume: Vec::new(),
            gemeinden: Vec::new(),
            sources: Vec::new(),
            mapping_profiles: Vec::new(),
            justifications: BTreeMap::new(),
            scenarios: Vec::new(),
            recipients: None,
            neighbours: None,
            cluster: None,
            boundaries: None,
        }
    }

    /// Parses project TOML.
    pub fn from_toml(text: &str, path_for_messages: &str) -> Result<Project, ProjectError> {
        // Check the version first so a newer file gets the right message.
        if let Ok(table) = toml::from_str::<toml::Table>(text)
            && let Some(v) = table
                .get("format_version")
                .and_then(toml::Value::as_integer)
            && v > i64::from(FORMAT_VERSION)
        {
            return Err(ProjectError::Version {
                found: u32::try_from(v).unwrap_or(u32::MAX),
                path: path_for_messages.to_string(),
            });
        }
        let project: Project = toml::from_str(text).map_err(|e| ProjectError::Parse {
            detail: toml_error_german(&e, text),
            path: path_for_messages.to_string(),
        })?;
        let invalid = super::catalogue::validate(&project.parameters);
        if !invalid.is_empty() {
            return Err(ProjectError::Parse {
                detail: format!("ungültige Parameter: {}", invalid.join(" ")),
                path: path_for_messages.to_string(),
            });
        }
        Ok(project)
    }

    /// Serialises to TOML with a short header comment.
    pub fn to_toml(&self) -> Result<String, ProjectError> {
        let body = toml::to_string_pretty(self).map_err(|e| ProjectError::Write {
            detail: e.to_string(),
            path: String::new(),
        })?;
        let mut out = format!(
            "# KdU-Konzept Projektdatei (Format {FORMAT_VERSION}). Pfade relativ zu dieser Datei.\n# Aufbau: siehe README.md, Abschnitt „Projektdatei“.\n\n"
        );
        let mut commented = std::collections::HashSet::new();
        let mut section = "";
        for line in body.lines() {
            if line.starts_with('[') {
                section = line.trim_matches(|c| c == '[' || c == ']');
            }
            if let Some((_, comment)) = SECTION_COMMENTS.iter().find(|(header, _)| line == *header)
                && commented.insert(line.to_string())
            {
                out.push('\n');
                for c in comment.lines() {
                    out.push_str("# ");
                    out.push_str(c);
                    out.push('\n');
                }
            }
            if let Some(comment) = parameter_comment(section, line) {
                out.push_str(&comment);
            }
            out.push_str(line);
            out.push('\n');
        }
        Ok(out)
    }

    /// Loads a project file.
    pub fn load(path: &Path) -> Result<Project, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::Read {
            detail: crate::io_util::io_error_german(&e),
            path: path.display().to_string(),
        })?;
        Project::from_toml(&text, &path.display().to_string())
    }

    /// Saves atomically (temp file + rename).
    pub fn save(&self, path: &Path) -> Result<(), ProjectError> {
        let text = self.to_toml()?;
        crate::io_util::write_atomic(path, text.as_bytes()).map_err(|e| ProjectError::Write {
            detail: crate::io_util::io_error_german(&e),
            path: path.display().to_string(),
        })
    }

    /// Resolves a source path against the project file's folder.
    pub fn source_path(project_file: &Path, source: &SourceSpec) -> PathBuf {
        let base = project_file.parent().unwrap_or(Path::new("."));
        base.join(&source.path)
    }

    /// Absolute path of a referenced table (recipients, neighbours, boundaries).
    pub fn table_path(project_file: &Path, table: &TableRef) -> PathBuf {
        let base = project_file.parent().unwrap_or(Path::new("."));
        base.join(&table.path)
    }

    /// The user's justification for a parameter key (`scope.include_undated`), trimmed; `None`
    /// when none or only blanks are given.
    pub fn justification(&self, key: &str) -> Option<&str> {
        self.justifications
            .get(key)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
    }

    /// Renames the Vergleichsraum `from` to `to` everywhere the project names it: its
    /// declaration (Begründung kept), the Gemeinde table, the parameters and every scenario's.
    pub fn rename_vergleichsraum(&mut self, from: &str, to: &str) {
        for v in self.vergleichsraeume.iter_mut().filter(|v| v.name == from) {
            v.name = to.to_string();
        }
        for g in self
            .gemeinden
            .iter_mut()
            .filter(|g| g.vergleichsraum == from)
        {
            g.vergleichsraum = to.to_string();
        }
        self.parameters.rename_vergleichsraum(from, to);
        for s in &mut self.scenarios {
            s.parameters.rename_vergleichsraum(from, to);
        }
    }

    /// Names of all Vergleichsräume: the declared ones first, then any only named in the
    /// Gemeinde table, in order of appearance.
    pub fn vergleichsraum_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .vergleichsraeume
            .iter()
            .map(|v| v.name.clone())
            .collect();
        for g in &self.gemeinden {
            if !g.vergleichsraum.is_empty() && !names.contains(&g.vergleichsraum) {
                names.push(g.vergleichsraum.clone());
            }
        }
        names
    }
}

/// Comments written above the first occurrence of each section, so every saved project file
/// documents itself.
const SECTION_COMMENTS: &[(&str, &str)] = &[
    (
        "[[scenarios]]",
        "Gespeicherte Szenarien (Parametervarianten zum Vergleich, Bildschirm „Szenarien“); sie gehen nicht in die Exporte ein.",
    ),
    (
        "[project]",
        "Deckblatt: Name, Träger, Gebiet, Stichtag (JJJJ-MM-TT), Gültigkeit.\n„erstellt“ ist das feste Erstellungsdatum der Exporte (bit-identische Dateien), „salt“ das Geheimnis für Pseudonyme.",
    ),
    (
        "[parameters]",
        "Alle Parameter; fehlende Schlüssel erhalten den Standardwert.\nquantile_type: Hyndman-Fan-Typ 1–9 (7 = Excel QUANTIL.INKL); min_n: Mindestfallzahl je Tabellenfeld; ci_level: Konfidenzniveau.",
    ),
    (
        "[parameters.wohnflaechen]",
        "Angemessene Wohnflächen (m²) für 1, 2, … Personen und je weitere Person; Quelle und Bestätigung durch den Anwender.",
    ),
    (
        "[parameters.size_classes]",
        "Größenklassen (Tabellenfelder) aus den Wohnflächen: lower_bound = Untergrenze der Klasse 1 (m²), open_top = größere Wohnungen in die oberste Klasse.",
    ),
    (
        "[parameters.scope]",
        "Abgrenzung: Datenarten für die Referenzmiete und die Verfügbarkeitsprüfung, Altersgrenze der Mietverträge in Jahren, Ausschluss von Sonderwohnformen.",
    ),
    (
        "[parameters.plausibility]",
        "Harte Plausibilitätsgrenzen: Nettokaltmiete je m² (Ablehnung beim Import) und kalte Betriebskosten je m² (nur BK-Auswertung).",
    ),
    (
        "[parameters.outliers]",
        "Extremwertkappung je Tabellenfeld auf Nettokaltmiete/m²: method = none | mean_sd | trim | iqr | absolute;\nk für Mittelwert ± k·SD, trim_share je Seite, iqr_k, abs_min/abs_max in €/m².",
    ),
    (
        "[parameters.reference]",
        "Referenzmiete: method = percentile | median | mean | spannenoberwert; percentile (0–1); spanne (zentrale Spanne);\nround_per_m2 = €/m² vor der Multiplikation auf Cent runden.",
    ),
    (
        "[parameters.operating_costs]",
        "Kalte Betriebskosten: source = records (Kennzahl der Datensätze) | external (Wert je m² mit Quelle und Jahr, [parameters.operating_costs.external]);\nstatistic = median | mean | percentile; level = vergleichsraum | cell; lift_split = mit/ohne Aufzug getrennt;\nvergleichsraeume = eigene Quelle je Vergleichsraum (vergleichsraum, source, per_m2, per_m2_lift, source_text, year).",
    ),
    (
        "[parameters.rounding]",
        "Rundung der Bruttokaltmiete: mode = cents | euro_up | euro_commercial.",
    ),
    (
        "[parameters.wogg]",
        "WoGG-Vergleich: surcharge = Sicherheitszuschlag (0.10), klima = none | after | before, kreis_mietstufe für Gemeinden ohne eigene Mietstufe.",
    ),
    (
        "[parameters.availability]",
        "Verfügbarkeitsprüfung: Angebotszeitraum in Monaten vor dem Stichtag, Dubletten (Fläche ± m², Miete ± Anteil),\nheating_included = split | exclude, produkttheorie, Zielanteil anmietbarer Angebote; iteratives Verfahren:\nstart = fixed | demand_share, p_floor, p_step, p_max, demand = Nachfragegruppen je Haushaltsgröße.",
    ),
    (
        "[parameters.representativeness]",
        "Repräsentativität: Abdeckung des Mietwohnungsbestands (Warnung/Fehler), Gewichtung nach Vermietertyp\n(market_shares je Vergleichsraum: Anteil privater Kleinvermieter), Höchstanteil Leistungsbezieher (Zirkelschluss).",
    ),
    (
        "[parameters.heating]",
        "Heizkosten: Prüfgrenze = Heizspiegel-Wert × angemessene Wohnfläche je Energieträger und Gebäudeflächenklasse; Energieträger und\nbeheizte Gebäudefläche wählen die Zeile der Richtwerte; gesamtangemessenheitsgrenze = geltende Grenze + Heizkosten (§ 22 Abs. 10 SGB II);\nhot_water_decentral = dezentrale Warmwasserbereitung, hot_water_share = abgezogener Warmwasseranteil. Die Tabelle ist editierbar.",
    ),
    (
        "[parameters.karenzzeit]",
        "Karenzzeit: factor = Faktor auf die geltende Grenze (berichtet: 1,5) für eine eigene Spalte, oder „aus“.",
    ),
    (
        "[parameters.richtwerte]",
        "Richtwerttabelle: published_table = zusätzliches Blatt mit nummerierten Spalten, vor dem Export nachgerechnet;\nlabel = nichtpruefungsgrenze | angemessenheitsgrenze.",
    ),
    (
        "[parameters.fortschreibung]",
        "Fortschreibung: alte Richtwerte × Indexfaktoren, getrennt für Nettokaltmiete und Betriebskosten.",
    ),
    (
        "[[vergleichsraeume]]",
        "Vergleichsräume mit Begründung (homogener Lebens- und Wohnbereich, BSG K1);\nohne_konzept = true: es gilt der WoGG-Tabellenwert + Sicherheitszuschlag.",
    ),
    (
        "[[gemeinden]]",
        "Gemeindetabelle: AGS (8-stellig), Name, Vergleichsraum, Einwohner, Mietwohnungsbestand, WoGG-Mietstufe.",
    ),
    (
        "[[sources]]",
        "Datenquellen: Pfad relativ zur Projektdatei, Blatt, Kopfzeile (Excel-Zeilennummer), Datenart, SHA-256 beim Speichern,\nLieferant, Methode, Zeitraum; [sources.mapping] ordnet Felder den Spaltenüberschriften zu.",
    ),
    (
        "[recipients]",
        "Wirkungsanalyse: aktuelle Unterkunftskosten der Leistungsbezieher (Vergleichsraum oder Gemeinde, Haushaltsgröße,\nBruttokaltmiete, optional Heizkosten und Anzahl), Pfad relativ zur Projektdatei, Blatt, SHA-256 beim Speichern.",
    ),
    (
        "[neighbours]",
        "Nachbarschaften der Gemeinden (Paare von AGS) für die Prüfung, ob jeder Vergleichsraum zusammenhängt.",
    ),
    (
        "[cluster]",
        "Clusteranalyse (nur ein Vorschlag für Vergleichsräume): Mietniveau der Daten als Indikator, Standardisierung (z),\nk (Zahl oder „auto“ = beste Silhouette), k-means-Verfeinerung, Indikatortabelle ([cluster.indicators]),\nGewichte je Indikator ([cluster.weights]) und der Vorschlag je Gemeinde ([[cluster.proposal]]).",
    ),
    (
        "[boundaries]",
        "Gemeindegrenzen als GeoJSON (FeatureCollection mit AGS je Gemeinde) für die Karte; die Nachbarschaften werden aus\ngemeinsamen Grenzen abgeleitet und gehen der Nachbarschaftsliste vor. Pfad relativ zur Projektdatei, SHA-256 beim Speichern.",
    ),
    (
        "[justifications]",
        "Begründungstexte je Parameter (Schlüssel wie bei --set), erscheinen in der Begründungsmappe.",
    ),
    (
        "mapping_profiles = []",
        "Gespeicherte Spaltenzuordnungen für wiederkehrende Dateien.",
    ),
];

fn toml_error_german(e: &toml::de::Error, text: &str) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("Zeile {line}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

/// The comment line above a parameter `key = value` line of the project file, from the
/// parameter catalogue: label, valid values and default.
fn parameter_comment(section: &str, line: &str) -> Option<String> {
    let prefix = section.strip_prefix("parameters")?;
    let key = line.split_once(" = ")?.0.trim();
    let path = match prefix.strip_prefix('.') {
        Some(sub) => format!("{sub}.{key}"),
        None if prefix.is_empty() => key.to_string(),
        None => return None,
    };
    let spec = super::catalogue::find(&path)?;
    let default = spec.display_default();
    Some(format!(
        "# {}: {}; Voreinstellung {}\n",
        spec.label,
        spec.valid_german(),
        if default.is_empty() { "leer" } else { &default }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_errors() {
        let mut p = Project::new("Test", Date::from_ymd(2025, 1, 1).unwrap());
        p.gemeinden.push(GemeindeRow {
            ags: "05999001".into(),
            name: "Musterstadt".into(),
            vergleichsraum: "VR 1".into(),
            einwohner: Some(50_000),
            mietwohnungen: Some(12_000),
            mietstufe: Some(3),
        });
        let mut mapping = BTreeMap::new();
        mapping.insert(Field::NetRent, "Nettokaltmiete (€)".to_string());
        p.sources.push(SourceSpec {
            path: "bestand.xlsx".into(),
            sheet: Some("Daten".into()),
            header_row: None,
            kind: SourceKind::Bestand,
            sha256: "ab".into(),
            lieferant: String::new(),
            methode: String::new(),
            stichtag: None,
            zeitraum_von: None,
            zeitraum_bis: None,
            mapping,
            annual: BTreeSet::new(),
        });
        let text = p.to_toml().unwrap();
        assert!(!text.contains("scenarios"), "no scenarios, no section");
        let q = Project::from_toml(&text, "x").unwrap();
        assert_eq!(p, q);
        // Scenarios round-trip with their parameters and a commented section.
        let mut with_scenarios = p.clone();
        let mut variant = p.parameters.clone();
        variant.reference.percentile = 0.4;
        with_scenarios.scenarios.push(Scenario {
            name: "P40 „hoch“".into(),
            parameters: variant,
        });
        let scenario_text = with_scenarios.to_toml().unwrap();
        assert!(
            scenario_text.contains("# Gespeicherte Szenarien"),
            "{scenario_text}"
        );
        assert_eq!(
            Project::from_toml(&scenario_text, "x").unwrap(),
            with_scenarios
        );
        let bad = text.replace("format_version = 1", "format_version = 99");
        assert!(matches!(
            Project::from_toml(&bad, "x"),
            Err(ProjectError::Version { found: 99, .. })
        ));
        let typo = text.replace("[parameters]", "[parameters]\npercentil = 3");
        let err = Project::from_toml(&typo, "x").unwrap_err().to_string();
        assert!(err.contains("Zeile"), "{err}");
    }
}
