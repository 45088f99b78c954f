//! The Clusteranalyse sheet (docs/METHOD.md §2.3): the stored cluster run of the project —
//! indicators with weights and standardisation, silhouette per k, the merges in scipy's linkage
//! layout, and the proposal beside the Vergleichsraum the Träger actually formed — with the plain
//! statement that the clusters are only a proposal. Without the indicator file only the stored
//! proposal is shown.

use crate::analysis::cluster::{ClusterError, ClusterRun, input};
use crate::export::Ctx;
use crate::export::layout;
use crate::export::style;
use crate::fmt::{count, number};
use crate::model::cluster::{ClusterK, ClusterSpec};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// The statement the sheet, the Prüfkatalog and the method text make.
const PROPOSAL_ONLY: &str = "Die Cluster sind nur ein Vorschlag. Die Vergleichsräume hat der Träger als zusammenhängende, homogene Lebens- und Wohnbereiche gebildet und begründet; eine Clusteranalyse kann einen Vergleichsraum nicht selbst bilden, und unterschiedliche Grenzen für Wohnungsmarkttypen innerhalb eines Vergleichsraums sind unzulässig (BSG, 30.01.2019, B 14 AS 24/18 R).";

/// The sheet is written when the project has a cluster run.
pub fn wanted(ctx: &Ctx) -> bool {
    ctx.lp.project.cluster.is_some()
}

/// The run of the project's cluster section on the exported data.
fn run(ctx: &Ctx, spec: &ClusterSpec) -> Result<ClusterRun, ClusterError> {
    input::run_project(
        spec,
        &ctx.lp.project.gemeinden,
        ctx.lp.data.cluster_indicators.as_ref(),
        ctx.prep,
    )
}

/// The Clusteranalyse sheet.
pub fn clusteranalyse(ctx: &Ctx) -> Result<Worksheet, XlsxError> {
    let mut ws = style::new_sheet(
        ctx,
        layout::CLUSTERANALYSE,
        "Clusteranalyse: Vorschlag für Vergleichsräume",
    )?;
    let f = &ctx.fmt;
    ws.write_string_with_format(1, 0, PROPOSAL_ONLY, &f.note)?;
    style::widths(&mut ws, &[34.0, 14.0, 16.0, 26.0, 12.0])?;
    let Some(spec) = &ctx.lp.project.cluster else {
        return Ok(ws);
    };
    let mut r = 3u32;
    ws.write_string_with_format(r, 0, "Standardisierung", &f.bold)?;
    ws.write_string_with_format(r, 1, spec.standardisation.german(), &f.text)?;
    r += 1;
    ws.write_string_with_format(r, 0, "Verfahren", &f.bold)?;
    ws.write_string_with_format(
        r,
        1,
        format!(
            "Ward (euklidische Distanz){}; k {}",
            if spec.kmeans {
                ", verfeinert mit k-means"
            } else {
                ""
            },
            match spec.k {
                ClusterK::Auto => "nach der besten Silhouette".to_string(),
                ClusterK::Fixed(k) => format!("= {k} (vorgegeben)"),
            }
        ),
        &f.text,
    )?;
    r += 1;
    if let Some(t) = &spec.indicators {
        ws.write_string_with_format(r, 0, "Indikatortabelle", &f.bold)?;
        ws.write_string_with_format(r, 1, format!("{} (SHA-256 {})", t.path, t.sha256), &f.text)?;
        r += 1;
    }
    r += 1;
    match run(ctx, spec) {
        Ok(run) => write_run(&mut ws, ctx, &run, r),
        Err(e) => write_stored(&mut ws, ctx, spec, &e, r),
    }?;
    Ok(ws)
}

/// Indicators, silhouette, merges and proposal of a run.
fn write_run(ws: &mut Worksheet, ctx: &Ctx, run: &ClusterRun, mut r: u32) -> Result<(), XlsxError> {
    let f = &ctx.fmt;
    let res = &run.result;
    style::sub_header_row(ws, ctx, r, &["Indikator", "Gewicht"])?;
    r += 1;
    for (c, w) in run.input.columns.iter().zip(&res.weights) {
        ws.write_string_with_format(r, 0, c, &f.text)?;
        ws.write_number_with_format(r, 1, *w, &f.dec4)?;
        r += 1;
    }
    if !run.input.excluded.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, "Nicht einbezogen", &f.bold)?;
        r += 1;
        for e in &run.input.excluded {
            ws.write_string_with_format(r, 0, &e.name, &f.text)?;
            ws.write_string_with_format(r, 1, &e.reason, &f.text)?;
            r += 1;
        }
    }
    r += 1;
    style::sub_header_row(ws, ctx, r, &["k", "Silhouette", "gewählt"])?;
    r += 1;
    for s in &res.silhouette {
        style::int(ws, ctx, r, 0, s.k)?;
        ws.write_number_with_format(r, 1, s.silhouette, &f.dec4)?;
        if s.k == res.k {
            ws.write_string_with_format(r, 2, "ja", &f.text)?;
        }
        r += 1;
    }
    if let Some(km) = &res.kmeans {
        r += 1;
        ws.write_string_with_format(
            r,
            0,
            format!(
                "k-means-Verfeinerung: {}{}, Silhouette danach {}, {} verschoben.",
                count(km.iterations, "Durchlauf", "Durchläufe"),
                if km.converged {
                    ""
                } else {
                    " (ohne Konvergenz abgebrochen)"
                },
                number(km.silhouette, 4),
                count(km.moved.len(), "Gemeinde", "Gemeinden")
            ),
            &f.text,
        )?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        "Verschmelzungen (Aufbau wie scipy linkage: Beobachtungen 0 … n−1 in der Reihenfolge des Vorschlags unten, Cluster aus Schritt i = n + i)",
        &f.note,
    )?;
    r += 1;
    style::sub_header_row(ws, ctx, r, &["a", "b", "Höhe", "Größe"])?;
    r += 1;
    for m in &res.merges {
        style::int(ws, ctx, r, 0, m.a)?;
        style::int(ws, ctx, r, 1, m.b)?;
        ws.write_number_with_format(r, 2, m.height, &f.dec4)?;
        style::int(ws, ctx, r, 3, m.size)?;
        r += 1;
    }
    r += 1;
    style::sub_header_row(
        ws,
        ctx,
        r,
        &[
            "Gemeinde",
            "AGS",
            "Cluster (Vorschlag)",
            "Vergleichsraum (gebildet)",
            "abweichend",
        ],
    )?;
    r += 1;
    let deviating = run.deviating(&ctx.lp.project.gemeinden);
    for (i, (m, c)) in run.input.members.iter().zip(res.proposal()).enumerate() {
        let vr = m
            .gemeinde
            .and_then(|g| ctx.lp.project.gemeinden.get(g))
            .map_or("", |g| g.vergleichsraum.as_str());
        ws.write_string_with_format(r, 0, &m.name, &f.text)?;
        ws.write_string_with_format(r, 1, &m.ags, &f.text)?;
        style::int(ws, ctx, r, 2, *c)?;
        ws.write_string_with_format(r, 3, vr, &f.text)?;
        if deviating.get(i).copied().unwrap_or(false) {
            ws.write_string_with_format(r, 4, "ja", &f.text)?;
        }
        r += 1;
    }
    Ok(())
}

/// Without a computable run: why, and the stored proposal.
fn write_stored(
    ws: &mut Worksheet,
    ctx: &Ctx,
    spec: &ClusterSpec,
    error: &ClusterError,
    mut r: u32,
) -> Result<(), XlsxError> {
    let f = &ctx.fmt;
    ws.write_string_with_format(r, 0, error.to_string(), &f.note)?;
    r += 2;
    style::sub_header_row(
        ws,
        ctx,
        r,
        &[
            "Gemeinde",
            "AGS",
            "Cluster (Vorschlag)",
            "Vergleichsraum (gebildet)",
        ],
    )?;
    r += 1;
    for p in &spec.proposal {
        let vr = ctx
            .lp
            .project
            .gemeinden
            .iter()
            .find(|g| g.name == p.gemeinde && g.ags == p.ags)
            .map_or("", |g| g.vergleichsraum.as_str());
        ws.write_string_with_format(r, 0, &p.gemeinde, &f.text)?;
        ws.write_string_with_format(r, 1, &p.ags, &f.text)?;
        style::int(ws, ctx, r, 2, p.cluster)?;
        ws.write_string_with_format(r, 3, vr, &f.text)?;
        r += 1;
    }
    Ok(())
}

/// Prüfkatalog (K1): the cluster run was only a proposal.
pub fn katalog_sentence(ctx: &Ctx) -> Option<String> {
    let spec = ctx.lp.project.cluster.as_ref()?;
    Some(format!(
        " Eine Clusteranalyse ({}) diente nur als Vorschlag; die Vergleichsräume hat der Träger gebildet und begründet (Blatt „{}“).",
        indicators_text(spec),
        layout::CLUSTERANALYSE
    ))
}

fn indicators_text(spec: &ClusterSpec) -> String {
    match (&spec.indicators, spec.rent_level) {
        (Some(_), true) => "Indikatortabelle und Mietniveau der Daten",
        (Some(_), false) => "Indikatortabelle",
        (None, _) => "Mietniveau der Daten",
    }
    .to_string()
}

/// Methodentext: how the proposal was made (empty without a cluster run).
pub fn method_paragraphs(lp: &crate::dataset::LoadedProject) -> Vec<String> {
    let Some(spec) = &lp.project.cluster else {
        return Vec::new();
    };
    vec![format!(
        "Als Hilfe zur Bildung der Vergleichsräume wurden die Gemeinden nach {} gruppiert: Die Indikatoren wurden z-standardisiert und gewichtet, die Gemeinden hierarchisch nach dem Ward-Verfahren (euklidische Distanz) zusammengefasst; die Zahl der Cluster {}{}. {} Ergebnis und Verschmelzungen stehen im Blatt „{}“.",
        indicators_text(spec),
        match spec.k {
            ClusterK::Auto => "wurde nach der mittleren Silhouettenbreite gewählt".to_string(),
            ClusterK::Fixed(k) => format!("wurde auf {k} festgelegt"),
        },
        if spec.kmeans {
            ", und die Ward-Cluster wurden mit dem k-means-Verfahren (Start in ihren Schwerpunkten) verfeinert"
        } else {
            ""
        },
        PROPOSAL_ONLY,
        layout::CLUSTERANALYSE
    )]
}
