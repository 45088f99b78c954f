//! The bundled sample project: the generated workbooks of the fictional Landkreis Musterland
//! plus a ready project file with justification texts.

use crate::init::{InitArgs, SourceArg, build_project};
use crate::model::{Date, SourceKind};
use crate::sample::{SAMPLE_SEED, write_sample_data};
use anyhow::{Result, anyhow};
use std::path::{Path, PathBuf};

/// File name of the sample project inside the sample folder.
pub const SAMPLE_PROJECT_FILE: &str = "musterland.kdu.toml";

/// Writes workbooks and project file into `dir`; returns the project file path.
pub fn write_sample_project(dir: &Path) -> Result<PathBuf> {
    let files = write_sample_data(dir, SAMPLE_SEED)?;
    let stichtag = Date::from_ymd(2025, 1, 1).ok_or_else(|| anyhow!("Datum"))?;
    let project_file = dir.join(SAMPLE_PROJECT_FILE);
    let source = |path: &Path, kind| SourceArg {
        path: path.to_path_buf(),
        sheet: None,
        kind,
    };
    let args = InitArgs {
        project_file: project_file.clone(),
        name: "Landkreis Musterland".to_string(),
        sources: vec![
            source(&files.bestand, SourceKind::Bestand),
            source(&files.neuvertrag, SourceKind::Neuvertrag),
            source(&files.angebote, SourceKind::Angebot),
        ],
        gemeinden: Some((files.gemeinden.clone(), None)),
        recipients: None,
        neighbours: None,
        boundaries: Some(files.boundaries.clone()),
        land: "NW".to_string(),
        stichtag,
    };
    let mut p = build_project(&args)?;
    p.project.traeger = "Jobcenter Landkreis Musterland (fiktiv)".to_string();
    p.project.gebiet = "Landkreis Musterland, Nordrhein-Westfalen (fiktives Beispiel)".to_string();
    p.project.gueltig_ab = Some(stichtag);
    p.project.erstellt = Some(stichtag);
    p.project.salt = "musterland-beispiel".to_string();
    p.parameters.wohnflaechen.confirmed = true;
    let lieferant = [
        (
            "Mietwerterhebung bei Vermietern (fiktiv)",
            "Vollerhebung bei Großvermietern, Stichprobe bei Kleinvermietern",
        ),
        (
            "Mietwerterhebung bei Vermietern (fiktiv)",
            "Neuvertragsmieten der letzten 24 Monate vor dem Stichtag",
        ),
        (
            "Immobilienportale (fiktiv)",
            "Auswertung von Inseraten der 18 Monate vor dem Stichtag",
        ),
    ];
    for (s, (l, m)) in p.sources.iter_mut().zip(lieferant) {
        s.lieferant = l.to_string();
        s.methode = m.to_string();
    }
    for v in &mut p.vergleichsraeume {
        v.begruendung = format!(
            "{}: zusammenhängendes Gebiet um einen zentralen Ort mit gemeinsamer ÖPNV-Anbindung (Fahrzeit unter 45 Minuten) und Infrastruktur (Mittelbereich laut Landesentwicklungsplan, fiktiv).",
            v.name
        );
    }
    p.justifications.insert(
        "reference.percentile".to_string(),
        "33 %-Perzentil als Ausgangswert; Verfügbarkeit ist durch Angebotsmieten zu prüfen."
            .to_string(),
    );
    p.justifications.insert(
        "outliers.method".to_string(),
        "Extremwertkappung Mittelwert ± 1,96 Standardabweichungen je Tabellenfeld (95 %-Intervall).".to_string(),
    );
    p.save(&project_file)?;
    Ok(project_file)
}
