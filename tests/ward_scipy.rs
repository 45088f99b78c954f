//! Checks the Ward clustering of `analysis::cluster` (z-scores, weights, linkage, cut,
//! silhouette) against scipy.
//!
//! The reference numbers in `tests/fixtures/ward_scipy.json` come from
//! `scripts/gen_ward_fixtures.py` (`scipy.stats.zscore`, `scipy.cluster.hierarchy.linkage(…,
//! "ward")`, `fcluster(…, k, "maxclust")`). Numbers are strings parsed with `str::parse::<f64>`.

use std::collections::BTreeMap;

use kdu_konzept::analysis::cluster;

#[derive(serde::Deserialize)]
struct Fixture {
    scipy_version: String,
    datasets: Vec<Dataset>,
}

#[derive(serde::Deserialize)]
struct Dataset {
    name: String,
    rows: Vec<Vec<String>>,
    weights: Vec<String>,
    linkage: Vec<(usize, usize, String, usize)>,
    silhouette: BTreeMap<String, String>,
    labels: BTreeMap<String, Vec<usize>>,
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn load() -> Result<Fixture, Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ward_scipy.json"
    );
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn parse_all(texts: &[String]) -> Result<Vec<f64>, std::num::ParseFloatError> {
    texts.iter().map(|s| s.parse::<f64>()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Two labellings describe the same partition (labels may be permuted).
fn same_partition(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len()
        && (0..a.len()).all(|i| (0..a.len()).all(|j| (a[i] == a[j]) == (b[i] == b[j])))
}

#[test]
fn ward_linkage_cut_and_silhouette_match_scipy() -> TestResult {
    let fixture = load()?;
    assert!(fixture.datasets.len() >= 5, "too few data sets");
    assert!(!fixture.scipy_version.is_empty());
    for d in &fixture.datasets {
        let rows: Vec<Vec<f64>> = d
            .rows
            .iter()
            .map(|r| parse_all(r))
            .collect::<Result<_, _>>()?;
        let weights = parse_all(&d.weights)?;
        let n = rows.len();
        let result = cluster::run(&rows, &weights, None)?;
        assert_eq!(result.merges.len(), d.linkage.len(), "{}", d.name);
        for (i, (m, (a, b, h, size))) in result.merges.iter().zip(&d.linkage).enumerate() {
            let h: f64 = h.parse()?;
            assert!(
                close(m.height, h),
                "{} merge {i}: height {} vs scipy {h}",
                d.name,
                m.height
            );
            assert_eq!(
                (m.a, m.b, m.size),
                (*a.min(b), *a.max(b), *size),
                "{} merge {i}",
                d.name
            );
        }
        assert_eq!(result.silhouette.len(), d.silhouette.len(), "{}", d.name);
        for s in &result.silhouette {
            let expected: f64 = d.silhouette[&s.k.to_string()].parse()?;
            assert!(
                close(s.silhouette, expected),
                "{} k={}: silhouette {} vs {expected}",
                d.name,
                s.k,
                s.silhouette
            );
            let ours = cluster::cut(&result.merges, n, s.k);
            assert!(
                same_partition(&ours, &d.labels[&s.k.to_string()]),
                "{} k={}: {ours:?} vs {:?}",
                d.name,
                s.k,
                d.labels[&s.k.to_string()]
            );
        }
    }
    Ok(())
}

/// `cluster --kmeans --json` on the hand-worked example of `analysis::cluster::kmeans`
/// (values 0, 1, 5, 9, 12, 14): Ward's k = 2 puts 5 with the upper group, k-means moves it
/// to the lower one in two passes.
#[test]
fn the_command_line_reports_the_gemeinden_k_means_moved() -> TestResult {
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("ind.csv");
    std::fs::write(&csv, "Gemeinde;Miete\nA;0\nB;1\nC;5\nD;9\nE;12\nF;14\n")?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdu-konzept"))
        .args([
            "cluster",
            csv.to_str().ok_or("path")?,
            "--k",
            "2",
            "--kmeans",
            "--json",
        ])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let clusters = |a: &serde_json::Value| -> Vec<u64> {
        a.as_array()
            .map(|a| a.iter().filter_map(|x| x["cluster"].as_u64()).collect())
            .unwrap_or_default()
    };
    assert_eq!(clusters(&v["assignment"]), vec![1, 1, 2, 2, 2, 2]);
    assert_eq!(clusters(&v["kmeans"]["assignment"]), vec![1, 1, 1, 2, 2, 2]);
    assert_eq!(v["kmeans"]["iterations"], 2);
    let moved = &v["kmeans"]["moved"][0];
    assert_eq!(
        (&moved["key"], &moved["from"], &moved["to"]),
        (&"C".into(), &2.into(), &1.into())
    );
    assert_eq!(v["kmeans"]["moved"].as_array().map(Vec::len), Some(1));
    Ok(())
}
