//! The flat model: one generated flat per record, and how records are spread over Gemeinden.

use super::kreis::{GEMEINDEN, LEVEL_CALIBRATION, VR_LEVEL};
use super::rng::{SampleRng, det_exp, det_ln, round_to, round1, round2};
use super::sample_stichtag;
use crate::model::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Bestand,
    Neuvertrag,
    Angebot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Landlord {
    Privat,
    Genossenschaft,
    Wohnungsunternehmen,
    Kommunal,
}

impl Landlord {
    const ALL: [Landlord; 4] = [
        Landlord::Privat,
        Landlord::Genossenschaft,
        Landlord::Wohnungsunternehmen,
        Landlord::Kommunal,
    ];

    pub(super) fn text(self) -> &'static str {
        match self {
            Landlord::Privat => "privat",
            Landlord::Genossenschaft => "Genossenschaft",
            Landlord::Wohnungsunternehmen => "Wohnungsunternehmen",
            Landlord::Kommunal => "kommunal",
        }
    }

    pub(super) fn rent_factor(self) -> f64 {
        match self {
            Landlord::Privat => 1.0,
            Landlord::Genossenschaft => 0.91,
            Landlord::Wohnungsunternehmen => 0.98,
            Landlord::Kommunal => 0.90,
        }
    }

    pub(super) fn institutional(self) -> bool {
        self != Landlord::Privat
    }
}

pub(super) const PORTALS: [&str; 5] = [
    "ImmoPortal Nord",
    "Wohnungsbörse Musterland",
    "Kreisanzeiger",
    "Website Vermieter",
    "Kleinanzeigen",
];
pub(super) const PORTAL_WEIGHTS: [f64; 5] = [0.35, 0.25, 0.10, 0.15, 0.15];

/// Baualtersklassen: (first year, last year, NKM factor, Heizkosten €/m² median).
const ERAS: [(i32, i32, f64, f64); 8] = [
    (1890, 1918, 1.00, 1.30),
    (1919, 1948, 0.96, 1.35),
    (1949, 1968, 0.93, 1.30),
    (1969, 1978, 0.95, 1.25),
    (1979, 1990, 0.99, 1.10),
    (1991, 2000, 1.04, 0.95),
    (2001, 2010, 1.09, 0.85),
    (2011, 2024, 1.20, 0.65),
];

/// Household-size components of the area mixture: (mean m², sd m², rooms).
const AREA_COMPONENTS: [(f64, f64, f64); 5] = [
    (36.0, 6.0, 1.0),
    (54.0, 7.0, 2.0),
    (71.0, 8.0, 3.0),
    (88.0, 10.0, 4.0),
    (108.0, 13.0, 5.0),
];

#[derive(Debug, Clone)]
pub(super) struct Flat {
    pub(super) gemeinde: usize,
    pub(super) plz: &'static str,
    pub(super) ortsteil: &'static str,
    pub(super) area: f64,
    pub(super) area_decimals: usize,
    pub(super) rooms: f64,
    pub(super) rent: f64,
    pub(super) bk: f64,
    pub(super) hk: f64,
    pub(super) baujahr: i32,
    pub(super) start: Option<Date>,
    pub(super) last_change: Option<Date>,
    pub(super) offer_date: Option<Date>,
    pub(super) landlord: Landlord,
    pub(super) lift: bool,
    pub(super) welfare: bool,
    pub(super) furnished: bool,
    pub(super) subsidised: bool,
    pub(super) company: bool,
    pub(super) portal: &'static str,
    pub(super) nk_incl_heating: bool,
    pub(super) nebenkosten: f64,
    pub(super) hk_stated: bool,
}

pub(super) fn days_to_date(days: i32) -> Date {
    Date::from_days_since_epoch(days)
}

fn first_of_month(d: Date) -> Date {
    let (y, m, _) = d.ymd();
    Date::from_ymd(y, m, 1).unwrap_or(d)
}

/// Generates one flat of `kind` in Gemeinde `g`.
pub(super) fn gen_flat(rng: &mut SampleRng, kind: Kind, g: usize) -> Flat {
    let def = &GEMEINDEN[g];
    let stichtag = sample_stichtag();
    let st_days = stichtag.days_since_epoch();

    // Landlord: institutional landlords are over-represented in surveys, private ones in offers.
    let landlord_w: [f64; 4] = match kind {
        Kind::Bestand => [0.36, 0.20, 0.29, 0.15],
        Kind::Neuvertrag => [0.48, 0.15, 0.25, 0.12],
        Kind::Angebot => [0.62, 0.08, 0.22, 0.08],
    };
    let landlord = Landlord::ALL[rng.pick(&landlord_w)];

    // Leistungsbezug.
    let welfare = match kind {
        Kind::Angebot => false,
        _ => {
            let vr_f = [1.2, 1.0, 0.95][def.vr];
            let ll_f = match landlord {
                Landlord::Privat => 0.65,
                Landlord::Genossenschaft => 1.3,
                Landlord::Wohnungsunternehmen => 1.25,
                Landlord::Kommunal => 1.6,
            };
            let base = if kind == Kind::Bestand { 0.125 } else { 0.10 };
            rng.chance(base * vr_f * ll_f)
        }
    };

    // Area: household-size mixture, smaller in the Kreisstadt and for benefit recipients.
    let comp_w: [f64; 5] = if welfare {
        [0.30, 0.33, 0.20, 0.11, 0.06]
    } else if def.vr == 0 {
        [0.17, 0.33, 0.28, 0.14, 0.08]
    } else {
        [0.10, 0.28, 0.32, 0.19, 0.11]
    };
    let comp = rng.pick(&comp_w);
    let (mean, sd, rooms) = AREA_COMPONENTS[comp];
    let mut area = mean + sd * rng.normal();
    for _ in 0..20 {
        if (25.0..=140.0).contains(&area) {
            break;
        }
        area = mean + sd * rng.normal();
    }
    let area = area.clamp(25.0, 140.0);
    let (area, area_decimals) = match rng.pick(&[0.6, 0.25, 0.15]) {
        0 => (round1(area), 1),
        1 => (area.round(), 0),
        _ => (round2(area), 2),
    };
    let rooms = if comp < 4 && rng.chance(0.1) {
        rooms + 0.5
    } else {
        rooms
    };

    // Baujahr.
    let era_w: [f64; 8] = match kind {
        Kind::Bestand => [6.0, 7.0, 26.0, 18.0, 14.0, 12.0, 7.0, 10.0],
        _ => [5.0, 6.0, 22.0, 16.0, 13.0, 12.0, 9.0, 17.0],
    };
    let era = rng.pick(&era_w);
    let (from, to, era_factor, hk_median) = ERAS[era];
    let baujahr = from + rng.below((to - from + 1) as usize) as i32;

    // Aufzug: rare in old and rural buildings.
    let lift_p = match baujahr {
        ..=1968 => 0.05,
        1969..=1990 => 0.25,
        _ => 0.35,
    } * if def.vr == 0 { 1.2 } else { 0.6 }
        + if landlord.institutional() { 0.05 } else { 0.0 };
    let lift = rng.chance(lift_p);

    // Special flags.
    let subsidised = baujahr >= 1950
        && rng.chance(match (kind, landlord.institutional()) {
            (Kind::Angebot, _) => 0.04,
            (_, true) => 0.10,
            (_, false) => 0.02,
        });
    let furnished = rng.chance(match kind {
        Kind::Angebot => 0.015,
        _ if comp == 0 => 0.02,
        _ => 0.004,
    });
    let company = kind != Kind::Angebot && rng.chance(0.005);

    // Dates and the time factor (rent relative to a contract with a 5-year-old adjustment).
    let mut start = None;
    let mut last_change = None;
    let mut offer_date = None;
    let time_factor = match kind {
        Kind::Bestand => {
            let t = if rng.chance(0.55) {
                let mut t = -5.5 * det_ln(1.0 - rng.uniform());
                while t >= 20.0 {
                    t = -5.5 * det_ln(1.0 - rng.uniform());
                }
                t
            } else {
                rng.range(0.0, 20.0)
            };
            // No contract before the building existed.
            let built = Date::from_ymd(baujahr, 1, 1).unwrap_or(stichtag.minus_years(20));
            let max_t = f64::from(st_days - built.days_since_epoch()) / 365.25;
            let t = if t > max_t {
                rng.range(0.05, max_t.max(0.1))
            } else {
                t.max(0.05)
            };
            let mut s = days_to_date(st_days - (t * 365.25).round() as i32);
            if rng.chance(0.9) {
                s = first_of_month(s);
            }
            if s >= stichtag {
                s = days_to_date(st_days - 31);
            }
            start = Some(s);
            let change_p = if landlord.institutional() { 0.55 } else { 0.30 };
            let lag = if t > 1.5 && rng.chance(change_p) {
                let ct = rng.range(0.1, t - 1.0);
                let c = first_of_month(days_to_date(st_days - (ct * 365.25).round() as i32));
                last_change = Some(c);
                ct + 0.35 * (t - ct)
            } else {
                t
            };
            det_exp(-0.019 * (lag - 5.0))
        }
        Kind::Neuvertrag => {
            let window = Date::from_ymd(2023, 1, 1).unwrap_or(stichtag.minus_years(2));
            let built = Date::from_ymd(baujahr, 1, 1).unwrap_or(window);
            let from = window.max(built);
            let span = st_days - from.days_since_epoch();
            let mut s = days_to_date(from.days_since_epoch() + rng.below(span as usize) as i32);
            if rng.chance(0.85) {
                s = first_of_month(s);
            }
            start = Some(s);
            let lag = f64::from(st_days - s.days_since_epoch()) / 365.25;
            det_exp(-0.019 * (lag - 5.0))
        }
        Kind::Angebot => {
            let from = stichtag.minus_months(18);
            let span = st_days - from.days_since_epoch();
            let d = days_to_date(from.days_since_epoch() + rng.below(span as usize) as i32);
            offer_date = Some(d);
            let before = f64::from(st_days - d.days_since_epoch()) / 365.25;
            det_exp(0.019 * 5.0) * det_exp(-0.025 * before)
        }
    };

    // NKM/m².
    let flag_factor = (if subsidised { 0.82 } else { 1.0 })
        * (if furnished { 1.25 } else { 1.0 })
        * (if company { 0.85 } else { 1.0 })
        * (if welfare { 0.97 } else { 1.0 })
        * (if lift { 1.03 } else { 1.0 });
    let sigma = match kind {
        Kind::Bestand => 0.13,
        Kind::Neuvertrag => 0.12,
        Kind::Angebot => 0.14,
    };
    let size_factor = det_exp(-0.12 * det_ln(area / 65.0));
    let per_m2 = VR_LEVEL[def.vr]
        * LEVEL_CALIBRATION
        * def.rent_factor
        * size_factor
        * era_factor
        * landlord.rent_factor()
        * flag_factor
        * time_factor
        * rng.lognormal(0.0, sigma);
    let per_m2 = per_m2.clamp(3.2, 15.5);
    let rent = round2(per_m2 * area);

    // Kalte Betriebskosten: private landlords often ask round prepayments.
    let bk_m2 = (1.90
        * if lift { 1.15 } else { 1.0 }
        * if landlord.institutional() { 1.04 } else { 1.0 }
        * if def.vr == 0 { 1.04 } else { 0.98 }
        * rng.lognormal(0.0, 0.11))
    .clamp(1.25, 3.2);
    let bk = if !landlord.institutional() && rng.chance(0.35) {
        round_to(bk_m2 * area, 5.0)
    } else {
        round2(bk_m2 * area)
    };

    // Heizkosten by Baualter.
    let hk_m2 = (hk_median * rng.lognormal(0.0, 0.18)).clamp(0.4, 2.6);
    let hk = if rng.chance(0.4) {
        round_to(hk_m2 * area, 5.0)
    } else {
        round2(hk_m2 * area)
    };

    // Offer specifics.
    let (portal, nk_incl_heating, nebenkosten, hk_stated) = if kind == Kind::Angebot {
        let portal = PORTALS[rng.pick(&PORTAL_WEIGHTS)];
        let incl = rng.chance(0.18);
        let nk = if incl { round_to(bk + hk, 5.0) } else { bk };
        (portal, incl, nk, !incl && rng.chance(0.7))
    } else {
        ("", false, bk, true)
    };

    let plz = def.plz[rng.below(def.plz.len())];
    let ortsteil = def.ortsteile[rng.below(def.ortsteile.len())];
    Flat {
        gemeinde: g,
        plz,
        ortsteil,
        area,
        area_decimals,
        rooms,
        rent,
        bk,
        hk,
        baujahr,
        start,
        last_change,
        offer_date,
        landlord,
        lift,
        welfare,
        furnished,
        subsidised,
        company,
        portal,
        nk_incl_heating,
        nebenkosten,
        hk_stated,
    }
}

/// Splits `total` in proportion to `weights` (largest remainder; ties by index).
fn allocate(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let assigned: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(assigned)) {
        counts[i] += 1;
    }
    counts
}

/// Record counts per Gemeinde for `total` records; `slot` selects the fixed count of the tiny
/// village (0 Bestand, 1 Neuvertrag, 2 Angebote).
pub(super) fn gemeinde_counts(total: usize, slot: usize) -> Vec<usize> {
    let fixed: usize = GEMEINDEN
        .iter()
        .filter_map(|g| g.fixed.map(|f| f[slot]))
        .sum();
    let weights: Vec<f64> = GEMEINDEN
        .iter()
        .map(|g| match g.fixed {
            Some(_) => 0.0,
            None => f64::from(g.mietwohnungen) * g.survey_factor,
        })
        .collect();
    let mut counts = allocate(total.saturating_sub(fixed), &weights);
    for (c, g) in counts.iter_mut().zip(GEMEINDEN.iter()) {
        if let Some(f) = g.fixed {
            *c = f[slot];
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{BESTAND_SHEET, SAMPLE_SEED};

    #[test]
    fn allocation_is_exact() {
        let counts = allocate(10, &[1.0, 1.0, 1.0]);
        assert_eq!(counts.iter().sum::<usize>(), 10);
        assert_eq!(counts, vec![4, 3, 3]);
        let bestand = gemeinde_counts(BESTAND_SHEET.records, 0);
        assert_eq!(bestand.iter().sum::<usize>(), BESTAND_SHEET.records);
        assert!(bestand.iter().all(|&c| c > 0));
        let offers = gemeinde_counts(1150, 2);
        assert_eq!(offers.iter().sum::<usize>(), 1150);
    }

    #[test]
    fn flats_are_plausible() {
        let mut rng = SampleRng::new(SAMPLE_SEED);
        for i in 0..3000 {
            let kind = [Kind::Bestand, Kind::Neuvertrag, Kind::Angebot][i % 3];
            let f = gen_flat(&mut rng, kind, i % GEMEINDEN.len());
            assert!((25.0..=140.0).contains(&f.area));
            let p = f.rent / f.area;
            assert!((3.1..=15.6).contains(&p), "NKM/m² {p}");
            assert!(f.bk / f.area < 3.5 && f.bk / f.area > 1.0);
            assert!((1890..=2024).contains(&f.baujahr));
            match kind {
                Kind::Angebot => {
                    let d = f.offer_date.unwrap();
                    assert!(d < sample_stichtag());
                    assert!(d >= sample_stichtag().minus_months(18));
                }
                _ => {
                    let s = f.start.unwrap();
                    assert!(s < sample_stichtag());
                    assert!(s >= sample_stichtag().minus_years(20));
                    assert!(
                        s.ymd().0 >= f.baujahr,
                        "Mietbeginn {s} vor Baujahr {}",
                        f.baujahr
                    );
                    if let Some(c) = f.last_change {
                        assert!(c > s && c < sample_stichtag());
                    }
                }
            }
        }
    }
}
