//! `compute`: the limits as a table on stdout or as JSON.

use super::json::cells_json;
use super::load_with_overrides;
use crate::analysis;
use crate::fmt;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

fn opt_euro(v: Option<f64>) -> String {
    v.map(fmt::euro).unwrap_or_else(|| "–".to_string())
}

pub(super) fn cmd_compute(path: &Path, json: Option<String>, overrides: &[String]) -> Result<()> {
    let lp = load_with_overrides(path, overrides)?;
    let (_, a) = analysis::run(&lp.project, &lp.data);
    if let Some(target) = json {
        // Always an object: the cells, the Schlüssigkeitsprüfung, the effective parameters (so
        // a result documents what produced it) and, when configured, the Fortschreibung.
        let mut out = serde_json::json!({
            "cells": cells_json(&a),
            "checks": &a.checks,
            "schluessig": a.is_schluessig(),
            "parameters": &lp.project.parameters,
        });
        if let (Some(f), Some(obj)) = (&a.fortschreibung, out.as_object_mut()) {
            obj.insert("fortschreibung".to_string(), serde_json::to_value(f)?);
        }
        if let (Some(i), Some(obj)) = (&a.impact, out.as_object_mut()) {
            obj.insert("impact".to_string(), serde_json::to_value(i)?);
        }
        let text = serde_json::to_string_pretty(&out)?;
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
        "{:<22} {:>3} {:>6} {:>6} {:>10} {:>9} {:>11} {:>11} {:>12} {:>12} {:>12}  Hinweise",
        "Vergleichsraum",
        "HH",
        "m²",
        "n",
        "NKM €/m²",
        "BK €/m²",
        "NKM",
        "BK",
        "Bruttokalt",
        "WoGG+10 %",
        "geltend"
    )?;
    for c in &a.cells {
        let mut flags: Vec<&str> = c.flags.iter().map(|f| f.german()).collect();
        if !c.valid {
            flags.insert(0, "kein gültiger Konzeptwert, WoGG-Rückfall");
        }
        let applied = match (c.applied_limit, c.applied_by_gemeinde.is_empty()) {
            (Some(v), _) => fmt::euro(v),
            (None, false) => "je Gemeinde".to_string(),
            (None, true) => "–".to_string(),
        };
        writeln!(
            out,
            "{:<22} {:>3} {:>6} {:>6} {:>10} {:>9} {:>11} {:>11} {:>12} {:>12} {:>12}  {}",
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
            applied,
            flags.join("; ")
        )?;
        if c.applied_limit.is_none() && !c.applied_by_gemeinde.is_empty() {
            writeln!(out, "{:<26} {}", "", c.applied_german())?;
        }
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
    let errors = a.open_errors().count();
    writeln!(
        out,
        "\nSchlüssigkeitsprüfung: {}",
        if errors == 0 {
            "keine offenen Fehler".to_string()
        } else {
            format!(
                "nicht schlüssig – {}",
                fmt::count(errors, "offener Fehler", "offene Fehler")
            )
        }
    )?;
    for c in &a.checks {
        writeln!(
            out,
            "  {:<14} {} {}: {}",
            c.status.german(),
            c.criterion,
            c.title,
            c.text
        )?;
        if c.findings.len() > 1 {
            for f in &c.findings {
                writeln!(out, "  {:<14}    – {f}", "")?;
            }
        }
    }
    Ok(())
}
