//! Market evidence on the bundled sample project: availability check, iterative procedure,
//! WoGG comparison, heating limits, weighting, coverage and Fortschreibung.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use kdu_konzept::analysis::{Prepared, compute, run};
use kdu_konzept::dataset::LoadedProject;
use kdu_konzept::model::params::{
    FortschreibungParams, IndexSeries, MarketShare, OldLimit, ReferenceMethod, apply_override,
};
use kdu_konzept::sample_project::write_sample_project;

fn sample() -> (tempfile::TempDir, LoadedProject) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_sample_project(dir.path()).unwrap();
    let lp = LoadedProject::load(&path, &mut |_, _, _| true).unwrap();
    (dir, lp)
}

#[test]
fn iteration_raises_p_until_target_and_logs_every_step() {
    let (_dir, mut lp) = sample();
    let p = &mut lp.project.parameters;
    p.reference.method = ReferenceMethod::Iterative;
    p.reference.percentile = 0.10;
    p.availability.target_share = 0.35;
    let (_, a) = run(&lp.project, &lp.data);
    let mut reached = 0;
    for c in &a.cells {
        let av = c
            .availability
            .as_ref()
            .expect("sample has offers in every cell");
        let log = &av.iteration;
        assert!(!log.is_empty());
        assert!((log[0].p - 0.10).abs() < 1e-9);
        for w in log.windows(2) {
            assert!(w[1].p > w[0].p, "p rises");
            assert!(w[1].share >= w[0].share, "share is monotone in p");
            assert!(w[0].share < 0.35, "the iteration stops at the target");
        }
        let last = log.last().unwrap();
        assert_eq!(c.p, Some(last.p));
        if av.target_reached {
            reached += 1;
            assert!(last.share >= 0.35);
            assert_eq!(Some(c.limits.unwrap().gross_cold), last.limit_gross_cold);
            assert_eq!(av.share, Some(last.share));
        } else {
            assert!(
                c.flags
                    .contains(&kdu_konzept::analysis::Flag::TargetNotReached)
            );
        }
        // The availability curve rises with p.
        for w in av.curve.windows(2) {
            assert!(w[1].1 >= w[0].1);
        }
    }
    assert!(reached >= 10, "most cells reach 35 % ({reached})");
}

#[test]
fn unreachable_target_is_flagged_not_capped() {
    let (_dir, mut lp) = sample();
    let p = &mut lp.project.parameters;
    p.reference.method = ReferenceMethod::Iterative;
    p.availability.target_share = 0.99;
    p.availability.p_max = 0.5;
    let (_, a) = run(&lp.project, &lp.data);
    assert!(a.cells.iter().all(|c| {
        c.flags
            .contains(&kdu_konzept::analysis::Flag::TargetNotReached)
    }));
    assert!(a.warnings.iter().any(|w| w.text.contains("Zielanteil")));
    for c in &a.cells {
        assert!(c.p.unwrap() <= 0.5 + 1e-9);
    }
}

#[test]
fn offers_are_windowed_and_deduplicated() {
    let (_dir, mut lp) = sample();
    use kdu_konzept::model::Reason;
    // The generator plants 20 exact and 30 near duplicates and dates offers over 18 months:
    // without a window all are found, with the 12-month window those outside are excluded
    // for their date first. Copies of furnished or subsidised offers are excluded by the scope
    // before the duplicate check, so the scope is opened to count every planted copy.
    lp.project.parameters.availability.window_months = None;
    lp.project.parameters.scope.exclude_furnished = false;
    lp.project.parameters.scope.exclude_subsidised = false;
    let (_, all) = run(&lp.project, &lp.data);
    let dups = all
        .offers_excluded
        .get(&Reason::OfferDuplicate)
        .copied()
        .unwrap_or(0);
    assert!((48..=55).contains(&dups), "{dups}");
    lp.project.parameters.scope = Default::default();
    let (_, scoped) = run(&lp.project, &lp.data);
    let scope_excluded: usize = [Reason::Furnished, Reason::Subsidised]
        .iter()
        .filter_map(|r| scoped.offers_excluded.get(r))
        .sum();
    assert!(scope_excluded > 20, "{scope_excluded}");
    assert!(scoped.offers_excluded[&Reason::OfferDuplicate] < dups);
    lp.project.parameters.availability.window_months = Some(12);
    let (prep, a) = run(&lp.project, &lp.data);
    let dups_window = a
        .offers_excluded
        .get(&Reason::OfferDuplicate)
        .copied()
        .unwrap_or(0);
    assert!(dups_window > 20 && dups_window < dups, "{dups_window}");
    assert!(
        a.offers_excluded
            .get(&Reason::OfferOutsideWindow)
            .copied()
            .unwrap_or(0)
            > 100
    );
    let kept: usize = prep.offers.by_vr.iter().map(Vec::len).sum();
    assert!(kept > 500);
}

#[test]
fn wogg_heating_and_total_limit() {
    let (_dir, mut lp) = sample();
    let p = &mut lp.project.parameters;
    p.heating.enabled = true;
    p.heating.gesamtangemessenheitsgrenze = true;
    let (_, a) = run(&lp.project, &lp.data);
    let c = &a.cells[0];
    // Nienburg example, Erdgas, 300 m² building: 3,06 €/m² × 50 m².
    assert_eq!(c.heating_limit, Some(153.0));
    assert_eq!(
        c.total_limit,
        Some(((c.limits.unwrap().gross_cold + 153.0) * 100.0).round() / 100.0)
    );
    let w = c.wogg.as_ref().unwrap();
    assert!(w.value.with_surcharge > w.value.table_value);
    assert!(w.ratio.unwrap() > 0.5 && w.ratio.unwrap() < 1.5);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.text.contains("Beispieltabelle"))
    );
}

#[test]
fn weighting_moves_the_percentile_towards_private_landlords() {
    let (_dir, mut lp) = sample();
    let (_, plain) = run(&lp.project, &lp.data);
    let rep = &mut lp.project.parameters.representativeness;
    rep.weighting = true;
    for vr in ["VR 1 Musterstadt", "VR 2 Nordkreis", "VR 3 Südkreis"] {
        rep.market_shares.push(MarketShare {
            vergleichsraum: vr.to_string(),
            privat: 0.8,
        });
    }
    // Weighting does not change the scope: the prepared state is reused.
    let prep = Prepared::new(&lp.data.records, &lp.project);
    let weighted = compute(&prep, &lp.project, &lp.data);
    assert!(weighted.cells.iter().all(|c| c.weighted));
    assert!(
        weighted
            .vergleichsraeume
            .iter()
            .all(|v| v.market_share_privat == Some(0.8))
    );
    let changed = plain
        .cells
        .iter()
        .zip(&weighted.cells)
        .filter(|(a, b)| a.net_rent_per_m2 != b.net_rent_per_m2)
        .count();
    assert!(changed >= 10, "{changed}");
}

#[test]
fn coverage_warnings_and_fortschreibung() {
    let (_dir, mut lp) = sample();
    lp.project.parameters = apply_override(
        &lp.project.parameters,
        "representativeness.coverage_error=0.05",
    )
    .unwrap();
    lp.project.parameters.fortschreibung = Some(FortschreibungParams {
        old_stichtag: kdu_konzept::model::Date::from_ymd(2021, 1, 1),
        index_nkm: IndexSeries {
            series: "VPI Nettokaltmiete".into(),
            value_old: 100.0,
            value_new: 109.1,
            ..IndexSeries::default()
        },
        index_bk: IndexSeries {
            series: "VPI Wohnungsnebenkosten".into(),
            value_old: 100.0,
            value_new: 99.3,
            ..IndexSeries::default()
        },
        old_limits: vec![OldLimit {
            vergleichsraum: "VR 1 Musterstadt".into(),
            household_size: 1,
            net_cold: 300.0,
            operating_costs: 100.0,
        }],
    });
    let (_, a) = run(&lp.project, &lp.data);
    let f = a.fortschreibung.as_ref().unwrap();
    assert_eq!(f.rows[0].new_gross_cold, 327.30 + 99.30);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.text.contains("älter als zwei Jahre"))
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.criterion() == kdu_konzept::model::BsgCriterion::K5
                && w.text.contains("des Bestands"))
    );
    for v in &a.vergleichsraeume {
        assert!(v.coverage.share.unwrap() > 0.0);
    }
}

#[test]
fn size_structure_against_the_stock() {
    let (_dir, mut lp) = sample();
    lp.project.parameters.representativeness.stock_by_size =
        vec![kdu_konzept::model::params::SizeStructure {
            vergleichsraum: "VR 2 Nordkreis".into(),
            shares: vec![0.6, 0.1, 0.1, 0.1, 0.1],
        }];
    let (_, a) = run(&lp.project, &lp.data);
    let v = &a.vergleichsraeume[1];
    let total: f64 = v.size_structure.iter().map(|s| s.0).sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(v.size_structure[0].1, Some(0.6));
    assert!(
        a.vergleichsraeume[0]
            .size_structure
            .iter()
            .all(|s| s.1.is_none())
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.text.contains("VR 2 Nordkreis, Größenklasse 1"))
    );
}
