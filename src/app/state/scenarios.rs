//! Saved scenarios (named parameter sets) and the comparison of two of them.
//!
//! A comparison computes the analysis twice, so it is refreshed only while the Szenarien screen
//! is shown ([`AppState::refresh_comparison`]); a change elsewhere only makes it outdated.

use super::{AppState, Level, Screen};
use crate::analysis::{ImpactSummary, compute};
use crate::model::params::Parameters;
use crate::model::project::Scenario;

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioRef {
    /// The parameters currently in the project.
    Current,
    /// A saved scenario by index.
    Saved(usize),
}

/// The figures of one cell compared between scenarios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellFigures {
    /// Records used.
    pub n: usize,
    /// NKM €/m².
    pub net_rent_per_m2: Option<f64>,
    /// Bruttokaltmiete limit €.
    pub gross_cold: Option<f64>,
    /// Wirkungsanalyse: households above the applied limit and € per year above it (`None`
    /// without recipients' data).
    pub above: Option<(usize, f64)>,
}

/// One row of a scenario comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Vergleichsraum.
    pub vergleichsraum: String,
    /// Household size.
    pub household_size: u32,
    /// Scenario A.
    pub a: Option<CellFigures>,
    /// Scenario B.
    pub b: Option<CellFigures>,
}

/// Two scenarios side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Left side.
    pub a: ScenarioRef,
    /// Right side.
    pub b: ScenarioRef,
    /// Name of A.
    pub a_name: String,
    /// Name of B.
    pub b_name: String,
    /// Rows, cells of both in order of A, then cells only in B.
    pub rows: Vec<ComparisonRow>,
    /// Wirkungsanalyse totals of A and B (households above the limit, € per year), when the
    /// project has recipients' data.
    pub impact: Option<(ImpactSummary, ImpactSummary)>,
    /// The project generation the figures were computed for.
    pub generation: u64,
}

impl AppState {
    pub(super) fn save_scenario(&mut self, name: &str) {
        let Some(doc) = &self.doc else { return };
        let name = name.trim().to_string();
        if name.is_empty() {
            self.notify(Level::Fehler, "Bitte einen Namen für das Szenario angeben.");
            return;
        }
        let parameters = doc.project().parameters.clone();
        let key = name.clone();
        self.edit_project(None, move |p| {
            if let Some(existing) = p.scenarios.iter_mut().find(|s| s.name == key) {
                existing.parameters = parameters;
            } else {
                p.scenarios.push(Scenario {
                    name: key,
                    parameters,
                });
            }
        });
        self.notify(
            Level::Erfolg,
            format!("Szenario „{name}“ gespeichert (im Projekt, mit dem Projekt zu sichern)."),
        );
    }

    /// The saved scenarios of the open project.
    pub fn scenarios(&self) -> &[Scenario] {
        self.project().map_or(&[], |p| p.scenarios.as_slice())
    }

    fn scenario_params(&self, r: ScenarioRef) -> Option<(String, Parameters)> {
        match r {
            ScenarioRef::Current => self
                .project()
                .map(|p| ("Aktueller Stand".to_string(), p.parameters.clone())),
            ScenarioRef::Saved(i) => self
                .scenarios()
                .get(i)
                .map(|s| (s.name.clone(), s.parameters.clone())),
        }
    }

    /// Computes the comparison of `a` and `b` (two full computations).
    pub(super) fn compare(&mut self, a: ScenarioRef, b: ScenarioRef) {
        let (Some((a_name, pa)), Some((b_name, pb))) =
            (self.scenario_params(a), self.scenario_params(b))
        else {
            self.comparison = None;
            return;
        };
        let Some(doc) = &self.doc else { return };
        type Figures = (Vec<(String, u32, CellFigures)>, Option<ImpactSummary>);
        let figures = |params: Parameters| -> Figures {
            let mut project = doc.project().clone();
            project.parameters = params;
            let own_prep;
            let prep = if doc.prep().is_stale(&project) {
                own_prep = doc.prep().rescope(&doc.lp().data.records, &project);
                &own_prep
            } else {
                doc.prep()
            };
            let analysis = compute(prep, &project, &doc.lp().data);
            let cells = analysis
                .cells
                .iter()
                .map(|c| {
                    (
                        c.vergleichsraum.clone(),
                        c.household_size,
                        CellFigures {
                            n: c.n,
                            net_rent_per_m2: c.net_rent_per_m2,
                            gross_cold: c.limits.map(|l| l.gross_cold),
                            above: c
                                .impact
                                .as_ref()
                                .map(|i| (i.above_limit, i.yearly_sum_above)),
                        },
                    )
                })
                .collect();
            (cells, analysis.impact)
        };
        let (fa, ia) = figures(pa);
        let (fb, ib) = figures(pb);
        let mut rows: Vec<ComparisonRow> = fa
            .iter()
            .map(|(vr, h, f)| ComparisonRow {
                vergleichsraum: vr.clone(),
                household_size: *h,
                a: Some(*f),
                b: fb
                    .iter()
                    .find(|(v2, h2, _)| v2 == vr && h2 == h)
                    .map(|x| x.2),
            })
            .collect();
        for (vr, h, f) in &fb {
            if !fa.iter().any(|(v2, h2, _)| v2 == vr && h2 == h) {
                rows.push(ComparisonRow {
                    vergleichsraum: vr.clone(),
                    household_size: *h,
                    a: None,
                    b: Some(*f),
                });
            }
        }
        self.comparison = Some(Comparison {
            a,
            b,
            a_name,
            b_name,
            rows,
            impact: ia.zip(ib),
            generation: self.generation,
        });
    }

    /// Recomputes an outdated comparison, but only while the Szenarien screen is shown: a
    /// parameter change elsewhere (a slider tick) costs no extra computation.
    pub(super) fn refresh_comparison(&mut self) {
        if self.screen != Screen::Szenarien {
            return;
        }
        if let Some(c) = &self.comparison
            && c.generation != self.generation
        {
            let (a, b) = (c.a, c.b);
            self.compare(a, b);
        }
    }
}
