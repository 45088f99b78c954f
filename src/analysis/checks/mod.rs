//! The Schlüssigkeitsprüfung: one check per reason courts give when they strike a concept down,
//! each tied to a BSG criterion (K1–K8) and the decision it rests on. A check's findings are the
//! warnings of the run; its status is the worst finding, `nicht prüfbar` when what it needs is
//! missing, else `erfüllt`. The app, the workbook (BSG-Prüfkatalog) and `compute --json` show the
//! same list.
//!
//! The checks live by topic: [`region`] (K1), [`data`] (K2–K6), [`method`] (K7–K8).

mod data;
mod method;
mod region;

use super::prepare::Prepared;
use super::result::{Analysis, CellRef, CellResult, Check, CheckStatus, Severity, Warning};
use crate::dataset::{BoundaryData, Dataset};
use crate::model::{BsgCriterion, Project};
use serde::{Serialize, Serializer};

macro_rules! checks {
    ($($variant:ident => $code:literal, $k:ident, $title:literal, $ok:literal, $decision:literal;)+) => {
        /// A check of the Schlüssigkeitsprüfung.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CheckCode {
            $(
                #[doc = $title]
                $variant,
            )+
        }

        impl CheckCode {
            /// All checks in the order of the BSG criteria.
            pub const ALL: &'static [CheckCode] = &[$(CheckCode::$variant),+];

            /// Stable code (JSON, workbook).
            pub fn code(self) -> &'static str {
                match self { $(CheckCode::$variant => $code),+ }
            }

            /// The BSG criterion the check belongs to.
            pub fn criterion(self) -> BsgCriterion {
                match self { $(CheckCode::$variant => BsgCriterion::$k),+ }
            }

            /// German title.
            pub fn title(self) -> &'static str {
                match self { $(CheckCode::$variant => $title),+ }
            }

            /// German sentence when the check finds nothing.
            fn ok_text(self) -> &'static str {
                match self { $(CheckCode::$variant => $ok),+ }
            }

            /// The decision(s) the check rests on.
            pub fn decision(self) -> &'static str {
                match self { $(CheckCode::$variant => $decision),+ }
            }
        }
    };
}

checks! {
    Zuordnung => "vr_zuordnung", K1, "Jede Gemeinde genau einem Vergleichsraum zugeordnet",
        "Jede Gemeinde der Gemeindetabelle gehört genau einem Vergleichsraum an.",
        "BSG, 22.09.2009, B 4 AS 18/09 R";
    Gebietsabdeckung => "vr_gebietsabdeckung", K1, "Daten aus dem gesamten Vergleichsraum",
        "Aus jeder Gemeinde liegen verwertbare Mietwerte vor.",
        "BSG, 22.09.2009, B 4 AS 18/09 R; Bayerisches LSG, 28.03.2018, L 11 AS 52/16";
    Homogenitaet => "vr_homogenitaet", K1, "Einheitliches Mietniveau im Vergleichsraum",
        "Das Mietniveau (Median der Nettokaltmiete je m²) keiner Gemeinde weicht über die Toleranz vom Vergleichsraum ab.",
        "SG Kassel, 19.02.2018, S 3 AS 236/15; LSG Niedersachsen-Bremen, L 6 AS 467/17";
    Konzentration => "vr_konzentration", K1, "Anmietbare Angebote über den Vergleichsraum verteilt",
        "Die anmietbaren Angebote konzentrieren sich nicht auf wenige Orte.",
        "Bayerisches LSG, 28.03.2018, L 11 AS 52/16; BSG, 03.09.2020, B 14 AS 34/19 R";
    Zusammenhang => "vr_zusammenhang", K1, "Zusammenhängende Vergleichsräume",
        "Die Gemeinden jedes Vergleichsraums hängen über gemeinsame Grenzen zusammen.",
        "BSG, 30.01.2019, B 14 AS 24/18 R; Hessisches LSG, L 6 AS 429/16";
    EinRichtwert => "ein_richtwert", K1, "Ein Richtwert je Vergleichsraum und Haushaltsgröße",
        "Je Vergleichsraum und Haushaltsgröße gibt es genau einen Richtwert; Zuschläge für Teilgebiete sind nicht vorgesehen.",
        "BSG, 30.01.2019, B 14 AS 24/18 R; LSG Niedersachsen-Bremen, 30.08.2022, L 15 AS 106/20";
    Gegenstand => "gegenstand", K2, "Gegenstand der Beobachtung abgegrenzt",
        "Möblierte, geförderte, Werks- und Dienstwohnungen, Wohnheime, Gefälligkeitsmieten und Substandard (nach Ausstattungsmerkmalen) sind für alle Datenarten ausgeschlossen.",
        "BSG, 22.09.2009, B 4 AS 18/09 R";
    Wohnflaechen => "wohnflaechen", K2, "Angemessene Wohnflächen nach Landesrecht",
        "Die angemessenen Wohnflächen entsprechen den Bestimmungen des Landes zur Wohnraumförderung.",
        "BSG, 22.09.2009, B 4 AS 18/09 R; LSG Schleswig-Holstein, 30.05.2016, L 11 AS 39/14 NK";
    Vertragsalter => "vertragsalter", K3, "Aktuelle Bestandsmieten (Vertragsalter)",
        "Bestandsmieten gehen nur mit Vertragsbeginn oder letzter Mietänderung im gewählten Zeitraum vor dem Stichtag ein.",
        "SG Magdeburg, S 14 AS 720/19 WA";
    Datenalter => "datenalter", K3, "Aktualität der Daten",
        "Zwischen Datenstichtag und Geltungsbeginn liegen höchstens 18 Monate.",
        "§ 22c Abs. 2 SGB II; BSG, 12.12.2017, B 4 AS 33/16 R; SG München, S 8 AS 227/20";
    Fortschreibung => "fortschreibung", K3, "Fortschreibung",
        "Es wird keine Fortschreibung eines älteren Konzepts verwendet.",
        "BSG, 12.12.2017, B 4 AS 33/16 R; Bayerisches LSG, 14.12.2017, L 7 AS 408/15";
    Datengrundlage => "datengrundlage", K4, "Bestandsmieten in der Datengrundlage",
        "In jedem Vergleichsraum gehen Bestandsmieten (oder Mietspiegeldaten) in die Referenzmiete ein.",
        "BSG, 17.09.2020, B 4 AS 22/20 R; LSG Niedersachsen-Bremen, L 11 AS 1334/15";
    Quellen => "quellen", K4, "Datenquellen dokumentiert",
        "Jede Datenquelle ist mit Lieferant, Erhebungsmethode, Zeitraum und Prüfsumme dokumentiert.",
        "BSG, 22.09.2009, B 4 AS 18/09 R; SG Aurich, 23.06.2021, S 55 AS 307/19";
    Abdeckung => "abdeckung", K5, "Abdeckung des Mietwohnungsbestands",
        "Die verwertbaren Bestandsmieten decken in jedem Vergleichsraum mindestens den geforderten Anteil des Mietwohnungsbestands ab.",
        "Bayerisches LSG, 28.03.2018, L 11 AS 52/16; BSG, 03.09.2020, B 14 AS 34/19 R";
    Fallzahl => "fallzahl", K5, "Mindestfallzahl je Tabellenfeld",
        "Jedes Tabellenfeld erreicht die Mindestfallzahl.",
        "BSG, 22.09.2009, B 4 AS 18/09 R";
    Vermieterstruktur => "vermieterstruktur", K5, "Vermieterstruktur der Stichprobe",
        "Der Anteil privater Vermieter in der Stichprobe entspricht ihrem Marktanteil (oder wird durch Gewichtung ausgeglichen).",
        "LSG Niedersachsen-Bremen, L 6 AS 467/17; SG Magdeburg, S 14 AS 720/19 WA";
    Groessenstruktur => "groessenstruktur", K5, "Größenstruktur der Stichprobe",
        "Die Anteile der Größenklassen in der Stichprobe entsprechen dem Mietwohnungsbestand.",
        "BSG, 22.09.2009, B 4 AS 18/09 R";
    Zirkelschluss => "zirkelschluss", K5, "Kein Zirkelschluss durch Mieten von Leistungsbeziehern",
        "Der Anteil der Mieten von Leistungsbeziehern liegt in keinem Tabellenfeld über dem Grenzwert.",
        "SG Magdeburg, S 14 AS 720/19 WA; LSG Rheinland-Pfalz, L 3 AS 44/10 ZVW";
    Bereinigung => "bereinigung", K6, "Nachvollziehbare Datenbereinigung",
        "Jede gelieferte Zeile ist verwendet oder mit Grund, Quelle und Zeile ausgeschlossen; die Zählungen gehen auf.",
        "SG Aurich, 23.06.2021, S 55 AS 307/19";
    DoppelteKappung => "doppelte_kappung", K7, "Keine doppelte Kappung des oberen Randes",
        "Der obere Rand der Verteilung wird nicht zweifach gekappt.",
        "SG Bayreuth, 14.10.2015, S 17 AS 768/13";
    Gewichtung => "gewichtung", K7, "Gewichtungsgrundlage",
        "Es wird nicht gewichtet, oder die Gewichtung ist in jedem Tabellenfeld anwendbar.",
        "LSG Sachsen-Anhalt, L 4 AS 92/20; LSG Schleswig-Holstein, 19.05.2014, L 6 AS 146/13";
    Betriebskosten => "betriebskosten", K7, "Kalte Betriebskosten repräsentativ abgeleitet",
        "Die kalten Betriebskosten beruhen auf einem Mittelwert oder Median und liegen für jedes Tabellenfeld vor.",
        "BSG, 10.09.2013, B 14 AS 13/12 R";
    Monotonie => "monotonie", K7, "Richtwerte steigen mit der Haushaltsgröße",
        "In jedem Vergleichsraum steigt die Bruttokaltmiete mit der Haushaltsgröße.",
        "BSG, 22.09.2009, B 4 AS 18/09 R";
    Heizkosten => "heizkosten", K7, "Heizkosten-Prüfgrenze mit Grundlage",
        "Heizkosten werden nach einem aktuellen Heizspiegel als Prüfgrenze (nicht als Angemessenheitsgrenze) bewertet, oder sind nicht Gegenstand dieser Auswertung.",
        "BSG, 19.05.2021, B 14 AS 57/19 R";
    Gesamtgrenze => "gesamtgrenze", K7, "Gesamtangemessenheitsgrenze mit belastbarer Heizkomponente",
        "Es wird keine Gesamtangemessenheitsgrenze gebildet, oder ihre Heizkomponente beruht auf aktuellen Heizspiegeldaten.",
        "BSG, 04.06.2014, B 14 AS 53/13 R";
    Perzentil => "perzentil", K8, "Begründete Kappungsgrenze (Perzentil)",
        "Die Kappungsgrenze ist aus der Verfügbarkeit abgeleitet oder schriftlich begründet.",
        "SG Dresden, S 45 AS 380/16; SG Hannover, S 70 AS 3823/14";
    Verfuegbarkeit => "verfuegbarkeit", K8, "Verfügbarkeit angemessenen Wohnraums nachgewiesen",
        "In jedem Tabellenfeld ist der Zielanteil der Angebote zum Richtwert anmietbar.",
        "BSG, 10.09.2013, B 4 AS 87/12 R; BSG, 30.01.2019, B 14 AS 24/18 R; LSG Berlin-Brandenburg, L 14 AS 1570/20";
    Rueckfall => "rueckfall", K8, "Rückfall auf die WoGG-Tabellenwerte",
        "Kein Tabellenfeld fällt auf die WoGG-Tabellenwerte zurück.",
        "BSG, 10.09.2013, B 4 AS 87/12 R; SG Oldenburg, 20.06.2024, S 37 AS 506/23";
    Ueberschreitung => "ueberschreitung", K8, "Anteil der Leistungsbezieher über dem Richtwert",
        "Der Anteil der Bedarfsgemeinschaften über dem Richtwert ist unauffällig.",
        "Bayerisches LSG, 28.03.2018, L 11 AS 52/16";
}

/// The checks that look at cells or Vergleichsräume: without any cell they cannot run, and
/// must not pass for lack of anything to object to.
const NEEDS_CELLS: &[CheckCode] = &[
    CheckCode::Gebietsabdeckung,
    CheckCode::Homogenitaet,
    CheckCode::Konzentration,
    CheckCode::EinRichtwert,
    CheckCode::Datengrundlage,
    CheckCode::Abdeckung,
    CheckCode::Fallzahl,
    CheckCode::Vermieterstruktur,
    CheckCode::Groessenstruktur,
    CheckCode::Zirkelschluss,
    CheckCode::Bereinigung,
    CheckCode::DoppelteKappung,
    CheckCode::Gewichtung,
    CheckCode::Betriebskosten,
    CheckCode::Monotonie,
    CheckCode::Verfuegbarkeit,
    CheckCode::Rueckfall,
];

impl Serialize for CheckCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// What a check needs from one run.
pub(crate) struct Inputs<'a> {
    pub prep: &'a Prepared,
    /// Neighbouring Gemeinden: from the boundaries when the project has them, else from the
    /// neighbour list.
    pub adjacency: Option<Adjacency<'a>>,
    pub project: &'a Project,
    pub an: &'a Analysis,
}

/// Where the neighbours of the Gemeinden come from, with the pairs.
pub(crate) enum Adjacency<'a> {
    /// Derived from shared borders of the boundary file (`analysis::contiguity`); `list`: a
    /// neighbour list exists too and is not used.
    Boundaries { data: &'a BoundaryData, list: bool },
    /// The neighbour list of the project.
    List(&'a [(String, String)]),
}

impl<'a> Adjacency<'a> {
    /// The boundaries win over the list (docs/METHOD.md §2.3).
    fn of(data: &'a Dataset) -> Option<Adjacency<'a>> {
        match (&data.boundaries, &data.neighbours) {
            (Some(b), list) => Some(Adjacency::Boundaries {
                data: b,
                list: list.is_some(),
            }),
            (None, Some(list)) => Some(Adjacency::List(list)),
            (None, None) => None,
        }
    }

    /// The neighbouring pairs.
    pub fn pairs(&self) -> &'a [(String, String)] {
        match self {
            Adjacency::Boundaries { data, .. } => &data.neighbours,
            Adjacency::List(list) => list,
        }
    }

    /// In German: where the neighbourhoods come from.
    pub fn source_german(&self) -> &'static str {
        match self {
            Adjacency::Boundaries { list: false, .. } => {
                "Nachbarschaften aus den Gemeindegrenzen (GeoJSON) abgeleitet"
            }
            Adjacency::Boundaries { list: true, .. } => {
                "Nachbarschaften aus den Gemeindegrenzen (GeoJSON) abgeleitet; sie gehen der Nachbarschaftsliste vor"
            }
            Adjacency::List(_) => "Nachbarschaften laut Nachbarschaftsliste",
        }
    }
}

/// Collects the findings of one run.
#[derive(Default)]
pub(crate) struct Audit {
    findings: Vec<Warning>,
    missing: Vec<(CheckCode, String)>,
    ok: Vec<(CheckCode, String)>,
}

impl Audit {
    /// A finding about the whole concept or a Vergleichsraum.
    pub fn add(&mut self, check: CheckCode, severity: Severity, text: String) {
        self.add_cells(check, severity, Vec::new(), text);
    }

    /// A finding about some cells.
    pub fn add_cells(
        &mut self,
        check: CheckCode,
        severity: Severity,
        cells: Vec<CellRef>,
        text: String,
    ) {
        self.findings.push(Warning {
            severity,
            check,
            cells,
            text,
        });
    }

    /// The check (or part of it) cannot run: `missing` names what is needed; the finding is a
    /// Hinweis, so it shows where the result would be.
    pub fn cannot(&mut self, check: CheckCode, missing: String, text: String) {
        self.missing.push((check, missing));
        self.add(check, Severity::Hinweis, text);
    }

    /// A more specific sentence than the check's default when it finds nothing.
    pub fn ok(&mut self, check: CheckCode, text: String) {
        self.ok.push((check, text));
    }
}

/// A cell's reference.
pub(crate) fn cell_ref(c: &CellResult) -> CellRef {
    CellRef {
        vergleichsraum: c.vergleichsraum.clone(),
        household_size: c.household_size,
    }
}

/// Runs every check: the findings (warnings) and the Prüfung.
pub fn audit(
    prep: &Prepared,
    project: &Project,
    an: &Analysis,
    data: &Dataset,
) -> (Vec<Warning>, Vec<Check>) {
    let input = Inputs {
        prep,
        adjacency: Adjacency::of(data),
        project,
        an,
    };
    let mut audit = Audit::default();
    region::run(&input, &mut audit);
    data::run(&input, &mut audit);
    method::run(&input, &mut audit);
    if an.cells.iter().all(|c| c.n_in_cell == 0) {
        for &code in NEEDS_CELLS {
            audit.cannot(
                code,
                "Tabellenfelder mit Mietwerten (Gemeindetabelle, Vergleichsräume, Daten)"
                    .to_string(),
                "Es gibt kein Tabellenfeld mit Mietwerten: Diese Prüfung kann nicht laufen."
                    .to_string(),
            );
        }
    }
    let mut findings = audit.findings;
    // In the order of the checks; within a check, as found.
    findings.sort_by_key(|w| w.check);
    let checks = CheckCode::ALL
        .iter()
        .map(|&code| {
            let own: Vec<&Warning> = findings.iter().filter(|w| w.check == code).collect();
            let missing: Vec<&str> = audit
                .missing
                .iter()
                .filter(|(c, _)| *c == code)
                .map(|(_, m)| m.as_str())
                .collect();
            let worst = own.iter().map(|w| w.severity).max();
            let status = match worst {
                Some(Severity::Fehler) => CheckStatus::Fehler,
                Some(Severity::Warnung) => CheckStatus::Warnung,
                _ if !missing.is_empty() => CheckStatus::NichtPruefbar,
                Some(Severity::Hinweis) => CheckStatus::Hinweis,
                None => CheckStatus::Ok,
            };
            let mut cells: Vec<_> = own.iter().flat_map(|w| w.cells.iter().cloned()).collect();
            cells.sort();
            cells.dedup();
            let text = match status {
                CheckStatus::Ok => audit
                    .ok
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map_or_else(|| code.ok_text().to_string(), |(_, t)| t.clone()),
                _ => summary(&own),
            };
            Check {
                code,
                criterion: code.criterion(),
                title: code.title(),
                status,
                cells,
                text,
                findings: own.iter().map(|w| w.text.clone()).collect(),
                missing: (!missing.is_empty()).then(|| missing.join("; ")),
                decision: code.decision(),
            }
        })
        .collect();
    (findings, checks)
}

/// One sentence for a check with findings: the most severe one, and how many more there are.
fn summary(own: &[&Warning]) -> String {
    let Some(first) = own.iter().rev().max_by_key(|w| w.severity) else {
        return String::new();
    };
    match own.len() {
        1 => first.text.clone(),
        n => format!(
            "{} (und {} dieser Prüfung)",
            first.text,
            crate::fmt::count(n - 1, "weiterer Befund", "weitere Befunde")
        ),
    }
}
