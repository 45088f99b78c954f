//! Creating a project file from data: detected mapping, hashes and default parameters.

use crate::import::{ImportError, ImportOptions, gemeinden::read_gemeinden, import_file};
use crate::model::{Date, Project, SourceKind, SourceSpec, VergleichsraumSpec};
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

/// Builds the project (does not write it).
pub fn build_project(args: &InitArgs) -> Result<Project, ImportError> {
    let mut project = Project::new(&args.name, args.stichtag);
    if let Some(preset) = crate::tables::wohnflaechen::wohnflaechen(&args.land) {
        let p = &mut project.parameters.wohnflaechen;
        p.land = args.land.clone();
        if preset.sizes.iter().all(Option::is_some) && preset.per_further.is_some() {
            p.sizes = preset.sizes.iter().flatten().copied().collect();
            p.per_further = preset.per_further.unwrap_or(p.per_further);
        }
        p.source = preset.rule.clone();
    }
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
    Ok(project)
}
