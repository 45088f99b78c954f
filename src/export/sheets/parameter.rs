//! The Parameter sheet: every parameter with its value, default, explanation, Excel name and
//! the user's justification; the derived p rows are formulas.

use crate::export::Ctx;
use crate::export::layout::{self, *};
use crate::export::style::{self, row};
use crate::model::catalogue::{self, Kind};
use crate::model::params::{BkStatistic, Parameters, ReferenceMethod};
use rust_xlsxwriter::{Formula, Worksheet, XlsxError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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
    "scope.include_undated",
    "scope.exclude_furnished",
    "scope.exclude_subsidised",
    "scope.exclude_company_flats",
    "scope.exclude_dormitories",
    "scope.exclude_favour_rents",
    "scope.exclude_substandard",
    "plausibility.rent_per_m2_min",
    "plausibility.rent_per_m2_max",
    "plausibility.bk_rule",
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
    "availability.share_above_limit_max",
    "availability.demand",
    "availability",
    "representativeness.coverage_warn",
    "representativeness.coverage_error",
    "representativeness.welfare_share_max",
    "representativeness.weighting",
    "representativeness.market_shares",
    "representativeness",
    "operating_costs.source",
    "operating_costs.statistic",
    "operating_costs.percentile",
    "operating_costs.level",
    "operating_costs.lift_split",
    "operating_costs.effective_p",
    "operating_costs.external",
    "operating_costs.vergleichsraeume",
    "rounding.mode",
    "richtwerte",
    "karenzzeit",
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
    // One label per parameter: the catalogue's (as on the Parameter screen), with its unit.
    if let Some(spec) = catalogue::find(key) {
        return if spec.unit.is_empty() {
            spec.label.to_string()
        } else {
            format!("{} ({})", spec.label, spec.unit)
        };
    }
    catalogue::label(key).to_string()
}

/// German explanation of the current value of enum-like keys.
fn explain(p: &Parameters, key: &str) -> String {
    if let Some(spec) = catalogue::find(key)
        && matches!(spec.kind, Kind::Choice { .. } | Kind::Kinds { .. })
    {
        return spec.display(p);
    }
    match key {
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
    let effective = layout::effective_p(&p.reference);
    let bk_effective = layout::bk_effective_p(&p.operating_costs);
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
                (Val::Num(*v), formula, layout::excel_name(&base, index))
            }
            Some(None) => (Val::Unset, None, None),
            None => {
                let val = Val::from_json(&value);
                let name = match val {
                    Val::Num(_) => layout::excel_name(&base, index),
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
