//! Unit tests of the preparation, incl. the equivalence with the reference implementation.

use super::*;
use crate::model::VergleichsraumSpec;
use crate::model::params::HeatingIncludedOffers;

#[test]
fn names() {
    assert_eq!(normalize_name("Stadt Musterstadt"), "musterstadt");
    assert_eq!(normalize_name("Düren, Stadt"), "dueren");
    assert_eq!(normalize_name("  GROSS-Gerau "), "gross gerau");
    assert_eq!(normalize_name("Stadt"), "stadt");
}

#[test]
fn classes() {
    let sc = SizeClassParams::default();
    let b = class_bounds(&[50.0, 65.0, 80.0], &sc);
    assert_eq!(size_class(50.0, &b), Some(0));
    assert_eq!(size_class(50.01, &b), Some(1));
    assert_eq!(size_class(80.0, &b), Some(2));
    assert_eq!(size_class(80.5, &b), None);
    let open = SizeClassParams {
        lower_bound: Some(25.0),
        open_top: true,
    };
    let b = class_bounds(&[50.0, 65.0, 80.0], &open);
    assert_eq!(size_class(20.0, &b), None);
    assert_eq!(size_class(200.0, &b), Some(2));
}

#[test]
fn order_keys_follow_total_cmp() {
    let values = [
        f64::NEG_INFINITY,
        -1e300,
        -2.5,
        -f64::MIN_POSITIVE,
        -0.0,
        0.0,
        f64::MIN_POSITIVE,
        1.0,
        7.25,
        1e300,
        f64::INFINITY,
        f64::NAN,
    ];
    for a in values {
        assert_eq!(from_order_key(order_key(a)).to_bits(), a.to_bits());
        for b in values {
            assert_eq!(order_key(a).cmp(&order_key(b)), a.total_cmp(&b), "{a} {b}");
        }
    }
}

/// Deterministic pseudo-random numbers (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }

    fn maybe_bool(&mut self) -> Option<bool> {
        self.pick(&[None, None, None, Some(false), Some(true)])
    }
}

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

/// A project with awkward Gemeinde rows (no AGS, duplicate AGS, no Vergleichsraum,
/// Stadtbezirke) and scope parameters drawn from `rng`.
fn random_project(rng: &mut Rng) -> Project {
    let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
    p.vergleichsraeume = ["Nord", "Süd", "Leer"]
        .iter()
        .map(|n| VergleichsraumSpec {
            name: n.to_string(),
            begruendung: String::new(),
            ohne_konzept: false,
        })
        .collect();
    p.gemeinden = vec![
        gemeinde("01001000", "Stadt Nordhausen", "Nord"),
        gemeinde("1001001", "Nordheim", "Nord"),
        gemeinde("01001002", "Südstadt", "Süd"),
        gemeinde("01001002", "Südstadt Doppelt", "Süd"),
        gemeinde("", "Aubing", "Süd"),
        gemeinde("01001004", "Ohnraum", ""),
        gemeinde("01001005", "Westdorf", "West"),
    ];
    let q = &mut p.parameters;
    q.scope.contract_window_years = rng.pick(&[None, Some(2), Some(4), Some(10)]);
    q.scope.include_undated = rng.below(2) == 0;
    q.scope.exclude_furnished = rng.below(2) == 0;
    q.scope.exclude_subsidised = rng.below(2) == 0;
    q.scope.exclude_company_flats = rng.below(2) == 0;
    q.scope.exclude_dormitories = rng.below(2) == 0;
    q.scope.exclude_favour_rents = rng.below(2) == 0;
    q.scope.exclude_substandard = rng.below(2) == 0;
    q.scope.reference_kinds = rng.pick(&[
        vec![SourceKind::Bestand, SourceKind::Neuvertrag],
        vec![SourceKind::Bestand],
        vec![SourceKind::Angebot, SourceKind::Bestand],
    ]);
    q.scope.availability_kinds = rng.pick(&[
        vec![SourceKind::Angebot],
        vec![SourceKind::Angebot, SourceKind::Neuvertrag],
        vec![],
    ]);
    q.wohnflaechen.sizes = rng.pick(&[
        vec![50.0, 60.0, 75.0, 85.0, 95.0],
        vec![45.0, 60.0],
        vec![40.0, 55.0, 70.0],
    ]);
    q.size_classes.open_top = rng.below(2) == 0;
    q.size_classes.lower_bound = rng.pick(&[None, Some(20.0)]);
    q.availability.window_months = rng.pick(&[None, Some(12), Some(24)]);
    q.availability.dedup = rng.below(3) > 0;
    q.availability.heating_included =
        rng.pick(&[HeatingIncludedOffers::Split, HeatingIncludedOffers::Exclude]);
    p
}

/// Records with every case of the assignment and scope rules, many equal values (ties
/// across sources and rows, duplicate rows) and offers that duplicate each other.
fn random_records(rng: &mut Rng, n: usize) -> Vec<Record> {
    let kinds = SourceKind::ALL;
    let areas = [
        20.0, 25.0, 40.0, 45.0, 45.5, 50.0, 55.0, 60.0, 60.01, 75.0, 95.0, 120.0,
    ];
    let rents = [300.0, 333.0, 400.0, 450.0, 500.0, 612.5];
    (0..n)
        .map(|i| {
            let kind = rng.pick(&kinds);
            let area = if rng.below(4) == 0 {
                rng.pick(&areas)
            } else {
                20.0 + rng.below(10_000) as f64 / 100.0
            };
            let rent = if rng.below(3) == 0 {
                rng.pick(&rents)
            } else {
                area * (4.0 + rng.below(800) as f64 / 100.0)
            };
            let row = if rng.below(20) == 0 { 7 } else { 2 + i as u32 };
            let mut r = Record::new(rng.below(3) as u16, row, kind, rent, area);
            let place = rng.below(12);
            (r.ags, r.gemeinde, r.ortsteil) = match place {
                0 => (Some("01001000".into()), None, None),
                1 => (Some("01001001".into()), Some("Nordheim".into()), None),
                2 => (Some("01001002".into()), None, None),
                3 => (Some("09999999".into()), Some("Nordheim".into()), None),
                4 => (None, Some("Nordhausen, Stadt".into()), None),
                5 => (None, Some("SÜDSTADT".into()), None),
                6 => (None, None, Some("Aubing-Lochhausen".into())),
                7 => (None, Some("Irgendwo".into()), None),
                8 => (None, None, None),
                9 => (Some("01001004".into()), None, None),
                10 => (Some("01001005".into()), None, None),
                _ => (None, Some("Stadt".into()), Some("Aubing".into())),
            };
            r.plz = rng.pick(&[None, Some("12345".to_string()), Some("54321".into())]);
            r.operating_costs = match rng.below(6) {
                0 => None,
                1 => Some(area * 9.0),
                2 => Some(area * 2.0),
                _ => Some(area * (0.5 + rng.below(300) as f64 / 100.0)),
            };
            r.heating_included = rng.maybe_bool();
            let date = |rng: &mut Rng| {
                Date::from_ymd(2015 + rng.below(11) as i32, 1 + rng.below(12) as u32, 1)
            };
            r.contract_start = if rng.below(3) == 0 { None } else { date(rng) };
            r.last_rent_change = if rng.below(2) == 0 { None } else { date(rng) };
            r.offer_date = match rng.below(4) {
                0 => None,
                1 => Date::from_ymd(2025, 6, 1),
                _ => Date::from_ymd(2023 + rng.below(2) as i32, 1 + rng.below(12) as u32, 1),
            };
            r.landlord_type = rng.pick(&[
                None,
                Some(LandlordType::Privat),
                Some(LandlordType::Institutionell),
            ]);
            r.lift = rng.maybe_bool();
            r.welfare = rng.maybe_bool();
            for flag in [
                &mut r.furnished,
                &mut r.subsidised,
                &mut r.company_flat,
                &mut r.dormitory,
                &mut r.favour_rent,
                &mut r.substandard,
            ] {
                *flag = if rng.below(15) == 0 {
                    Some(true)
                } else {
                    rng.pick(&[None, Some(false)])
                };
            }
            r
        })
        .collect()
}

/// The fast `Prepared::new` gives exactly the reference's result (the first, plain
/// implementation): same statuses, cells, values bit for bit, BK, coverage, offers, counts.
#[test]
fn same_as_reference() {
    let mut rng = Rng(4711);
    for round in 0..60 {
        let project = random_project(&mut rng);
        let n = [0, 1, 17, 400, 3_000][round % 5];
        let records = random_records(&mut rng, n);
        let fast = Prepared::new(&records, &project);
        let slow = reference::prepared(&records, &project);
        // `Debug` prints every f64 in its shortest round-trip form, so equal texts mean
        // bit-identical values.
        assert_eq!(
            format!("{fast:#?}"),
            format!("{slow:#?}"),
            "round {round}, {n} records"
        );
        assert!(fast.n_in_cells > 0 || n < 100, "round {round}: empty cells");

        // A scope change reuses the record index, moving a Gemeinde to another Vergleichsraum
        // too; a changed AGS rebuilds it.
        let mut other = random_project(&mut rng);
        if round % 3 == 1 {
            other.gemeinden[1].vergleichsraum = "Süd".into();
        }
        if round % 3 == 2 {
            other.gemeinden[2].ags = "01001000".into();
        }
        let rescoped = fast.rescope(&records, &other);
        assert_eq!(
            Arc::ptr_eq(rescoped.index(), fast.index()),
            round % 3 != 2,
            "round {round}: index reuse"
        );
        assert_eq!(
            format!("{rescoped:#?}"),
            format!("{:#?}", reference::prepared(&records, &other)),
            "round {round}, {n} records, rescoped"
        );
    }
}

#[test]
fn cell_of_small_and_large() {
    for n_cells in [15, 70_000] {
        let mut c = CellOf::new(n_cells, 3);
        c.push(Some(n_cells - 1));
        c.push(None);
        c.push(Some(0));
        assert_eq!(c.get(0), Some(n_cells - 1));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some(0));
        assert_eq!(c.get(3), None);
    }
}

/// A project with one Gemeinde in one Vergleichsraum and the default parameters.
fn one_gemeinde_project() -> Project {
    let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
    p.vergleichsraeume = vec![VergleichsraumSpec {
        name: "V".into(),
        begruendung: String::new(),
        ohne_konzept: false,
    }];
    p.gemeinden = vec![gemeinde("01001000", "A", "V")];
    p
}

fn bestand(row: u32, area: f64, bk: Option<f64>) -> Record {
    let mut r = Record::new(0, row, SourceKind::Bestand, area * 6.0, area);
    r.gemeinde = Some("A".into());
    r.contract_start = Date::from_ymd(2023, 1, 1);
    r.operating_costs = bk;
    r
}

#[test]
fn nebenkosten_with_heating_stay_out_of_the_bk_statistic() {
    let project = one_gemeinde_project();
    let mut warm = bestand(3, 45.0, Some(45.0 * 3.2));
    warm.heating_included = Some(true);
    let mut warm_without_amount = bestand(5, 45.0, None);
    warm_without_amount.heating_included = Some(true);
    let mut cold = bestand(4, 45.0, Some(45.0 * 1.5));
    cold.heating_included = Some(false);
    let records = [
        bestand(2, 45.0, Some(45.0 * 2.0)),
        warm,
        cold,
        warm_without_amount,
    ];
    for prep in [
        Prepared::new(&records, &project),
        reference::prepared(&records, &project),
    ] {
        let cell = prep.cell(0, 0).unwrap();
        // Every record is in the cell for the Nettokaltmiete.
        assert_eq!(cell.values.len(), 4);
        assert_eq!(cell.bk.all, vec![1.5, 2.0]);
        assert_eq!(cell.bk.n_heating_included, 1);
        assert_eq!(cell.bk.n_missing, 1);
        assert_eq!(prep.bk_vr[0].all, vec![1.5, 2.0]);
        assert_eq!(prep.bk_vr[0].n_heating_included, 1);
    }
}

#[test]
fn undated_bestandsmieten_are_excluded_unless_included_and_counted_either_way() {
    let mut project = one_gemeinde_project();
    let undated = |row| {
        let mut r = bestand(row, 45.0, None);
        r.contract_start = None;
        r
    };
    let mut neuvertrag = undated(6);
    neuvertrag.kind = SourceKind::Neuvertrag;
    let mut changed_only = undated(7);
    changed_only.last_rent_change = Date::from_ymd(2024, 3, 1);
    let records = [
        bestand(2, 45.0, None),
        undated(3),
        undated(4),
        undated(5),
        neuvertrag,
        changed_only,
    ];
    for prep in [
        Prepared::new(&records, &project),
        reference::prepared(&records, &project),
    ] {
        for i in [1, 2, 3] {
            assert_eq!(
                prep.status[i],
                RecordStatus::Excluded(Reason::ContractDateMissing)
            );
        }
        let cell = prep.cell(0, 0).unwrap();
        assert_eq!(
            cell.values.len(),
            3,
            "dated Bestand, Neuvertrag, rent change only"
        );
        assert_eq!(cell.excluded[&Reason::ContractDateMissing], 3);
        assert_eq!(cell.n_undated, 3);
        assert_eq!(prep.excluded_counts[&Reason::ContractDateMissing], 3);
        // The Neuvertrag without a date is in the cell and still counted as undated.
        assert_eq!(prep.n_without_contract_date, 1);
    }
    project.parameters.scope.include_undated = true;
    for prep in [
        Prepared::new(&records, &project),
        reference::prepared(&records, &project),
    ] {
        let cell = prep.cell(0, 0).unwrap();
        assert_eq!(cell.values.len(), 6);
        assert!(!cell.excluded.contains_key(&Reason::ContractDateMissing));
        assert_eq!(cell.n_undated, 3);
        assert_eq!(prep.n_without_contract_date, 4);
    }
    // Without a contract window nothing is checked for age.
    project.parameters.scope.include_undated = false;
    project.parameters.scope.contract_window_years = None;
    let prep = Prepared::new(&records, &project);
    assert_eq!(prep.cell(0, 0).unwrap().values.len(), 6);
    assert_eq!(prep.cell(0, 0).unwrap().n_undated, 3);
}
