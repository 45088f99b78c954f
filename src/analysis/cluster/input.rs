//! The indicator matrix of a cluster run (docs/METHOD.md §2.3) and the run of a project's
//! `[cluster]` section. With a project the Gemeinde table is the base: each Gemeinde takes its
//! row of the indicator table (by AGS, or by name where there is no AGS) and its rent level from
//! the data (median NKM/m² of its records in cells, `Prepared::rent_levels`). A Gemeinde
//! without a value, and an indicator row without a Gemeinde, is left out of the run and listed
//! with its reason, never dropped silently. Without a project the indicator table's rows are
//! the Gemeinden.

use super::{ClusterError, ClusterResult, run_with};
use crate::analysis::prepare::{Level, Prepared, normalize_name};
use crate::import::indicators::IndicatorTable;
use crate::model::cluster::{ClusterSpec, ProposalEntry};
use crate::model::project::GemeindeRow;
use std::collections::HashMap;

/// Name of the indicator column taken from the data.
pub const RENT_LEVEL_COLUMN: &str = "Mietniveau (Median NKM €/m²)";

/// One clustered Gemeinde.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// AGS, or the name where there is none (the key in `cluster --json`).
    pub key: String,
    /// Gemeinde name (the key where the table has no names).
    pub name: String,
    /// AGS (may be empty).
    pub ags: String,
    /// Row of the project's Gemeinde table.
    pub gemeinde: Option<usize>,
}

/// A Gemeinde left out of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    /// Gemeinde name (or key).
    pub name: String,
    /// Why, in German.
    pub reason: String,
}

/// The indicator matrix: one row of values per clustered Gemeinde.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterInput {
    /// The clustered Gemeinden.
    pub members: Vec<Member>,
    /// Indicator names.
    pub columns: Vec<String>,
    /// Values per member, in the order of `columns`.
    pub rows: Vec<Vec<f64>>,
    /// Gemeinden left out, with the reason.
    pub excluded: Vec<Excluded>,
}

/// Joins the indicator table and the rent levels (per Gemeinde of `gemeinden`, same order)
/// on the Gemeinde table; without Gemeinden the table's rows are the members.
pub fn assemble(
    table: Option<&IndicatorTable>,
    gemeinden: &[GemeindeRow],
    levels: Option<&[Level]>,
) -> ClusterInput {
    let mut input = ClusterInput::default();
    if let Some(t) = table {
        input.columns.extend(t.columns.iter().cloned());
    }
    if levels.is_some() && !gemeinden.is_empty() {
        input.columns.push(RENT_LEVEL_COLUMN.to_string());
    }
    let label = |t: &IndicatorTable, j: usize| -> String {
        t.names
            .get(j)
            .cloned()
            .flatten()
            .unwrap_or_else(|| t.keys[j].clone())
    };
    if gemeinden.is_empty() {
        for (j, row) in table
            .map(|t| &t.rows[..])
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(t) = table else { break };
            input.members.push(Member {
                key: t.keys[j].clone(),
                name: label(t, j),
                ags: if t.keyed_by_ags {
                    t.keys[j].clone()
                } else {
                    String::new()
                },
                gemeinde: None,
            });
            input.rows.push(row.clone());
        }
        return input;
    }
    let mut by_ags: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    if let Some(t) = table {
        for j in 0..t.keys.len() {
            if t.keyed_by_ags {
                by_ags.entry(t.keys[j].clone()).or_insert(j);
            }
            if !t.keyed_by_ags || t.names.get(j).is_some_and(Option::is_some) {
                by_name.entry(normalize_name(&label(t, j))).or_insert(j);
            }
        }
    }
    let mut used = vec![false; table.map_or(0, |t| t.keys.len())];
    for (i, g) in gemeinden.iter().enumerate() {
        let mut row = Vec::with_capacity(input.columns.len());
        if let Some(t) = table {
            let ags = crate::model::Ags::normalise_text(&g.ags);
            let j = by_ags
                .get(&ags)
                .filter(|_| !g.ags.is_empty())
                .or_else(|| by_name.get(&normalize_name(&g.name)))
                .copied();
            let Some(j) = j else {
                input.excluded.push(Excluded {
                    name: g.name.clone(),
                    reason: "nicht in der Indikatortabelle".to_string(),
                });
                continue;
            };
            used[j] = true;
            row.extend_from_slice(&t.rows[j]);
        }
        if let Some(levels) = levels {
            match levels.get(i).and_then(|l| l.median) {
                Some(m) => row.push(m),
                None => {
                    input.excluded.push(Excluded {
                        name: g.name.clone(),
                        reason: "keine Mietwerte für das Mietniveau".to_string(),
                    });
                    continue;
                }
            }
        }
        input.members.push(Member {
            key: if g.ags.is_empty() {
                g.name.clone()
            } else {
                g.ags.clone()
            },
            name: g.name.clone(),
            ags: g.ags.clone(),
            gemeinde: Some(i),
        });
        input.rows.push(row);
    }
    if let Some(t) = table {
        for (j, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
            input.excluded.push(Excluded {
                name: label(t, j),
                reason: "nicht in der Gemeindetabelle des Projekts".to_string(),
            });
        }
    }
    input
}

/// A cluster run: its matrix and its result.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRun {
    /// The clustered Gemeinden and their indicator values.
    pub input: ClusterInput,
    /// Merges, silhouettes, Ward cut and k-means refinement.
    pub result: ClusterResult,
}

/// Clusters `input` with the weights, k and k-means setting of `spec`.
pub fn run_input(input: ClusterInput, spec: &ClusterSpec) -> Result<ClusterRun, ClusterError> {
    if input.columns.is_empty() {
        return Err(ClusterError::NoInput);
    }
    let weights: Vec<f64> = input.columns.iter().map(|c| spec.weight(c)).collect();
    let result = run_with(&input.rows, &weights, spec.k.fixed(), spec.kmeans)?;
    Ok(ClusterRun { input, result })
}

/// The indicator matrix of a project's `[cluster]` section: its Gemeinde table, the indicator
/// table read with the data (`None` when it could not be read) and the rent levels of `prep`.
pub fn project_input(
    spec: &ClusterSpec,
    gemeinden: &[GemeindeRow],
    table: Option<&IndicatorTable>,
    prep: &Prepared,
) -> Result<ClusterInput, ClusterError> {
    let table = match (&spec.indicators, table) {
        (Some(_), Some(t)) => Some(t),
        (Some(r), None) => return Err(ClusterError::TableMissing(r.path.clone())),
        (None, _) => None,
    };
    if table.is_none() && !spec.rent_level {
        return Err(ClusterError::NoInput);
    }
    if gemeinden.is_empty() {
        return Err(ClusterError::NoGemeinden);
    }
    let levels = spec
        .rent_level
        .then(|| prep.rent_levels().gemeinde.as_slice());
    Ok(assemble(table, gemeinden, levels))
}

/// The run of a project's `[cluster]` section ([`project_input`], then [`run_input`]).
pub fn run_project(
    spec: &ClusterSpec,
    gemeinden: &[GemeindeRow],
    table: Option<&IndicatorTable>,
    prep: &Prepared,
) -> Result<ClusterRun, ClusterError> {
    run_input(project_input(spec, gemeinden, table, prep)?, spec)
}

impl ClusterRun {
    /// The proposal to store in the project: cluster per Gemeinde.
    pub fn proposal_entries(&self) -> Vec<ProposalEntry> {
        self.input
            .members
            .iter()
            .zip(self.result.proposal())
            .map(|(m, c)| ProposalEntry {
                gemeinde: m.name.clone(),
                ags: m.ags.clone(),
                cluster: *c,
            })
            .collect()
    }

    /// Per member: its cluster differs from the cluster most Gemeinden of its current
    /// Vergleichsraum have (a tie goes to the lower cluster); false without a Vergleichsraum.
    pub fn deviating(&self, gemeinden: &[GemeindeRow]) -> Vec<bool> {
        let vr_of = |m: &Member| {
            m.gemeinde
                .and_then(|i| gemeinden.get(i))
                .map(|g| g.vergleichsraum.as_str())
                .filter(|v| !v.is_empty())
        };
        let mut counts: HashMap<&str, Vec<usize>> = HashMap::new();
        for (m, &c) in self.input.members.iter().zip(self.result.proposal()) {
            if let Some(vr) = vr_of(m) {
                let v = counts
                    .entry(vr)
                    .or_insert_with(|| vec![0; self.result.k + 1]);
                if let Some(n) = v.get_mut(c) {
                    *n += 1;
                }
            }
        }
        let majority: HashMap<&str, usize> = counts
            .into_iter()
            .map(|(vr, v)| {
                let best = (1..v.len()).fold(1, |b, c| if v[c] > v[b] { c } else { b });
                (vr, best)
            })
            .collect();
        self.input
            .members
            .iter()
            .zip(self.result.proposal())
            .map(|(m, c)| vr_of(m).is_some_and(|vr| majority.get(vr) != Some(c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gemeinde(ags: &str, name: &str, vr: &str) -> GemeindeRow {
        GemeindeRow {
            ags: ags.into(),
            name: name.into(),
            vergleichsraum: vr.into(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        }
    }

    fn level(m: Option<f64>) -> Level {
        Level {
            n: usize::from(m.is_some()),
            median: m,
        }
    }

    #[test]
    fn the_table_is_joined_by_ags_or_name_and_gaps_are_listed() {
        let table = IndicatorTable {
            key_header: "AGS".into(),
            keyed_by_ags: true,
            keys: vec!["05000001".into(), "05000002".into(), "05000009".into()],
            names: vec![Some("A".into()), Some("Bé".into()), Some("Z".into())],
            columns: vec!["Dichte".into()],
            rows: vec![vec![10.0], vec![20.0], vec![90.0]],
        };
        let gemeinden = [
            gemeinde("05000001", "A", "Nord"),
            gemeinde("", "Bé", "Nord"),
            gemeinde("05000003", "C", "Süd"),
            gemeinde("05000002", "B-Stadt", "Süd"),
        ];
        let levels = [
            level(Some(7.0)),
            level(Some(6.5)),
            level(Some(5.0)),
            level(None),
        ];
        let input = assemble(Some(&table), &gemeinden, Some(&levels));
        assert_eq!(input.columns, vec!["Dichte", RENT_LEVEL_COLUMN]);
        let names: Vec<&str> = input.members.iter().map(|m| m.name.as_str()).collect();
        // A by AGS, Bé by name (no AGS), C not in the table, B-Stadt (AGS of Bé's row)
        // matched but without rent level; the row Z has no Gemeinde.
        assert_eq!(names, vec!["A", "Bé"]);
        assert_eq!(input.rows, vec![vec![10.0, 7.0], vec![20.0, 6.5]]);
        let excluded: Vec<(&str, &str)> = input
            .excluded
            .iter()
            .map(|e| (e.name.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            excluded,
            vec![
                ("C", "nicht in der Indikatortabelle"),
                ("B-Stadt", "keine Mietwerte für das Mietniveau"),
                ("Z", "nicht in der Gemeindetabelle des Projekts"),
            ]
        );
    }

    #[test]
    fn the_majority_of_a_vergleichsraum_marks_the_deviating_gemeinden() {
        // Rent levels 5, 5.1, 9 in "Nord", 9.2, 9.1 in "Süd": two clusters {1,2} | {3,4,5};
        // Nord's majority is cluster 1, so the third Gemeinde (cluster 2) deviates.
        let gemeinden = [
            gemeinde("", "a", "Nord"),
            gemeinde("", "b", "Nord"),
            gemeinde("", "c", "Nord"),
            gemeinde("", "d", "Süd"),
            gemeinde("", "e", ""),
        ];
        let levels: Vec<Level> = [5.0, 5.1, 9.0, 9.2, 9.1]
            .iter()
            .map(|v| level(Some(*v)))
            .collect();
        let spec = ClusterSpec {
            rent_level: true,
            k: crate::model::cluster::ClusterK::Fixed(2),
            ..ClusterSpec::default()
        };
        let run = run_input(assemble(None, &gemeinden, Some(&levels)), &spec).unwrap();
        assert_eq!(run.result.proposal(), &[1, 1, 2, 2, 2]);
        assert_eq!(
            run.deviating(&gemeinden),
            vec![false, false, true, false, false]
        );
        let entries = run.proposal_entries();
        assert_eq!((entries[2].gemeinde.as_str(), entries[2].cluster), ("c", 2));
    }

    #[test]
    fn without_indicators_there_is_no_run() {
        let spec = ClusterSpec::default();
        let input = assemble(None, &[gemeinde("", "a", "")], None);
        assert_eq!(run_input(input, &spec), Err(ClusterError::NoInput));
    }

    #[test]
    fn an_empty_gemeinde_table_is_named_as_the_reason() {
        let project =
            crate::model::Project::new("t", crate::model::Date::from_ymd(2025, 1, 1).unwrap());
        let prep = Prepared::new(&[], &project);
        let spec = ClusterSpec {
            rent_level: true,
            ..ClusterSpec::default()
        };
        assert_eq!(
            project_input(&spec, &[], None, &prep),
            Err(ClusterError::NoGemeinden)
        );
    }
}
