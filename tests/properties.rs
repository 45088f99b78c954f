//! Properties of the derivation on random data (proptest): limits are monotone in the
//! percentile, results do not depend on the order of the rows, the mean ± k·SD bounds are
//! symmetric around the mean, and every percentile lies within the cell's range.

// unwrap/expect are fine in tests (helpers outside #[test] are not covered by clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kdu_konzept::analysis::outliers::outliers;
use kdu_konzept::analysis::quantile::{QuantileType, quantile_sorted};
use kdu_konzept::analysis::stats::{mean, sample_sd};
use kdu_konzept::analysis::{self, Analysis};
use kdu_konzept::dataset::Dataset;
use kdu_konzept::model::params::{OutlierMethod, OutlierParams, ReferenceMethod};
use kdu_konzept::model::{Date, GemeindeRow, Project, Record, SourceKind, VergleichsraumSpec};
use kdu_konzept::sample::SampleRng;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Three Gemeinden in two Vergleichsräume, default parameters (NW areas, P33, mean ± 1,96 SD).
fn project() -> Project {
    let mut p = Project::new("Eigenschaften", Date::from_ymd(2025, 1, 1).unwrap());
    for vr in ["Nord", "Süd"] {
        p.vergleichsraeume.push(VergleichsraumSpec {
            name: vr.to_string(),
            begruendung: String::new(),
            ohne_konzept: false,
        });
    }
    for (name, vr) in [("Adorf", "Nord"), ("Bedorf", "Nord"), ("Cedorf", "Süd")] {
        p.gemeinden.push(GemeindeRow {
            ags: String::new(),
            name: name.to_string(),
            vergleichsraum: vr.to_string(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        });
    }
    p
}

/// One generated row: Gemeinde, area, NKM/m², BK/m² (maybe missing), source.
type Row = (usize, f64, f64, Option<f64>, u16);

fn row() -> impl Strategy<Value = Row> {
    (
        0usize..4, // 3 = unknown Gemeinde
        20.0f64..125.0,
        3.0f64..18.0,
        proptest::option::weighted(0.8, 0.8f64..3.8),
        0u16..2,
    )
}

fn dataset(rows: &[Row]) -> Dataset {
    const NAMES: [&str; 4] = ["Adorf", "Bedorf", "Cedorf", "Zedorf"];
    let mut data = Dataset::default();
    for (i, &(g, area, per_m2, bk, source)) in rows.iter().enumerate() {
        // Rents in whole cents, as delivered.
        let rent = (area * per_m2 * 100.0).round() / 100.0;
        let kind = if source == 0 {
            SourceKind::Bestand
        } else {
            SourceKind::Neuvertrag
        };
        let mut r = Record::new(source, i as u32 + 2, kind, rent, area);
        r.gemeinde = Some(NAMES[g].to_string());
        r.operating_costs = bk.map(|b| (area * b * 100.0).round() / 100.0);
        // Within the contract window (undated Bestandsmieten are excluded).
        r.contract_start = Date::from_ymd(2023, 6, 1);
        data.records.push(r);
    }
    data
}

fn run(project: &Project, data: &Dataset) -> Analysis {
    analysis::run(project, data).1
}

fn with_percentile(p: f64) -> Project {
    let mut project = project();
    project.parameters.reference.method = ReferenceMethod::Percentile;
    project.parameters.reference.percentile = p;
    project
}

proptest! {
    // Fixed seed: the same cases on every run (deterministic CI).
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(20_250_101),
        ..ProptestConfig::default()
    })]

    /// A higher percentile never gives a lower Referenzmiete or limit.
    #[test]
    fn limits_monotone_in_p(
        rows in proptest::collection::vec(row(), 1..150),
        p1 in 0.05f64..0.95,
        dp in 0.0f64..0.5,
    ) {
        let p2 = (p1 + dp).min(0.99);
        let data = dataset(&rows);
        let a1 = run(&with_percentile(p1), &data);
        let a2 = run(&with_percentile(p2), &data);
        prop_assert_eq!(a1.cells.len(), a2.cells.len());
        for (c1, c2) in a1.cells.iter().zip(&a2.cells) {
            prop_assert_eq!(c1.n, c2.n, "outliers do not depend on p");
            match (c1.net_rent_per_m2, c2.net_rent_per_m2) {
                (Some(x), Some(y)) => prop_assert!(x <= y, "{} > {} (p {} → {})", x, y, p1, p2),
                (None, None) => {}
                other => prop_assert!(false, "{:?}", other),
            }
            if let (Some(l1), Some(l2)) = (c1.limits, c2.limits) {
                prop_assert!(l1.net_cold <= l2.net_cold);
                prop_assert!(l1.gross_cold <= l2.gross_cold);
                prop_assert_eq!(l1.operating_costs, l2.operating_costs);
            }
        }
    }

    /// Shuffling the records changes nothing, bit for bit.
    #[test]
    fn invariant_to_row_order(
        rows in proptest::collection::vec(row(), 0..150),
        seed in any::<u64>(),
        p in 0.1f64..0.9,
    ) {
        let project = with_percentile(p);
        let data = dataset(&rows);
        let mut shuffled = data.clone();
        SampleRng::new(seed).shuffle(&mut shuffled.records);
        let a = run(&project, &data);
        let b = run(&project, &shuffled);
        // JSON writes every f64 exactly, so equal text means equal bits.
        prop_assert_eq!(
            serde_json::to_string(&(&a.cells, &a.vergleichsraeume, &a.funnel)).unwrap(),
            serde_json::to_string(&(&b.cells, &b.vergleichsraeume, &b.funnel)).unwrap()
        );
    }

    /// mean ± k·SD: the bounds are symmetric around the mean and cut exactly the values outside.
    #[test]
    fn mean_sd_bounds_are_symmetric(
        mut values in proptest::collection::vec(1.0f64..40.0, 2..300),
        k in 0.5f64..4.0,
    ) {
        values.sort_by(f64::total_cmp);
        let params = OutlierParams { method: OutlierMethod::MeanSd, k, ..OutlierParams::default() };
        let o = outliers(&values, &params, QuantileType::T7);
        let m = mean(&values).unwrap();
        let sd = sample_sd(&values).unwrap();
        let tol = 1e-9 * (1.0 + m.abs() + k * sd);
        prop_assert!(((o.lower + o.upper) / 2.0 - m).abs() <= tol, "centre {} vs mean {}", (o.lower + o.upper) / 2.0, m);
        prop_assert!(((o.upper - m) - (m - o.lower)).abs() <= tol);
        prop_assert!(((o.upper - o.lower) / 2.0 - k * sd).abs() <= tol);
        prop_assert_eq!(o.n_low, values.iter().filter(|&&v| v < o.lower).count());
        prop_assert_eq!(o.n_high, values.iter().filter(|&&v| v > o.upper).count());
        prop_assert_eq!(o.kept, (o.n_low, values.len() - o.n_high));
        for v in &values[o.kept.0..o.kept.1] {
            prop_assert!(o.lower <= *v && *v <= o.upper);
        }
    }

    /// Every quantile type gives a value within [min, max] of the values.
    #[test]
    fn percentile_within_range(
        mut values in proptest::collection::vec(-1.0e6f64..1.0e6, 1..200),
        p in 0.0f64..=1.0,
    ) {
        values.sort_by(f64::total_cmp);
        let (lo, hi) = (values[0], values[values.len() - 1]);
        for t in QuantileType::ALL {
            let q = quantile_sorted(&values, p, t).unwrap();
            prop_assert!(lo <= q && q <= hi, "{:?} p={}: {} not in [{}, {}]", t, p, q, lo, hi);
        }
    }

    /// In the pipeline, the Referenzmiete of a cell lies within the cell's used values.
    #[test]
    fn referenzmiete_within_cell(
        rows in proptest::collection::vec(row(), 1..150),
        p in 0.0f64..=1.0,
    ) {
        let mut project = with_percentile(p);
        project.parameters.reference.round_per_m2 = false;
        let a = run(&project, &dataset(&rows));
        for c in &a.cells {
            match (&c.summary, c.net_rent_per_m2_raw) {
                (Some(s), Some(v)) => {
                    prop_assert!(s.min <= v && v <= s.max, "{} not in [{}, {}]", v, s.min, s.max);
                    prop_assert_eq!(c.net_rent_per_m2, Some(v));
                }
                (None, None) => prop_assert_eq!(c.n, 0),
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
