//! The command line: `import`, `init`, `compute`, `export`, `sample-data`; without a subcommand
//! the desktop app starts.

use crate::analysis::{self, Analysis};
use crate::dataset::LoadedProject;
use crate::fmt;
use crate::import::{ImportOptions, import_file};
use crate::init::{InitArgs, SourceArg, build_project, guess_kind, split_file_sheet};
use crate::model::params::apply_override;
use crate::model::{Date, SourceKind};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `println!` that returns the write error instead of panicking: output piped into `head` and
/// closed early ends the command quietly (see `main`).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)
    };
}

/// KdU-Konzept – Angemessenheitsgrenzen für Kosten der Unterkunft nach schlüssigem Konzept.
#[derive(Debug, Parser)]
#[command(name = "kdu-konzept", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Projektdatei, die in der Desktop-Anwendung geöffnet wird (ohne Angabe: Beispielprojekt).
    #[arg(value_name = "PROJEKT")]
    pub project: Option<PathBuf>,
    /// Unterbefehl (ohne Unterbefehl startet die Desktop-Anwendung).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Liest eine Datei ein und zeigt Kopfzeile, Zuordnung, Zählungen und abgelehnte Zeilen.
    Import {
        /// Excel- oder CSV-Datei.
        #[arg(value_name = "DATEI")]
        file: PathBuf,
        /// Tabellenblatt.
        #[arg(long, value_name = "BLATT")]
        sheet: Option<String>,
        /// Datenart: bestand, neuvertrag, angebot, mietspiegel_mikrodaten, leistungsempfaenger.
        #[arg(long, value_name = "DATENART")]
        kind: Option<String>,
        /// Kopfzeile (Zeilennummer wie in Excel); ohne Angabe automatisch erkannt.
        #[arg(long, value_name = "ZEILE")]
        header_row: Option<u32>,
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Legt eine Projektdatei aus Daten an (Zuordnung automatisch, Parameter mit Standardwerten).
    Init {
        /// Zu schreibende Projektdatei (.toml).
        #[arg(value_name = "PROJEKT")]
        project: PathBuf,
        /// Datenquelle DATEI[:BLATT]; mehrfach möglich.
        #[arg(long = "source", required = true, value_name = "DATEI[:BLATT]")]
        sources: Vec<String>,
        /// Datenart je Quelle (in der Reihenfolge der --source-Angaben; eine Angabe gilt für alle).
        #[arg(long = "kind", value_name = "DATENART")]
        kinds: Vec<String>,
        /// Gemeindetabelle DATEI[:BLATT] (Spalten AGS, Gemeinde, Vergleichsraum, …).
        #[arg(long, value_name = "DATEI[:BLATT]")]
        gemeinden: Option<String>,
        /// Land (Kürzel wie NW, BY) für die Wohnflächen.
        #[arg(long, default_value = "NW", value_name = "LAND")]
        land: String,
        /// Stichtag JJJJ-MM-TT.
        #[arg(long, value_name = "DATUM")]
        stichtag: Option<String>,
        /// Projektname.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Berechnet die Angemessenheitsgrenzen eines Projekts.
    Compute {
        /// Projektdatei.
        #[arg(value_name = "PROJEKT")]
        project: PathBuf,
        /// JSON in Datei schreiben (- = Standardausgabe).
        #[arg(long, value_name = "DATEI")]
        json: Option<String>,
        /// Parameter überschreiben, z. B. --set percentile=0.40 --set outliers.k=2.0.
        #[arg(long = "set", value_name = "SCHLÜSSEL=WERT")]
        overrides: Vec<String>,
    },
    /// Schreibt die Begründungsmappe (Excel).
    Export {
        /// Projektdatei.
        #[arg(value_name = "PROJEKT")]
        project: PathBuf,
        /// Zieldatei (.xlsx).
        #[arg(short = 'o', long = "output", value_name = "ZIELDATEI")]
        output: PathBuf,
        /// pruefmappe oder veroeffentlichung.
        #[arg(long, default_value = "pruefmappe", value_name = "VARIANTE")]
        variant: String,
        /// Parameter überschreiben (wie bei compute).
        #[arg(long = "set", value_name = "SCHLÜSSEL=WERT")]
        overrides: Vec<String>,
    },
    /// Erzeugt die Beispieldaten (Landkreis Musterland) neu.
    SampleData {
        /// Zielordner.
        #[arg(default_value = "sample-data", value_name = "ORDNER")]
        dir: PathBuf,
    },
}

/// Why parsing the command line ended without a command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseStop {
    /// Text to print (help, version or a German error message).
    pub text: String,
    /// Print to stdout (help, version) rather than stderr.
    pub to_stdout: bool,
    /// Process exit code.
    pub code: u8,
}

/// The help layout with German headings.
const HELP_TEMPLATE: &str =
    "{before-help}{about-with-newline}\nAufruf: {usage}\n\n{all-args}{after-help}";

/// The clap command with German help: headings, the help and version flags, no `help`
/// subcommand. Applied to every subcommand.
fn germanize(cmd: clap::Command, root: bool) -> clap::Command {
    use clap::{Arg, ArgAction};
    let cmd = cmd
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Befehle")
        .subcommand_value_name("BEFEHL")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argumente"
            } else {
                "Optionen"
            };
            a.help_heading(heading)
        })
        .arg(
            Arg::new("hilfe")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Hilfe anzeigen")
                .help_heading("Optionen"),
        );
    let cmd = if root {
        cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Version anzeigen")
                .help_heading("Optionen"),
        )
    } else {
        cmd
    };
    cmd.mut_subcommands(|sub| germanize(sub, false))
}

/// Parses the command line (`args` including the program name) with German help and error
/// messages.
pub fn parse_args<I, T>(args: I) -> std::result::Result<Cli, ParseStop>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    if args.len() >= 2
        && let Some(stop) = args.get(1).and_then(|a| mistyped_subcommand(a))
    {
        return Err(stop);
    }
    let cmd = germanize(Cli::command(), true);
    let parsed = cmd
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| german_parse_error(&e))
}

/// A German message for a clap error (help and version pass through).
fn german_parse_error(e: &clap::Error) -> ParseStop {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| -> Option<String> {
        e.get(kind).map(|v| match v {
            ContextValue::String(s) => format!("„{s}“"),
            ContextValue::Strings(list) => list
                .iter()
                .map(|s| format!("„{s}“"))
                .collect::<Vec<_>>()
                .join(", "),
            ContextValue::StyledStr(s) => s.to_string(),
            ContextValue::StyledStrs(list) => list
                .iter()
                .map(|s| format!("„{s}“"))
                .collect::<Vec<_>>()
                .join(", "),
            ContextValue::Number(n) => n.to_string(),
            other => other.to_string(),
        })
    };
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    let value = context(ContextKind::InvalidValue).unwrap_or_default();
    let mut message = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return ParseStop {
                text: german_help_words(&e.to_string()),
                to_stdout: true,
                code: 0,
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return ParseStop {
                text: german_help_words(&e.to_string()),
                to_stdout: false,
                code: 2,
            };
        }
        ErrorKind::UnknownArgument => format!("unerwartetes Argument {arg}"),
        ErrorKind::InvalidSubcommand => format!(
            "unbekannter Befehl {}",
            context(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("Angabe fehlt: {arg}"),
        ErrorKind::MissingSubcommand => "Befehl fehlt".to_string(),
        ErrorKind::InvalidValue => format!("ungültiger Wert {value} für {arg}"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(|s| {
                if s.downcast_ref::<std::num::ParseIntError>().is_some() {
                    " (keine ganze Zahl)".to_string()
                } else if s.downcast_ref::<std::num::ParseFloatError>().is_some() {
                    " (keine Zahl)".to_string()
                } else {
                    format!(" ({s})")
                }
            });
            format!(
                "ungültiger Wert {value} für {arg}{}",
                why.unwrap_or_default()
            )
        }
        ErrorKind::ArgumentConflict if arg.is_empty() => "zu viele Argumente".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "{arg} kann nicht zusammen mit {} angegeben werden",
            context(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("falsche Anzahl von Werten für {arg}")
        }
        ErrorKind::NoEquals => format!("{arg} braucht einen Wert mit „=“"),
        ErrorKind::InvalidUtf8 => "ein Argument ist kein gültiger Text (UTF-8)".to_string(),
        _ => "ungültiger Aufruf".to_string(),
    };
    let suggestions: Vec<String> = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .filter_map(&context)
    .collect();
    if !suggestions.is_empty() {
        message.push_str(&format!(" – meinten Sie {}?", suggestions.join(" oder ")));
    }
    if let Some(valid) = context(ContextKind::ValidValue) {
        message.push_str(&format!("; möglich: {valid}"));
    }
    let usage = context(ContextKind::Usage)
        .map(|u| {
            format!(
                "{}\n\n",
                german_help_words(&u.replacen("Usage:", "Aufruf:", 1))
            )
        })
        .unwrap_or_default();
    ParseStop {
        text: format!(
            "Fehler: {message}\n\n{usage}Hilfe: kdu-konzept --help bzw. kdu-konzept BEFEHL --help\n"
        ),
        to_stdout: false,
        code: 2,
    }
}

/// The few English words clap puts into help and usage texts, in German.
fn german_help_words(text: &str) -> String {
    text.replace("[OPTIONS]", "[OPTIONEN]")
        .replace("[default: ", "[Standard: ")
        .replace("[possible values: ", "[mögliche Werte: ")
}

/// A first argument that is neither an option, a subcommand nor an existing file, but close to
/// a subcommand's name (`kdu-konzept exprt …`): the German error with the suggestion.
fn mistyped_subcommand(first: &std::ffi::OsStr) -> Option<ParseStop> {
    use clap::CommandFactory;
    let text = first.to_str()?;
    if text.starts_with('-') || Path::new(text).exists() {
        return None;
    }
    let cmd = Cli::command();
    let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
    if names.contains(&text) {
        return None;
    }
    let best = names
        .iter()
        .map(|n| (edit_distance(text, n), *n))
        .min()
        .filter(|(d, _)| *d <= 2)?;
    Some(ParseStop {
        text: format!(
            "Fehler: unbekannter Befehl „{text}“ – meinten Sie „{}“?\n\nHilfe: kdu-konzept --help\n",
            best.1
        ),
        to_stdout: false,
        code: 2,
    })
}

/// Levenshtein distance of two short words (characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Runs a subcommand; `Ok(())` → exit code 0.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Import {
            file,
            sheet,
            kind,
            header_row,
            json,
        } => cmd_import(&file, sheet, kind, header_row, json),
        Command::Init {
            project,
            sources,
            kinds,
            gemeinden,
            land,
            stichtag,
            name,
        } => cmd_init(&project, &sources, &kinds, gemeinden, land, stichtag, name),
        Command::Compute {
            project,
            json,
            overrides,
        } => cmd_compute(&project, json, &overrides),
        Command::Export {
            project,
            output,
            variant,
            overrides,
        } => cmd_export(&project, &output, &variant, &overrides),
        Command::SampleData { dir } => {
            let path = crate::sample_project::write_sample_project(&dir)?;
            outln!("Beispielprojekt geschrieben: {}", path.display())?;
            Ok(())
        }
    }
}

fn parse_kind(text: &str) -> Result<SourceKind> {
    SourceKind::ALL
        .into_iter()
        .find(|k| k.code() == text.trim().to_lowercase())
        .or_else(|| SourceKind::parse(text))
        .ok_or_else(|| {
            anyhow!(
                "Unbekannte Datenart „{text}“ (erlaubt: {})",
                SourceKind::ALL.map(SourceKind::code).join(", ")
            )
        })
}

#[derive(Serialize)]
struct ImportJson<'a> {
    file: &'a str,
    sha256: &'a str,
    format: &'a str,
    header_row: u32,
    rows_total: usize,
    accepted: usize,
    rejected: BTreeMap<&'static str, usize>,
    mapping: BTreeMap<&'static str, String>,
    rejected_rows: Vec<RejectedJson<'a>>,
}

#[derive(Serialize)]
struct RejectedJson<'a> {
    row: u32,
    reason: &'static str,
    detail: &'a str,
}

fn cmd_import(
    file: &Path,
    sheet: Option<String>,
    kind: Option<String>,
    header_row: Option<u32>,
    json: bool,
) -> Result<()> {
    let kind = match kind {
        Some(k) => parse_kind(&k)?,
        None => guess_kind(file),
    };
    let mut opts = ImportOptions::new(kind);
    opts.sheet = sheet;
    opts.header_line = header_row;
    let quiet = json;
    let mut last = std::time::Instant::now();
    let imported = import_file(file, &opts, &mut |done, total| {
        if !quiet && total > 0 && last.elapsed().as_millis() > 500 {
            eprint!("\rLese … {} %", done * 100 / total.max(1));
            last = std::time::Instant::now();
        }
        true
    })?;
    if imported.rows_total == 0 {
        bail!(
            "Keine Datenzeilen gefunden: Unter der Kopfzeile (Zeile {}) stehen keine Daten ({})",
            imported.header_line,
            file.display()
        );
    }
    let by_reason = imported.rejected_by_reason();
    if json {
        let out = ImportJson {
            file: &imported.file_name,
            sha256: &imported.sha256,
            format: &imported.format,
            header_row: imported.header_line,
            rows_total: imported.rows_total,
            accepted: imported.records.len(),
            rejected: by_reason.iter().map(|(r, n)| (r.code(), *n)).collect(),
            mapping: imported
                .mapping_by_header()
                .into_iter()
                .map(|(f, h)| (f.code(), h))
                .collect(),
            rejected_rows: imported
                .rejections
                .iter()
                .map(|r| RejectedJson {
                    row: r.line,
                    reason: r.reason.code(),
                    detail: &r.detail,
                })
                .collect(),
        };
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    eprint!("\r");
    outln!("Datei:        {} ({})", imported.file_name, imported.format)?;
    outln!("SHA-256:      {}", imported.sha256)?;
    outln!("Datenart:     {}", imported.kind.german())?;
    outln!("Kopfzeile:    Zeile {}", imported.header_line)?;
    outln!("Zuordnung:")?;
    for (field, header) in imported.mapping_by_header() {
        outln!("  {:<40} ← {}", field.german(), header)?;
    }
    outln!(
        "Zeilen:       {} gelesen, {} übernommen, {} abgelehnt",
        fmt::number(imported.rows_total as f64, 0),
        fmt::number(imported.records.len() as f64, 0),
        fmt::number(imported.rejections.len() as f64, 0)
    )?;
    if !by_reason.is_empty() {
        outln!("Abgelehnt nach Grund:")?;
        for (reason, n) in &by_reason {
            outln!(
                "  {:>7}  {} ({})",
                fmt::number(*n as f64, 0),
                reason.german(),
                reason.code()
            )?;
        }
        outln!("Abgelehnte Zeilen (erste 20):")?;
        for r in imported.rejections.iter().take(20) {
            let detail = if r.detail.is_empty() {
                String::new()
            } else {
                format!(": „{}“", r.detail)
            };
            outln!("  Zeile {:>6}  {}{}", r.line, r.reason.german(), detail)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn cmd_init(
    project: &Path,
    sources: &[String],
    kinds: &[String],
    gemeinden: Option<String>,
    land: String,
    stichtag: Option<String>,
    name: Option<String>,
) -> Result<()> {
    if kinds.len() > 1 && kinds.len() != sources.len() {
        bail!(
            "--kind: entweder eine Angabe für alle Quellen oder genau eine je --source ({} Quellen, {} Angaben)",
            sources.len(),
            kinds.len()
        );
    }
    let mut source_args = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let (path, sheet) = split_file_sheet(s);
        let kind = match kinds.get(i).or(kinds.first()) {
            Some(k) => parse_kind(k)?,
            None => guess_kind(&path),
        };
        source_args.push(SourceArg { path, sheet, kind });
    }
    let stichtag = match stichtag {
        Some(s) => Date::parse(&s)
            .ok_or_else(|| anyhow!("Ungültiger Stichtag „{s}“ (erwartet JJJJ-MM-TT)"))?,
        None => Date::from_ymd(2025, 1, 1).ok_or_else(|| anyhow!("Datum"))?,
    };
    let args = InitArgs {
        project_file: project.to_path_buf(),
        name: name.unwrap_or_else(|| {
            project
                .file_stem()
                .map(|s| s.to_string_lossy().trim_end_matches(".kdu").to_string())
                .unwrap_or_else(|| "Projekt".to_string())
        }),
        sources: source_args,
        gemeinden: gemeinden.map(|g| split_file_sheet(&g)),
        land,
        stichtag,
    };
    let p = build_project(&args)?;
    p.save(project)?;
    outln!(
        "Projekt „{}“ angelegt: {} ({} Quellen, {} Gemeinden, {} Vergleichsräume)",
        p.project.name,
        project.display(),
        p.sources.len(),
        p.gemeinden.len(),
        p.vergleichsraeume.len()
    )?;
    Ok(())
}

/// Loads a project with its data, applying `--set` overrides; warnings go to stderr.
pub fn load_with_overrides(path: &Path, overrides: &[String]) -> Result<LoadedProject> {
    let mut lp = LoadedProject::load(path, &mut |_, _, _| true)
        .with_context(|| format!("Projekt {} konnte nicht geladen werden", path.display()))?;
    for o in overrides {
        lp.project.parameters =
            apply_override(&lp.project.parameters, o).map_err(|e| anyhow!("--set {o}: {e}"))?;
    }
    for w in &lp.warnings {
        eprintln!("Warnung: {w}");
    }
    Ok(lp)
}

/// One cell of `compute --json`.
#[derive(Debug, Serialize)]
pub struct CellJson {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Records used.
    pub n: usize,
    /// Records in the cell before outliers.
    pub n_in_cell: usize,
    /// Records of the cell excluded by scope rules, by reason code.
    pub excluded: BTreeMap<&'static str, usize>,
    /// Outliers removed below.
    pub n_outliers_low: usize,
    /// Outliers removed above.
    pub n_outliers_high: usize,
    /// Outlier bounds €/m² (null when unbounded).
    pub outlier_lower: Option<f64>,
    /// Upper bound.
    pub outlier_upper: Option<f64>,
    /// Percentile used.
    pub p: Option<f64>,
    /// Referenzmiete NKM €/m² as used.
    pub net_rent_per_m2: Option<f64>,
    /// Unrounded.
    pub net_rent_per_m2_raw: Option<f64>,
    /// Confidence interval of the percentile.
    pub ci: Option<[f64; 2]>,
    /// Angemessene Wohnfläche.
    pub area_m2: f64,
    /// kBK €/m².
    pub operating_costs_per_m2: Option<f64>,
    /// kBK €/m² with lift (split).
    pub operating_costs_per_m2_lift: Option<f64>,
    /// NKM limit.
    pub limit_net_cold: Option<f64>,
    /// BK limit.
    pub limit_operating_costs: Option<f64>,
    /// Bruttokaltmiete limit.
    pub limit_gross_cold: Option<f64>,
    /// Bruttokaltmiete limit with lift.
    pub limit_gross_cold_lift: Option<f64>,
    /// Verfügbarkeitsprüfung: offers, affordable count and share, per Gemeinde, curve.
    pub availability: Option<crate::analysis::availability::AvailabilityResult>,
    /// Iteration log of the iterative procedure (empty otherwise).
    pub iteration: Vec<crate::analysis::availability::IterationStep>,
    /// Coverage of the Vergleichsraum.
    pub coverage: Option<crate::analysis::compute::Coverage>,
    /// Weighting: whether applied and the private landlords' market share.
    pub weights: WeightsJson,
    /// Share of used records with Leistungsbezug.
    pub welfare_share: Option<f64>,
    /// Heating Grenzwert € per month.
    pub heating_limit: Option<f64>,
    /// Gesamtangemessenheitsgrenze €.
    pub total_limit: Option<f64>,
    /// WoGG comparison: Mietstufe, table value, with surcharge, ratio.
    pub wogg: Option<crate::analysis::compute::WoggComparison>,
    /// Cell statistics.
    pub summary: Option<crate::analysis::stats::Summary>,
    /// Flags.
    pub flags: Vec<crate::analysis::compute::Flag>,
}

/// Weighting info of a cell.
#[derive(Debug, Serialize)]
pub struct WeightsJson {
    /// Post-stratification applied to the cell's NKM statistic.
    pub weighted: bool,
    /// Market share of private landlords entered for the Vergleichsraum.
    pub market_share_privat: Option<f64>,
}

/// The JSON rows of an analysis.
pub fn cells_json(a: &Analysis) -> Vec<CellJson> {
    let finite = |v: f64| v.is_finite().then_some(v);
    a.cells
        .iter()
        .map(|c| CellJson {
            vergleichsraum: c.vergleichsraum.clone(),
            household_size: c.household_size,
            n: c.n,
            n_in_cell: c.n_in_cell,
            excluded: c.excluded.iter().map(|(r, n)| (r.code(), *n)).collect(),
            n_outliers_low: c.outliers.n_low,
            n_outliers_high: c.outliers.n_high,
            outlier_lower: finite(c.outliers.lower),
            outlier_upper: finite(c.outliers.upper),
            p: c.p,
            net_rent_per_m2: c.net_rent_per_m2,
            net_rent_per_m2_raw: c.net_rent_per_m2_raw,
            ci: c.ci.as_ref().map(|ci| [ci.lower, ci.upper]),
            area_m2: c.area_m2,
            operating_costs_per_m2: c.operating_costs_per_m2,
            operating_costs_per_m2_lift: c.operating_costs_per_m2_lift,
            limit_net_cold: c.net_cold_limit,
            limit_operating_costs: c.limits.map(|l| l.operating_costs),
            limit_gross_cold: c.limits.map(|l| l.gross_cold),
            limit_gross_cold_lift: c.limits_lift.map(|l| l.gross_cold),
            availability: c.availability.clone(),
            iteration: c
                .availability
                .as_ref()
                .map(|av| av.iteration.clone())
                .unwrap_or_default(),
            coverage: a.vergleichsraeume.get(c.vr).map(|v| v.coverage),
            weights: WeightsJson {
                weighted: c.weighted,
                market_share_privat: a
                    .vergleichsraeume
                    .get(c.vr)
                    .and_then(|v| v.market_share_privat),
            },
            welfare_share: c.welfare_share,
            heating_limit: c.heating_limit,
            total_limit: c.total_limit,
            wogg: c.wogg.clone(),
            summary: c.summary,
            flags: c.flags.clone(),
        })
        .collect()
}

fn opt_euro(v: Option<f64>) -> String {
    v.map(fmt::euro).unwrap_or_else(|| "–".to_string())
}

fn cmd_compute(path: &Path, json: Option<String>, overrides: &[String]) -> Result<()> {
    let lp = load_with_overrides(path, overrides)?;
    let (_, a) = analysis::run(&lp.project, &lp.data);
    if let Some(target) = json {
        // An array of cells; with a configured Fortschreibung an object {cells, fortschreibung}.
        let text = match &a.fortschreibung {
            None => serde_json::to_string_pretty(&cells_json(&a))?,
            Some(f) => serde_json::to_string_pretty(&serde_json::json!({
                "cells": cells_json(&a),
                "fortschreibung": f,
            }))?,
        };
        if target == "-" {
            outln!("{text}")?;
        } else {
            crate::io_util::write_atomic(Path::new(&target), text.as_bytes())
                .with_context(|| format!("JSON kann nicht geschrieben werden: {target}"))?;
            eprintln!("JSON geschrieben: {target}");
        }
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Projekt „{}“, Stichtag {}",
        lp.project.project.name,
        lp.project.project.stichtag.german()
    )?;
    writeln!(
        out,
        "{:<22} {:>3} {:>6} {:>6} {:>10} {:>9} {:>11} {:>11} {:>12} {:>12}  Hinweise",
        "Vergleichsraum",
        "HH",
        "m²",
        "n",
        "NKM €/m²",
        "BK €/m²",
        "NKM",
        "BK",
        "Bruttokalt",
        "WoGG+10 %"
    )?;
    for c in &a.cells {
        let flags: Vec<&str> = c.flags.iter().map(|f| f.german()).collect();
        writeln!(
            out,
            "{:<22} {:>3} {:>6} {:>6} {:>10} {:>9} {:>11} {:>11} {:>12} {:>12}  {}",
            c.vergleichsraum,
            c.household_size,
            fmt::number(c.area_m2, 0),
            c.n,
            c.net_rent_per_m2
                .map(|v| fmt::number(v, 2))
                .unwrap_or("–".into()),
            c.operating_costs_per_m2
                .map(|v| fmt::number(v, 2))
                .unwrap_or("–".into()),
            opt_euro(c.limits.map(|l| l.net_cold)),
            opt_euro(c.limits.map(|l| l.operating_costs)),
            opt_euro(c.limits.map(|l| l.gross_cold)),
            opt_euro(c.wogg.as_ref().map(|w| w.value.with_surcharge)),
            flags.join("; ")
        )?;
    }
    for v in &a.vergleichsraeume {
        writeln!(
            out,
            "{:<22} je weitere Person (+{} m²): {}",
            v.name,
            fmt::number(v.further_area_m2, 0),
            opt_euro(v.further_person.map(|l| l.gross_cold))
        )?;
    }
    let f = &a.funnel;
    writeln!(
        out,
        "\nDatengrundlage: {} Zeilen geliefert, {} übernommen, {} in Tabellenfeldern, {} Extremwerte (unten {}, oben {}), {} verwendet.",
        f.delivered,
        f.records,
        f.in_cells,
        f.outliers_low + f.outliers_high,
        f.outliers_low,
        f.outliers_high,
        f.used
    )?;
    for w in &a.warnings {
        writeln!(out, "{:?}: {}", w.severity, w.text)?;
    }
    Ok(())
}

fn cmd_export(path: &Path, output: &Path, variant: &str, overrides: &[String]) -> Result<()> {
    let lp = load_with_overrides(path, overrides)?;
    let variant = crate::export::Variant::parse(variant).ok_or_else(|| {
        anyhow!("Unbekannte Variante „{variant}“ (pruefmappe oder veroeffentlichung)")
    })?;
    let (prep, a) = analysis::run(&lp.project, &lp.data);
    let opts = crate::export::ExportOptions {
        variant,
        include_ids: false,
    };
    crate::export::write_workbook(output, &lp, &prep, &a, &opts)?;
    outln!(
        "Begründungsmappe ({}) geschrieben: {}",
        variant.german(),
        output.display()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn stop(args: &[&str]) -> ParseStop {
        let mut all = vec!["kdu-konzept"];
        all.extend_from_slice(args);
        parse_args(all).unwrap_err()
    }

    /// No English from clap reaches the user.
    fn assert_german(text: &str) {
        for english in [
            "error:",
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "Print help",
            "[OPTIONS]",
            "default:",
            "For more information",
        ] {
            assert!(!text.contains(english), "„{english}“ in:\n{text}");
        }
    }

    #[test]
    fn commands_parse() {
        let cli = parse_args([
            "kdu-konzept",
            "import",
            "a.xlsx",
            "--json",
            "--header-row",
            "3",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Import {
                file,
                json,
                header_row,
                ..
            }) => {
                assert_eq!(file, PathBuf::from("a.xlsx"));
                assert!(json);
                assert_eq!(header_row, Some(3));
            }
            other => panic!("{other:?}"),
        }
        let app = parse_args(["kdu-konzept", "projekt.kdu.toml"]).unwrap();
        assert!(app.command.is_none());
        assert_eq!(app.project, Some(PathBuf::from("projekt.kdu.toml")));
    }

    #[test]
    fn help_and_version_are_german() {
        for args in [&["--help"][..], &["export", "--help"], &["init", "-h"]] {
            let s = stop(args);
            assert!(s.to_stdout && s.code == 0, "{s:?}");
            assert!(s.text.contains("Aufruf: kdu-konzept"), "{}", s.text);
            assert!(s.text.contains("Hilfe anzeigen"), "{}", s.text);
            assert_german(&s.text);
        }
        assert!(stop(&["--help"]).text.contains("Befehle:"));
        assert!(
            stop(&["export", "--help"])
                .text
                .contains("[Standard: pruefmappe]")
        );
        let v = stop(&["--version"]);
        assert_eq!((v.code, v.to_stdout), (0, true));
        assert!(v.text.starts_with("kdu-konzept "), "{}", v.text);
    }

    #[test]
    fn errors_are_german_with_exit_code_2() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["export", "p.toml", "mappe.xlsx"],
                "unerwartetes Argument „mappe.xlsx“",
            ),
            (&["import"], "Angabe fehlt: „<DATEI>“"),
            (&["import", "a.xlsx", "--jsn"], "meinten Sie „--json“?"),
            (
                &["impor", "a.xlsx"],
                "unbekannter Befehl „impor“ – meinten Sie „import“?",
            ),
            (
                &["import", "a.xlsx", "--header-row", "x"],
                "(keine ganze Zahl)",
            ),
            (
                &["export", "p.toml"],
                "Angabe fehlt: „--output <ZIELDATEI>“",
            ),
        ];
        for (args, expected) in cases {
            let s = stop(args);
            assert!(!s.to_stdout && s.code == 2, "{args:?}: {s:?}");
            assert!(s.text.starts_with("Fehler: "), "{}", s.text);
            assert!(s.text.contains(expected), "{args:?}:\n{}", s.text);
            assert_german(&s.text);
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("exprt", "export"), 1);
        assert_eq!(edit_distance("import", "import"), 0);
        assert_eq!(edit_distance("", "init"), 4);
        assert_eq!(edit_distance("compte", "compute"), 1);
    }
}
