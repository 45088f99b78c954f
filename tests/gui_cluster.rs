//! Query test of the section „Clusteranalyse (Vorschlag)“ on the Vergleichsräume screen with the
//! sample project: the rent-level-only run shows its silhouette table and the proposal, the
//! button takes the proposal over as Vergleichsräume, undo restores the previous ones.

#![allow(clippy::unwrap_used)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kdu_konzept::app::{Command, KduApp};
use kdu_konzept::model::cluster::ClusterK;

#[test]
fn the_rent_level_run_is_shown_applied_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let path = kdu_konzept::sample_project::write_sample_project(dir.path()).unwrap();
    let app = KduApp::open_blocking(&path).unwrap();
    let before: Vec<(String, String)> = app
        .state()
        .project()
        .unwrap()
        .gemeinden
        .iter()
        .map(|g| (g.name.clone(), g.vergleichsraum.clone()))
        .collect();
    let n = before.len();
    assert!(n >= 4, "the sample has enough Gemeinden");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 3200.0))
        .build_eframe(move |_cc| app);
    h.run();
    h.get_by_label("Vergleichsräume").click();
    h.run();
    assert!(h.query_by_label("Clusteranalyse (Vorschlag)").is_some());
    // Without a run: no silhouette yet.
    assert!(h.query_by_label("Silhouette je Clusterzahl").is_none());
    h.get_by_label("Mietniveau der Daten verwenden (Median NKM €/m² je Gemeinde)")
        .click();
    h.run();

    let spec = h
        .state()
        .state()
        .project()
        .unwrap()
        .cluster
        .clone()
        .unwrap();
    assert!(spec.rent_level);
    assert_eq!(spec.k, ClusterK::Auto);
    // Every Gemeinde of the sample has rents, so each is in the stored proposal.
    assert_eq!(spec.proposal.len(), n);
    assert!(h.query_by_label("Silhouette je Clusterzahl").is_some());
    // One row per k = 2 … min(10, n − 1); the chosen one is marked.
    let max_k = (n - 1).min(10);
    let chosen = h
        .query_all_by_label_contains("(gewählt)")
        .collect::<Vec<_>>()
        .len();
    assert_eq!(chosen, 1);
    for k in 2..=max_k {
        assert!(
            h.query_all_by_label(&k.to_string()).count() > 0
                || h.query_by_label(&format!("{k} (gewählt)")).is_some(),
            "row k = {k}"
        );
    }
    // The proposal table lists every Gemeinde beside its current Vergleichsraum.
    assert!(h.query_by_label("Vergleichsraum (aktuell)").is_some());
    for (name, _) in &before {
        assert!(
            h.query_all_by_label(name).count() >= 2,
            "{name}: in the Gemeinde table and in the proposal"
        );
    }

    // Take it over, after the confirmation.
    h.get_by_label("Vorschlag als Vergleichsräume übernehmen")
        .click();
    h.run();
    assert!(h.query_by_label_contains("rückgängig mit Strg+Z").is_some());
    h.get_by_label("Übernehmen").click();
    h.run();
    let state = h.state().state();
    let project = state.project().unwrap();
    for entry in &spec.proposal {
        let g = project
            .gemeinden
            .iter()
            .find(|g| g.name == entry.gemeinde)
            .unwrap();
        assert_eq!(g.vergleichsraum, format!("Cluster {}", entry.cluster));
    }
    let k = spec.proposal.iter().map(|p| p.cluster).max().unwrap();
    for c in 1..=k {
        assert!(
            project
                .vergleichsraeume
                .iter()
                .any(|v| v.name == format!("Cluster {c}"))
        );
    }
    let message = &state.current_message().unwrap().text;
    assert!(
        message.contains("Begründung")
            && message.contains("zusammenhängender Lebens- und Wohnbereich")
            && message.contains("B 14 AS 24/18 R"),
        "{message}"
    );

    // One undo step restores the Vergleichsräume; the cluster run stays.
    let state = h.state_mut().state_mut();
    state.handle(Command::Undo);
    let project = state.project().unwrap();
    let after: Vec<(String, String)> = project
        .gemeinden
        .iter()
        .map(|g| (g.name.clone(), g.vergleichsraum.clone()))
        .collect();
    assert_eq!(after, before);
    assert!(
        !project
            .vergleichsraeume
            .iter()
            .any(|v| v.name == "Cluster 1")
    );
    assert!(project.cluster.is_some());
    state.handle(Command::Undo);
    assert!(state.project().unwrap().cluster.is_none());
}
