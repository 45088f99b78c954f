//! Checks `quantile_sorted` against numpy for all nine Hyndman–Fan types.
//!
//! The reference numbers in `tests/fixtures/quantile_numpy.json` come from
//! `scripts/gen_quantile_fixtures.py` (`np.quantile(x, p, method=…)`). All numbers are
//! stored as strings and parsed with the correctly rounded `str::parse::<f64>`, so every
//! case sees bit-exactly the `x`, `p` and result of numpy.

use std::collections::BTreeMap;

use kdu_konzept::analysis::quantile::{
    QuantileType, quantile_sorted, sort_values, weighted_quantile_sorted,
};

#[derive(serde::Deserialize)]
struct Fixture {
    numpy_version: String,
    methods: Vec<String>,
    p: Vec<String>,
    datasets: Vec<Dataset>,
}

#[derive(serde::Deserialize)]
struct Dataset {
    name: String,
    values: Vec<String>,
    expected: BTreeMap<String, Vec<String>>,
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn load() -> Result<Fixture, Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/quantile_numpy.json"
    );
    let text = std::fs::read_to_string(path)?;
    Ok(serde_json::from_str(&text)?)
}

fn parse_all(texts: &[String]) -> Result<Vec<f64>, std::num::ParseFloatError> {
    texts.iter().map(|s| s.parse::<f64>()).collect()
}

fn within(ours: f64, numpy: f64) -> bool {
    (ours - numpy).abs() <= 1e-12 * numpy.abs().max(1.0)
}

#[test]
fn all_nine_types_match_numpy() -> TestResult {
    let fixture = load()?;
    let ps = parse_all(&fixture.p)?;
    assert!(fixture.datasets.len() >= 15, "too few data sets");
    assert_eq!(fixture.methods.len(), 9);
    for t in QuantileType::ALL {
        assert!(
            fixture.methods.iter().any(|m| m == t.numpy_method()),
            "{t:?} missing"
        );
    }

    let mut checked = 0_usize;
    let mut bit_exact = 0_usize;
    let mut failures = Vec::new();
    for ds in &fixture.datasets {
        let mut sorted = parse_all(&ds.values)?;
        sort_values(&mut sorted);
        assert_eq!(ds.expected.len(), 9, "{}", ds.name);
        for (method, expected) in &ds.expected {
            let expected = parse_all(expected)?;
            let t = QuantileType::from_numpy_method(method)
                .unwrap_or_else(|| panic!("unknown numpy method {method}"));
            assert_eq!(expected.len(), ps.len(), "{} {method}", ds.name);
            for (&p, &want) in ps.iter().zip(&expected) {
                let got = quantile_sorted(&sorted, p, t).expect("valid input");
                if got.to_bits() == want.to_bits() {
                    bit_exact += 1;
                }
                if !within(got, want) {
                    failures.push(format!(
                        "{} n={} type {} ({method}) p={p:?}: ours {got:?}, numpy {want:?}",
                        ds.name,
                        sorted.len(),
                        t.number()
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from numpy {}:\n{}",
        failures.len(),
        fixture.numpy_version,
        failures.join("\n")
    );
    assert_eq!(checked, fixture.datasets.len() * 9 * ps.len());
    println!(
        "{checked} cases agree with numpy {} ({bit_exact} bit-exact)",
        fixture.numpy_version
    );
    Ok(())
}

#[test]
fn weighted_quantile_with_equal_weights_matches_numpy_linear() -> TestResult {
    let fixture = load()?;
    let ps = parse_all(&fixture.p)?;
    for ds in &fixture.datasets {
        let mut sorted = parse_all(&ds.values)?;
        sort_values(&mut sorted);
        let weights = vec![2.5; sorted.len()];
        let linear = parse_all(ds.expected.get("linear").ok_or("no linear results")?)?;
        for (&p, &want) in ps.iter().zip(&linear) {
            let got = weighted_quantile_sorted(&sorted, &weights, p).expect("valid input");
            assert!(within(got, want), "{} p={p}: {got} vs {want}", ds.name);
        }
    }
    Ok(())
}
