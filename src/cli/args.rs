//! Command-line arguments: the clap definitions and `parse_args` with German help and error
//! texts.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

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
        /// Aktuelle Unterkunftskosten der Leistungsbezieher DATEI[:BLATT] für die
        /// Wirkungsanalyse (Vergleichsraum oder Gemeinde, Haushaltsgröße, Bruttokaltmiete).
        #[arg(long, value_name = "DATEI[:BLATT]")]
        recipients: Option<String>,
        /// Nachbarschaftsliste DATEI[:BLATT] (Paare von Gemeindeschlüsseln) für die Prüfung,
        /// ob jeder Vergleichsraum zusammenhängt.
        #[arg(long, value_name = "DATEI[:BLATT]")]
        neighbours: Option<String>,
        /// Gemeindegrenzen als GeoJSON-Datei (FeatureCollection mit AGS je Gemeinde) für die
        /// Karte und die Prüfung, ob jeder Vergleichsraum zusammenhängt (gemeinsame Grenzen).
        #[arg(long, value_name = "DATEI")]
        boundaries: Option<String>,
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
        /// Die Veröffentlichung auch schreiben, wenn die Schlüssigkeitsprüfung offene Fehler
        /// meldet (die Prüfmappe wird immer geschrieben und vermerkt sie auf dem Deckblatt).
        #[arg(long = "trotz-fehler")]
        despite_errors: bool,
    },
    /// Schreibt Parameter in die Projektdatei (geprüft wie --set; aus/keine schaltet eine
    /// optionale Grenze ab).
    Set {
        /// Projektdatei.
        #[arg(value_name = "PROJEKT")]
        project: PathBuf,
        /// Zuweisungen, z. B. percentile=0.40 scope.contract_window_years=aus.
        #[arg(value_name = "SCHLÜSSEL=WERT", required = true)]
        assignments: Vec<String>,
    },
    /// Schlägt Vergleichsräume vor: Clusteranalyse (Ward) einer Indikatortabelle je Gemeinde.
    Cluster {
        /// Indikatortabelle DATEI[:BLATT] (AGS oder Gemeinde und Zahlenspalten); ohne Angabe
        /// nur das Mietniveau der Daten (mit --projekt).
        #[arg(value_name = "DATEI[:BLATT]", required_unless_present = "project")]
        file: Option<String>,
        /// Projekt: das Mietniveau seiner Daten (Median NKM €/m² je Gemeinde) ist ein weiterer
        /// Indikator; Gemeinden der Gemeindetabelle ohne Wert werden genannt und ausgelassen.
        #[arg(long = "projekt", value_name = "PROJEKT")]
        project: Option<PathBuf>,
        /// Die Ward-Cluster mit k-means verfeinern (Start: ihre Schwerpunkte).
        #[arg(long)]
        kmeans: bool,
        /// Zahl der Cluster (ohne Angabe: beste Silhouette).
        #[arg(long, value_name = "N")]
        k: Option<usize>,
        /// Gewichte je Indikator, z. B. --weights miete=2,dichte=0.5 (sonst 1).
        #[arg(long, value_name = "SPALTE=GEWICHT,…")]
        weights: Option<String>,
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
    },
    /// Datenexplorer: Kennzahlen der Mieten je Gemeinde, Größenklasse, Baujahrklasse, … wie
    /// eine Pivot-Tabelle (Werte vor der Extremwertkappung).
    Explore {
        /// Projektdatei.
        #[arg(value_name = "PROJEKT")]
        project: PathBuf,
        /// Gruppieren nach (kommagetrennt): gemeinde, vergleichsraum (vr), groesse (größe,
        /// size), baujahr, vermieter, datenart (art), quelle; leer = alle zusammen.
        #[arg(long, default_value = "gemeinde,groesse", value_name = "DIMENSIONEN")]
        by: String,
        /// Kennzahlen (kommagetrennt): n, median, p1 bis p99 (z. B. p33), mittel, min, max.
        #[arg(long, default_value = "n,median,p33", value_name = "KENNZAHLEN")]
        stat: String,
        /// Ausgewerteter Wert: nkm (Nettokaltmiete €/m²) oder bk (kalte Betriebskosten €/m²).
        #[arg(long, default_value = "nkm", value_name = "WERT")]
        wert: String,
        /// Nur Datensätze mit diesem Schlüssel, z. B. --filter gemeinde=Musterstadt.
        #[arg(long, value_name = "DIMENSION=WERT")]
        filter: Option<String>,
        /// Alle eingelesenen Datensätze statt nur der in der Auswertung verwendeten.
        #[arg(long)]
        alle: bool,
        /// Ausgabe als JSON.
        #[arg(long)]
        json: bool,
        /// Tabelle als Excel-Datei schreiben.
        #[arg(long, value_name = "DATEI", conflicts_with = "csv")]
        xlsx: Option<PathBuf>,
        /// Tabelle als CSV-Datei schreiben (Semikolon, Dezimalkomma).
        #[arg(long, value_name = "DATEI")]
        csv: Option<PathBuf>,
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
