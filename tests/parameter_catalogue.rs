//! The parameter catalogue end to end: every parameter state survives the project file and the
//! recovery copy (random states, proptest), and invalid values in a project file are refused.

use kdu_konzept::app::recovery::Storage;
use kdu_konzept::model::catalogue::{CATALOGUE, Kind, Value, validate};
use kdu_konzept::model::params::Parameters;
use kdu_konzept::model::{Date, Project, SourceKind};
use proptest::prelude::*;

/// A random valid value for every catalogue entry, chosen by `picks` (one number in 0..1 each).
fn random_parameters(picks: &[f64]) -> Parameters {
    let mut p = Parameters::default();
    for (spec, &u) in CATALOGUE.iter().zip(picks.iter().cycle()) {
        let value = match spec.kind {
            Kind::Number {
                bounds, decimals, ..
            } => {
                let (lo, hi, step) = bounds.inner_range(decimals);
                let v = lo + u * (hi - lo);
                Value::Number((v / step).round() * step)
            }
            Kind::Count { min, max, .. } => {
                Value::Count(min + ((max - min) as f64 * u * 0.01) as u64)
            }
            Kind::Bool { .. } => Value::Bool(u < 0.5),
            Kind::Choice { options, .. } => {
                let o = options();
                Value::Choice(
                    o[((o.len() as f64 * u) as usize).min(o.len() - 1)]
                        .key
                        .clone(),
                )
            }
            Kind::Optional { bounds, .. } => {
                if u < 0.3 {
                    Value::Optional(None)
                } else {
                    let hi = if bounds.max_open {
                        bounds.max - 1.0
                    } else {
                        bounds.max
                    };
                    Value::Optional(Some(
                        (bounds.min + u * (hi - bounds.min)).floor().max(bounds.min),
                    ))
                }
            }
            Kind::Text { .. } => Value::Text(format!("Text {u}")),
            Kind::Kinds { .. } => {
                let k: Vec<SourceKind> = SourceKind::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| (u * 32.0) as usize & (1 << i) != 0)
                    .map(|(_, k)| k)
                    .collect();
                Value::Kinds(if k.is_empty() {
                    vec![SourceKind::Bestand]
                } else {
                    k
                })
            }
        };
        if let Err(e) = spec.set(&mut p, value) {
            panic!("{}: {e}", spec.path);
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_parameter_state_survives_saving(picks in proptest::collection::vec(0.0f64..1.0, 8..80)) {
        let params = random_parameters(&picks);
        let mut project = Project::new("Rundreise", Date::from_ymd(2025, 1, 1).unwrap());
        project.parameters = params;
        // Cross-parameter rules may reject a random state; it must then be refused on load too.
        let valid = validate(&project.parameters).is_empty();
        let text = project.to_toml().unwrap();
        match Project::from_toml(&text, "rundreise.kdu.toml") {
            Ok(back) => {
                prop_assert!(valid);
                prop_assert_eq!(&back.parameters, &project.parameters);
            }
            Err(e) => {
                prop_assert!(!valid, "{}", e);
                prop_assert!(e.to_string().contains("ungültige Parameter"));
            }
        }
        if valid {
            let dir = tempfile::tempdir().unwrap();
            let storage = Storage::new(dir.path().to_path_buf());
            storage.write_recovery(&project, &dir.path().join("p.kdu.toml")).unwrap();
            let copy = storage.read_recovery().unwrap();
            prop_assert_eq!(&copy.project.parameters, &project.parameters);
        }
    }
}

#[test]
fn switched_off_limits_stay_off_after_saving() {
    let mut project = Project::new("Aus", Date::from_ymd(2025, 1, 1).unwrap());
    project.parameters.scope.contract_window_years = None;
    project.parameters.availability.window_months = None;
    let back = Project::from_toml(&project.to_toml().unwrap(), "aus.kdu.toml").unwrap();
    assert_eq!(back.parameters.scope.contract_window_years, None);
    assert_eq!(back.parameters.availability.window_months, None);
}

#[test]
fn invalid_values_in_a_project_file_are_refused() {
    let project = Project::new("Falsch", Date::from_ymd(2025, 1, 1).unwrap());
    let text = project
        .to_toml()
        .unwrap()
        .replace("percentile = 0.33", "percentile = 1.5");
    let e = Project::from_toml(&text, "falsch.kdu.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Perzentil p") && e.contains("ungültig"), "{e}");
    // The file names every parameter with its label, valid values and default.
    let text = project.to_toml().unwrap();
    for spec in CATALOGUE {
        assert!(
            text.contains(&format!("# {}:", spec.label)),
            "{}",
            spec.path
        );
    }
}
