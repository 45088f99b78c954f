//! Deckblatt, BSG-Prüfkatalog, Parameter (with Excel names) and Protokoll.

use super::Ctx;
use super::style::{self, DASH, row};
use crate::analysis::compute::Severity;
use crate::model::params::{BkLevel, BkStatistic, OutlierMethod, Parameters, ReferenceMethod};
use crate::model::{Date, Reason, SourceKind};
use rust_xlsxwriter::{Formula, Workbook, Worksheet, XlsxError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Sheet names (used in links and formulas).
pub const DECKBLATT: &str = "Deckblatt";
/// Sheet name.
pub const PRUEFKATALOG: &str = "BSG-Prüfkatalog";
/// Sheet name.
pub const PARAMETER: &str = "Parameter";
/// Sheet name.
pub const PROTOKOLL: &str = "Protokoll";

/// First parameter row (0-based) on the Parameter sheet.
const PARAM_FIRST_ROW: u32 = 3;
/// Column of the parameter values.
const PARAM_VALUE_COL: u16 = 2;

/// A parameter value as written into a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A number.
    Num(f64),
    /// Text.
    Text(String),
    /// Yes/no.
    Bool(bool),
    /// Not set.
    Unset,
}

impl Val {
    fn from_json(v: &Value) -> Val {
        match v {
            Value::Null => Val::Unset,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => n.as_f64().map_or(Val::Unset, Val::Num),
            Value::String(s) => Val::Text(s.clone()),
            Value::Array(items) if items.is_empty() => Val::Unset,
            Value::Array(items) => Val::Text(
                items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Value::Object(_) => Val::Text(v.to_string()),
        }
    }

    fn display(&self) -> String {
        match self {
            Val::Num(x) => crate::fmt::number_plain(*x),
            Val::Text(t) => t.clone(),
            Val::Bool(true) => "ja".to_string(),
            Val::Bool(false) => "nein".to_string(),
            Val::Unset => "– (aus)".to_string(),
        }
    }
}

/// One row of the Parameter sheet.
#[derive(Debug, Clone)]
pub struct ParamRow {
    /// Dotted key (`reference.percentile`, `wohnflaechen.sizes[2]`).
    pub key: String,
    /// German label.
    pub label: String,
    /// Chosen value.
    pub value: Val,
    /// Default value (None for derived rows).
    pub default: Option<Val>,
    /// German explanation of the value.
    pub explain: String,
    /// Excel name of the value cell.
    pub name: Option<String>,
    /// Formula of a derived row with its cached value.
    pub formula: Option<(String, f64)>,
}

/// The Parameter sheet layout: rows in order and the names defined on them.
#[derive(Debug, Clone, Default)]
pub struct ParamLayout {
    /// Rows in sheet order, starting at [`PARAM_FIRST_ROW`].
    pub rows: Vec<ParamRow>,
}

/// Curated order of the parameter keys; an entry also orders every key below it
/// (`availability` orders `availability.*`); unknown keys follow in serialisation order.
const ORDER: &[&str] = &[
    "wohnflaechen.land",
    "wohnflaechen.sizes",
    "wohnflaechen.per_further",
    "wohnflaechen.source",
    "wohnflaechen.confirmed",
    "size_classes.lower_bound",
    "size_classes.open_top",
    "scope.reference_kinds",
    "scope.availability_kinds",
    "scope.contract_window_years",
    "scope.exclude_furnished",
    "scope.exclude_subsidised",
    "scope.exclude_company_flats",
    "scope.exclude_dormitories",
    "scope.exclude_favour_rents",
    "scope.exclude_substandard",
    "plausibility.rent_per_m2_min",
    "plausibility.rent_per_m2_max",
    "plausibility.bk_per_m2_min",
    "plausibility.bk_per_m2_max",
    "outliers.method",
    "outliers.k",
    "outliers.trim_share",
    "outliers.iqr_k",
    "outliers.abs_min",
    "outliers.abs_max",
    "quantile_type",
    "min_n",
    "ci_level",
    "reference.method",
    "reference.percentile",
    "reference.spanne",
    "reference.round_per_m2",
    "reference.effective_p",
    "availability.target_share",
    "availability.start",
    "availability.p_floor",
    "availability.p_step",
    "availability.p_max",
    "availability.window_months",
    "availability.dedup",
    "availability.dedup_area_m2",
    "availability.dedup_rent_share",
    "availability.heating_included",
    "availability.produkttheorie",
    "availability.max_gemeinde_share",
    "availability.demand",
    "availability",
    "representativeness.coverage_warn",
    "representativeness.coverage_error",
    "representativeness.welfare_share_max",
    "representativeness.weighting",
    "representativeness.market_shares",
    "representativeness",
    "operating_costs.statistic",
    "operating_costs.percentile",
    "operating_costs.level",
    "operating_costs.lift_split",
    "operating_costs.effective_p",
    "rounding.mode",
    "heating",
    "wogg.surcharge",
    "wogg.klima",
    "wogg.kreis_mietstufe",
    "fortschreibung",
];

/// The key without array positions: `availability.demand[2].wohngeld` → `availability.demand.wohngeld`.
fn base_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut depth = 0;
    for ch in key.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Sort rank of a key: its own ORDER position, else that of the closest listed parent.
fn rank(key: &str) -> usize {
    let base = base_key(key);
    let mut k = base.as_str();
    loop {
        if let Some(pos) = ORDER.iter().position(|o| *o == k) {
            return pos;
        }
        match k.rfind('.') {
            Some(i) => k = &k[..i],
            None => return ORDER.len(),
        }
    }
}

/// German label of a (base) key.
fn label(key: &str, index: Option<usize>) -> String {
    if let Some(i) = index
        && key == "wohnflaechen.sizes"
    {
        return format!("Angemessene Wohnfläche {} (m²)", style::persons(row(i)));
    }
    if key.contains('[') {
        let base = base_key(key);
        let row_no: String = key
            .split('[')
            .nth(1)
            .and_then(|t| t.split(']').next())
            .unwrap_or_default()
            .to_string();
        return format!("{} (Eintrag {row_no})", label(&base, None));
    }
    match key {
        "availability.window_months" => "Zeitfenster der Angebotsmieten vor dem Stichtag (Monate)",
        "availability.dedup" => "Doppelte Angebote entfernen",
        "availability.dedup_area_m2" => "Dublettentoleranz Wohnfläche (m²)",
        "availability.dedup_rent_share" => "Dublettentoleranz Miete (Anteil)",
        "availability.heating_included" => "Angebote mit Heizkosten in den Nebenkosten",
        "availability.produkttheorie" => "Verfügbarkeit nach Produkttheorie (Angebote jeder Größe)",
        "availability.target_share" => "Zielanteil angemessener Angebote",
        "availability.start" => "Startwert des iterativen Verfahrens",
        "availability.p_floor" => "Mindest-Startperzentil (Start beim Nachfrageanteil)",
        "availability.p_step" => "Schrittweite des iterativen Verfahrens",
        "availability.p_max" => "Höchstes Perzentil des iterativen Verfahrens",
        "availability.max_gemeinde_share" => {
            "Höchstanteil einer Gemeinde an den angemessenen Angeboten"
        }
        "availability.demand" => "Nachfragegruppen je Haushaltsgröße",
        "representativeness.coverage_warn" => "Abdeckung des Mietwohnungsbestands: Warnschwelle",
        "representativeness.coverage_error" => "Abdeckung des Mietwohnungsbestands: Fehlerschwelle",
        "representativeness.weighting" => "Gewichtung nach Vermietertyp (NKM und BK getrennt)",
        "representativeness.market_shares" => "Marktanteil privater Vermieter je Vergleichsraum",
        "representativeness.welfare_share_max" => {
            "Höchstanteil von Leistungsbeziehern je Tabellenfeld"
        }
        "heating.enabled" => "Heizkostengrenzwerte ausweisen",
        "heating.table" => "Heizspiegel-Tabelle",
        "heating.energietraeger" => "Energieträger der Heizkostengrenze",
        "heating.building_area_m2" => "Beheizte Gebäudefläche (m²)",
        "heating.gesamtangemessenheitsgrenze" => {
            "Gesamtangemessenheitsgrenze (§ 22 Abs. 10 SGB II) ausweisen"
        }
        "fortschreibung" => "Fortschreibung (Indexfortschreibung)",
        "wohnflaechen.land" => "Land der Wohnflächenregelung",
        "wohnflaechen.per_further" => "Zusätzliche Wohnfläche je weitere Person (m²)",
        "wohnflaechen.source" => "Rechtsgrundlage/Quelle der Wohnflächen",
        "wohnflaechen.confirmed" => "Wohnflächen vom Anwender als belegt bestätigt",
        "size_classes.lower_bound" => "Untergrenze der ersten Größenklasse (m², ausschließlich)",
        "size_classes.open_top" => "Oberste Größenklasse nach oben offen",
        "scope.reference_kinds" => "Datenarten für die Referenzmiete",
        "scope.availability_kinds" => "Datenarten für die Verfügbarkeitsprüfung",
        "scope.contract_window_years" => {
            "Höchstalter von Mietvertrag bzw. letzter Mietänderung (Jahre)"
        }
        "scope.exclude_furnished" => "Möblierte Wohnungen ausschließen",
        "scope.exclude_subsidised" => "Öffentlich geförderte Wohnungen ausschließen",
        "scope.exclude_company_flats" => "Werks-/Dienstwohnungen ausschließen",
        "scope.exclude_dormitories" => "Wohnheime ausschließen",
        "scope.exclude_favour_rents" => "Gefälligkeitsmieten ausschließen",
        "scope.exclude_substandard" => "Wohnungen des untersten Standards ausschließen",
        "plausibility.rent_per_m2_min" => "Plausible Nettokaltmiete je m²: Minimum (€)",
        "plausibility.rent_per_m2_max" => "Plausible Nettokaltmiete je m²: Maximum (€)",
        "plausibility.bk_per_m2_min" => "Plausible kalte Betriebskosten je m²: Minimum (€)",
        "plausibility.bk_per_m2_max" => "Plausible kalte Betriebskosten je m²: Maximum (€)",
        "outliers.method" => "Extremwertregel",
        "outliers.k" => "Faktor k (Mittelwert ± k · Standardabweichung)",
        "outliers.trim_share" => "Abgeschnittener Anteil je Seite",
        "outliers.iqr_k" => "Faktor k der Interquartilsregel",
        "outliers.abs_min" => "Feste Untergrenze (€/m²)",
        "outliers.abs_max" => "Feste Obergrenze (€/m²)",
        "quantile_type" => "Quantildefinition (Typ nach Hyndman und Fan)",
        "min_n" => "Mindestfallzahl je Tabellenfeld",
        "ci_level" => "Konfidenzniveau des Intervalls für das Perzentil",
        "reference.method" => "Ableitung der Referenzmiete",
        "reference.percentile" => "Perzentil p der Referenzmiete",
        "reference.spanne" => "Breite der zentralen Spanne (Spannenoberwert)",
        "reference.round_per_m2" => "€/m² vor der Multiplikation auf Cent runden",
        "reference.effective_p" => "Wirksames Perzentil der Referenzmiete (abgeleitet)",
        "operating_costs.statistic" => "Statistik der kalten Betriebskosten",
        "operating_costs.percentile" => "Perzentil der kalten Betriebskosten",
        "operating_costs.level" => "Ebene der Betriebskosten",
        "operating_costs.lift_split" => "Betriebskosten getrennt nach Aufzug (Kreis Düren)",
        "operating_costs.effective_p" => "Wirksames Perzentil der Betriebskosten (abgeleitet)",
        "rounding.mode" => "Rundung der Bruttokaltmiete",
        "wogg.surcharge" => "WoGG-Vergleich: Sicherheitszuschlag",
        "wogg.klima" => "WoGG-Vergleich: Klimakomponente",
        "wogg.kreis_mietstufe" => "WoGG-Vergleich: Mietstufe des Kreises",
        other => return other.to_string(),
    }
    .to_string()
}

/// The Excel name of a key's value cell.
fn excel_name(key: &str, index: Option<usize>) -> Option<String> {
    if let Some(i) = index {
        return (key == "wohnflaechen.sizes").then(|| format!("KdU_Wfl_{}P", i + 1));
    }
    let name = match key {
        "wohnflaechen.per_further" => "KdU_Wfl_weitere",
        "reference.percentile" => "KdU_Perzentil",
        "reference.spanne" => "KdU_Spanne",
        "reference.effective_p" => "KdU_p_Referenz",
        "outliers.k" => "KdU_Ausreisser_k",
        "outliers.trim_share" => "KdU_Trimmanteil",
        "outliers.iqr_k" => "KdU_IQR_k",
        "outliers.abs_min" => "KdU_Grenze_min",
        "outliers.abs_max" => "KdU_Grenze_max",
        "quantile_type" => "KdU_Quantiltyp",
        "min_n" => "KdU_Mindestfallzahl",
        "ci_level" => "KdU_Konfidenzniveau",
        "operating_costs.percentile" => "KdU_BK_Perzentil",
        "operating_costs.effective_p" => "KdU_p_BK",
        "plausibility.bk_per_m2_min" => "KdU_BK_min",
        "plausibility.bk_per_m2_max" => "KdU_BK_max",
        "plausibility.rent_per_m2_min" => "KdU_NKM_min",
        "plausibility.rent_per_m2_max" => "KdU_NKM_max",
        _ => return None,
    };
    Some(name.to_string())
}

/// German explanation of the current value of enum-like keys.
fn explain(p: &Parameters, key: &str) -> String {
    let kinds = |k: &[SourceKind]| k.iter().map(|k| k.german()).collect::<Vec<_>>().join(", ");
    match key {
        "outliers.method" => p.outliers.method.german().to_string(),
        "reference.method" => p.reference.method.german().to_string(),
        "rounding.mode" => p.rounding.mode.german().to_string(),
        "quantile_type" => p.quantile_type.german().to_string(),
        "operating_costs.statistic" => bk_statistic_german(p.operating_costs.statistic).to_string(),
        "operating_costs.level" => match p.operating_costs.level {
            BkLevel::Vergleichsraum => "je Vergleichsraum",
            BkLevel::Cell => "je Tabellenfeld",
        }
        .to_string(),
        "scope.reference_kinds" => kinds(&p.scope.reference_kinds),
        "scope.availability_kinds" => kinds(&p.scope.availability_kinds),
        "wogg.klima" => p.wogg.klima.label().to_string(),
        "reference.effective_p" => match p.reference.method {
            ReferenceMethod::Percentile => "= Perzentil p".to_string(),
            ReferenceMethod::Median => "Median = 0,5".to_string(),
            ReferenceMethod::Spannenoberwert => "= 1 − (1 − Spanne) / 2".to_string(),
            ReferenceMethod::Mean => "kein Perzentil (Mittelwert)".to_string(),
            ReferenceMethod::Iterative => {
                "Startwert p, schrittweise erhöht bis zum Zielanteil verfügbarer Angebote"
                    .to_string()
            }
        },
        "operating_costs.effective_p" => match p.operating_costs.statistic {
            BkStatistic::Median => "Median = 0,5".to_string(),
            BkStatistic::Percentile => "= Perzentil der Betriebskosten".to_string(),
            BkStatistic::Mean => "kein Perzentil (Mittelwert)".to_string(),
        },
        _ => String::new(),
    }
}

/// German name of a BK statistic.
pub fn bk_statistic_german(s: BkStatistic) -> &'static str {
    match s {
        BkStatistic::Median => "Median",
        BkStatistic::Mean => "Mittelwert",
        BkStatistic::Percentile => "Perzentil",
    }
}

/// Flattens a JSON value into (base key, array index, value).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Option<usize>, Value)>) {
    if prefix == "heating.table"
        && let Value::Object(map) = v
    {
        // The Heizspiegel table is data, not a parameter: one row naming the edition.
        let field = |k: &str| match map.get(k) {
            Some(Value::String(t)) => t.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        out.push((
            prefix.to_string(),
            None,
            Value::String(format!(
                "{} (Spalte „{}“, {}; {} Energieträger)",
                field("edition"),
                field("column"),
                field("unit"),
                map.get("rows")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            )),
        ));
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{}]", i + 1), item, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_number) => {
            for (i, item) in items.iter().enumerate() {
                out.push((prefix.to_string(), Some(i), item.clone()));
            }
        }
        other => out.push((prefix.to_string(), None, other.clone())),
    }
}

/// Row key with index: `wohnflaechen.sizes[2]` (1-based).
fn row_key(base: &str, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("{base}[{}]", i + 1),
        None => base.to_string(),
    }
}

/// Builds the Parameter sheet layout (every parameter, the derived p rows).
pub fn param_layout(ctx: &Ctx) -> ParamLayout {
    let p = ctx.p();
    let mut current = Vec::new();
    flatten(
        "",
        &serde_json::to_value(p).unwrap_or(Value::Null),
        &mut current,
    );
    let mut defaults = Vec::new();
    flatten(
        "",
        &serde_json::to_value(Parameters::default()).unwrap_or(Value::Null),
        &mut defaults,
    );
    let default_of: BTreeMap<String, Value> = defaults
        .into_iter()
        .map(|(k, i, v)| (row_key(&k, i), v))
        .collect();
    let mut entries: Vec<(usize, String, Option<usize>, Value)> = current
        .into_iter()
        .map(|(k, i, v)| (rank(&k), k, i, v))
        .collect();
    // Derived rows.
    let effective = match p.reference.method {
        ReferenceMethod::Percentile => Some(("=KdU_Perzentil".to_string(), p.reference.percentile)),
        ReferenceMethod::Median => Some(("0.5".to_string(), 0.5)),
        ReferenceMethod::Spannenoberwert => p
            .reference
            .effective_p()
            .map(|v| ("=1-(1-KdU_Spanne)/2".to_string(), v)),
        ReferenceMethod::Mean | ReferenceMethod::Iterative => None,
    };
    let bk_effective = match p.operating_costs.statistic {
        BkStatistic::Median => Some(("0.5".to_string(), 0.5)),
        BkStatistic::Percentile => Some((
            "=KdU_BK_Perzentil".to_string(),
            p.operating_costs.percentile,
        )),
        BkStatistic::Mean => None,
    };
    entries.push((
        rank("reference.effective_p"),
        "reference.effective_p".to_string(),
        None,
        Value::Null,
    ));
    entries.push((
        rank("operating_costs.effective_p"),
        "operating_costs.effective_p".to_string(),
        None,
        Value::Null,
    ));
    entries.sort_by_key(|e| e.0);
    let mut rows = Vec::new();
    for (_, base, index, value) in entries {
        let key = row_key(&base, index);
        let derived = match base.as_str() {
            "reference.effective_p" => Some(&effective),
            "operating_costs.effective_p" => Some(&bk_effective),
            _ => None,
        };
        let (value, formula, name) = match derived {
            Some(Some((text, v))) => {
                let formula = text.strip_prefix('=').map(|f| (f.to_string(), *v));
                (Val::Num(*v), formula, excel_name(&base, index))
            }
            Some(None) => (Val::Unset, None, None),
            None => {
                let val = Val::from_json(&value);
                let name = match val {
                    Val::Num(_) => excel_name(&base, index),
                    _ => None,
                };
                (val, None, name)
            }
        };
        rows.push(ParamRow {
            label: label(&base, index),
            default: if derived.is_some() {
                None
            } else {
                Some(default_of.get(&key).map_or(Val::Unset, Val::from_json))
            },
            explain: explain(p, &base),
            key,
            value,
            name,
            formula,
        });
    }
    ParamLayout { rows }
}

/// Defines the workbook names of the parameter cells.
pub fn define_names(ctx: &Ctx, wb: &mut Workbook) -> Result<(), XlsxError> {
    for (i, r) in ctx.params.rows.iter().enumerate() {
        if let Some(name) = &r.name {
            let cell = rust_xlsxwriter::utility::row_col_to_cell_absolute(
                PARAM_FIRST_ROW + row(i),
                PARAM_VALUE_COL,
            );
            wb.define_name(name, &format!("={PARAMETER}!{cell}"))?;
        }
    }
    Ok(())
}

/// The user's justification for a key: exact, then without index, then the section.
fn justification<'a>(ctx: &'a Ctx, key: &str, used: &mut BTreeSet<String>) -> Option<&'a str> {
    let j = &ctx.lp.project.justifications;
    let base = key.split('[').next().unwrap_or(key);
    let section = base.split('.').next().unwrap_or(base);
    for k in [key, base, section] {
        if let Some(text) = j.get(k)
            && !text.trim().is_empty()
        {
            used.insert(k.to_string());
            return Some(text.as_str());
        }
    }
    None
}

/// The Parameter sheet.
pub fn parameter(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(ctx, PARAMETER, "Parameter der Auswertung")?;
    ws.write_string_with_format(
        1,
        0,
        "Jeder Parameter mit gewähltem Wert, Standardwert und Begründung. Die Werte in Spalte C tragen Excel-Namen (Spalte H); die Formeln der Prüfmappe verwenden diese Namen.",
        &ctx.fmt.note,
    )?;
    style::header_row(
        &mut ws,
        ctx,
        PARAM_FIRST_ROW - 1,
        &[
            "Schlüssel",
            "Bezeichnung",
            "Wert",
            "Erläuterung",
            "Standardwert",
            "Abweichend vom Standard",
            "Begründung",
            "Excel-Name",
        ],
    )?;
    style::widths(&mut ws, &[30.0, 44.0, 14.0, 40.0, 14.0, 12.0, 60.0, 20.0])?;
    let mut used = BTreeSet::new();
    let f = &ctx.fmt;
    for (i, pr) in ctx.params.rows.iter().enumerate() {
        let r = PARAM_FIRST_ROW + row(i);
        ws.write_string_with_format(r, 0, &pr.key, &f.text)?;
        ws.write_string_with_format(r, 1, &pr.label, &f.wrap)?;
        match (&pr.formula, &pr.value) {
            (Some((text, v)), _) => {
                ws.write_formula_with_format(
                    r,
                    2,
                    Formula::new(text).set_result(style::cached_text(*v)),
                    &f.general,
                )?;
            }
            (None, Val::Num(x)) => {
                ws.write_number_with_format(r, 2, *x, &f.general)?;
            }
            (None, other) => {
                ws.write_string_with_format(r, 2, other.display(), &f.text)?;
            }
        }
        ws.write_string_with_format(r, 3, &pr.explain, &f.wrap)?;
        match &pr.default {
            Some(Val::Num(x)) => {
                ws.write_number_with_format(r, 4, *x, &f.general)?;
            }
            Some(other) => {
                ws.write_string_with_format(r, 4, other.display(), &f.text)?;
            }
            None => {
                ws.write_string_with_format(r, 4, "(abgeleitet)", &f.note)?;
            }
        }
        let differs = pr.default.as_ref().is_some_and(|d| *d != pr.value);
        ws.write_string_with_format(r, 5, if differs { "ja" } else { "" }, &f.center)?;
        if let Some(text) = justification(ctx, &pr.key, &mut used) {
            ws.write_string_with_format(r, 6, text, &f.wrap)?;
            ws.set_row_height(r, style::wrapped_height(text, 60.0))?;
        } else if differs {
            ws.write_string_with_format(r, 6, "(keine Begründung erfasst)", &f.note)?;
        }
        if let Some(name) = &pr.name {
            ws.write_string_with_format(r, 7, name, &f.text)?;
        }
    }
    let mut r = PARAM_FIRST_ROW + row(ctx.params.rows.len()) + 1;
    let others: Vec<(&String, &String)> = ctx
        .lp
        .project
        .justifications
        .iter()
        .filter(|(k, v)| !used.contains(*k) && !v.trim().is_empty())
        .collect();
    if !others.is_empty() {
        ws.write_string_with_format(r, 0, "Weitere Begründungen", &f.heading)?;
        r += 1;
        for (k, v) in others {
            ws.write_string_with_format(r, 0, k, &f.text)?;
            ws.write_string_with_format(r, 6, v, &f.wrap)?;
            ws.set_row_height(r, style::wrapped_height(v, 60.0))?;
            r += 1;
        }
    }
    Ok(ws)
}

/// The date two years after `d` (29 Feb → 28 Feb), minus one day.
fn two_years_later(d: Date) -> Date {
    let (y, m, day) = d.ymd();
    let target = Date::from_ymd(y + 2, m, day)
        .or_else(|| Date::from_ymd(y + 2, m, day.saturating_sub(1)))
        .unwrap_or(d);
    Date::from_days_since_epoch(target.days_since_epoch() - 1)
}

/// Sheets of the workbook with a one-line description, for the table of contents.
fn contents(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        (
            "Richtwerte",
            "Angemessenheitsgrenzen je Vergleichsraum und Haushaltsgröße",
        ),
        (
            PRUEFKATALOG,
            "BSG-Kriterien K1–K8 mit Nachweisen; Hinweise und Warnungen",
        ),
        (PARAMETER, "Alle Parameter mit Standardwert und Begründung"),
        (
            "Vergleichsräume",
            "Gemeinden, Zuordnung, Abdeckung, Begründung",
        ),
        ("Datengrundlage", "Quellenregister und Fallzahlen"),
        ("Bereinigung", "Ausschlüsse nach Grund und Quelle"),
        ("Extremwerte", "Extremwertkappung je Tabellenfeld"),
        (
            "Verteilungen",
            "Statistiken, Perzentile, Konfidenzintervalle",
        ),
        (
            "Histogramme",
            "Verteilung der Nettokaltmieten je m² mit Referenzmiete",
        ),
        ("Betriebskosten", "Kalte Betriebskosten je Vergleichsraum"),
    ];
    if super::heating::wanted(ctx) {
        v.push((
            super::heating::HEIZKOSTEN,
            "Heizspiegel, Heizkosten-Grenzwerte und Gesamtangemessenheitsgrenze",
        ));
    }
    v.extend([
        (
            "Verfügbarkeit",
            "Angebotsmieten: Anteil angemessener Angebote, Iteration, Gemeinden",
        ),
        (
            "WoGG-Vergleich",
            "Richtwerte neben WoGG-Höchstbeträgen + Sicherheitszuschlag",
        ),
    ]);
    if super::fortschreibung::wanted(ctx) {
        v.push((
            super::fortschreibung::FORTSCHREIBUNG,
            "Alte Richtwerte × Indexfaktoren (Nettokaltmiete und Betriebskosten getrennt)",
        ));
    }
    v.extend([
        (
            "Methodentext",
            "Beschreibung des Verfahrens mit den Ergebnissen",
        ),
        (PROTOKOLL, "Version, Prüfsummen, Fingerprints, Parameter"),
    ]);
    if ctx.pruef() {
        v.push((
            super::values::WERTE,
            "Einzelwerte NKM/m² je Tabellenfeld (pseudonymisiert)",
        ));
        v.push((
            super::values::BK_WERTE,
            "Einzelwerte kalte Betriebskosten je m²",
        ));
    }
    v
}

/// The Deckblatt.
pub fn deckblatt(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        DECKBLATT,
        "Begründungsmappe: Angemessenheitsgrenzen für die Kosten der Unterkunft",
    )?;
    let f = &ctx.fmt;
    let meta = &ctx.lp.project.project;
    ws.write_string_with_format(
        1,
        0,
        match ctx.opts.variant {
            super::Variant::Pruefmappe => {
                "Prüfmappe (intern): mit pseudonymisierten Einzelwerten und nachrechenbaren Formeln. Nicht zur Veröffentlichung bestimmt."
            }
            super::Variant::Veroeffentlichung => {
                "Veröffentlichung: nur zusammengefasste Werte; Tabellenfelder unter der Mindestfallzahl werden nicht ausgewiesen."
            }
        },
        &f.note,
    )?;
    style::widths(&mut ws, &[30.0, 80.0])?;
    let start = meta.gueltig_ab.unwrap_or(meta.stichtag);
    let mut r = 3u32;
    let mut kv = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &f.bold)?;
        ws.write_string_with_format(r, 1, v, &f.wrap)?;
        r += 1;
        Ok(())
    };
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            DASH.to_string()
        } else {
            s.to_string()
        }
    };
    kv(&mut ws, "Projekt", &meta.name)?;
    kv(&mut ws, "Träger", &or_dash(&meta.traeger))?;
    kv(&mut ws, "Gebiet", &or_dash(&meta.gebiet))?;
    kv(&mut ws, "Stichtag", &meta.stichtag.german())?;
    kv(
        &mut ws,
        "Gültig ab",
        &meta
            .gueltig_ab
            .map_or_else(|| "nicht angegeben".to_string(), Date::german),
    )?;
    kv(
        &mut ws,
        "Überprüfung spätestens",
        &format!(
            "{} (zwei Jahre, § 22c Abs. 2 SGB II; BSG B 4 AS 33/16 R)",
            two_years_later(start).german()
        ),
    )?;
    kv(&mut ws, "Variante", ctx.opts.variant.german())?;
    kv(
        &mut ws,
        "Programm",
        &format!("KdU-Konzept {}", env!("CARGO_PKG_VERSION")),
    )?;
    kv(
        &mut ws,
        "Erstellt am",
        &super::creation_date(ctx.lp).german(),
    )?;
    kv(&mut ws, "Lauf-Fingerprint", &super::run_fingerprint(ctx.lp))?;
    kv(
        &mut ws,
        "Vergleichsräume",
        &format!(
            "{} ({})",
            ctx.prep.vr_names.len(),
            ctx.prep.vr_names.join(", ")
        ),
    )?;
    let fu = &ctx.an.funnel;
    kv(
        &mut ws,
        "Mietwerte",
        &format!(
            "{} Zeilen geliefert, {} Datensätze übernommen, {} in die Referenzmieten einbezogen",
            crate::fmt::number(fu.delivered as f64, 0),
            crate::fmt::number(fu.records as f64, 0),
            crate::fmt::number(fu.used as f64, 0)
        ),
    )?;
    let errors = ctx
        .an
        .warnings
        .iter()
        .filter(|w| w.severity == Severity::Fehler)
        .count();
    if errors > 0 {
        kv(
            &mut ws,
            "Achtung",
            &format!(
                "{errors} Fehler-Hinweis(e) – siehe Blatt „{PRUEFKATALOG}“. Das Konzept ist in diesem Stand nicht schlüssig."
            ),
        )?;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Inhalt", &f.heading)?;
    r += 1;
    for (sheet, text) in contents(ctx) {
        style::internal_link(&mut ws, ctx, r, 0, sheet, "A1", sheet)?;
        ws.write_string_with_format(r, 1, text, &f.text)?;
        r += 1;
    }
    ws.set_active(true);
    Ok(ws)
}

/// Severity in German.
pub fn severity_german(s: Severity) -> &'static str {
    match s {
        Severity::Hinweis => "Hinweis",
        Severity::Warnung => "Warnung",
        Severity::Fehler => "Fehler",
    }
}

/// The BSG-Prüfkatalog (K1–K8) with evidence references and the warnings.
pub fn pruefkatalog(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        PRUEFKATALOG,
        "BSG-Prüfkatalog: Kriterien eines schlüssigen Konzepts (BSG, 22.09.2009, B 4 AS 18/09 R)",
    )?;
    let f = &ctx.fmt;
    style::header_row(
        &mut ws,
        ctx,
        2,
        &[
            "Nr.",
            "Kriterium",
            "Umsetzung in dieser Auswertung",
            "Nachweis",
            "Hinweise",
        ],
    )?;
    style::widths(&mut ws, &[6.0, 42.0, 80.0, 26.0, 12.0])?;
    for (i, item) in criteria(ctx).iter().enumerate() {
        let r = 3 + row(i);
        ws.write_string_with_format(r, 0, item.id, &f.bold)?;
        ws.write_string_with_format(r, 1, item.criterion, &f.wrap)?;
        ws.write_string_with_format(r, 2, &item.text, &f.wrap)?;
        style::internal_link(&mut ws, ctx, r, 3, item.sheet, item.cell, &item.link_text)?;
        let n = ctx
            .an
            .warnings
            .iter()
            .filter(|w| w.criterion == Some(item.id))
            .count();
        if n > 0 {
            ws.write_string_with_format(r, 4, format!("{n} (s. u.)"), &f.center)?;
        } else {
            ws.write_string_with_format(r, 4, "keine", &f.center)?;
        }
        ws.set_row_height(
            r,
            style::wrapped_height(&item.text, 80.0)
                .max(style::wrapped_height(item.criterion, 42.0)),
        )?;
    }
    let mut r = 3 + 8 + 1;
    ws.write_string_with_format(r, 0, "Hinweise und Warnungen der Auswertung", &f.heading)?;
    r += 1;
    style::sub_header_row(&mut ws, ctx, r, &["Nr.", "Schwere", "Text", "Kriterium"])?;
    r += 1;
    let mut warnings: Vec<_> = ctx.an.warnings.iter().collect();
    warnings.sort_by_key(|w| std::cmp::Reverse(w.severity));
    if warnings.is_empty() {
        ws.write_string_with_format(r, 1, "keine", &f.text)?;
    }
    for (i, w) in warnings.iter().enumerate() {
        int(&mut ws, ctx, r, 0, i + 1)?;
        ws.write_string_with_format(r, 1, severity_german(w.severity), &f.bold)?;
        ws.write_string_with_format(r, 2, &w.text, &f.wrap)?;
        ws.write_string_with_format(r, 3, w.criterion.unwrap_or(""), &f.center)?;
        ws.set_row_height(r, style::wrapped_height(&w.text, 80.0))?;
        r += 1;
    }
    Ok(ws)
}

fn int(ws: &mut Worksheet, ctx: &Ctx, r: u32, c: u16, n: usize) -> Result<(), XlsxError> {
    style::int(ws, ctx, r, c, n)
}

/// One criterion of the catalogue.
struct Criterion {
    id: &'static str,
    criterion: &'static str,
    text: String,
    sheet: &'static str,
    cell: &'static str,
    link_text: String,
}

fn num(n: usize) -> String {
    crate::fmt::number(n as f64, 0)
}

/// Scope exclusions switched on, in German.
pub fn excluded_segments(p: &Parameters) -> Vec<&'static str> {
    let s = &p.scope;
    let mut v = Vec::new();
    if s.exclude_furnished {
        v.push("möblierte Wohnungen");
    }
    if s.exclude_subsidised {
        v.push("öffentlich geförderte Wohnungen");
    }
    if s.exclude_company_flats {
        v.push("Werks- und Dienstwohnungen");
    }
    if s.exclude_dormitories {
        v.push("Wohnheime");
    }
    if s.exclude_favour_rents {
        v.push("Gefälligkeitsmieten");
    }
    if s.exclude_substandard {
        v.push("Wohnungen des untersten Standards (ohne Bad/WC oder Sammelheizung)");
    }
    v
}

fn criteria(ctx: &Ctx) -> Vec<Criterion> {
    let p = ctx.p();
    let an = ctx.an;
    let proj = &ctx.lp.project;
    let fu = &an.funnel;
    let no_data: Vec<&str> = proj
        .gemeinden
        .iter()
        .zip(&ctx.prep.coverage)
        .filter(|(g, c)| !g.vergleichsraum.is_empty() && c.n_reference == 0)
        .map(|(g, _)| g.name.as_str())
        .collect();
    let outside: usize = [
        Reason::MissingGemeinde,
        Reason::UnknownGemeinde,
        Reason::NoVergleichsraum,
    ]
    .iter()
    .map(|r| fu.excluded.get(r).copied().unwrap_or(0))
    .sum();
    let k1 = format!(
        "{} Vergleichsräume mit {} Gemeinden; die Gemeindetabelle ordnet jede Gemeinde genau einem Vergleichsraum zu. {} {} Datensätze außerhalb des Gebiets oder ohne Vergleichsraum wurden ausgeschlossen.",
        ctx.prep.vr_names.len(),
        proj.gemeinden.len(),
        if no_data.is_empty() {
            "Aus allen Gemeinden liegen verwertbare Mietwerte vor.".to_string()
        } else {
            format!(
                "Ohne verwertbare Mietwerte: {} (Abdeckung prüfen).",
                no_data.join(", ")
            )
        },
        num(outside)
    );
    let kinds: Vec<&str> = p.scope.reference_kinds.iter().map(|k| k.german()).collect();
    let segs = excluded_segments(p);
    let k2 = format!(
        "Beobachtet wird die Nettokaltmiete je m² ({}); {}. Tabellenfelder nach den angemessenen Wohnflächen ({}: {} m²).",
        kinds.join(", "),
        if segs.is_empty() {
            "keine Segmente ausgeschlossen".to_string()
        } else {
            format!("ausgeschlossen: {}", segs.join(", "))
        },
        p.wohnflaechen.land,
        p.wohnflaechen
            .sizes
            .iter()
            .map(|a| crate::fmt::number(*a, 0))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let windows: Vec<String> = ctx
        .lp
        .data
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}: {}", super::source_name(ctx.lp, i), s.zeitraum))
        .collect();
    let k3 = format!(
        "Stichtag {}. {}{}",
        proj.project.stichtag.german(),
        match p.scope.contract_window_years {
            Some(y) => format!(
                "Bestandsmieten nur mit Vertragsbeginn oder letzter Mietänderung in den {y} Jahren vor dem Stichtag. "
            ),
            None => "Keine Begrenzung des Vertragsalters. ".to_string(),
        },
        if windows.is_empty() {
            "Erhebungszeiträume: siehe Datengrundlage.".to_string()
        } else {
            format!("Erhebungszeiträume: {}.", windows.join("; "))
        }
    ) + &super::fortschreibung::katalog_sentence(ctx).unwrap_or_default();
    let n_sources = ctx.lp.project.sources.len().max(ctx.lp.data.sources.len());
    let k4 = format!(
        "{} Datenquelle(n) mit Datenart, Lieferant, Erhebungsmethode, Zeitraum, Zeilenzahl und SHA-256-Prüfsumme im Quellenregister.",
        n_sources
    );
    let below = an.cells.iter().filter(|c| c.n < p.min_n).count();
    let shares: Vec<String> = an
        .vergleichsraeume
        .iter()
        .filter_map(|v| {
            v.coverage
                .share
                .map(|sh| format!("{} {}", v.name, crate::fmt::percent(sh)))
        })
        .collect();
    let k5 = format!(
        "{} Mietwerte in {} Tabellenfeldern; {} Tabellenfeld(er) unter der Mindestfallzahl {}. Bestandsmieten in Tabellenfeldern im Verhältnis zum Mietwohnungsbestand: {}.",
        num(fu.used),
        an.cells.len(),
        below,
        p.min_n,
        if shares.is_empty() {
            "Bestand nicht angegeben".to_string()
        } else {
            shares.join(", ")
        }
    );
    let rejected: usize = fu.import_rejected.values().sum();
    let excluded: usize = fu
        .excluded
        .iter()
        .filter(|(r, _)| **r != Reason::KindNotUsed)
        .map(|(_, n)| n)
        .sum();
    let k6 = format!(
        "Plausibilitätsprüfung mit Grundcodes: {} Zeilen beim Einlesen abgelehnt, {} Datensätze bei der Abgrenzung ausgeschlossen; jeder Ausschluss ist mit Grund{} dokumentiert.",
        num(rejected),
        num(excluded),
        if ctx.pruef() {
            ", Quelle und Zeile"
        } else {
            ""
        }
    );
    let outlier = match p.outliers.method {
        OutlierMethod::MeanSd => format!(
            "Mittelwert ± {} · Standardabweichung je Tabellenfeld (ein Durchgang)",
            crate::fmt::number(p.outliers.k, 2)
        ),
        other => other.german().to_string(),
    };
    let k7 = format!(
        "Extremwertkappung: {outlier}; {} Werte entfernt. Quantildefinition: {}. Reproduzierbar: gleiche Eingaben ergeben dieselben Werte (Lauf-Fingerprint im Protokoll){}.",
        num(fu.outliers_low + fu.outliers_high),
        p.quantile_type.german(),
        if ctx.pruef() {
            "; die Prüfmappe rechnet alle Kennzahlen mit Excel-Formeln nach"
        } else {
            ""
        }
    );
    let k8 = format!(
        "Schlussfolgerung: {} je Tabellenfeld als angemessener Quadratmeterpreis{}; Richtwert = Wohnfläche × (Referenzmiete + kalte Betriebskosten je m², {}) nach der Produkttheorie.",
        reference_rule_german(p),
        match &p.reference.method {
            ReferenceMethod::Mean => String::new(),
            _ => format!(
                ", mit verteilungsfreiem {}-Konfidenzintervall",
                crate::fmt::percent(p.ci_level)
            ),
        },
        bk_statistic_german(p.operating_costs.statistic)
    ) + &super::heating::katalog_sentence(ctx).unwrap_or_default();
    vec![
        Criterion {
            id: "K1",
            criterion: "Datenerhebung ausschließlich im genau eingegrenzten Vergleichsraum und über den gesamten Vergleichsraum",
            text: k1,
            sheet: "Vergleichsräume",
            cell: "A1",
            link_text: "Vergleichsräume".into(),
        },
        Criterion {
            id: "K2",
            criterion: "Nachvollziehbare Definition des Gegenstands der Beobachtung",
            text: k2,
            sheet: PARAMETER,
            cell: "A1",
            link_text: "Parameter, Methodentext".into(),
        },
        Criterion {
            id: "K3",
            criterion: "Angaben über den Beobachtungszeitraum",
            text: k3,
            sheet: "Datengrundlage",
            cell: "A1",
            link_text: "Datengrundlage".into(),
        },
        Criterion {
            id: "K4",
            criterion: "Art und Weise der Datenerhebung (Erkenntnisquellen)",
            text: k4,
            sheet: "Datengrundlage",
            cell: "A1",
            link_text: "Datengrundlage".into(),
        },
        Criterion {
            id: "K5",
            criterion: "Repräsentativität des Umfangs der eingezogenen Daten",
            text: k5,
            sheet: "Vergleichsräume",
            cell: "A1",
            link_text: "Vergleichsräume, Verteilungen".into(),
        },
        Criterion {
            id: "K6",
            criterion: "Validität der Datenerhebung",
            text: k6,
            sheet: "Bereinigung",
            cell: "A1",
            link_text: "Bereinigung".into(),
        },
        Criterion {
            id: "K7",
            criterion: "Einhaltung anerkannter mathematisch-statistischer Grundsätze der Datenauswertung",
            text: k7,
            sheet: "Extremwerte",
            cell: "A1",
            link_text: "Extremwerte, Verteilungen".into(),
        },
        Criterion {
            id: "K8",
            criterion: "Angaben über die gezogenen Schlüsse (z. B. Spannenoberwert oder Kappungsgrenze)",
            text: k8,
            sheet: "Richtwerte",
            cell: "A1",
            link_text: "Richtwerte".into(),
        },
    ]
}

/// The derivation rule in German ("33-%-Perzentil", "Median", …).
pub fn reference_rule_german(p: &Parameters) -> String {
    match p.reference.method {
        ReferenceMethod::Percentile => format!(
            "das {} %-Perzentil der Nettokaltmieten je m²",
            crate::fmt::number(p.reference.percentile * 100.0, 1).trim_end_matches(",0")
        ),
        ReferenceMethod::Median => "der Median der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Iterative => format!(
            "das Perzentil der Nettokaltmieten je m², das im iterativen Verfahren ab p = {} in Schritten von {} Prozentpunkten erhöht wird, bis mindestens {} der Angebote im Tabellenfeld angemessen sind",
            crate::fmt::percent(p.reference.percentile),
            crate::fmt::number(p.availability.p_step * 100.0, 0),
            crate::fmt::percent(p.availability.target_share)
        ),
        ReferenceMethod::Mean => "der Mittelwert der Nettokaltmieten je m²".to_string(),
        ReferenceMethod::Spannenoberwert => format!(
            "der Oberwert der zentralen {}-Spanne (Perzentil {}) der Nettokaltmieten je m²",
            crate::fmt::percent(p.reference.spanne),
            p.reference
                .effective_p()
                .map(|v| crate::fmt::number(v * 100.0, 1))
                .unwrap_or_default()
        ),
    }
}

/// (Vergleichsraum, reference records in scope, Mietwohnungsbestand) per Vergleichsraum.
pub fn coverage_by_vr(ctx: &Ctx) -> Vec<(String, usize, u64)> {
    ctx.prep
        .vr_names
        .iter()
        .map(|name| {
            let mut n = 0usize;
            let mut stock = 0u64;
            for (g, c) in ctx.lp.project.gemeinden.iter().zip(&ctx.prep.coverage) {
                if &g.vergleichsraum == name {
                    n += c.n_reference;
                    stock += u64::from(g.mietwohnungen.unwrap_or(0));
                }
            }
            (name.clone(), n, stock)
        })
        .collect()
}

/// The Protokoll sheet.
pub fn protokoll(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(ctx, PROTOKOLL, "Protokoll des Auswertungslaufs")?;
    let f = &ctx.fmt;
    style::widths(&mut ws, &[34.0, 100.0])?;
    let mut r = 2u32;
    let mut kv = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &f.bold)?;
        ws.write_string_with_format(r, 1, v, &f.text)?;
        r += 1;
        Ok(())
    };
    let lp = ctx.lp;
    kv(&mut ws, "Programm", "KdU-Konzept")?;
    kv(&mut ws, "Programmversion", env!("CARGO_PKG_VERSION"))?;
    kv(&mut ws, "Variante", ctx.opts.variant.german())?;
    kv(&mut ws, "Erstellt am", &super::creation_date(lp).german())?;
    kv(&mut ws, "Projekt", &lp.project.project.name)?;
    kv(
        &mut ws,
        "Projektdatei",
        &lp.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )?;
    kv(
        &mut ws,
        "Format der Projektdatei",
        &lp.project.format_version.to_string(),
    )?;
    kv(&mut ws, "Stichtag", &lp.project.project.stichtag.german())?;
    kv(
        &mut ws,
        "Parameter-Fingerprint (SHA-256)",
        &super::parameter_fingerprint(lp),
    )?;
    kv(
        &mut ws,
        "Lauf-Fingerprint (SHA-256)",
        &super::run_fingerprint(lp),
    )?;
    kv(
        &mut ws,
        "Bildung des Lauf-Fingerprints",
        "SHA-256 über die SHA-256-Prüfsummen der Quelldateien (in Projektreihenfolge), die Parameter (JSON) und die Zuordnung Gemeinde → Vergleichsraum",
    )?;
    kv(
        &mut ws,
        "Kennungen der Einzelwerte",
        if !ctx.pruef() {
            "keine Einzelwerte enthalten"
        } else if ctx.opts.include_ids {
            "Quelle und Zeile im Klartext (Option „Kennungen einschließen“)"
        } else if lp.project.project.salt.is_empty() {
            "Pseudonym (SHA-256 aus Quelle und Zeile) – ACHTUNG: ohne projektspezifisches Salz, daher nicht wirksam pseudonymisiert"
        } else {
            "Pseudonym (SHA-256 aus projektspezifischem Salz, Quelle und Zeile)"
        },
    )?;
    kv(
        &mut ws,
        "Datensätze",
        &format!(
            "{} übernommen, {} abgelehnt",
            num(lp.data.records.len()),
            num(lp.data.rejections.len())
        ),
    )?;
    r += 1;
    ws.write_string_with_format(r, 0, "Quelldateien", &f.heading)?;
    r += 1;
    style::sub_header_row(&mut ws, ctx, r, &["Quelle", "SHA-256"])?;
    r += 1;
    let hashes = super::source_hashes(lp);
    if hashes.is_empty() {
        ws.write_string_with_format(r, 0, "keine Quellen registriert", &f.note)?;
        r += 1;
    }
    for (i, h) in hashes.iter().enumerate() {
        ws.write_string_with_format(
            r,
            0,
            format!("{}. {}", i + 1, super::source_name(lp, i)),
            &f.text,
        )?;
        ws.write_string_with_format(r, 1, if h.is_empty() { DASH } else { h }, &f.text)?;
        r += 1;
    }
    if !lp.warnings.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, "Hinweise beim Laden", &f.heading)?;
        r += 1;
        for w in &lp.warnings {
            ws.write_string_with_format(r, 1, w, &f.wrap)?;
            r += 1;
        }
    }
    r += 1;
    ws.write_string_with_format(r, 0, "Parameter (Projektdatei, TOML)", &f.heading)?;
    r += 1;
    let toml_text = toml::to_string_pretty(&lp.project.parameters).unwrap_or_default();
    for line in toml_text.lines() {
        ws.write_string_with_format(r, 1, line, &f.text)?;
        r += 1;
    }
    Ok(ws)
}
