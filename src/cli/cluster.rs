//! `cluster`: a proposal for Vergleichsräume from an indicator table and/or the rent level of a
//! project's data (Ward clustering, silhouette per k, optional k-means refinement). Only a
//! proposal: the user forms the Vergleichsräume.

use super::InvalidArgument;
use crate::analysis::cluster::{self, ClusterRun, input};
use crate::fmt;
use crate::import::indicators::read_indicators;
use crate::init::split_file_sheet;
use crate::model::cluster::{ClusterK, ClusterSpec};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// The arguments of `cluster`.
pub(super) struct ClusterArgs {
    /// Indicator table `FILE[:SHEET]`.
    pub file: Option<String>,
    /// Project whose data give the rent level per Gemeinde.
    pub project: Option<PathBuf>,
    /// Refine by k-means.
    pub kmeans: bool,
    /// Fixed k.
    pub k: Option<usize>,
    /// `col=w,…`.
    pub weights: Option<String>,
    /// JSON output.
    pub json: bool,
}

/// Parses `col=w,col=w` into one weight per column (1 where not named); a weight may be written
/// with a decimal comma (`miete=0,5`).
fn parse_weights(spec: Option<&str>, columns: &[String]) -> Result<Vec<f64>> {
    let mut weights = vec![1.0; columns.len()];
    // `a=0,5,b=2`: a piece without `=` is the decimal part of the weight before it.
    let mut parts: Vec<String> = Vec::new();
    for piece in spec.unwrap_or("").split([',', ';']) {
        match parts.last_mut() {
            Some(last) if !piece.contains('=') && !piece.trim().is_empty() => {
                last.push('.');
                last.push_str(piece.trim());
            }
            _ => parts.push(piece.to_string()),
        }
    }
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        let bad = || {
            anyhow::Error::new(InvalidArgument(format!(
                "--weights: „{part}“ ist keine Angabe SPALTE=GEWICHT (Spalten: {})",
                columns.join(", ")
            )))
        };
        let (name, w) = part.rsplit_once('=').ok_or_else(bad)?;
        let w: f64 = w.trim().replace(',', ".").parse().map_err(|_| bad())?;
        let j = columns
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(bad)?;
        weights[j] = w;
    }
    Ok(weights)
}

pub(super) fn cmd_cluster(args: &ClusterArgs) -> Result<()> {
    let table = match &args.file {
        Some(file) => {
            let (path, sheet) = split_file_sheet(file);
            Some(read_indicators(&path, sheet.as_deref()).with_context(|| {
                format!(
                    "Indikatortabelle {} konnte nicht gelesen werden",
                    path.display()
                )
            })?)
        }
        None => None,
    };
    let input = match &args.project {
        Some(path) => {
            let lp = super::load_with_overrides(path, &[])?;
            if lp.project.gemeinden.is_empty() {
                return Err(cluster::ClusterError::NoGemeinden.into());
            }
            let prep = crate::analysis::Prepared::new(&lp.data.records, &lp.project);
            input::assemble(
                table.as_ref(),
                &lp.project.gemeinden,
                Some(&prep.rent_levels().gemeinde),
            )
        }
        None => input::assemble(table.as_ref(), &[], None),
    };
    let weights = parse_weights(args.weights.as_deref(), &input.columns)?;
    let spec = ClusterSpec {
        rent_level: args.project.is_some(),
        k: args.k.map_or(ClusterK::Auto, ClusterK::Fixed),
        kmeans: args.kmeans,
        weights: input.columns.iter().cloned().zip(weights).collect(),
        ..ClusterSpec::default()
    };
    let run = input::run_input(input, &spec).map_err(|e| match e {
        cluster::ClusterError::BadK { .. } | cluster::ClusterError::BadWeights => {
            anyhow::Error::new(InvalidArgument(e.to_string()))
        }
        e => anyhow::Error::new(e),
    })?;
    let key_column = table.as_ref().map_or("Gemeinde", |t| t.key_header.as_str());
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&json(&run, key_column))?)?;
        return Ok(());
    }
    text(&run)
}

/// `cluster --json`.
fn json(run: &ClusterRun, key_column: &str) -> serde_json::Value {
    let members = &run.input.members;
    let name = |m: &input::Member| (m.name != m.key).then(|| m.name.clone());
    let assignment = |labels: &[usize]| -> Vec<serde_json::Value> {
        members
            .iter()
            .zip(labels)
            .map(|(m, c)| serde_json::json!({ "key": m.key, "name": name(m), "cluster": c }))
            .collect()
    };
    let r = &run.result;
    let merges: Vec<serde_json::Value> = r
        .merges
        .iter()
        .map(|m| serde_json::json!({ "pair": [m.a, m.b], "height": m.height, "size": m.size }))
        .collect();
    let kmeans = r.kmeans.as_ref().map(|km| {
        let moved: Vec<serde_json::Value> = km
            .moved
            .iter()
            .filter_map(|&i| {
                let m = members.get(i)?;
                Some(serde_json::json!({
                    "key": m.key,
                    "name": name(m),
                    "from": r.assignment.get(i),
                    "to": km.assignment.get(i),
                }))
            })
            .collect();
        serde_json::json!({
            "iterations": km.iterations,
            "converged": km.converged,
            "silhouette": km.silhouette,
            "assignment": assignment(&km.assignment),
            "moved": moved,
        })
    });
    let excluded: Vec<serde_json::Value> = run
        .input
        .excluded
        .iter()
        .map(|e| serde_json::json!({ "name": e.name, "reason": e.reason }))
        .collect();
    serde_json::json!({
        "key_column": key_column,
        "indicators": run.input.columns,
        "weights": r.weights,
        "merges": merges,
        "silhouette": r.silhouette,
        "k": r.k,
        "assignment": assignment(&r.assignment),
        "kmeans": kmeans,
        "excluded": excluded,
    })
}

/// The text output of `cluster`.
fn text(run: &ClusterRun) -> Result<()> {
    let r = &run.result;
    let members = &run.input.members;
    let label = |m: &input::Member| {
        if m.name == m.key {
            m.key.clone()
        } else {
            format!("{} ({})", m.name, m.key)
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Clusteranalyse (Ward, z-standardisiert) über {} Gemeinden, Indikatoren: {}",
        members.len(),
        run.input
            .columns
            .iter()
            .zip(&r.weights)
            .map(|(c, w)| format!("{c} (Gewicht {})", fmt::number(*w, 2)))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if !run.input.excluded.is_empty() {
        writeln!(
            out,
            "Nicht einbezogen ({}): {}",
            run.input.excluded.len(),
            run.input
                .excluded
                .iter()
                .map(|e| format!("{} ({})", e.name, e.reason))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    writeln!(out, "Silhouette je Clusterzahl:")?;
    for s in &r.silhouette {
        writeln!(
            out,
            "  k = {:>2}: {}{}",
            s.k,
            fmt::number(s.silhouette, 3),
            if s.k == r.k { "  ← gewählt" } else { "" }
        )?;
    }
    if let Some(km) = &r.kmeans {
        let moved: Vec<String> = km
            .moved
            .iter()
            .filter_map(|&i| {
                Some(format!(
                    "{}: {} → {}",
                    label(members.get(i)?),
                    r.assignment.get(i)?,
                    km.assignment.get(i)?
                ))
            })
            .collect();
        writeln!(
            out,
            "k-means-Verfeinerung: {}{}, Silhouette danach {}; verschoben: {}",
            fmt::count(km.iterations, "Iteration", "Iterationen"),
            if km.converged {
                ""
            } else {
                " (nicht konvergiert)"
            },
            fmt::number(km.silhouette, 3),
            if moved.is_empty() {
                "keine Gemeinde".to_string()
            } else {
                moved.join(", ")
            }
        )?;
    }
    writeln!(out, "Zuordnung für k = {}:", r.k)?;
    for c in 1..=r.k {
        let names: Vec<String> = members
            .iter()
            .zip(r.proposal())
            .filter(|(_, a)| **a == c)
            .map(|(m, _)| label(m))
            .collect();
        writeln!(out, "  Cluster {c} ({}): {}", names.len(), names.join(", "))?;
    }
    writeln!(
        out,
        "Hinweis: Die Cluster sind nur ein Vorschlag. Vergleichsräume bildet der Träger als zusammenhängende, homogene Lebens- und Wohnbereiche und begründet sie (BSG, 30.01.2019, B 14 AS 24/18 R)."
    )?;
    Ok(())
}
