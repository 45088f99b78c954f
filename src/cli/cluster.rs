//! `cluster`: a proposal for Vergleichsräume from an indicator table (Ward clustering,
//! silhouette per k). Only a proposal: the user forms the Vergleichsräume.

use super::InvalidArgument;
use crate::analysis::cluster;
use crate::fmt;
use crate::import::indicators::read_indicators;
use crate::init::split_file_sheet;
use anyhow::{Context, Result};
use std::io::Write;

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

pub(super) fn cmd_cluster(
    file: &str,
    k: Option<usize>,
    weights: Option<String>,
    json: bool,
) -> Result<()> {
    let (path, sheet) = split_file_sheet(file);
    let table = read_indicators(&path, sheet.as_deref()).with_context(|| {
        format!(
            "Indikatortabelle {} konnte nicht gelesen werden",
            path.display()
        )
    })?;
    let weights = parse_weights(weights.as_deref(), &table.columns)?;
    let result = cluster::run(&table.rows, &weights, k).map_err(|e| match e {
        cluster::ClusterError::BadK { .. } | cluster::ClusterError::BadWeights => {
            anyhow::Error::new(InvalidArgument(e.to_string()))
        }
        e => anyhow::Error::new(e),
    })?;
    if json {
        let assignment: Vec<serde_json::Value> = table
            .keys
            .iter()
            .zip(&table.names)
            .zip(&result.assignment)
            .map(|((key, name), c)| serde_json::json!({ "key": key, "name": name, "cluster": c }))
            .collect();
        let merges: Vec<serde_json::Value> = result
            .merges
            .iter()
            .map(|m| serde_json::json!({ "pair": [m.a, m.b], "height": m.height, "size": m.size }))
            .collect();
        let out = serde_json::json!({
            "key_column": table.key_header,
            "indicators": table.columns,
            "weights": result.weights,
            "merges": merges,
            "silhouette": result.silhouette,
            "k": result.k,
            "assignment": assignment,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Clusteranalyse (Ward, z-standardisiert) über {} Gemeinden, Indikatoren: {}",
        table.keys.len(),
        table
            .columns
            .iter()
            .zip(&result.weights)
            .map(|(c, w)| format!("{c} (Gewicht {})", fmt::number(*w, 2)))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out, "Silhouette je Clusterzahl:")?;
    for s in &result.silhouette {
        writeln!(
            out,
            "  k = {:>2}: {}{}",
            s.k,
            fmt::number(s.silhouette, 3),
            if s.k == result.k {
                "  ← gewählt"
            } else {
                ""
            }
        )?;
    }
    writeln!(out, "Zuordnung für k = {}:", result.k)?;
    for c in 1..=result.k {
        let members: Vec<String> = table
            .keys
            .iter()
            .zip(&table.names)
            .zip(&result.assignment)
            .filter(|(_, a)| **a == c)
            .map(|((k, n), _)| {
                n.as_ref()
                    .map_or_else(|| k.clone(), |n| format!("{n} ({k})"))
            })
            .collect();
        writeln!(
            out,
            "  Cluster {c} ({}): {}",
            members.len(),
            members.join(", ")
        )?;
    }
    writeln!(
        out,
        "Hinweis: Die Cluster sind nur ein Vorschlag. Vergleichsräume bildet der Träger als zusammenhängende, homogene Lebens- und Wohnbereiche und begründet sie (BSG, 30.01.2019, B 14 AS 24/18 R)."
    )?;
    Ok(())
}
