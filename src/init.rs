//! Creating a project file from data: detected mapping, hashes and default parameters.

use crate::import::{ImportError, ImportOptions, gemeinden::read_gemeinden, import_file};
use crate::model::params::WohnflaechenParams;
use crate::model::{Date, Project, SourceKind, SourceSpec, VergleichsraumSpec};
use crate::tables::wohnflaechen::{WohnflaechenPreset, wohnflaechen};
use std::path::{Path, PathBuf};

/// One source to add.
#[derive(Debug, Clone)]
pub struct SourceArg {
    /// File path (absolute or relative to the current directory).
    pub path: PathBuf,
    /// Sheet.
    pub sheet: Option<String>,
    /// Kind.
    pub kind: SourceKind,
}

/// Everything `init` needs.
#[derive(Debug, Clone)]
pub struct InitArgs {
    /// Where the project file will be written.
    pub project_file: PathBuf,
    /// Project name.
    pub name: String,
    /// Sources.
    pub sources: Vec<SourceArg>,
    /// Gemeinde table (file, sheet).
    pub gemeinden: Option<(PathBuf, Option<String>)>,
    /// Recipients' current housing costs for the Wirkungsanalyse (file, sheet).
    pub recipients: Option<(PathBuf, Option<String>)>,
    /// Neighbour list of the Gemeinden (file, sheet).
    pub neighbours: Option<(PathBuf, Option<String>)>,
    /// Gemeinde boundaries (GeoJSON file).
    pub boundaries: Option<PathBuf>,
    /// Land code for the Wohnflächen preset.
    pub land: String,
    /// Stichtag.
    pub stichtag: Date,
}

/// Splits `FILE[:SHEET]`: the part after the last `:` is a sheet only if the part before is an
/// existing file (so Windows drive letters and odd names still work).
pub fn split_file_sheet(arg: &str) -> (PathBuf, Option<String>) {
    if let Some((file, sheet)) = arg.rsplit_once(':')
        && !sheet.contains(['/', '\\'])
        && Path::new(file).is_file()
    {
        return (PathBuf::from(file), Some(sheet.to_string()));
    }
    (PathBuf::from(arg), None)
}

/// Guesses the kind from a file name (angebot/inserat → Angebot, neuvertrag → Neuvertrag, …).
pub fn guess_kind(path: &Path) -> SourceKind {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.contains("angebot") || name.contains("inserat") || name.contains("offer") {
        SourceKind::Angebot
    } else if name.contains("neuvertrag") {
        SourceKind::Neuvertrag
    } else if name.contains("mietspiegel") {
        SourceKind::MietspiegelMikrodaten
    } else {
        SourceKind::Bestand
    }
}

/// Path of `target` relative to `base_dir` where possible (both made absolute first).
pub fn relative_path(target: &Path, base_dir: &Path) -> String {
    let abs = |p: &Path| -> Vec<String> {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect()
    };
    let t = abs(target);
    let b = abs(base_dir);
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(t[common..].iter().cloned());
    parts.join("/")
}

/// Applies the Wohnflächen preset of Land `land` (code, as typed) to `p`: the code, the rule as
/// source and, where the preset has every value, its values. Returns the preset; `None` for an
/// unknown code (`p` unchanged).
pub fn apply_land_preset(p: &mut WohnflaechenParams, land: &str) -> Option<WohnflaechenPreset> {
    let preset = wohnflaechen(land)?;
    p.land = land.to_string();
    if preset.sizes.iter().all(Option::is_some) && preset.per_further.is_some() {
        p.sizes = preset.sizes.iter().flatten().copied().collect();
        p.per_further = preset.per_further.unwrap_or(p.per_further);
    }
    p.source = preset.rule.clone();
    Some(preset)
}

/// True when a new project in Land `land` needs the user's Wohnflächen: the Land is unknown or
/// its preset must be confirmed ([`WohnflaechenPreset::needs_confirmation`]: values missing or
/// not verified, e.g. Rheinland-Pfalz, whose rule counts rooms, not m²).
pub fn needs_user_wohnflaechen(land: &str) -> bool {
    wohnflaechen(land).is_none_or(|p| p.needs_confirmation())
}

/// Wohnflächen the user gives for a new project (m² for 1, 2, … persons, per further person,
/// where they come from).
#[derive(Debug, Clone, PartialEq)]
pub struct UserWohnflaechen {
    /// m² for 1, 2, … persons.
    pub sizes: Vec<f64>,
    /// m² for each further person.
    pub per_further: f64,
    /// The rule or document the values come from (may be empty).
    pub source: String,
}

/// The Wohnflächen of a new project in Land `land`: the Land's preset as [`apply_land_preset`]
/// gives it; for a Land that [`needs_user_wohnflaechen`] the user's values are required (an
/// error in German without them), so no project computes with another Land's areas. Values
/// given for other Länder replace the preset.
pub fn new_project_wohnflaechen(
    land: &str,
    user: Option<&UserWohnflaechen>,
) -> Result<WohnflaechenParams, String> {
    let code = land.trim().to_ascii_uppercase();
    let name = crate::tables::laender::land(&code).map_or(code.as_str(), |l| l.name.as_str());
    let mut p = WohnflaechenParams::default();
    let preset = apply_land_preset(&mut p, &code);
    p.land = code.clone();
    let Some(user) = user else {
        if needs_user_wohnflaechen(&code) {
            let why =
                preset.map_or_else(|| "keine Wohnflächen hinterlegt".to_string(), |pr| pr.rule);
            return Err(format!(
                "Für {name} sind keine gesicherten Wohnflächen in m² hinterlegt ({why}). Bitte die angemessenen Wohnflächen je Haushaltsgröße eingeben."
            ));
        }
        return Ok(p);
    };
    if user.sizes.is_empty() {
        return Err("Bitte mindestens die Wohnfläche für 1 Person eingeben.".to_string());
    }
    for (i, a) in user.sizes.iter().enumerate() {
        if !(10.0..=300.0).contains(a) {
            return Err(format!(
                "Wohnfläche für {} {}: {} m² liegt nicht zwischen 10 und 300 m².",
                i + 1,
                if i == 0 { "Person" } else { "Personen" },
                crate::fmt::number(*a, 1)
            ));
        }
    }
    if user.sizes.windows(2).any(|w| w[1] < w[0]) {
        return Err("Die Wohnflächen müssen mit der Haushaltsgröße steigen.".to_string());
    }
    if !(0.0..=100.0).contains(&user.per_further) {
        return Err(
            "Die Wohnfläche je weitere Person muss zwischen 0 und 100 m² liegen.".to_string(),
        );
    }
    p.sizes = user.sizes.clone();
    p.per_further = user.per_further;
    p.source = if user.source.trim().is_empty() {
        format!("vom Anwender festgelegt ({name})")
    } else {
        user.source.trim().to_string()
    };
    Ok(p)
}

/// Builds the project (does not write it).
pub fn build_project(args: &InitArgs) -> Result<Project, ImportError> {
    let mut project = Project::new(&args.name, args.stichtag);
    apply_land_preset(&mut project.parameters.wohnflaechen, &args.land);
    let base = args.project_file.parent().unwrap_or(Path::new("."));
    for (i, s) in args.sources.iter().enumerate() {
        let mut opts = ImportOptions::new(s.kind);
        opts.sheet = s.sheet.clone();
        opts.source_index = u16::try_from(i).unwrap_or(u16::MAX);
        // A saved mapping for files with the same headers is reused (first pass detects them).
        let mut imported = import_file(&s.path, &opts, &mut |_, _| true)?;
        if let Some(profile) =
            crate::import::mapping::find_profile(&project.mapping_profiles, &imported.headers)
        {
            opts.mapping = Some(profile.columns.clone());
            opts.annual = profile.annual.clone();
            imported = import_file(&s.path, &opts, &mut |_, _| true)?;
        } else {
            project
                .mapping_profiles
                .push(crate::import::mapping::MappingProfile {
                    name: s
                        .path
                        .file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    signature: crate::import::mapping::header_signature(&imported.headers),
                    columns: imported.mapping_by_header(),
                    annual: opts.annual.clone(),
                });
        }
        project.sources.push(SourceSpec {
            path: relative_path(&s.path, base),
            sheet: s.sheet.clone(),
            header_row: Some(imported.header_line),
            kind: s.kind,
            sha256: imported.sha256.clone(),
            lieferant: String::new(),
            methode: String::new(),
            stichtag: Some(args.stichtag),
            zeitraum_von: None,
            zeitraum_bis: None,
            mapping: imported.mapping_by_header(),
            annual: opts.annual.clone(),
        });
    }
    if let Some((path, sheet)) = &args.gemeinden {
        project.gemeinden = read_gemeinden(path, sheet.as_deref())?;
        // Fill missing Mietstufen from the WoGV Anlage (Gemeinde row, else Kreis row); ambiguous
        // names stay empty for the user to decide.
        for g in &mut project.gemeinden {
            if g.mietstufe.is_none()
                && let crate::tables::mietstufen::MietstufeLookup::Found { stufe, .. } =
                    crate::tables::mietstufen::lookup_mietstufe(
                        Some(&args.land),
                        (!g.ags.is_empty()).then_some(g.ags.as_str()),
                        &g.name,
                    )
            {
                g.mietstufe = Some(stufe);
            }
        }
        for name in project.vergleichsraum_names() {
            project.vergleichsraeume.push(VergleichsraumSpec {
                name,
                begruendung: String::new(),
                ohne_konzept: false,
            });
        }
    }
    if let Some((path, sheet)) = &args.recipients {
        project.recipients = Some(table_ref(path, sheet.clone(), base, |p, s| {
            crate::import::recipients::read_recipients(p, s).map(|_| ())
        })?);
    }
    if let Some((path, sheet)) = &args.neighbours {
        project.neighbours = Some(table_ref(path, sheet.clone(), base, |p, s| {
            crate::import::neighbours::read_neighbours(p, s).map(|_| ())
        })?);
    }
    if let Some(path) = &args.boundaries {
        project.boundaries = Some(table_ref(path, None, base, |p, _| {
            crate::import::boundaries::read_boundaries(p).map(|_| ())
        })?);
    }
    Ok(project)
}

/// A reference to a table for the project file (path relative to `base_dir`, checksum), after
/// `check` has read it without error.
pub fn table_ref(
    path: &Path,
    sheet: Option<String>,
    base_dir: &Path,
    check: impl Fn(&Path, Option<&str>) -> Result<(), ImportError>,
) -> Result<crate::model::project::TableRef, ImportError> {
    check(path, sheet.as_deref())?;
    Ok(crate::model::project::TableRef {
        path: relative_path(path, base_dir),
        sheet,
        sha256: crate::import::file_sha256(path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_project_takes_the_wohnflaechen_of_its_land() {
        let by = new_project_wohnflaechen("by", None).unwrap();
        assert_eq!(by.land, "BY");
        assert_eq!(by.sizes, vec![50.0, 65.0, 75.0, 90.0, 105.0]);
        assert_eq!(by.per_further, 15.0);
        assert!(!by.confirmed);
        let sn = new_project_wohnflaechen("SN", None).unwrap();
        assert_eq!(sn.sizes.first(), Some(&45.0));
        assert!(!needs_user_wohnflaechen("NW"));
    }

    #[test]
    fn a_land_without_usable_preset_requires_the_users_values() {
        assert!(needs_user_wohnflaechen("RP"));
        assert!(needs_user_wohnflaechen("XX"));
        let err = new_project_wohnflaechen("RP", None).unwrap_err();
        assert!(err.contains("Rheinland-Pfalz"), "{err}");
        let user = UserWohnflaechen {
            sizes: vec![45.0, 60.0, 75.0, 85.0, 95.0],
            per_further: 10.0,
            source: String::new(),
        };
        let rp = new_project_wohnflaechen("RP", Some(&user)).unwrap();
        assert_eq!(
            (rp.land.as_str(), rp.sizes.clone()),
            ("RP", user.sizes.clone())
        );
        assert_eq!(rp.per_further, 10.0);
        assert_eq!(rp.source, "vom Anwender festgelegt (Rheinland-Pfalz)");
        let falling = UserWohnflaechen {
            sizes: vec![60.0, 45.0],
            ..user
        };
        assert!(new_project_wohnflaechen("RP", Some(&falling)).is_err());
    }
}
